//! The suite's errors: a plan that cannot be used (one line at `file:line:col`, exit 2) and
//! a suite file that cannot be written.

use std::path::PathBuf;

/// A problem in the plan file, found before any request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{col}: {message}")]
pub struct PlanError {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

/// What can go wrong while a suite runs, besides the tests' own verdicts.
#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    /// The suite folder or one of its files cannot be written.
    #[error("cannot write '{path}': {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A document that does not serialise (never expected).
    #[error("cannot serialise {what}: {source}")]
    Json {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
}
