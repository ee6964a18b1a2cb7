//! The crate's error type: every way starting or configuring the target can fail,
//! each with a one-line, user-facing message.

use std::net::SocketAddr;

/// Everything that can go wrong while configuring or starting the target.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// A flag (or the matching [`crate::Config`] field) has an unusable value.
    #[error("invalid value '{value}' for --{flag}: {reason}")]
    InvalidFlag {
        /// The flag name without the leading dashes, e.g. `latency`.
        flag: &'static str,
        /// The value as given.
        value: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The listening socket could not be set up.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address we tried to listen on.
        addr: SocketAddr,
        /// The underlying OS error.
        source: std::io::Error,
    },
    /// The tokio runtime or the server thread could not be started.
    #[error("cannot start the target runtime: {0}")]
    Runtime(std::io::Error),
    /// `--postgres`: the database could not be reached or prepared (never names the password).
    #[error("PostgreSQL at {place}: {reason}")]
    Postgres {
        /// `host:port/dbname`.
        place: String,
        /// What failed, in the server's or the client's words.
        reason: String,
    },
    /// The in-process server thread ended before reporting its address.
    #[error("the target server thread stopped before it was ready")]
    ThreadDied,
}

impl TargetError {
    /// True when the error comes from a bad flag value (the CLI exits with 2 for these).
    pub fn is_usage(&self) -> bool {
        matches!(self, TargetError::InvalidFlag { .. })
    }

    pub(crate) fn flag(flag: &'static str, value: impl Into<String>, reason: impl Into<String>) -> Self {
        TargetError::InvalidFlag {
            flag,
            value: value.into(),
            reason: reason.into(),
        }
    }
}
