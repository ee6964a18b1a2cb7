//! What can go wrong writing or reading a results folder; every message names the file
//! (and, for interval records, the line).

use std::path::PathBuf;

/// A results folder could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    /// A file could not be created, written, synced or read.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `create` was pointed at a folder that already holds a run.
    #[error("{}: the folder already holds a run's results; choose another folder", path.display())]
    Exists { path: PathBuf },
    /// `read` was pointed at a folder without `meta.json`.
    #[error("{}: not a loadcell results folder (file missing)", path.display())]
    NotResults { path: PathBuf },
    /// `meta.json` is not valid run metadata.
    #[error("{}: invalid run metadata: {message}", path.display())]
    Meta { path: PathBuf, message: String },
    /// The folder was written by a newer loadcell.
    #[error("{}: results format version {found} is newer than this loadcell reads ({supported})", path.display())]
    Version { path: PathBuf, found: u32, supported: u32 },
    /// A line of `intervals.ndjson` (other than a cut-off last one) is not an interval.
    #[error("{}:{line}: invalid interval record: {message}", path.display())]
    Interval {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// `end.json` is not a valid end record.
    #[error("{}: invalid end record: {message}", path.display())]
    End { path: PathBuf, message: String },
    /// A histogram or record could not be encoded (does not happen with valid histograms).
    #[error("{}: could not encode interval {seq}: {message}", path.display())]
    Encode { path: PathBuf, seq: u64, message: String },
}

impl ResultsError {
    /// An I/O error on `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> ResultsError {
        ResultsError::Io {
            path: path.into(),
            source,
        }
    }
}
