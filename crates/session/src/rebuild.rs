//! `loadcell report DIR`: the summary of a results folder, rebuilt from what was flushed
//! (also after the run was killed: then at most its last second is missing). A run's folder
//! is replayed interval by interval, feeding the same tracks and the same abort check as the
//! live run did, so the same analyses come out; a capacity or scale folder has no interval
//! log, and its `summary.json` is taken as it is. Writing the reports is
//! [`crate::folder`]'s.

use crate::error::SessionError;
use crate::folder;
use loadcell_analysis::tracks::Interval;
use loadcell_analysis::{AbortCheck, Monitored, RunFacts, Tracks};
use loadcell_engine::{CheckName, Control, EndpointName};
use loadcell_metrics::Recorder;
use loadcell_monitor::Tally;
use loadcell_results::RunMeta;
use loadcell_schema::Summary;
use loadcell_threshold::{MetricSource, Threshold};
use std::path::Path;
use std::time::Duration;

/// A results folder's summary, and where it came from.
#[derive(Debug)]
pub struct Rebuilt {
    pub summary: Summary,
    pub source: Source,
    /// The threshold that ended the run (`--abort-on-fail` or its own `abortOnFail`), found
    /// again by replaying the run's abort check; `None` unless the run stopped for it.
    pub aborted: Option<String>,
}

/// What the summary was rebuilt from.
#[derive(Debug)]
pub enum Source {
    /// A run's interval log.
    Intervals {
        intervals: usize,
        /// The run wrote its `end.json`.
        finished: bool,
        /// Where the results end, seconds since the start.
        last_t_s: f64,
    },
    /// A capacity search's or scale sweep's `summary.json` (no interval log).
    Summary,
}

/// Rebuilds the summary of the folder `dir`.
pub fn rebuild(dir: &Path) -> Result<Rebuilt, SessionError> {
    if folder::is_summary_only(dir) {
        return Ok(Rebuilt {
            summary: folder::read_summary(dir)?,
            source: Source::Summary,
            aborted: None,
        });
    }
    let meta = loadcell_results::read_meta(dir)?;
    let thresholds = thresholds_of(&meta);
    let mut tracks = Tracks::for_profile(
        meta.profile,
        meta.recovery_window_s.unwrap_or(loadcell_analysis::window_s(None)),
    );
    let (recorded, lost) = replay(dir, &meta, &thresholds, tracks.as_mut())?;
    let labels = recorded.meta.stage_labels();
    // The readings each interval line carried, and the flame graph the run drew.
    let sources = loadcell_monitor::sources_of(&recorded.monitor);
    let flamegraph = loadcell_monitor::FlameGraph::read_summary(dir);
    let facts = RunFacts {
        label: &recorded.meta.label,
        metadata: recorded.meta.metadata.clone(),
        thresholds: &thresholds,
        stages: &labels,
        profile: recorded.meta.profile,
        monitor: (!recorded.monitor.is_empty()).then_some(Monitored {
            sources: &sources,
            samples: &recorded.monitor,
            flamegraph: flamegraph.as_ref(),
        }),
    };
    let mut summary = loadcell_analysis::summarise(&recorded.outcome, facts, tracks.as_ref());
    crate::run::label_scenarios(&mut summary, &recorded.meta.scenarios);
    // A `loadcell merge` folder names its parts (and any that was incomplete).
    summary.merged = recorded.meta.merged.clone();
    // Without the run's end the generator's CPU and memory were never recorded.
    summary.generator.usage_unknown = !recorded.finished();
    // The databases' window as the live run summarised it, and the verdicts that read it.
    if let Some(end) = recorded.end.as_ref().filter(|e| !e.postgres.is_empty()) {
        summary.postgres = end.postgres.clone();
        loadcell_analysis::bottleneck::attach(&mut summary);
    }
    let aborted = lost.filter(|_| summary.stop_reason == loadcell_schema::StopReason::ThresholdAborted);
    Ok(Rebuilt {
        summary,
        aborted,
        source: Source::Intervals {
            intervals: recorded.intervals,
            finished: recorded.finished(),
            last_t_s: recorded.last_t_s,
        },
    })
}

