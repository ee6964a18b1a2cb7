//! Per-stage results of a staged run and its breaking point: the first stage whose own
//! results break the thresholds, how the target broke there (latency climbed, errors
//! appeared, timeouts, or the rate could not be kept), and whether it broke gracefully or
//! fell over.

use crate::measured::Measured;
use crate::resources::{Monitored, with_resources};
use loadcell_engine::{Model, Outcome};
use loadcell_metrics::{EndpointMetrics, Recorder, error_map, latency_stats};
use loadcell_monitor::Tally;
use loadcell_schema::{Behaviour, BreakingPoint, ErrorKind, PhaseSummary};
use loadcell_threshold::{FirstOf, MetricSource, Threshold};

/// A stage's p95 above this multiple of the previous stage's counts as latency climbing.
const LATENCY_CLIMB: f64 = 2.0;
/// An achieved rate below this share of the stage's level (open model) counts as not kept.
const RATE_KEPT: f64 = 0.95;
/// Past the breaking point, still completing this share of the best successful throughput
/// of the stages that held is a graceful degradation ...
const GRACEFUL_KEPT: f64 = 0.9;
/// ... and under this share (or this error rate) is falling over.
const FELL_OVER_KEPT: f64 = 0.5;
const FELL_OVER_ERRORS: f64 = 0.5;

/// The measured stages of a staged run, each with its index in the planned curve (stages
/// without measured time are left out), and the breaking point.
#[derive(Debug, Default)]
pub struct Staged {
    pub phases: Vec<(usize, PhaseSummary)>,
    pub breaking: Option<BreakingPoint>,
}

impl Staged {
    /// The measured results of stage `index`, if it had measured time.
    pub fn phase(&self, index: usize) -> Option<&PhaseSummary> {
        self.phases.iter().find(|(i, _)| *i == index).map(|(_, p)| p)
    }
}

/// Per-stage summaries and the breaking point; empty for runs of one stage.
pub fn analyse(
    outcome: &Outcome,
    thresholds: &[Threshold],
    names: &[String],
    monitor: Option<&Monitored<'_>>,
) -> Staged {
    let spans = loadcell_engine::phase_spans(&outcome.model);
    if spans.len() < 2 || outcome.phases.len() != spans.len() {
        return Staged::default();
    }
    let segments = match &outcome.model {
        Model::Closed { vus } => vus.segments(),
        Model::Open { rate, .. } => rate.segments(),
    };
    let levels: Vec<f64> = segments.iter().map(|s| s.3).collect();
    // What a stage offered on average: a ramp's mean is halfway between its ends.
    let offered: Vec<f64> = segments.iter().map(|s| (s.2 + s.3) / 2.0).collect();
    let last = spans.len() - 1;
    let warmup_s = outcome.warmup_len.as_secs_f64();
    let phases: Vec<(usize, PhaseSummary)> = spans
        .iter()
        .zip(&outcome.phases)
        .enumerate()
        .filter_map(|(i, (&span, rec))| {
            let stage = Stage {
                index: i,
                span,
                name: names.get(i).cloned().unwrap_or_else(|| format!("stage {}", i + 1)),
                level: levels.get(i).copied().unwrap_or(0.0),
            };
            // The stage's own readings (the last stage also holds the time after the curve).
            let end = if i == last { f64::INFINITY } else { span.1 };
            let resources = monitor.map(|m| m.window(span.0.max(warmup_s), end));
            phase(outcome, &spans, &stage, rec, thresholds, resources.as_ref()).map(|p| (i, p))
        })
        .collect();
    let open = matches!(outcome.model, Model::Open { .. });
    let breaking = breaking_point(&phases, &offered, open);
    Staged { phases, breaking }
}

/// What a stage of the plan is, before it is measured.
struct Stage {
    index: usize,
    /// Start and end, seconds since the start of the run.
    span: (f64, f64),
    name: String,
    level: f64,
}

/// One stage's own results and the thresholds judged on them; `None` when it had no
/// measured time.
fn phase(
    outcome: &Outcome,
    spans: &[(f64, f64)],
    stage: &Stage,
    rec: &Recorder,
    thresholds: &[Threshold],
    resources: Option<&Tally>,
) -> Option<PhaseSummary> {
    let seconds: f64 = outcome
        .intervals
        .iter()
        .filter(|iv| !iv.warmup && loadcell_engine::phase_of(spans, iv.t_s - iv.len_s / 2.0) == Some(stage.index))
        .map(|iv| iv.len_s)
        .sum();
    if seconds <= 0.0 {
        return None;
    }
    let all = rec.overall();
    let source = Measured {
        total: rec,
        endpoints: &outcome.endpoints,
        journeys: &outcome.journeys,
        checks: &outcome.checks,
        custom_sites: &outcome.custom_sites,
        seconds,
        vus_limit: outcome.vus_limit,
    };
    let asked = with_resources(&source, resources.map(|r| r as &dyn MetricSource));
    let failed: Vec<String> = thresholds
        .iter()
        .filter(|t| !t.evaluate(&FirstOf(&asked)).passed)
        .map(|t| t.expr.clone())
        .collect();
    let span = PhaseSpan {
        name: stage.name.clone(),
        start_s: stage.span.0,
        end_s: stage.span.1,
        level: stage.level,
        seconds,
    };
    Some(measured_phase(
        span,
        &all,
        rec.dropped,
        (!thresholds.is_empty()).then_some(failed),
    ))
}

