//! The profile-specific analyses of a finished run, in `summary.json`: the recovery after
//! a spike (`--profile spike`), the trend of a soak's hold (`--profile soak`) and the
//! moment a `--profile breakpoint` ramp lost its thresholds. The numbers come from
//! `loadcell-stability`; this module finds the stages by their phase names and feeds it
//! the tracks gathered during the run, or replayed from a results folder by [`read`].

use crate::error::CliError;
use crate::profile::{self, Kind};
use crate::progress::AbortCheck;
use crate::tracks::{Interval, Lost, Tracks};
use loadcell_engine::{CheckName, Control, EndpointName, Model, Outcome};
use loadcell_metrics::Recorder;
use loadcell_results::{Rebuilt, RunMeta};
use loadcell_schema::{BreakingPoint, SpikeRecovery, StageMark, Summary};
use loadcell_stability::recovery::{self, RecoveryInput};
use std::path::Path;
use std::time::Duration;

/// The rolling window of `--profile spike` runs, seconds (`--recovery-window`).
pub fn window_s(flag: Option<Duration>) -> f64 {
    flag.map_or(recovery::DEFAULT_WINDOW_S, |d| d.as_secs_f64())
}

/// Adds what the profile calls for to `summary` (after `phases::attach`).
pub fn attach(summary: &mut Summary, outcome: &Outcome, profile: Option<Kind>, tracks: Option<&Tracks>) {
    match profile {
        Some(Kind::Spike) => summary.spike_recovery = tracks.and_then(|t| spike(summary, t)),
        Some(Kind::Soak) => summary.soak_trend = soak(summary),
        Some(Kind::Breakpoint) if summary.breaking_point.is_none() => {
            let lost = tracks.and_then(|t| t.breakpoint.as_ref()).and_then(|b| b.lost.as_ref());
            summary.breaking_point = lost.map(|l| breakpoint(summary, outcome, l));
        }
        _ => {}
    }
}

fn stage(summary: &Summary, is: impl Fn(&str) -> bool) -> Option<&StageMark> {
    summary.stages.iter().find(|s| s.name.as_deref().is_some_and(&is))
}

fn spike(summary: &Summary, tracks: &Tracks) -> Option<SpikeRecovery> {
    let rolling = tracks.rolling.as_ref()?;
    let baseline = summary.phases.iter().find(|p| p.name == profile::BASELINE)?;
    let spiked = summary.phases.iter().find(|p| p.name.starts_with(profile::SPIKE))?;
    let spike_stage = stage(summary, |n| n.starts_with(profile::SPIKE))?;
    let recovery_stage = stage(summary, |n| n == profile::RECOVERY)?;
    // The level starts rising with the jump (the spike stage itself when there is none).
    let spike_start_s = stage(summary, |n| n.starts_with(profile::JUMP)).map_or(spike_stage.start_s, |s| s.start_s);
    if baseline.requests == 0 {
        return None;
    }
    let r = recovery::assess(&RecoveryInput {
        windows: &rolling.points,
        window_s: rolling.window_s,
        baseline_p95_ms: baseline.latency_ms.p95,
        baseline_error_rate: baseline.error_rate,
        spike_start_s,
        spike_end_s: spike_stage.end_s,
        observe_until_s: recovery_stage.end_s,
    });
    Some(SpikeRecovery {
        baseline_phase: baseline.name.clone(),
        spike_phase: spiked.name.clone(),
        spike_end_s: spike_stage.end_s,
        baseline_p95_ms: baseline.latency_ms.p95,
        baseline_error_rate: baseline.error_rate,
        spike_p95_ms: spiked.latency_ms.p95,
        spike_p99_ms: spiked.latency_ms.p99,
        spike_error_rate: spiked.error_rate,
        worst_p95_ms: r.worst_p95_ms,
        window_s: rolling.window_s,
        p95_limit_ms: r.p95_limit_ms,
        error_rate_limit: r.error_rate_limit,
        recovery_s: r.recovery_s,
        observed_s: r.observed_s,
        verdict: r.verdict,
    })
}

/// The trend of the soak's hold, over its measured seconds that had requests.
fn soak(summary: &Summary) -> Option<loadcell_schema::SoakTrend> {
    let hold = stage(summary, |n| n == profile::HOLD)?;
    let mut p95 = Vec::new();
    let mut errors = Vec::new();
    for iv in &summary.timeseries {
        let mid = iv.t_s - iv.len_s / 2.0;
        if iv.warmup || iv.requests == 0 || mid < hold.start_s || mid >= hold.end_s {
            continue;
        }
        p95.push((mid, iv.latency_ms.p95));
        errors.push((mid, iv.failed as f64 / iv.requests as f64));
    }
    loadcell_stability::soak_trend(profile::HOLD, hold.start_s, hold.end_s, &p95, &errors).ok()
}

