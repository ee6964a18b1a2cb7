//! `loadcell baseline save`: a run's numbers written into the file — current values
//! replaced, a history entry appended (the oldest dropped past the limit), the SLO status
//! and the overall compliance recomputed. Endpoints the run did not have stay as they were;
//! an SLO the run's thresholds do not state stays as the file had it.

use crate::file::{BaselinesFile, EndpointBaseline, HistoryEntry, Status};
use crate::measured::{Measured, RunNumbers};

/// Applies `run` to `file`, keeping at most `history_limit` entries per endpoint.
pub fn apply(file: &mut BaselinesFile, run: &RunNumbers, history_limit: usize) {
    for m in &run.endpoints {
        let entry = match file.endpoints.iter_mut().position(|e| e.name == m.name) {
            Some(i) => &mut file.endpoints[i],
            None => {
                file.endpoints.push(EndpointBaseline {
                    name: m.name.clone(),
                    ..EndpointBaseline::default()
                });
                let last = file.endpoints.len() - 1;
                &mut file.endpoints[last]
            }
        };
        update(entry, m, run, history_limit);
    }
    file.update_compliance();
}

fn update(e: &mut EndpointBaseline, m: &Measured, run: &RunNumbers, history_limit: usize) {
    if m.slo_p95_ms.is_some() {
        e.slo_p95_ms = m.slo_p95_ms;
    }
    e.current_p95_ms = m.p95_ms;
    e.current_p99_ms = m.p99_ms;
    e.throughput_rps = m.throughput_rps;
    e.current_error_rate = m.error_rate;
    e.current_mean_ms = m.mean_ms;
    e.last_tested = run.tested_at.clone();
    e.status = e
        .slo_p95_ms
        .map(|slo| if m.p95_ms < slo { Status::Pass } else { Status::Fail });
    e.history.push(HistoryEntry {
        tested_at: run.tested_at.clone(),
        p95_ms: m.p95_ms,
        p99_ms: m.p99_ms,
        throughput_rps: m.throughput_rps,
        error_rate: m.error_rate,
        mean_ms: m.mean_ms,
        source: run.source.clone(),
    });
    let excess = e.history.len().saturating_sub(history_limit.max(1));
    e.history.drain(..excess);
}
