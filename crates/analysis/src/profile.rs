//! The profile-specific analyses of a finished run, in `summary.json`: the recovery after
//! a spike (`--profile spike`), the trend of a soak's hold (`--profile soak`) and the
//! moment a `--profile breakpoint` ramp lost its thresholds. The numbers come from
//! `loadcell-stability`; this module finds the stages by their [`StageRole`] and feeds it
//! the tracks gathered during the run (or replayed from a results folder).

use crate::stages::Staged;
use crate::tracks::{Lost, Tracks};
use loadcell_engine::{Model, Outcome};
use loadcell_schema::{BreakingPoint, Profile, SpikeRecovery, StageLabel, StageMark, StageRole, Summary};
use loadcell_stability::recovery::{self, RecoveryInput};
use std::time::Duration;

/// The rolling window of `--profile spike` runs, seconds (`--recovery-window`).
pub fn window_s(flag: Option<Duration>) -> f64 {
    flag.map_or(recovery::DEFAULT_WINDOW_S, |d| d.as_secs_f64())
}

/// The stages of a run by role: where each is in the plan, its mark and its results.
pub struct Roles<'a> {
    pub labels: &'a [StageLabel],
    pub staged: &'a Staged,
}

impl Roles<'_> {
    /// The index of the first stage with `role`.
    fn index(&self, role: StageRole) -> Option<usize> {
        self.labels.iter().position(|l| l.role == role)
    }

    /// The mark of the first stage with `role`.
    fn mark<'s>(&self, summary: &'s Summary, role: StageRole) -> Option<&'s StageMark> {
        summary.stages.get(self.index(role)?)
    }

    /// The measured results of the first stage with `role`.
    fn phase(&self, role: StageRole) -> Option<&loadcell_schema::PhaseSummary> {
        self.staged.phase(self.index(role)?)
    }
}

/// Adds what the profile calls for to `summary` (after the per-stage results).
pub fn attach(
    summary: &mut Summary,
    outcome: &Outcome,
    profile: Option<Profile>,
    roles: &Roles<'_>,
    tracks: Option<&Tracks>,
) {
    match profile {
        Some(Profile::Spike) => summary.spike_recovery = tracks.and_then(|t| spike(summary, roles, t)),
        Some(Profile::Soak) => summary.soak_trend = soak(summary, roles),
        Some(Profile::Breakpoint) if summary.breaking_point.is_none() => {
            let lost = tracks.and_then(|t| t.breakpoint.as_ref()).and_then(|b| b.lost.as_ref());
            summary.breaking_point = lost.map(|l| breakpoint(summary, outcome, l));
        }
        _ => {}
    }
}

fn spike(summary: &Summary, roles: &Roles<'_>, tracks: &Tracks) -> Option<SpikeRecovery> {
    let rolling = tracks.rolling.as_ref()?;
    let baseline = roles.phase(StageRole::Baseline)?;
    let spiked = roles.phase(StageRole::Spike)?;
    let spike_stage = roles.mark(summary, StageRole::Spike)?;
    let recovery_stage = roles.mark(summary, StageRole::Recovery)?;
    // The level starts rising with the jump (the spike stage itself when there is none).
    let spike_start_s = roles
        .mark(summary, StageRole::Jump)
        .map_or(spike_stage.start_s, |s| s.start_s);
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
fn soak(summary: &Summary, roles: &Roles<'_>) -> Option<loadcell_schema::SoakTrend> {
    let hold = roles.mark(summary, StageRole::Hold)?;
    let name = hold.name.as_deref().unwrap_or("hold");
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
    loadcell_stability::soak_trend(name, hold.start_s, hold.end_s, &p95, &errors).ok()
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
    let (how, detail) = crate::stages::classify(&at, before.as_ref(), open, &label, at.level);
    let unit = if open { "/s" } else { " VUs" };
    let mut lines = vec![format!(
        "thresholds lost at {:.0} s, target {}{unit}: {} on the run so far; achieved {:.1} requests/s over {:.0}–{:.0} s{}",
        lost.t_s,
        loadcell_units::format::plain(level),
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
