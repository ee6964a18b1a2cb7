//! Errors at the command-line edge and the exit code each one means. Every error here
//! ends a command before its load was sent (or, for `loadcell report`, before anything was
//! rebuilt): one line on stderr and exit 2. A result that cannot be written after load was
//! sent is not an error here: it is reported beside the verdict and the run exits 1
//! (`commands::run`).

use loadcell_plan::PlanError;
use loadcell_schema::exit;
use loadcell_session::SessionError;
use loadcell_target::TargetError;

/// Something that ends a command before (or instead of) a verdict.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Flags, files or targets that cannot be used.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// A load that cannot be planned.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// `loadcell target`'s flags.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// `loadcell demo` could not set itself up.
    #[error("{what}: {source}")]
    Demo { what: String, source: std::io::Error },
    /// A document that does not serialise (never expected).
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// A usage problem found by the command line itself.
    #[error("{0}")]
    Usage(String),
    /// A result that could not be written (the verdict, where there is one, stands).
    #[error("{0}")]
    Output(String),
}

impl CliError {
    /// The process exit code: bad usage or input, nothing sent.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Output(_) => exit::OUTPUT_FAILED,
            _ => exit::USAGE,
        }
    }
}
