//! Why a command could not run, or a result could not be written. Errors keep their
//! sources: each crate's own error is a variant (`#[from]`), and the message is written for
//! the user, naming the flag or file involved.

use loadcell_capacity::ConfigError;
use loadcell_http::RequestError;
use loadcell_plan::PlanError;
use loadcell_prometheus::PrometheusError;
use loadcell_report::ReportError;
use loadcell_results::ResultsError;
use loadcell_scenario::ScenarioError;
use loadcell_threshold::ThresholdError;
use std::path::PathBuf;

/// Something that stops a command, or a result that could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// Flags that contradict each other or the target (`--base-url` with a URL, …).
    #[error("{0}")]
    Invalid(String),
    /// The target is not there: every connection was refused or its host is unknown (a
    /// setup error, found in the first second of the run).
    #[error("{0}")]
    Unreachable(String),
    /// The scenario's `setup:` failed or timed out: no load was sent after it.
    #[error("setup failed: {0} — no load was sent")]
    SetupFailed(String),
    /// The load flags or the scenario's `load:` cannot be planned.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// A URL, request or TLS setting that cannot be used.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// A scenario file that does not load.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// A `--threshold` or `--slo` that does not parse.
    #[error(transparent)]
    Threshold(#[from] ThresholdError),
    /// The capacity search's settings.
    #[error("capacity: {0}")]
    Search(#[from] ConfigError),
    /// `--monitor`, `--monitor-series`, `--flamegraph`: a bad spec, a source that is not there.
    #[error(transparent)]
    Monitor(#[from] loadcell_monitor::MonitorError),
    /// `--postgres`: a URL that does not parse or a database that refuses us.
    #[error(transparent)]
    Postgres(#[from] loadcell_postgres::PostgresError),
    /// `--prometheus`: a bad address or a port that is taken.
    #[error(transparent)]
    Prometheus(#[from] PrometheusError),
    /// More connections than the process may open (`ulimit -n`).
    #[error(transparent)]
    Descriptors(#[from] loadcell_engine::TooManyConnections),
    /// A file a flag names that cannot be read (`--body-file`).
    #[error("cannot read {flag} '{}': {source}", path.display())]
    ReadFlag {
        flag: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// A file a flag names that cannot be written (`--summary-json`, `--json`, `--samples`):
    /// checked before the first request, or a write that failed afterwards.
    #[error("cannot write {flag} '{}': {source}", path.display())]
    WriteFlag {
        flag: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// A file of a results folder that cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    ReadFile { path: PathBuf, source: std::io::Error },
    /// A file of a results folder that cannot be written.
    #[error("cannot write {}: {source}", path.display())]
    WriteFile { path: PathBuf, source: std::io::Error },
    /// A folder that cannot be created (`context` is `--out: ` when the flag named it).
    #[error("{context}cannot create '{}': {source}", path.display())]
    CreateDir {
        context: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// The results folder: creating it, its interval log, reading it back.
    #[error("{context}{source}")]
    Results {
        /// `--out: ` when the folder was named by the flag.
        context: &'static str,
        source: ResultsError,
    },
    /// Results folders that cannot be merged (`loadcell merge`), or the merge not written.
    #[error(transparent)]
    Merge(#[from] loadcell_results::MergeError),
    /// Rendering a report.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// A document that does not serialise (never expected).
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// A results folder's `summary.json` that is not a loadcell summary.
    #[error("{} is not a loadcell summary: {source}", path.display())]
    NotASummary { path: PathBuf, source: serde_json::Error },
}

impl From<ResultsError> for SessionError {
    fn from(source: ResultsError) -> SessionError {
        SessionError::Results { context: "", source }
    }
}

/// Shorthand for [`SessionError::Invalid`].
pub(crate) fn invalid(message: impl Into<String>) -> SessionError {
    SessionError::Invalid(message.into())
}
