//! The error type of threshold parsing: one variant per kind of mistake, every
//! message a single line that quotes the offending threshold text.

use thiserror::Error;

use crate::filter::TagKey;
use crate::metric::Metric;

/// Why a threshold expression was rejected.
///
/// Every variant carries `expr`, the offending text (trimmed, with control
/// characters escaped and very long text shortened) so that the `Display`
/// output is always one line: `bad threshold 'p95<abc': expected a number after '<', found 'abc'`.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum ThresholdError {
    /// Nothing but whitespace.
    #[error("empty threshold: expected e.g. 'p95<200ms' or 'http_req_duration: p(95)<200'")]
    Empty,

    /// Malformed text: missing operator or value, bad number, bad unit,
    /// trailing garbage, a malformed tag filter...
    #[error("bad threshold '{expr}': {reason}")]
    Syntax { expr: String, reason: String },

    /// The metric name is not one loadcell records.
    #[error("bad threshold '{expr}': unknown metric '{name}'{}", metric_hint(.suggestion, .customs))]
    UnknownMetric {
        expr: String,
        name: String,
        suggestion: Option<&'static str>,
        /// The scenario's own metrics, listed beside the built-in ones.
        customs: Vec<&'static str>,
    },

    /// The aggregation does not exist or does not apply to the metric
    /// (e.g. `rate` of a trend).
    #[error(
        "bad threshold '{expr}': '{aggregation}' is not an aggregation of {metric}; use {}",
        metric.kind().aggregation_hint()
    )]
    InvalidAggregation {
        expr: String,
        metric: Metric,
        aggregation: String,
    },

    /// A tag filter key that is not one of the known tags.
    #[error("bad threshold '{expr}': unknown tag key '{key}'{}", tag_hint(.suggestion))]
    UnknownTagKey {
        expr: String,
        key: String,
        suggestion: Option<&'static str>,
    },

    /// A tag the metric cannot be split by (`iterations{endpoint:…}`, `data_sent` has no
    /// check): such a filter could never match, so it is refused.
    #[error("bad threshold '{expr}': {metric} cannot be filtered by {key}{}{}", allowed_hint(*.metric), status_hint(*.key))]
    TagNotApplicable { expr: String, metric: Metric, key: TagKey },

    /// A scenario file's own tag on a metric that does not carry them (`vus{kind:x}`).
    #[error(
        "bad threshold '{expr}': {metric} cannot be filtered by the file's own tag '{key}' (requests, checks and iterations carry tags)"
    )]
    CustomTagNotApplicable { expr: String, metric: Metric, key: String },

    /// A filter value that names nothing the run can produce (checked against the run before
    /// its first request).
    #[error("bad threshold '{expr}': {reason}")]
    NoMatch { expr: String, reason: String },

    /// `p(N)` with N outside 0..=100.
    #[error("bad threshold '{expr}': percentile {value} is out of range; use p(N) with N from 0 to 100")]
    PercentileOutOfRange { expr: String, value: String },
}

fn metric_hint(suggestion: &Option<&'static str>, customs: &[&'static str]) -> String {
    match suggestion {
        Some(s) => format!("; did you mean '{s}'?"),
        None if !customs.is_empty() => format!(
            "; the scenario's own metrics: {}; built-in: {}",
            customs.join(", "),
            builtin_names()
        ),
        None => format!("; known metrics: {}", builtin_names()),
    }
}

fn builtin_names() -> String {
    let names: Vec<&str> = Metric::ALL.iter().map(Metric::name).collect();
    names.join(", ")
}

fn allowed_hint(metric: Metric) -> String {
    let keys: Vec<&str> = metric.tag_keys().iter().map(|k| k.as_str()).collect();
    match keys.as_slice() {
        [] => format!(" ({metric} takes no tag filter)"),
        [one] => format!(" (it takes only {one})"),
        [rest @ .., last] => format!(" (it takes {} or {last})", rest.join(", ")),
    }
}

/// Where a status split does exist.
fn status_hint(key: TagKey) -> &'static str {
    match key {
        TagKey::Status => "; count responses by status with http_reqs{status:…}: count",
        _ => "",
    }
}

fn tag_hint(suggestion: &Option<&'static str>) -> String {
    match suggestion {
        Some(s) => format!("; did you mean '{s}'?"),
        None => "; use endpoint, name, method, status, journey, step, check, scenario, url, group, expected_response, error, or a tag of the scenario file's (letters, digits, '_')".into(),
    }
}

pub(crate) use loadcell_diagnostics::clip;
