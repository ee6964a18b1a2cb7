//! Builds the `summary.json` document from what the engine measured.

use loadcell_engine::{Model, Outcome};
use loadcell_metrics::{
    EndpointMetrics, LatencyHistogram, Recorder, error_map, latency_stats, percentile_spectrum, status_map,
};
use loadcell_schema::{
    ArrivalRate, CheckSummary, CustomKind, CustomMetricSummary, DataVolume, EndpointSummary, Generator, Iterations,
    JourneySummary, LatencyStats, PercentilePoint, Requests, RunMetadata, SCHEMA_VERSION, StageMark, Summary,
    ThresholdResult, Vus, rfc3339_utc,
};

/// Above this share of its threads' CPU the generator is likely the bottleneck.
const SATURATED_CPU_PERCENT: f64 = 90.0;

/// Per-second rates over the measured time of a run.
#[derive(Clone, Copy)]
pub(crate) struct PerSecond(pub(crate) f64);

impl PerSecond {
    pub(crate) fn of(&self, n: u64) -> f64 {
        if self.0 > 0.0 { n as f64 / self.0 } else { 0.0 }
    }
}

/// The summary of `outcome`, with threshold verdicts already evaluated.
/// `stage_names[i]` names stage `i` of the planned curve (profiles); missing names are `None`.
/// The per-stage results and the profile's analyses are added by [`crate::summarise`].
pub fn build(
    outcome: &Outcome,
    target: &str,
    thresholds: Vec<ThresholdResult>,
    metadata: RunMetadata,
    stage_names: &[String],
) -> Summary {
    let total = &outcome.total;
    let all = total.overall();
    let secs = outcome.measured.as_secs_f64();
    let per_s = PerSecond(secs);
    let requests = all.requests();
    let open = matches!(outcome.model, Model::Open { .. });
    let co_estimate = (!open).then(|| latency_stats(&all.co_estimate));
    Summary {
        schema_version: SCHEMA_VERSION,
        loadcell_version: env!("CARGO_PKG_VERSION").to_string(),
        target: target.to_string(),
        model: outcome.model.kind(),
        latency_measured_from: if open { "scheduled start" } else { "request sent" }.to_string(),
        started_at: rfc3339_utc(outcome.started_at),
        ended_at: rfc3339_utc(outcome.ended_at),
        duration_s: secs,
        warmup_s: outcome.warmup_len.as_secs_f64(),
        stop_reason: outcome.stop_reason,
        requests: Requests {
            total: requests,
            ok: all.ok,
            failed: all.failed,
            rate_per_s: per_s.of(requests),
            interrupted: total.interrupted + outcome.warmup.interrupted,
            warmup: outcome.warmup.requests(),
        },
        iterations: Iterations {
            total: total.iterations,
            rate_per_s: per_s.of(total.iterations),
            scheduled: total.scheduled,
            dropped: total.dropped,
            cut: total.iterations_cut,
        },
        dropped_iterations: total.dropped,
        latency_ms: latency_stats(&all.latency),
        latency_expected_ms: latency_stats(&all.latency_expected),
        service_time_ms: open.then(|| latency_stats(&all.service)),
        schedule: loadcell_engine::schedule_summary(outcome),
        latency_co_estimate_ms: co_estimate.clone(),
        ttfb_ms: latency_stats(&all.ttfb),
        sending_ms: latency_stats(&all.sending),
        receiving_ms: latency_stats(&all.receiving),
        blocked_ms: latency_stats(&all.blocked),
        connecting_ms: latency_stats(&all.connecting),
        tls_handshaking_ms: latency_stats(&all.tls_handshaking),
        iteration_duration_ms: latency_stats(&iteration_durations(total, &all)),
        connect_ms: latency_stats(&total.connect),
        connections_opened: total.connections_opened,
        status_codes: status_map(&all),
        errors: error_map(&all),
        error_messages: loadcell_metrics::error_messages(total),
        // Filled by the session when the run was monitored (`--monitor`).
        monitor: Vec::new(),
        postgres: Vec::new(),
        bottlenecks: Vec::new(),
        segment: (!outcome.segment.is_whole()).then(|| outcome.segment.to_string()),
        merged: Vec::new(),
        data: DataVolume {
            sent_bytes: all.sent_bytes,
            received_bytes: all.received_bytes,
            decoded_body_bytes: all.decoded_body_bytes,
        },
        vus: Vus {
            max: total.active_vus,
            limit: outcome.vus_limit,
            never_started: outcome.vus_wanted.saturating_sub(outcome.vus_ran),
        },
        arrival_rate: arrival_rate(outcome, per_s),
        endpoints: endpoints(outcome, per_s),
        journeys: journeys(outcome, per_s),
        checks: checks(outcome),
        scenarios: crate::scenarios::summaries(outcome, per_s),
        lifecycle: crate::lifecycle::summaries(outcome),
        custom_metrics: custom_metrics(outcome, per_s),
        thresholds,
        generator: generator(outcome, &all, co_estimate.as_ref()),
        timeseries: outcome.intervals.clone(),
        latency_percentiles: percentile_spectrum(&all.latency)
            .into_iter()
            .map(|(percentile, latency_ms)| PercentilePoint { percentile, latency_ms })
            .collect(),
        stages: stage_marks(&outcome.model, stage_names),
        metadata,
        // Filled by `crate::summarise` (per-stage results and the profile's analyses) and by
        // the capacity and scale sweeps.
        phases: Vec::new(),
        breaking_point: None,
        spike_recovery: None,
        soak_trend: None,
        capacity: None,
        scale: None,
    }
}

