//! What can stop a comparison: a path that is missing, unreadable or not a run, or two runs
//! of different kinds. Each message is one line naming the path. (Different targets or
//! endpoints are not errors: the comparison reports them.)

use std::path::{Path, PathBuf};

use loadcell_results::ResultsError;

#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    /// The path does not exist or cannot be read.
    #[error("{}: {}", path.display(), io_message(source))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A results folder that could not be read (its message names the file and line).
    #[error(transparent)]
    Results(#[from] ResultsError),
    /// The path holds none of the things `compare` reads.
    #[error("{}: not a loadcell results folder, summary.json or bench.json", path.display())]
    Unrecognized { path: PathBuf },
    /// A JSON file that is not what it claims to be.
    #[error("{}: invalid file: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
    /// A load run against benchmark results.
    #[error(
        "cannot compare {base} ({base_kind}) with {new} ({new_kind}): both must be load runs or both benchmark results"
    )]
    Mixed {
        base: String,
        base_kind: &'static str,
        new: String,
        new_kind: &'static str,
    },
    /// A setting out of its range.
    #[error("invalid {name}: {message}")]
    Setting { name: &'static str, message: String },
}

impl CompareError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> CompareError {
        CompareError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// "no such file or folder" rather than the OS's "No such file or directory (os error 2)".
fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}
