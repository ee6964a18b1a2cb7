//! [`PostgresError`]: why `--postgres` could not start, in one line that never shows the password.

/// What can stop `--postgres` before the run (after that, problems become notes).
#[derive(Debug, thiserror::Error)]
pub enum PostgresError {
    /// The URL is not a PostgreSQL connection string.
    #[error("invalid --postgres URL: {0}")]
    InvalidUrl(String),
    /// Connecting or the first queries failed.
    #[error("--postgres {place}: {reason}")]
    Connect {
        /// `host:port/dbname`.
        place: String,
        reason: String,
    },
    /// The watching thread could not be started or stopped answering.
    #[error("--postgres {place}: the watching thread {reason}")]
    Thread { place: String, reason: String },
}
