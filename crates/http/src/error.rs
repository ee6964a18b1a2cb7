//! Errors of this crate: bad request definitions (the user's input) and failed requests
//! (measurements, classified by kind).

use loadcell_schema::ErrorKind;
use std::io;

/// A request that cannot be built from what the user gave; reported before any traffic.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RequestError {
    #[error("invalid URL '{url}': {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("unsupported URL scheme '{0}': use http:// or https://")]
    UnsupportedScheme(String),
    #[error("invalid HTTP method '{0}'")]
    InvalidMethod(String),
    /// A `-H` line without the `:` between name and value (the line, escaped and clipped).
    #[error("invalid header '{0}': expected 'Name: value'")]
    InvalidHeader(String),
    /// The name, escaped and clipped.
    #[error("invalid header name '{0}': use letters, digits and !#$%&'*+-.^_`|~")]
    InvalidHeaderName(String),
    /// A CR or LF in a value would end the header and start another one (header injection).
    #[error("header '{0}' has a line break (CR or LF) in its value; a header value must be one line")]
    HeaderLineBreak(String),
    #[error("header '{name}' has a control character ({found}) in its value")]
    HeaderControlCharacter { name: String, found: String },
    #[error("cannot set up TLS: {0}")]
    Tls(String),
    /// A certificate, key or CA file that cannot be read or holds no usable PEM.
    #[error("{what} '{path}': {reason}")]
    TlsFile {
        what: &'static str,
        path: String,
        reason: String,
    },
    /// A `--resolve` (or scenario `resolve:`) entry that is not `host:port:address`.
    #[error("invalid resolve entry '{entry}': {reason} (expected host:port:address, as curl's --resolve)")]
    InvalidResolve { entry: String, reason: String },
}

/// A request that did not produce a complete response.
#[derive(Debug, thiserror::Error)]
#[error("{kind}: {detail}")]
pub struct HttpError {
    pub kind: ErrorKind,
    pub detail: String,
    /// True when the failure happened on a reused connection before any response byte
    /// arrived: the server had likely closed the idle connection, and the request may be
    /// sent again on a fresh one without having been served.
    pub stale: bool,
}

impl HttpError {
    pub fn new(kind: ErrorKind, detail: impl Into<String>) -> HttpError {
        HttpError {
            kind,
            detail: detail.into(),
            stale: false,
        }
    }

    /// Classifies an I/O error that happened while a request was under way.
    pub fn from_io(e: &io::Error) -> HttpError {
        let kind = match e.kind() {
            io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted | io::ErrorKind::BrokenPipe => {
                ErrorKind::Reset
            }
            io::ErrorKind::UnexpectedEof => ErrorKind::ConnectionClosed,
            io::ErrorKind::TimedOut => ErrorKind::RequestTimeout,
            io::ErrorKind::InvalidData if is_tls(e) => ErrorKind::Tls,
            io::ErrorKind::InvalidData => ErrorKind::MalformedResponse,
            _ => ErrorKind::Other,
        };
        HttpError::new(kind, e.to_string())
    }

    /// Classifies an I/O error that happened while connecting.
    pub fn from_connect_io(e: &io::Error) -> HttpError {
        if is_local_limit(e) {
            return HttpError::new(
                ErrorKind::LocalLimit,
                format!("{e} (loadcell's own limit: raise `ulimit -n` or use fewer connections)"),
            );
        }
        let kind = match e.kind() {
            io::ErrorKind::ConnectionRefused => ErrorKind::ConnectRefused,
            io::ErrorKind::TimedOut => ErrorKind::ConnectTimeout,
            io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted => ErrorKind::Reset,
            _ if is_tls(e) => ErrorKind::Tls,
            _ => ErrorKind::Other,
        };
        HttpError::new(kind, e.to_string())
    }

    /// Marks this error as having happened on a stale reused connection.
    pub fn stale(mut self) -> HttpError {
        self.stale = true;
        self
    }
}

/// The OS refused loadcell a descriptor (EMFILE, ENFILE) or a local port (EADDRNOTAVAIL).
fn is_local_limit(e: &io::Error) -> bool {
    #[cfg(unix)]
    if let Some(code) = e.raw_os_error() {
        return matches!(code, libc::EMFILE | libc::ENFILE | libc::EADDRNOTAVAIL);
    }
    let _ = e;
    false
}

fn is_tls(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<rustls::Error>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_out_of_sockets_or_ports_is_loadcells_own_limit() {
        for code in [libc::EMFILE, libc::ENFILE, libc::EADDRNOTAVAIL] {
            let e = HttpError::from_connect_io(&io::Error::from_raw_os_error(code));
            assert_eq!(e.kind, ErrorKind::LocalLimit, "{code}");
            assert!(e.detail.contains("ulimit"), "{}", e.detail);
        }
        let refused = HttpError::from_connect_io(&io::Error::from(io::ErrorKind::ConnectionRefused));
        assert_eq!(refused.kind, ErrorKind::ConnectRefused);
    }
}
