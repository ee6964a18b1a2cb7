//! What can stop a benchmark: a command that cannot start or fails, a framework that is not
//! installed or whose run fails, a results file that cannot be read. One line each, naming
//! the command or file (and line:column for JSON).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// A command line that does not split into words (an unclosed quote).
    #[error("cannot parse command '{command}': {message}")]
    Parse { command: String, message: String },
    /// No command, or an empty one.
    #[error("no command to benchmark")]
    NoCommand,
    /// A command that could not be started.
    #[error("cannot run '{command}': {message}")]
    Spawn { command: String, message: String },
    /// A command that exited unsuccessfully (without `ignore_failure`).
    #[error(
        "'{command}' exited with {status}; to benchmark it anyway, use --ignore-failure (ignore_failure: true in a suite plan)"
    )]
    Failed { command: String, status: String },
    /// A setting out of its range.
    #[error("invalid {name}: {message}")]
    Setting { name: &'static str, message: String },
    /// A benchmark framework's run that failed; `output` is the end of what it printed.
    #[error("{tool} failed in {}: {message}", dir.display())]
    Framework {
        tool: &'static str,
        dir: PathBuf,
        message: String,
    },
    /// No benchmark framework found in a directory.
    #[error("{}: no benchmarks found (looked for criterion or #[bench] in Cargo.toml projects, Go Benchmark functions, pytest-benchmark tests)", dir.display())]
    NothingDetected { dir: PathBuf },
    #[error("{}: {message}", path.display())]
    Io { path: PathBuf, message: String },
    /// A results file that is not in the format it was read as.
    #[error("{}{}: {message}", path.display(), position.map(|(l, c)| format!(":{l}:{c}")).unwrap_or_default())]
    Invalid {
        path: PathBuf,
        position: Option<(usize, usize)>,
        message: String,
    },
}

impl BenchError {
    pub(crate) fn io(path: &std::path::Path, e: &std::io::Error) -> BenchError {
        let message = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file or folder".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        };
        BenchError::Io {
            path: path.to_path_buf(),
            message,
        }
    }

    /// A JSON error in `path`, with its line and column.
    pub(crate) fn json(path: &std::path::Path, e: &serde_json::Error) -> BenchError {
        BenchError::Invalid {
            path: path.to_path_buf(),
            position: Some((e.line(), e.column())),
            message: e.to_string().split(" at line ").next().unwrap_or_default().to_string(),
        }
    }

    pub(crate) fn invalid(path: &std::path::Path, message: impl Into<String>) -> BenchError {
        BenchError::Invalid {
            path: path.to_path_buf(),
            position: None,
            message: message.into(),
        }
    }
}
