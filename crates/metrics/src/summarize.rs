//! Turns recorders into the schema's per-interval records and keyed count maps.

use crate::endpoint::EndpointMetrics;
use crate::histogram::latency_stats;
use crate::recorder::Recorder;
use loadcell_schema::{ErrorKind, IntervalSummary};
use std::collections::BTreeMap;

/// Status counts as a JSON-friendly map (`"200" → n`).
pub fn status_map(ep: &EndpointMetrics) -> BTreeMap<String, u64> {
    ep.status
        .sorted()
        .into_iter()
        .map(|(s, n)| (s.to_string(), n))
        .collect()
}

/// Non-zero error counts by kind name.
pub fn error_map(ep: &EndpointMetrics) -> BTreeMap<String, u64> {
    ErrorKind::ALL
        .into_iter()
        .filter(|k| ep.errors[k.as_index()] > 0)
        .map(|k| (k.as_str().to_string(), ep.errors[k.as_index()]))
        .collect()
}

/// The first few distinct messages of each error kind, by kind name.
pub fn error_messages(rec: &Recorder) -> BTreeMap<String, Vec<String>> {
    rec.error_messages.to_map()
}

/// One interval of the time series from the recorders merged for it.
pub fn interval_summary(
    rec: &Recorder,
    t_s: f64,
    len_s: f64,
    warmup: bool,
    target_rate_per_s: Option<f64>,
) -> IntervalSummary {
    let all = rec.overall();
    let requests = all.requests();
    IntervalSummary {
        t_s,
        len_s,
        warmup,
        requests,
        ok: all.ok,
        failed: all.failed,
        rate_per_s: if len_s > 0.0 { requests as f64 / len_s } else { 0.0 },
        latency_ms: latency_stats(&all.latency),
        status_codes: status_map(&all),
        errors: error_map(&all),
        sent_bytes: all.sent_bytes,
        received_bytes: all.received_bytes,
        iterations: rec.iterations,
        dropped_iterations: rec.dropped,
        active_vus: rec.active_vus,
        target_rate_per_s,
    }
}
