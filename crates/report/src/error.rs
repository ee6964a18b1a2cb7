//! [`ReportError`]: what can go wrong between a summary and a report file.

use std::path::PathBuf;

/// Rendering itself cannot fail for a valid summary; writing the result can.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A report file or its directory could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A format could not be rendered from this summary.
    #[error("cannot render {format}: {message}")]
    Render { format: &'static str, message: String },
}