/// The thresholds `meta.json` names, each with its own `abortOnFail` delay as the run judged
/// it; those that no longer parse (written by another version) are left out.
pub(crate) fn thresholds_of(meta: &RunMeta) -> Vec<Threshold> {
    let customs = loadcell_scenario::custom_refs(&meta.custom);
    meta.thresholds
        .iter()
        .enumerate()
        .filter_map(|(i, expr)| {
            let mut t = loadcell_threshold::parse_with(expr, &customs).ok()?;
            t.abort_after = meta
                .threshold_abort_after_s
                .get(i)
                .copied()
                .flatten()
                .map(|s| Duration::try_from_secs_f64(s).unwrap_or_default());
            Some(t)
        })
        .collect()
}

/// Reads the folder's intervals, feeding `tracks` as the live run did (the rolling windows
/// of a spike run, a breakpoint run's moment of failure) and replaying the run's abort check
/// (`--abort-on-fail`, or a threshold's own `abortOnFail`) on the run so far after each
/// interval — same function, same totals, same VU limit as live —; the results and the
/// first threshold that check found failing.
fn replay(
    dir: &Path,
    meta: &RunMeta,
    thresholds: &[Threshold],
    mut tracks: Option<&mut Tracks>,
) -> Result<(loadcell_results::Rebuilt, Option<String>), SessionError> {
    let mut endpoints: Vec<EndpointName> = meta.endpoints.iter().map(|e| e.to_name()).collect();
    let checks: Vec<CheckName> = meta.checks.iter().map(|c| c.to_name()).collect();
    let custom_sites: Vec<CheckName> = meta.custom_sites.iter().map(|c| c.to_name()).collect();
    let judged = meta.abort_delay_s.is_some() || thresholds.iter().any(|t| t.abort_after.is_some());
    let mut abort = judged.then(|| AbortCheck {
        thresholds,
        endpoints: &[],
        checks: &checks,
        custom_sites: &custom_sites,
        vus_limit: meta
            .own_vus_limit
            .or(meta.vus_limit)
            .unwrap_or_else(|| meta.model.to_model().vus_limit()),
        every: meta.abort_delay_s.is_some(),
        delay: Duration::try_from_secs_f64(meta.abort_delay_s.unwrap_or(0.0)).unwrap_or_default(),
        warmup: meta.warmup(),
        failed: None,
    });
    let mut total = Recorder::with_shape(meta.shape());
    // `target_*` thresholds read the readings so far, as the live check did.
    let mut so_far = Tally::new(meta.warmup().as_secs_f64(), f64::INFINITY);
    let rebuilt = loadcell_results::read_outcome_with(dir, |i| {
        let mut lost = None;
        if let Some(check) = abort.as_mut() {
            // Redirect hops' endpoints, named as the line that first has them.
            endpoints.extend(i.new_endpoints.iter().map(|e| e.to_name()));
            total.accumulate(&i.measured);
            so_far.add(&i.monitor);
            let elapsed = Duration::try_from_secs_f64(i.t_s).unwrap_or_default();
            let resources = Some(&so_far as &dyn MetricSource);
            if !i.warmup && check.judge_named(&total, &endpoints, elapsed, resources) == Control::Abort {
                lost = check.failed.clone();
            }
        }
        let Some(tracks) = tracks.as_deref_mut() else {
            return;
        };
        let iv = Interval {
            t_s: i.t_s,
            len_s: i.len_s,
            warmup: i.warmup,
            measured: &i.measured,
            target_rate_per_s: i.target_rate_per_s,
        };
        tracks.see(&iv, lost.as_deref());
    })?;
    Ok((rebuilt, abort.and_then(|a| a.failed)))
}
