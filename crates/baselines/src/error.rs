//! What can go wrong with a baselines file: it cannot be read or written, or it is not the
//! JSON it should be (the message names the file, line and column).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum BaselinesError {
    #[error("{}: {message}", path.display())]
    Io { path: PathBuf, message: String },
    #[error("{}:{line}:{column}: {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// `check` or `trend` on a file that does not exist yet.
    #[error("{}: no such baselines file; create it with `loadcell baseline save RESULTS`", path.display())]
    Missing { path: PathBuf },
    /// The run to save or check could not be read.
    #[error(transparent)]
    Run(#[from] loadcell_compare::CompareError),
}

impl BaselinesError {
    pub(crate) fn io(path: &std::path::Path, e: &std::io::Error) -> BaselinesError {
        let message = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file or folder".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        };
        BaselinesError::Io {
            path: path.to_path_buf(),
            message,
        }
    }
}
