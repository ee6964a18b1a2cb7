//! Merging live, for `loadcell collect`: the parts' interval lines merged into one results
//! folder as they arrive, a second written once every part still running has sent the
//! interval that ends past it
//! — so the folder grows as a run's does, and a collector killed at any moment leaves a
//! folder `loadcell report` rebuilds. A line that arrives for a second already written
//! counts in the first second still open (nothing is lost; the time is off by the delay);
//! the collector's final folder is merged again from the parts' own copies
//! ([`crate::merge_with`]), which places every interval in its own second.
//!
//! Receiving the lines, and deciding when a part is gone, is the session's.

use super::align::{Buckets, SlotMap};
use crate::meta::RunMeta;
use crate::{ResultsError, ResultsWriter};
use loadcell_engine::EndpointName;
use loadcell_metrics::{Recorder, Shape};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

/// How far past a whole second an interval may end and still complete only the seconds
/// before it: parts started together by `--start-at` are a few milliseconds apart.
const END_SLACK_S: f64 = 0.05;

/// The merged folder being written while the parts run.
pub struct LiveMerge {
    buckets: Buckets,
    writer: ResultsWriter,
    t0: SystemTime,
    parts: BTreeMap<u64, LivePart>,
}

/// What the merge knows of one part.
struct LivePart {
    /// Its start on the merged clock, seconds (negative when it started before the first
    /// part that joined).
    offset_s: f64,
    shape: Shape,
    map: SlotMap,
    /// The seconds before this one are complete for the part.
    reached: Option<i64>,
    /// Ended, or given up as lost: it no longer holds the seconds back.
    done: bool,
}

impl LiveMerge {
    /// Creates the merged folder `out` from `meta` (the first part's, made the whole test's
    /// by the caller); its clock starts at `meta`'s start.
    pub fn create(out: &Path, meta: &RunMeta) -> Result<LiveMerge, ResultsError> {
        let writer = ResultsWriter::create(out, meta)?;
        Ok(LiveMerge {
            buckets: Buckets::new(meta),
            writer,
            t0: meta.started(),
            parts: BTreeMap::new(),
        })
    }

    /// Part `part` started at `meta`'s start; a part that joins again (it reconnected)
    /// keeps what it sent.
    pub fn join(&mut self, part: u64, meta: &RunMeta) {
        let offset_s = match meta.started().duration_since(self.t0) {
            Ok(after) => after.as_secs_f64(),
            Err(before) => -before.duration().as_secs_f64(),
        };
        let known = self.parts.entry(part).or_insert_with(|| LivePart {
            offset_s,
            shape: meta.shape(),
            map: SlotMap::default(),
            reached: None,
            done: false,
        });
        if known.reached.is_none() {
            known.offset_s = offset_s;
        }
        known.done = false;
    }

    /// One interval line of `part` (which joined), merged.
    pub fn add(&mut self, part: u64, line: &[u8]) -> Result<(), String> {
        let known = self
            .parts
            .get_mut(&part)
            .ok_or_else(|| "an interval before the part's meta.json".to_string())?;
        let interval = crate::read::parse_line(line, known.shape)?;
        // Seconds before the one this interval ends in are complete for the part (its next
        // interval lies after them); the slack absorbs the parts' start offsets of a few ms.
        let complete = (known.offset_s + interval.t_s + END_SLACK_S).floor() as i64;
        self.buckets.add(interval, known.offset_s, &mut known.map);
        known.reached = Some(known.reached.map_or(complete, |r| r.max(complete)));
        known.done = false;
        Ok(())
    }

    /// `part` ended or is given up: the seconds no longer wait for it.
    pub fn close_part(&mut self, part: u64) {
        if let Some(p) = self.parts.get_mut(&part) {
            p.done = true;
        }
    }

    /// Writes every second all running parts have gone past (all of them once none is
    /// running); how many lines were written.
    pub fn write_ready(&mut self) -> Result<u64, ResultsError> {
        let running: Vec<&LivePart> = self.parts.values().filter(|p| !p.done).collect();
        let before = if running.is_empty() {
            i64::MAX
        } else if running.iter().any(|p| p.reached.is_none()) {
            return Ok(0);
        } else {
            running.iter().filter_map(|p| p.reached).min().unwrap_or(i64::MIN)
        };
        self.buckets.write_before(before, &mut self.writer)
    }

    /// The measured totals of the seconds written.
    pub fn total(&self) -> &Recorder {
        self.buckets.total()
    }

    /// Every endpoint slot's name so far.
    pub fn names(&self) -> Vec<EndpointName> {
        self.buckets.names()
    }

    /// The last second written.
    pub fn last(&self) -> Option<&loadcell_schema::IntervalSummary> {
        self.buckets.last()
    }

    /// Lines written so far.
    pub fn appended(&self) -> u64 {
        self.writer.appended()
    }
}
