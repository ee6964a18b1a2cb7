//! Why a load cannot be planned. Every variant is bad input: the command line reports it
//! as one line and exits 2, before any request.

use loadcell_threshold::ThresholdError;
use loadcell_units::UnitError;

/// A load that cannot be planned, with a message that names the flags or keys involved.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// Flags or values that contradict each other, or that would send nothing.
    #[error("{0}")]
    Invalid(String),
    /// A quantity that does not parse (`--stages`).
    #[error(transparent)]
    Unit(#[from] UnitError),
    /// `--profile` names no profile.
    #[error("unknown profile '{name}': expected one of {expected}{hint}")]
    UnknownProfile {
        name: String,
        expected: String,
        /// `; did you mean 'load'?`, or empty.
        hint: String,
    },
    /// A threshold a profile adds (never expected: they are constants).
    #[error(transparent)]
    Threshold(#[from] ThresholdError),
}

/// Shorthand for [`PlanError::Invalid`].
pub(crate) fn invalid(message: impl Into<String>) -> PlanError {
    PlanError::Invalid(message.into())
}