/// The scenario's own metrics, each with the fields of its kind.
fn custom_metrics(outcome: &Outcome, per_s: PerSecond) -> Vec<CustomMetricSummary> {
    outcome
        .custom
        .iter()
        .map(|def| {
            // Every step that adds to it, merged.
            let all = loadcell_threshold::TagFilter::default();
            let v = &crate::filters::custom_values(&outcome.custom_sites, &outcome.total.custom, &def.name, &all)
                .unwrap_or_default();
            let added = v.count > 0;
            let mut s = CustomMetricSummary::new(def, v.count, v.invalid);
            match def.kind {
                CustomKind::Counter => {
                    s.count = Some(v.sum);
                    s.rate = Some(if per_s.0 > 0.0 { v.sum / per_s.0 } else { 0.0 });
                }
                CustomKind::Rate => {
                    s.rate = added.then(|| v.nonzero as f64 / v.count as f64);
                    s.passes = Some(v.nonzero);
                    s.fails = Some(v.count - v.nonzero);
                }
                CustomKind::Gauge => {
                    s.value = added.then_some(v.last);
                    s.min = added.then_some(v.min);
                    s.max = added.then_some(v.max);
                }
                CustomKind::Trend => {
                    s.min = added.then_some(v.min);
                    s.max = added.then_some(v.max);
                    s.avg = v.mean();
                    s.med = v.quantile(0.5);
                    s.p90 = v.quantile(0.9);
                    s.p95 = v.quantile(0.95);
                    s.p99 = v.quantile(0.99);
                }
            }
            s
        })
        .collect()
}

/// Every endpoint (request slots grouped by name).
fn endpoints(outcome: &Outcome, per_s: PerSecond) -> Vec<EndpointSummary> {
    group_by_endpoint(outcome)
        .into_iter()
        .map(|(name, method, ep)| EndpointSummary {
            name,
            method,
            requests: ep.requests(),
            ok: ep.ok,
            failed: ep.failed,
            rate_per_s: per_s.of(ep.requests()),
            latency_ms: latency_stats(&ep.latency),
            ttfb_ms: latency_stats(&ep.ttfb),
            connections: ep.connections,
            connect_ms: latency_stats(&ep.connect),
            status_codes: status_map(&ep),
            errors: error_map(&ep),
            skipped: ep.skipped,
        })
        .collect()
}

/// Every journey, with the requests of its steps merged.
fn journeys(outcome: &Outcome, per_s: PerSecond) -> Vec<JourneySummary> {
    let total = &outcome.total;
    outcome
        .journeys
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let j = total.journeys.get(i).cloned().unwrap_or_default();
            let mut requests = EndpointMetrics::default();
            for (slot, ep) in outcome.endpoints.iter().zip(&total.endpoints) {
                if slot.journey.as_deref() == Some(name.as_str()) {
                    requests.merge(ep);
                }
            }
            JourneySummary {
                name: name.clone(),
                iterations: j.iterations,
                failed: j.failed,
                rate_per_s: per_s.of(j.iterations),
                duration_ms: latency_stats(&j.duration),
                requests: requests.requests(),
                latency_ms: latency_stats(&requests.latency),
            }
        })
        .collect()
}

