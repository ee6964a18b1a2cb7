//! SLO thresholds for loadcell: parsing threshold expressions (k6 syntax
//! `http_req_duration{endpoint:GET /x}: p(95)<200` and the short form
//! `p95<200ms`) and evaluating them against a [`MetricSource`].
//!
//! Limits are stored in canonical units (see [`Unit`]): milliseconds for
//! trend metrics, fractions 0..=1 for `rate` of http_req_failed/checks,
//! per second for `rate` of counters, plain counts, bytes for data_*.

use std::fmt;
use std::time::Duration;

mod error;
mod eval;
mod filter;
#[doc(hidden)]
pub mod fuzzing;
mod metric;
mod op;
mod parse;
mod suggest;
mod units;

pub use error::ThresholdError;
pub use eval::{FirstOf, MetricSource, Verdict};
pub use filter::{StatusFilter, TagFilter, TagKey};
pub use metric::{Aggregation, Custom, Metric, MetricKind};
pub use op::Op;
pub use parse::{parse, parse_condition, parse_condition_with, parse_key, parse_key_with, parse_with};
pub use units::Unit;

/// One parsed threshold: `aggregation` of `metric` (restricted to `filter`)
/// compared with `limit` by `op`.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    /// The text as written (trimmed); `"{key}: {condition}"` from [`parse_condition`].
    pub expr: String,
    pub metric: Metric,
    pub filter: TagFilter,
    pub aggregation: Aggregation,
    pub op: Op,
    /// In the canonical unit, see [`Threshold::unit`].
    pub limit: f64,
    /// k6's `abortOnFail` with its `delayAbortEval`: end the run as soon as this threshold
    /// fails, judged only after this much measured time. `None` leaves it to
    /// `--abort-on-fail` (which covers every threshold).
    pub abort_after: Option<Duration>,
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.expr)
    }
}
