//! `loadcell merge`: several results folders — the segments of one test, each run as a
//! process of its own — put back together into one results folder, interval by interval on
//! the wall clock. Histograms are merged (never averaged), counts summed, per endpoint; the
//! folder written is an ordinary results folder, so the summary, the reports and the
//! thresholds come from the same rebuild as `loadcell report DIR`'s (the session's), and
//! `loadcell report` works on it later.
//!
//! Folders that cannot be one test (another target or load model, other request slots, the
//! same segment twice, segments of different splits) are refused before anything is
//! written ([`MergeError`]). A part that did not finish (no `end.json`), lost intervals or
//! a missing segment is merged as far as it goes and named in the merged `meta.json`'s
//! `merged[]` (`incomplete`), which makes the merged verdict incomplete.
//!
//! Parts are read one at a time and streamed into the merged intervals, so memory holds
//! one run's worth of per-second histograms, not N.

mod align;
mod check;
mod live;

use crate::end::RunEnd;
use crate::meta::RunMeta;
use crate::{ResultsError, ResultsWriter};
use align::Buckets;
use loadcell_schema::{MergedPart, rfc3339_utc};
use std::path::{Path, PathBuf};

pub use check::{Difference, MergeError, same_test};
pub use live::LiveMerge;

/// What a merge wrote.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The parts, in the order given, as the merged `meta.json` lists them.
    pub parts: Vec<MergedPart>,
    /// Intervals written.
    pub intervals: u64,
}

/// Merges the results folders `parts` into a new results folder `out` (refused when it
/// already holds a run).
pub fn merge(parts: &[PathBuf], out: &Path) -> Result<Merged, MergeError> {
    merge_with(parts, out, |_| {})
}

/// [`merge`], with the merged `meta.json` adjusted by `adjust` before it is written
/// (`loadcell collect` adds its own thresholds and its `--abort-on-fail`).
pub fn merge_with(parts: &[PathBuf], out: &Path, adjust: impl FnOnce(&mut RunMeta)) -> Result<Merged, MergeError> {
    let metas = check::compatible(parts, out)?;
    let t0 = metas.iter().map(RunMeta::started).min().ok_or(MergeError::NoParts)?;
    let mut buckets = Buckets::new(&metas[0]);
    let mut listed = Vec::with_capacity(parts.len());
    let mut ends = Vec::with_capacity(parts.len());
    for (dir, meta) in parts.iter().zip(&metas) {
        let offset_s = meta.started().duration_since(t0).unwrap_or_default().as_secs_f64();
        let read = buckets.add_part(dir, meta, offset_s).map_err(MergeError::Read)?;
        listed.push(MergedPart {
            folder: dir.display().to_string(),
            segment: meta.segment.clone(),
            started_at: meta.started_at.clone(),
            intervals: read.intervals,
            incomplete: read.incomplete(),
        });
        ends.push((read.end, offset_s));
    }
    check::missing_segments(&metas, &mut listed);
    let mut meta = merged_meta(&metas, t0, &listed);
    meta.endpoints = buckets.fixed_endpoints();
    adjust(&mut meta);
    let end = merged_end(&ends, &meta, &listed);
    let mut writer = ResultsWriter::create(out, &meta).map_err(MergeError::Write)?;
    let intervals = buckets.write(&mut writer).map_err(MergeError::Write)?;
    writer.finish(&end).map_err(MergeError::Write)?;
    Ok(Merged {
        parts: listed,
        intervals,
    })
}

/// The merged `meta.json`: the first part's (the checks made them one test), starting at
/// the earliest part's start, no segment, the parts listed.
fn merged_meta(metas: &[RunMeta], t0: std::time::SystemTime, listed: &[MergedPart]) -> RunMeta {
    let mut meta = metas[0].clone();
    meta.set_started(t0);
    meta.segment = None;
    meta.own_vus_limit = None;
    meta.threads = metas.iter().map(|m| m.threads).sum();
    meta.merged = listed.to_vec();
    meta
}

/// The merged `end.json`: counts summed over the parts that ended, the latest end, and a
/// stop reason of `interrupted` when a part was (or did not end at all).
fn merged_end(ends: &[(Option<RunEnd>, f64)], meta: &RunMeta, listed: &[MergedPart]) -> RunEnd {
    let finished: Vec<(&RunEnd, f64)> = ends.iter().filter_map(|(e, o)| e.as_ref().map(|e| (e, *o))).collect();
    let first = finished.first().map(|(e, _)| (*e).clone());
    let mut end = first.unwrap_or_else(|| RunEnd {
        ended_at: rfc3339_utc(meta.started()),
        ended_at_unix_ms: crate::end::unix_ms(meta.started()),
        ..RunEnd::empty()
    });
    let sum = |f: fn(&RunEnd) -> u64| finished.iter().map(|(e, _)| f(e)).sum::<u64>();
    if let Some((last, _)) = finished.iter().max_by_key(|(e, _)| e.ended_at_unix_ms) {
        end.ended_at = last.ended_at.clone();
        end.ended_at_unix_ms = last.ended_at_unix_ms;
    }
    // The measured window ends where the last part's did, on the merged clock.
    end.measured_s = finished.iter().map(|(e, o)| o + e.measured_s).fold(0.0, f64::max);
    end.interrupted = sum(|e| e.interrupted);
    end.cpu_s = finished.iter().map(|(e, _)| e.cpu_s).sum();
    end.max_rss_kib = finished.iter().map(|(e, _)| e.max_rss_kib).max().unwrap_or(0);
    end.threads = meta.threads;
    end.pre_allocated_vus = sum(|e| e.pre_allocated_vus);
    end.vus_spawned = sum(|e| e.vus_spawned);
    end.vus_limit = Some(sum(|e| e.vus_limit.unwrap_or(0)));
    end.run_delay_s = finished.iter().map(|(e, _)| e.run_delay_s).sum();
    end.cpu_waits = sum(|e| e.cpu_waits);
    end.cpu_waited_s = finished.iter().map(|(e, _)| e.cpu_waited_s).sum();
    end.longest_cpu_wait_s = finished.iter().map(|(e, _)| e.longest_cpu_wait_s).fold(0.0, f64::max);
    end.pauses = sum(|e| e.pauses);
    end.paused_s = finished.iter().map(|(e, _)| e.paused_s).sum();
    end.longest_pause_s = finished.iter().map(|(e, _)| e.longest_pause_s).fold(0.0, f64::max);
    end.vus_wanted = sum(|e| e.vus_wanted);
    end.vus_ran = sum(|e| e.vus_ran);
    end.connection_limit = sum(|e| e.connection_limit);
    end.rationed = sum(|e| e.rationed);
    end.monitor = finished.iter().flat_map(|(e, _)| e.monitor.iter().cloned()).collect();
    end.segment_notes = finished
        .iter()
        .flat_map(|(e, _)| e.segment_notes.iter().cloned())
        .collect();
    let killed = ends.iter().any(|(e, _)| e.is_none());
    let interrupted = finished
        .iter()
        .any(|(e, _)| e.stop_reason == loadcell_schema::StopReason::Interrupted);
    if killed || interrupted || listed.is_empty() {
        end.stop_reason = loadcell_schema::StopReason::Interrupted;
    }
    end
}

impl From<ResultsError> for MergeError {
    fn from(e: ResultsError) -> MergeError {
        MergeError::Read(e)
    }
}
