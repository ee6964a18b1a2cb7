//! Why a request failed at the transport level, as a closed set of kinds.
//!
//! A failed request is a measurement, not an error: the engine counts it under one of these
//! kinds (never under a formatted string) so the counts stay bounded and comparable.

/// The transport-level outcome of a request that produced no HTTP response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorKind {
    /// The host name did not resolve.
    Dns,
    /// The target refused the TCP connection (nothing listening).
    ConnectRefused,
    /// The TCP (and TLS) connection was not established within `--connect-timeout`.
    ConnectTimeout,
    /// The TLS handshake failed (bad certificate, protocol mismatch).
    Tls,
    /// No complete response arrived within `--timeout`.
    RequestTimeout,
    /// The connection was reset by the peer.
    Reset,
    /// The peer closed the connection before the response was complete.
    ConnectionClosed,
    /// The bytes received were not a valid HTTP response.
    MalformedResponse,
    /// loadcell's own machine refused a socket or a local port (out of file descriptors:
    /// EMFILE, ENFILE; out of ephemeral ports: EADDRNOTAVAIL). loadcell's limit, not the
    /// target's doing.
    LocalLimit,
    /// Still in flight when the run ended and its grace period ran out (a hung request); its
    /// age at the cut is recorded as its latency, a lower bound.
    Unfinished,
    /// A scenario step's redirects went on past its limit (`follow_redirects: N`,
    /// `--max-redirects`, 10 by default): a redirect loop, or a chain longer than allowed.
    /// Recorded on the last hop, whose response was another redirect.
    TooManyRedirects,
    /// A scenario step's response said `Content-Encoding: gzip | deflate | br | zstd` (or a
    /// coding loadcell does not know) and its body did not decode: corrupt, truncated, or
    /// larger than 64 MiB decoded. A complete response, refused afterwards: its latency kept.
    BodyDecode,
    /// Any other I/O failure (reported with this name so it is still counted).
    Other,
}

impl ErrorKind {
    /// Every kind, in the order used for arrays indexed by `as_index`.
    pub const ALL: [ErrorKind; 13] = [
        ErrorKind::Dns,
        ErrorKind::ConnectRefused,
        ErrorKind::ConnectTimeout,
        ErrorKind::Tls,
        ErrorKind::RequestTimeout,
        ErrorKind::Reset,
        ErrorKind::ConnectionClosed,
        ErrorKind::MalformedResponse,
        ErrorKind::LocalLimit,
        ErrorKind::Unfinished,
        ErrorKind::TooManyRedirects,
        ErrorKind::BodyDecode,
        ErrorKind::Other,
    ];
    /// Number of kinds, for fixed-size counter arrays.
    pub const COUNT: usize = Self::ALL.len();

    /// Stable snake_case name used in JSON, thresholds and Prometheus labels.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Dns => "dns",
            ErrorKind::ConnectRefused => "connect_refused",
            ErrorKind::ConnectTimeout => "connect_timeout",
            ErrorKind::Tls => "tls",
            ErrorKind::RequestTimeout => "request_timeout",
            ErrorKind::Reset => "reset",
            ErrorKind::ConnectionClosed => "connection_closed",
            ErrorKind::MalformedResponse => "malformed_response",
            ErrorKind::LocalLimit => "local_limit",
            ErrorKind::Unfinished => "unfinished",
            ErrorKind::TooManyRedirects => "too_many_redirects",
            ErrorKind::BodyDecode => "body_decode",
            ErrorKind::Other => "other",
        }
    }

    /// Position in `ALL`, for counter arrays.
    pub fn as_index(self) -> usize {
        self as usize
    }

    /// Inverse of `as_str`.
    pub fn from_name(name: &str) -> Option<ErrorKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_indexes_match_order() {
        for (i, kind) in ErrorKind::ALL.into_iter().enumerate() {
            assert_eq!(kind.as_index(), i);
            assert_eq!(ErrorKind::from_name(kind.as_str()), Some(kind));
        }
        assert_eq!(ErrorKind::from_name("nope"), None);
    }
}
