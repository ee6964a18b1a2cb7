//! `scenarios[]` of the summary: a file with `scenarios:` split by scenario — every request
//! slot, check and journey carries its scenario (each journey belongs to one), so each
//! scenario's numbers are sums over its own slots, and together they add up to the run's.
//! The executor and start time are the file's; the session fills them in.

use crate::summary::PerSecond;
use loadcell_engine::Outcome;
use loadcell_metrics::{EndpointMetrics, latency_stats};
use loadcell_schema::ScenarioSummary;

/// One entry per scenario the run's slots name, in order of first appearance.
pub(crate) fn summaries(outcome: &Outcome, per_s: PerSecond) -> Vec<ScenarioSummary> {
    let mut names: Vec<&str> = Vec::new();
    for name in outcome.endpoints.iter().filter_map(|e| e.tag("scenario")) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names.into_iter().map(|name| one(outcome, name, per_s)).collect()
}

fn one(outcome: &Outcome, name: &str, per_s: PerSecond) -> ScenarioSummary {
    let total = &outcome.total;
    let mut requests = EndpointMetrics::default();
    let mut journeys: Vec<String> = Vec::new();
    for (slot, ep) in outcome.endpoints.iter().zip(&total.endpoints) {
        if slot.tag("scenario") != Some(name) {
            continue;
        }
        requests.merge(ep);
        if let Some(j) = &slot.journey
            && !journeys.contains(j)
        {
            journeys.push(j.clone());
        }
    }
    let (mut iterations, mut failed_iterations) = (0, 0);
    for (j, metrics) in outcome.journeys.iter().zip(&total.journeys) {
        if journeys.contains(j) {
            iterations += metrics.iterations;
            failed_iterations += metrics.failed;
        }
    }
    let (mut checks_passed, mut checks_failed) = (0, 0);
    for (check, counts) in outcome.checks.iter().zip(&total.checks) {
        if check.tag("scenario") == Some(name) {
            checks_passed += counts.passed;
            checks_failed += counts.failed;
        }
    }
    ScenarioSummary {
        name: name.to_string(),
        executor: String::new(),
        start_time_s: 0.0,
        journeys,
        iterations,
        failed_iterations,
        requests: requests.requests(),
        failed_requests: requests.failed,
        rate_per_s: per_s.of(requests.requests()),
        latency_ms: latency_stats(&requests.latency),
        checks_passed,
        checks_failed,
    }
}
