//! Why a `--monitor` setup was refused: every variant is a usage error (exit 2, before any
//! request), with one line that quotes what the user wrote.

use thiserror::Error;

/// A `--monitor`, `--monitor-series` or `--flamegraph` the run cannot start with.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum MonitorError {
    /// The text is not a source spec.
    #[error("bad --monitor '{spec}': {reason}")]
    BadSpec { spec: String, reason: String },
    /// A well-formed source that is not there: no such process, nothing matches the name,
    /// no such cgroup, the endpoint does not answer.
    #[error("--monitor {spec}: {reason}")]
    Unavailable { spec: String, reason: String },
    /// The text is not a series selector.
    #[error("bad --monitor-series '{selector}': {reason}")]
    BadSeries { selector: String, reason: String },
    /// `--monitor-series` without a `prometheus:` source to apply to.
    #[error("--monitor-series needs a --monitor prometheus:URL source")]
    SeriesWithoutPrometheus,
    /// `--flamegraph` profiles one process (or one process name's processes).
    #[error("--flamegraph needs exactly one --monitor pid:N or process:NAME source, got {0}")]
    FlameGraphSources(usize),
}

impl MonitorError {
    pub(crate) fn bad_spec(spec: &str, reason: impl Into<String>) -> MonitorError {
        MonitorError::BadSpec {
            spec: loadcell_diagnostics::clip(spec, 120),
            reason: reason.into(),
        }
    }

    pub(crate) fn unavailable(spec: &str, reason: impl Into<String>) -> MonitorError {
        MonitorError::Unavailable {
            spec: loadcell_diagnostics::clip(spec, 120),
            reason: reason.into(),
        }
    }
}
