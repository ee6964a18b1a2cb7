//! `lifecycle[]` of the summary: a file's `setup:` and `teardown:` as they ran — how long,
//! why one failed, and the requests of their slots (group `::setup` / `::teardown`), which
//! the run's totals also count, as k6 counts setup()'s requests.

use loadcell_engine::Outcome;
use loadcell_schema::LifecycleSummary;

pub(crate) fn summaries(outcome: &Outcome) -> Vec<LifecycleSummary> {
    outcome
        .lifecycle
        .iter()
        .map(|run| {
            let group = format!("::{}", run.phase.as_str());
            let (mut requests, mut failed_requests) = (0, 0);
            for (slot, ep) in outcome.endpoints.iter().zip(&outcome.total.endpoints) {
                if slot.tag("group") == Some(group.as_str()) {
                    requests += ep.requests();
                    failed_requests += ep.failed;
                }
            }
            LifecycleSummary {
                phase: run.phase.as_str().to_string(),
                duration_s: run.duration.as_secs_f64(),
                requests,
                failed_requests,
                error: run.failure.as_ref().map(ToString::to_string),
            }
        })
        .collect()
}
