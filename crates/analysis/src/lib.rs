//! What loadcell concludes from a run: an engine [`Outcome`] plus what was tracked while it
//! ran ([`Tracks`]) and what `--monitor` saw of the target ([`Monitored`]) becomes the
//! [`Summary`] — threshold verdicts, per-stage results and the breaking point, a spike's
//! recovery, a soak's trend, a breakpoint ramp's rate, the target's resources — and the
//! steps of a capacity search or a scale sweep become one summary with their section.
//!
//! Pure functions of their inputs: no files, no terminal, no clock except what the outcome
//! carries. Running load is `loadcell-session`'s; showing the summary is the CLI's and
//! `loadcell-report`'s.

pub mod abort;
pub mod bottleneck;
pub mod capacity;
pub mod databases;
mod filters;
mod lifecycle;
mod measured;
mod profile;
pub mod resources;
pub mod scale;
mod scenarios;
mod stages;
mod summary;
pub mod sweep;
pub mod tracks;

pub use abort::AbortCheck;
pub use filters::{RunNames, check_filters};
pub use measured::{Measured, evaluate, verdicts};
pub use profile::window_s;
pub use resources::{Monitored, steady_window};
pub use stages::{Staged, classify};
pub use summary::group_by_endpoint;
pub use sweep::{Combined, Mark};
pub use tracks::Tracks;

use loadcell_engine::Outcome;
use loadcell_schema::{Profile, RunMetadata, StageLabel, Summary};
use loadcell_threshold::{FirstOf, MetricSource, Threshold};

/// What a run was, beyond what the engine measured.
pub struct RunFacts<'a> {
    /// How the summary names the target (the URL, or the scenario's name and file).
    pub label: &'a str,
    pub metadata: RunMetadata,
    pub thresholds: &'a [Threshold],
    /// Name and role of each stage of the plan (profiles; empty otherwise).
    pub stages: &'a [StageLabel],
    pub profile: Option<Profile>,
    /// `--monitor`: the target's resources as the run saw them.
    pub monitor: Option<Monitored<'a>>,
}

/// The summary of a finished run: verdicts on the whole run, every stage's own results and
/// the breaking point, and what the profile calls for (from `tracks` where it needs them).
pub fn summarise(outcome: &Outcome, facts: RunFacts<'_>, tracks: Option<&Tracks>) -> Summary {
    let names: Vec<String> = facts.stages.iter().map(|s| s.name.clone()).collect();
    let monitor = facts
        .monitor
        .map(|m| resources::run_summaries(&m, outcome, facts.stages))
        .unwrap_or_default();
    let target = loadcell_monitor::TargetResources(&monitor);
    let measured = Measured::of(outcome);
    let asked = resources::with_resources(&measured, facts.monitor.map(|_| &target as &dyn MetricSource));
    let verdicts = evaluate(facts.thresholds, &FirstOf(&asked));
    let mut summary = summary::build(outcome, facts.label, verdicts, facts.metadata, &names);
    summary.monitor = monitor;
    let staged = stages::analyse(outcome, facts.thresholds, &names, facts.monitor.as_ref());
    summary.phases = staged.phases.iter().map(|(_, p)| p.clone()).collect();
    summary.breaking_point = staged.breaking.clone();
    let roles = profile::Roles {
        labels: facts.stages,
        staged: &staged,
    };
    profile::attach(&mut summary, outcome, facts.profile, &roles, tracks);
    bottleneck::attach(&mut summary);
    let warmup_s = outcome.warmup_len.as_secs_f64();
    let last = summary.phases.len().saturating_sub(1);
    bottleneck::stages::attach(&mut summary, |i, phase| {
        // The stage's own readings (the last stage also holds the time after the curve).
        let to = if i == last { f64::INFINITY } else { phase.end_s };
        facts
            .monitor
            .as_ref()
            .map(|m| m.within(phase.start_s.max(warmup_s), to))
            .unwrap_or_default()
    });
    summary
}