/// Every check with its pass rate (1 when it never ran).
fn checks(outcome: &Outcome) -> Vec<CheckSummary> {
    outcome
        .checks
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let counts = outcome.total.checks.get(i).copied().unwrap_or_default();
            let runs = counts.passed + counts.failed;
            CheckSummary {
                journey: c.journey.clone(),
                step: c.step.clone(),
                name: c.label.clone(),
                passed: counts.passed,
                failed: counts.failed,
                pass_rate: if runs > 0 {
                    counts.passed as f64 / runs as f64
                } else {
                    1.0
                },
            }
        })
        .collect()
}

/// Open model: the time-weighted mean target rate over the measured intervals, and what
/// was achieved.
fn arrival_rate(outcome: &Outcome, per_s: PerSecond) -> Option<ArrivalRate> {
    let Model::Open { rate, .. } = &outcome.model else {
        return None;
    };
    let measured_intervals = outcome.intervals.iter().filter(|i| !i.warmup);
    let (sum, len) = measured_intervals.fold((0.0, 0.0), |(s, l), i| {
        (s + i.target_rate_per_s.unwrap_or(0.0) * i.len_s, l + i.len_s)
    });
    let target = if len > 0.0 { sum / len } else { rate.mean() };
    let total = &outcome.total;
    Some(ArrivalRate {
        target_per_s: target,
        achieved_per_s: per_s.of(total.scheduled - total.dropped),
    })
}

/// loadcell's own cost, and the warnings about what the numbers may hide.
fn generator(outcome: &Outcome, all: &EndpointMetrics, co_estimate: Option<&LatencyStats>) -> Generator {
    let cpu_s = outcome.usage.cpu.as_secs_f64();
    let wall_s = (outcome.measured + outcome.warmup_len).as_secs_f64();
    let cpu_percent = if wall_s > 0.0 {
        100.0 * cpu_s / (wall_s * outcome.threads as f64)
    } else {
        0.0
    };
    let all_requests = all.requests() + outcome.warmup.requests();
    Generator {
        threads: outcome.threads as u64,
        cpu_percent,
        cpu_us_per_request: if all_requests > 0 {
            cpu_s * 1e6 / all_requests as f64
        } else {
            0.0
        },
        max_rss_mib: outcome.usage.max_rss_kib as f64 / 1024.0,
        usage_unknown: false,
        warnings: warnings(outcome, all, cpu_percent, co_estimate),
    }
}

/// What the reader must know to trust the numbers: a saturated generator, coordinated
/// omission, dropped, skipped or cut requests.
fn warnings(
    outcome: &Outcome,
    all: &EndpointMetrics,
    cpu_percent: f64,
    co_estimate: Option<&LatencyStats>,
) -> Vec<String> {
    let mut warnings: Vec<String> = loadcell_schema::mostly_failed(all.failed, all.requests())
        .into_iter()
        .collect();
    if cpu_percent > SATURATED_CPU_PERCENT {
        warnings.push(format!(
            "loadcell used {cpu_percent:.0}% of its {} thread(s): the generator may be the bottleneck; numbers can understate what the target can do",
            outcome.threads
        ));
    }
    let raw_p99 = latency_stats(&all.latency).p99;
    if let Some(est) = co_estimate.filter(|e| e.count > 0 && co_is_material(raw_p99, e.p99)) {
        warnings.push(format!(
            "closed model: VUs waited on slow responses instead of sending (coordinated omission); p99 {raw_p99:.2} ms as measured, about {:.2} ms for users arriving at a steady rate (estimate); use --rate to measure it",
            est.p99
        ));
    }
    warnings.extend(loadcell_engine::own_warnings(outcome, cpu_percent));
    if all.skipped > 0 {
        warnings.push(format!(
            "{} scenario requests were not sent: a variable they need was never extracted or their URL left the target (endpoints[].skipped)",
            all.skipped
        ));
    }
    warnings
}

