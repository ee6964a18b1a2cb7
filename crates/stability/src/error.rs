//! Why an analysis could not be made: the series is too short or degenerate.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Error)]
pub enum StabilityError {
    /// A line with its significance needs at least three points (one degree of freedom).
    #[error("a trend needs at least 3 points, got {0}")]
    TooFewPoints(usize),
    /// Every point has the same time: no slope can be fitted.
    #[error("all points are at the same time")]
    NoSpread,
    /// A time or value is NaN or infinite.
    #[error("the series holds a value that is not a finite number")]
    NotFinite,
}