/// The breaking point of a breakpoint ramp: the target rate when the abort check first
/// failed (at the end of that interval), what the target achieved over the seconds up to
/// it, and how it broke compared with the seconds before them.
fn breakpoint(summary: &Summary, outcome: &Outcome, lost: &Lost) -> BreakingPoint {
    let curve = match &outcome.model {
        Model::Closed { vus } => vus,
        Model::Open { rate, .. } => rate,
    };
    let level = curve.value_at(lost.t_s);
    let spans = loadcell_engine::phase_spans(&outcome.model);
    let index = loadcell_engine::phase_of(&spans, lost.t_s - 0.5).unwrap_or(0);
    let name = summary
        .stages
        .get(index)
        .and_then(|s| s.name.clone())
        .unwrap_or_else(|| format!("stage {}", index + 1));
    let mut at = lost.at.as_phase(&name);
    at.thresholds_passed = Some(false);
    at.failed_thresholds = vec![lost.reason.clone()];
    let before = lost.before.as_ref().map(|b| b.as_phase("before"));
    let open = matches!(outcome.model, Model::Open { .. });
    let label = before
        .as_ref()
        .map_or(String::new(), |b| format!("that of {:.0}–{:.0} s,", b.start_s, b.end_s));
    let (how, detail) = crate::phases::classify(&at, before.as_ref(), open, &label, at.level);
    let unit = if open { "/s" } else { " VUs" };
    let mut lines = vec![format!(
        "thresholds lost at {:.0} s, target {}{unit}: {} on the run so far; achieved {:.1} requests/s over {:.0}–{:.0} s{}",
        lost.t_s,
        crate::print::num(level),
        lost.reason,
        at.rate_per_s,
        at.start_s,
        at.end_s,
        before
            .as_ref()
            .map(|b| format!(" (compared with {:.0}–{:.0} s)", b.start_s, b.end_s))
            .unwrap_or_default()
    )];
    lines.extend(detail);
    BreakingPoint {
        phase: index,
        name,
        level,
        rate_per_s: at.rate_per_s,
        last_good: None,
        how,
        detail: lines,
        // One ramp: no stage held before it to compare with.
        behaviour: None,
        behaviour_detail: None,
    }
}

/// The profile a results folder was written with (`None` for folders without one).
pub fn profile_of(meta: &RunMeta) -> Option<Kind> {
    meta.profile.as_deref().and_then(|p| Kind::parse(p).ok())
}

/// Reads a results folder for `loadcell report`, replaying what the live run tracked: the
/// rolling windows of a spike run and, for a breakpoint run, `--abort-on-fail`'s check on
/// the run so far after each interval (same function, same totals as live).
pub fn read(dir: &Path) -> Result<(Rebuilt, Option<Tracks>), CliError> {
    let meta = loadcell_results::read_meta(dir).map_err(|e| CliError::Usage(e.to_string()))?;
    let mut tracks = Tracks::for_profile(profile_of(&meta), meta.recovery_window_s.unwrap_or(window_s(None)));
    let replays_abort = tracks.as_ref().is_some_and(|t| t.breakpoint.is_some());
    let thresholds: Vec<loadcell_threshold::Threshold> = meta
        .thresholds
        .iter()
        .filter_map(|expr| loadcell_threshold::parse(expr).ok())
        .collect();
    let endpoints: Vec<EndpointName> = meta.endpoints.iter().map(|e| e.to_name()).collect();
    let checks: Vec<CheckName> = meta.checks.iter().map(|c| c.to_name()).collect();
    let mut abort = meta.abort_delay_s.filter(|_| replays_abort).map(|delay| AbortCheck {
        thresholds: &thresholds,
        endpoints: &endpoints,
        checks: &checks,
        vus_limit: meta.model.to_model().vus_limit(),
        delay: Duration::try_from_secs_f64(delay).unwrap_or_default(),
        warmup: meta.warmup(),
        failed: None,
    });
    let mut total = Recorder::with_shape(meta.shape());
    let rebuilt = loadcell_results::read_outcome_with(dir, |i| {
        let Some(tracks) = tracks.as_mut() else {
            return;
        };
        let mut lost = None;
        if let Some(check) = abort.as_mut() {
            total.accumulate(&i.measured);
            let elapsed = Duration::try_from_secs_f64(i.t_s).unwrap_or_default();
            if !i.warmup && check.judge(&total, elapsed) == Control::Abort {
                lost = check.failed.clone();
            }
        }
        let iv = Interval {
            t_s: i.t_s,
            len_s: i.len_s,
            warmup: i.warmup,
            measured: &i.measured,
            target_rate_per_s: i.target_rate_per_s,
        };
        tracks.see(&iv, lost.as_deref());
    })
    .map_err(|e| CliError::Usage(e.to_string()))?;
    Ok((rebuilt, tracks))
}