/// Below this many milliseconds a coordinated-omission gap does not change what a user
/// would conclude (a p99 of 0.11 ms "estimated" at 0.3 ms is noise, not a warning).
const CO_MATERIAL_MS: f64 = 5.0;

/// Whether the closed-model estimate differs materially from the measured p99: at least
/// twice it, and by at least [`CO_MATERIAL_MS`].
fn co_is_material(measured_p99: f64, estimated_p99: f64) -> bool {
    measured_p99 > 0.0 && estimated_p99 > 2.0 * measured_p99 && estimated_p99 - measured_p99 >= CO_MATERIAL_MS
}

/// Request slots merged by endpoint name (`METHOD /path`), in first-seen order: steps of
/// different journeys that hit the same templated endpoint are one endpoint in results.
pub fn group_by_endpoint(outcome: &Outcome) -> Vec<(String, String, EndpointMetrics)> {
    let mut groups: Vec<(String, String, EndpointMetrics)> = Vec::new();
    for (slot, ep) in outcome.endpoints.iter().zip(&outcome.total.endpoints) {
        // A step's redirect slot that saw no hop is not an endpoint anyone called.
        if slot.counts_redirects() && ep.requests() == 0 && ep.skipped == 0 {
            continue;
        }
        let name = slot.display();
        match groups.iter_mut().find(|(n, _, _)| *n == name) {
            Some((_, _, merged)) => merged.merge(ep),
            None => groups.push((name, slot.method.clone(), ep.clone())),
        }
    }
    groups
}

/// The planned load curve as stage marks, named by `names` where given.
fn stage_marks(model: &Model, names: &[String]) -> Vec<StageMark> {
    let (curve, unit) = match model {
        Model::Closed { vus } => (vus, "vus"),
        Model::Open { rate, .. } => (rate, "iterations/s"),
    };
    curve
        .segments()
        .into_iter()
        .enumerate()
        .filter(|&(_, (_, len, _, _))| len < 1e8)
        .map(|(i, (start, len, from, to))| StageMark {
            start_s: start,
            end_s: start + len,
            from,
            to,
            unit: unit.to_string(),
            name: names.get(i).cloned(),
        })
        .collect()
}

/// Every iteration's duration: the journeys' merged in scenario runs; in quick mode an
/// iteration is one request, so the requests' latency.
pub(crate) fn iteration_durations(total: &Recorder, all: &EndpointMetrics) -> LatencyHistogram {
    if total.journeys.is_empty() {
        return all.latency.clone();
    }
    let mut merged = loadcell_metrics::new_histogram();
    for j in &total.journeys {
        loadcell_metrics::merge_into(&mut merged, &j.duration);
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use loadcell_engine::LoadCurve;
    use loadcell_units::Stage;
    use std::time::Duration;

    #[test]
    fn coordinated_omission_warns_only_when_material() {
        assert!(!co_is_material(0.11, 0.3), "sub-millisecond noise is not a warning");
        assert!(!co_is_material(10.0, 14.0), "under twice the measurement");
        assert!(!co_is_material(0.0, 50.0), "nothing measured");
        assert!(co_is_material(3.0, 900.0), "a stall hidden by the closed model");
        assert!(co_is_material(5.0, 10.5));
    }

    #[test]
    fn stage_marks_carry_the_phase_names() {
        let stages = [
            Stage {
                duration: Duration::from_secs(10),
                target: 5.0,
            },
            Stage {
                duration: Duration::from_secs(20),
                target: 5.0,
            },
        ];
        let model = Model::Closed {
            vus: LoadCurve::new(0.0, &stages),
        };
        let names = ["ramp up".to_string(), "hold 100%".to_string()];
        let marks = stage_marks(&model, &names);
        assert_eq!(marks.len(), 2);
        assert_eq!(marks[1].name.as_deref(), Some("hold 100%"));
        assert_eq!((marks[1].start_s, marks[1].end_s), (10.0, 30.0));
        assert!(stage_marks(&model, &[]).iter().all(|m| m.name.is_none()));
        let json = serde_json::to_string(&marks[0]).unwrap_or_default();
        assert!(json.contains("\"name\":\"ramp up\""), "{json}");
        let unnamed = serde_json::to_string(&stage_marks(&model, &[])[0]).unwrap_or_default();
        assert!(!unnamed.contains("name"), "{unnamed}");
    }
}
