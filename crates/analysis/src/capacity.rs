//! The capacity search as `summary.json` says it: what one step measured ([`step`]), the
//! `capacity` section, and which SLO verdicts stand as the document's `thresholds` (those
//! of the step the answer rests on).

use crate::measured::{Measured, evaluate};
use crate::resources::with_resources;
use crate::sweep::Combined;
use loadcell_capacity::{SearchResult, StepResult};
use loadcell_engine::Outcome;
use loadcell_schema::{CapacityKnee, CapacityStep, CapacitySummary, LatencyLimit, Summary, TargetUse, ThresholdResult};
use loadcell_threshold::{Aggregation, FirstOf, Metric, MetricSource, Op, Threshold};
use std::time::Duration;

/// What the search was asked, besides its SLOs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub step_duration_s: f64,
    pub step_warmup_s: f64,
    pub max_time_s: f64,
    pub precision: f64,
}

/// The `capacity` section of the summary; `targets[i]` is what `--monitor` saw of the
/// target during `r.steps[i]`.
pub fn capacity(
    r: &SearchResult,
    slos: &[Threshold],
    settings: &Settings,
    targets: &[Option<TargetUse>],
) -> CapacitySummary {
    CapacitySummary {
        slos: slos.iter().map(|t| t.expr.clone()).collect(),
        capacity_per_s: r.capacity,
        highest_pass_per_s: r.highest_pass,
        lowest_fail_per_s: r.lowest_fail,
        stop: r.stop,
        knee: r.knee.map(|k| CapacityKnee {
            offered_rate: k.offered_rate,
            p95_ms: k.p95_ms,
        }),
        step_duration_s: settings.step_duration_s,
        max_time_s: settings.max_time_s,
        elapsed_s: r.elapsed_s,
        steps: r
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| CapacityStep {
                offered_rate: s.offered_rate,
                achieved_rate: s.achieved_rate,
                p50_ms: s.p50_ms,
                p95_ms: s.p95_ms,
                p99_ms: s.p99_ms,
                error_pct: s.error_pct,
                scheduled: s.scheduled,
                dropped: s.dropped,
                interrupted: s.interrupted,
                passed: s.passed,
                failed: s.failed.clone(),
                elapsed_s: s.elapsed_s,
                target: targets.get(i).cloned().flatten(),
            })
            .collect(),
        step_warmup_s: settings.step_warmup_s,
        precision: settings.precision,
        latency_limits: latency_limits(slos),
    }
}

/// SLOs that cap a latency percentile of every request, for the chart's limit lines.
fn latency_limits(slos: &[Threshold]) -> Vec<LatencyLimit> {
    slos.iter()
        .filter_map(|t| match (t.metric, t.aggregation, t.op) {
            (Metric::HttpReqDuration, Aggregation::Percentile(p), Op::Lt | Op::Le) if t.filter.is_empty() => {
                Some(LatencyLimit {
                    slo: t.expr.clone(),
                    percentile: p,
                    limit_ms: t.limit,
                })
            }
            _ => None,
        })
        .collect()
}

/// The document's `thresholds`: the SLO verdicts of the step the answer rests on, the
/// highest passing step (the last one run at the capacity rate), or, when none passed,
/// the lowest rate tried. `verdicts[i]` belongs to `r.steps[i]`.
pub fn thresholds(r: &SearchResult, verdicts: &[Vec<ThresholdResult>]) -> Vec<ThresholdResult> {
    let answer = match r.capacity {
        Some(rate) => r.steps.iter().rposition(|s| s.passed && s.offered_rate == rate),
        None => r
            .steps
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.offered_rate.total_cmp(&b.1.offered_rate))
            .map(|(i, _)| i),
    };
    answer.and_then(|i| verdicts.get(i)).cloned().unwrap_or_default()
}

