//! Why a set of points cannot be fitted.

use thiserror::Error;

/// Input the fit rejects; every message is one line.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum UslError {
    /// Fewer than three distinct concurrency levels for three parameters.
    #[error("the fit needs at least 3 distinct concurrency levels, got {0}")]
    TooFewLevels(usize),
    /// A concurrency below 1 or not a number.
    #[error("concurrency must be a number of at least 1, got {0}")]
    BadConcurrency(f64),
    /// A negative or non-finite throughput.
    #[error("throughput at N={n} must be a finite number of at least 0, got {x}")]
    BadThroughput { n: f64, x: f64 },
    /// Every level measured zero throughput.
    #[error("no level measured any throughput")]
    NoThroughput,
}