/// Where and what a phase is: a stage of the plan, a step of a sweep, a few seconds.
pub(crate) struct PhaseSpan {
    pub name: String,
    pub start_s: f64,
    pub end_s: f64,
    /// The level it ran at (VUs or iterations/s).
    pub level: f64,
    /// Its measured seconds.
    pub seconds: f64,
}

/// A phase's own results: `all` its requests merged, `dropped` its dropped iterations,
/// `failed` the thresholds that failed on it (`None` when none were judged).
pub(crate) fn measured_phase(
    span: PhaseSpan,
    all: &EndpointMetrics,
    dropped: u64,
    failed: Option<Vec<String>>,
) -> PhaseSummary {
    let requests = all.requests();
    PhaseSummary {
        name: span.name,
        start_s: span.start_s,
        end_s: span.end_s,
        level: span.level,
        seconds: span.seconds,
        requests,
        rate_per_s: if span.seconds > 0.0 {
            requests as f64 / span.seconds
        } else {
            0.0
        },
        latency_ms: latency_stats(&all.latency),
        error_rate: if requests > 0 {
            all.failed as f64 / requests as f64
        } else {
            0.0
        },
        errors: error_map(all),
        dropped_iterations: dropped,
        thresholds_passed: failed.as_ref().map(Vec::is_empty),
        failed_thresholds: failed.unwrap_or_default(),
        postgres: Vec::new(),
        bottlenecks: Vec::new(),
    }
}

/// The first stage whose own results broke the thresholds, how, and how gracefully.
fn breaking_point(phases: &[(usize, PhaseSummary)], offered: &[f64], open: bool) -> Option<BreakingPoint> {
    let at = phases.iter().position(|(_, p)| p.thresholds_passed == Some(false))?;
    let (index, phase) = &phases[at];
    let previous = at.checked_sub(1).map(|j| &phases[j].1);
    let offered = offered.get(*index).copied().unwrap_or(phase.level);
    let (how, detail) = classify(phase, previous, open, "the previous stage's", offered);
    let list: Vec<&PhaseSummary> = phases.iter().map(|(_, p)| p).collect();
    let judged = behaviour(&list, at);
    Some(BreakingPoint {
        phase: *index,
        name: phase.name.clone(),
        level: phase.level,
        rate_per_s: phase.rate_per_s,
        last_good: previous
            .filter(|p| p.thresholds_passed == Some(true))
            .map(|p| p.name.clone()),
        how,
        detail,
        behaviour: judged.as_ref().map(|(word, _)| *word),
        behaviour_detail: judged.map(|(_, detail)| detail),
    })
}

/// Successful requests per second of a stage.
fn goodput(p: &PhaseSummary) -> f64 {
    p.rate_per_s * (1.0 - p.error_rate)
}

/// Whether the target broke gracefully: the breaking stage `at` and the later stages at
/// its level or above (not the ramp down), against the best goodput of the stages that
/// held before it. `None` when none held.
fn behaviour(phases: &[&PhaseSummary], at: usize) -> Option<(Behaviour, String)> {
    let best = phases[..at]
        .iter()
        .filter(|p| p.thresholds_passed == Some(true))
        .map(|p| goodput(p))
        .fold(0.0, f64::max);
    if best <= 0.0 {
        return None;
    }
    let level = phases[at].level;
    let after: Vec<&PhaseSummary> = phases[at..].iter().copied().filter(|p| p.level >= level).collect();
    let worst = after.iter().copied().min_by(|a, b| goodput(a).total_cmp(&goodput(b)))?;
    let errors = after.iter().map(|p| p.error_rate).fold(0.0, f64::max);
    let p95 = after.iter().map(|p| p.latency_ms.p95).fold(0.0, f64::max);
    let kept = goodput(worst);
    let word = if kept < FELL_OVER_KEPT * best || errors >= FELL_OVER_ERRORS {
        Behaviour::FellOver
    } else if kept >= GRACEFUL_KEPT * best {
        Behaviour::Graceful
    } else {
        Behaviour::Degraded
    };
    let detail = format!(
        "{} {:.1} ok requests/s at worst ({}; best before: {:.1}/s), p95 up to {:.1} ms, up to {:.2}% failed",
        if word == Behaviour::FellOver { "down to" } else { "kept" },
        kept,
        worst.name,
        best,
        p95,
        errors * 100.0
    );
    Some((word, detail))
}

