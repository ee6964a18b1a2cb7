//! Errors at the command-line edge and the exit code each one means.

use loadcell_schema::exit;

/// Something that ends a command before (or instead of) a verdict.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad flags or input; nothing was sent.
    #[error("{0}")]
    Usage(String),
    /// Results could not be written.
    #[error("{0}")]
    Output(String),
}

impl CliError {
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Usage(_) | CliError::Output(_) => exit::USAGE,
        }
    }
}
