//! The crate's error type: every message is one line naming the `--prometheus` flag, as
//! the CLI prints it after `error: `.

use std::io;
use std::net::SocketAddr;
use thiserror::Error;

/// Why the metrics server could not start, or its address was refused.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum PrometheusError {
    /// Binding the listening socket failed.
    #[error("cannot listen on {addr} for --prometheus: {reason}")]
    Bind {
        addr: SocketAddr,
        kind: io::ErrorKind,
        reason: String,
    },

    /// The server's thread or runtime could not be created.
    #[error("cannot start the --prometheus server: {0}")]
    Start(String),

    /// `--prometheus` was given something that is not `[IP:]PORT`.
    #[error("bad --prometheus address '{input}': {reason}")]
    Address { input: String, reason: &'static str },
}

impl PrometheusError {
    /// A bind failure with a short, human reason for the common cases.
    pub(crate) fn bind(addr: SocketAddr, err: &io::Error) -> PrometheusError {
        let reason = match err.kind() {
            io::ErrorKind::AddrInUse => "address in use".to_owned(),
            io::ErrorKind::PermissionDenied => "permission denied (ports below 1024 need privileges)".to_owned(),
            io::ErrorKind::AddrNotAvailable => "no such local address on this machine".to_owned(),
            _ => err.to_string(),
        };
        PrometheusError::Bind {
            addr,
            kind: err.kind(),
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bind_message_is_one_line() {
        let addr = "127.0.0.1:9464".parse().unwrap();
        let e = PrometheusError::bind(addr, &io::Error::from(io::ErrorKind::AddrInUse));
        assert_eq!(
            e.to_string(),
            "cannot listen on 127.0.0.1:9464 for --prometheus: address in use"
        );
    }
}