/// How a stage broke compared with the one before it (also used for the seconds around a
/// breakpoint run's failure, see `profile.rs`); `before` names what `previous` is in the
/// detail, e.g. `the previous stage's`; `offered` is the stage's mean level (open model:
/// iterations per second offered).
pub fn classify(
    phase: &PhaseSummary,
    previous: Option<&PhaseSummary>,
    open: bool,
    before: &str,
    offered: f64,
) -> (Vec<String>, Vec<String>) {
    let mut how = Vec::new();
    let mut detail = Vec::new();
    let before_p95 = previous.map_or(0.0, |p| p.latency_ms.p95);
    if before_p95 > 0.0 && phase.latency_ms.p95 > LATENCY_CLIMB * before_p95 {
        how.push("latency climbed".to_string());
        detail.push(format!(
            "p95 {:.1} ms, {:.1}× {before} {:.1} ms",
            phase.latency_ms.p95,
            phase.latency_ms.p95 / before_p95,
            before_p95
        ));
    }
    let timeouts = phase
        .errors
        .get(ErrorKind::RequestTimeout.as_str())
        .copied()
        .unwrap_or(0);
    if timeouts > 0 {
        how.push("timeouts".to_string());
        detail.push(format!("{timeouts} requests timed out"));
    }
    // Timeouts are named on their own above: "errors appeared" is about the other failures
    // (error statuses, resets, …), so a stage that only timed out is not said to have both.
    let before_errors = previous.map_or(0.0, other_error_rate);
    let errors_now = other_error_rate(phase);
    if errors_now > before_errors && errors_now > 0.0 {
        let kinds: Vec<String> = phase
            .errors
            .iter()
            .filter(|(k, _)| k.as_str() != ErrorKind::RequestTimeout.as_str())
            .map(|(k, n)| format!("{k}: {n}"))
            .collect();
        how.push("errors appeared".to_string());
        detail.push(format!(
            "{:.2}% of requests failed{}",
            errors_now * 100.0,
            if kinds.is_empty() {
                " (error statuses)".to_string()
            } else {
                format!(" ({})", kinds.join(", "))
            }
        ));
    }
    if phase.dropped_iterations > 0 {
        how.push("rate not kept".to_string());
        detail.push(format!(
            "loadcell dropped {} iterations: no free VU (raise --max-vus, or the target holds them too long)",
            phase.dropped_iterations
        ));
    }
    if open && offered > 0.0 && phase.rate_per_s < RATE_KEPT * offered {
        how.push("throughput fell short".to_string());
        detail.push(format!(
            "the target completed {:.1} requests/s of the {:.1}/s offered",
            phase.rate_per_s, offered
        ));
    }
    if how.is_empty() {
        how.push("threshold".to_string());
        detail.push(format!("failed: {}", phase.failed_thresholds.join(", ")));
    }
    (how, detail)
}

/// The share of a stage's requests that failed other than by timing out.
fn other_error_rate(p: &PhaseSummary) -> f64 {
    if p.requests == 0 {
        return 0.0;
    }
    let failed = (p.error_rate * p.requests as f64).round();
    let timeouts = p.errors.get(ErrorKind::RequestTimeout.as_str()).copied().unwrap_or(0) as f64;
    (failed - timeouts).max(0.0) / p.requests as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(name: &str, level: f64, rate: f64, error_rate: f64, held: bool) -> PhaseSummary {
        PhaseSummary {
            name: name.to_string(),
            level,
            rate_per_s: rate,
            error_rate,
            thresholds_passed: Some(held),
            ..PhaseSummary::default()
        }
    }

    fn judged(stages: &[PhaseSummary], at: usize) -> Option<&'static str> {
        let list: Vec<&PhaseSummary> = stages.iter().collect();
        behaviour(&list, at).map(|(word, _)| word.as_str())
    }

    #[test]
    fn graceful_degraded_or_fell_over_against_the_best_held_goodput() {
        let held = [
            stage("step 50%", 100.0, 100.0, 0.0, true),
            stage("step 100%", 200.0, 200.0, 0.0, true),
        ];
        let with = |after: &[PhaseSummary]| -> Vec<PhaseSummary> { held.iter().chain(after).cloned().collect() };
        // Kept serving at capacity while latency rose.
        let plateau = with(&[
            stage("step 150%", 300.0, 280.0, 0.0, false),
            stage("step 200%", 400.0, 290.0, 0.0, false),
        ]);
        assert_eq!(judged(&plateau, 2), Some("graceful"));
        // Goodput fell to 150/s of 200/s at the higher step.
        let sagging = with(&[
            stage("step 150%", 300.0, 280.0, 0.0, false),
            stage("step 200%", 400.0, 300.0, 0.5 - 0.0001, false),
        ]);
        assert_eq!(judged(&sagging, 2), Some("degraded"));
        // Most requests failed.
        let collapsed = with(&[stage("step 150%", 300.0, 300.0, 0.9, false)]);
        assert_eq!(judged(&collapsed, 2), Some("fell over"));
        // The ramp down after it (a lower level) is not judged.
        let ramp_down = with(&[
            stage("step 150%", 300.0, 290.0, 0.0, false),
            stage("ramp down", 0.0, 10.0, 0.0, true),
        ]);
        assert_eq!(judged(&ramp_down, 2), Some("graceful"));
    }

    #[test]
    fn nothing_to_compare_with_when_no_stage_held_before() {
        let first = [stage("step 50%", 100.0, 50.0, 0.5, false)];
        assert_eq!(judged(&first, 0), None);
    }
}