/// What one step measured, for the search (the offered rate and wall time are the
/// caller's to fill in), and the SLO verdicts on it; `resources` (`--monitor`, the step's
/// own readings) answer `target_*` SLOs.
pub fn step(
    outcome: &Outcome,
    slos: &[Threshold],
    resources: Option<&dyn MetricSource>,
) -> (StepResult, Vec<ThresholdResult>) {
    let measured = Measured::of(outcome);
    let verdicts = evaluate(slos, &FirstOf(&with_resources(&measured, resources)));
    let seconds = outcome.measured.as_secs_f64();
    let total = &outcome.total;
    let overall = total.overall();
    let quantile = |q: f64| (!overall.latency.is_empty()).then(|| overall.latency.value_at_quantile(q) as f64 / 1000.0);
    let requests = overall.requests();
    let result = StepResult {
        offered: 0.0,
        achieved: if seconds > 0.0 {
            total.iterations as f64 / seconds
        } else {
            0.0
        },
        p50_ms: quantile(0.50),
        p95_ms: quantile(0.95),
        p99_ms: quantile(0.99),
        error_rate: if requests > 0 {
            overall.failed as f64 / requests as f64
        } else {
            0.0
        },
        scheduled: total.scheduled,
        dropped: total.dropped,
        interrupted: total.interrupted,
        slo_failures: verdicts
            .iter()
            .filter(|v| !v.passed)
            .map(|v| format!("{} (actual {})", v.expr, v.actual_text))
            .collect(),
        elapsed: Duration::ZERO,
    };
    (result, verdicts)
}

/// The summary of every step so far with the `capacity` section; `None` before any step.
/// `verdicts[i]` are the SLO verdicts of `result.steps[i]`.
pub fn summary(
    combined: &Combined,
    result: &SearchResult,
    slos: &[Threshold],
    verdicts: &[Vec<ThresholdResult>],
    settings: &Settings,
    targets: &[Option<TargetUse>],
    finished: bool,
) -> Option<Summary> {
    let mut doc = combined.summary(thresholds(result, verdicts), finished)?;
    doc.capacity = Some(capacity(result, slos, settings, targets));
    Some(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use loadcell_capacity::{Config, Search, StepResult};
    use std::time::Duration;

    fn verdict(expr: &str, passed: bool) -> ThresholdResult {
        ThresholdResult {
            expr: expr.to_string(),
            passed,
            ..ThresholdResult::default()
        }
    }

    fn searched(p95s: &[(f64, f64)]) -> SearchResult {
        let mut search = Search::new(Config::default()).unwrap_or_else(|e| panic!("{e}"));
        for &(rate, p95) in p95s {
            search.record(StepResult {
                offered: rate,
                achieved: rate,
                p95_ms: Some(p95),
                scheduled: 100,
                slo_failures: if p95 < 200.0 { vec![] } else { vec!["p95<200ms".into()] },
                elapsed: Duration::from_secs(1),
                ..StepResult::default()
            });
        }
        search.result()
    }

    #[test]
    fn thresholds_come_from_the_highest_passing_step() {
        let r = searched(&[(10.0, 5.0), (20.0, 300.0), (15.0, 50.0)]);
        let verdicts = vec![
            vec![verdict("step 1", true)],
            vec![verdict("step 2", false)],
            vec![verdict("step 3", true)],
        ];
        assert_eq!(thresholds(&r, &verdicts)[0].expr, "step 3");
        let none = searched(&[(10.0, 300.0), (5.0, 250.0)]);
        let verdicts = vec![vec![verdict("at 10", false)], vec![verdict("at 5", false)]];
        assert_eq!(thresholds(&none, &verdicts)[0].expr, "at 5", "the lowest rate tried");
    }

    #[test]
    fn only_plain_latency_percentile_caps_are_chart_lines() {
        let slos: Vec<Threshold> = [
            "p95<200ms",
            "http_req_duration: p(99)<=1s",
            "error_rate<1%",
            "http_req_duration{method:GET}: p(95)<100",
            "p95>1ms",
        ]
        .iter()
        .map(|e| loadcell_threshold::parse(e).unwrap_or_else(|err| panic!("{err}")))
        .collect();
        let lines = latency_limits(&slos);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!((lines[0].percentile, lines[0].limit_ms), (95.0, 200.0));
        assert_eq!((lines[1].percentile, lines[1].limit_ms), (99.0, 1000.0));
        assert_eq!(lines[1].slo, "http_req_duration: p(99)<=1s");
    }
}
