//! The merged intervals: each part's intervals placed on the merged clock (seconds since
//! the earliest part's start) and merged into the whole second that holds their middle —
//! warm-up and measured intervals apart, as a run keeps them. Parts started together
//! (`--start-at`) have their boundaries within milliseconds of each other, so the merged
//! seconds are the parts' own. Endpoint slots registered during a run (redirect hops) may
//! be numbered differently by each part: they are matched by name.

use crate::ResultsError;
use crate::end::RunEnd;
use crate::meta::{EndpointSlot, RunMeta};
use crate::read::{RecordedInterval, read_end, read_intervals};
use crate::write::ResultsWriter;
use loadcell_engine::{EndpointName, IntervalEvent};
use loadcell_metrics::{EndpointMetrics, Recorder, Shape, interval_summary};
use loadcell_schema::MonitorSample;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// One merged interval while the parts are added.
struct Slot {
    /// Its end on the merged clock: the latest of its parts' ends.
    end_s: f64,
    target_rate_per_s: Option<f64>,
    measured: Recorder,
    warmup: Recorder,
    monitor: Vec<MonitorSample>,
}

/// The merged intervals, by (whole second of their middle, measured rather than warm-up).
pub struct Buckets {
    shape: Shape,
    fixed: Vec<EndpointSlot>,
    /// Endpoint slots registered during the parts' runs, in the order first seen.
    dynamic: Vec<EndpointSlot>,
    slots: BTreeMap<(i64, bool), Slot>,
    /// Seconds before this one are written (live merging, [`Buckets::write_before`]): an
    /// interval that arrives for one of them goes into this second instead.
    floor: i64,
    /// The measured totals of the seconds written.
    total: Recorder,
    previous_end: f64,
    seq: u64,
    /// The last second written, as its line shows it.
    last: Option<loadcell_schema::IntervalSummary>,
}

/// A part's dynamic endpoint slots as the merge numbers them: its slot `k` past the fixed
/// ones is the merged `fixed + to_merged[k]`.
#[derive(Debug, Default, Clone)]
pub struct SlotMap {
    to_merged: Vec<usize>,
}

/// What was read of one part.
pub struct PartRead {
    pub intervals: u64,
    pub end: Option<RunEnd>,
    truncated: usize,
    /// Interval numbers missing from the part's log.
    gaps: u64,
    last_t_s: f64,
}

impl PartRead {
    /// Why the part is incomplete, if it is.
    pub fn incomplete(&self) -> Option<String> {
        let mut why = Vec::new();
        if self.end.is_none() {
            why.push(format!(
                "did not finish (no end.json, killed?): its results end at {:.1} s",
                self.last_t_s
            ));
        }
        if self.gaps > 0 {
            why.push(format!("{} interval(s) missing from its log", self.gaps));
        }
        if self.truncated > 0 {
            why.push("its last interval line was cut off".to_string());
        }
        (!why.is_empty()).then(|| why.join("; "))
    }
}

impl Buckets {
    pub fn new(meta: &RunMeta) -> Buckets {
        Buckets {
            shape: meta.shape(),
            fixed: meta.endpoints.clone(),
            dynamic: Vec::new(),
            slots: BTreeMap::new(),
            floor: i64::MIN,
            total: Recorder::with_shape(meta.shape()),
            previous_end: 0.0,
            seq: 0,
            last: None,
        }
    }

    /// The endpoint slots `meta.json` names (the dynamic ones go in the first line).
    pub fn fixed_endpoints(&self) -> Vec<EndpointSlot> {
        self.fixed.clone()
    }

    /// Streams the part in `dir`, which started `offset_s` after the earliest part, into the
    /// merged intervals.
    pub fn add_part(&mut self, dir: &Path, meta: &RunMeta, offset_s: f64) -> Result<PartRead, ResultsError> {
        let mut map = SlotMap::default();
        let (mut count, mut gaps, mut next_seq, mut last_t_s) = (0u64, 0u64, 0u64, 0.0f64);
        let truncated = read_intervals(dir, meta.shape(), |i| {
            gaps += i.seq.saturating_sub(next_seq);
            next_seq = i.seq + 1;
            count += 1;
            last_t_s = i.t_s;
            self.add(i, offset_s, &mut map);
        })?;
        Ok(PartRead {
            intervals: count,
            end: read_end(dir)?,
            truncated,
            gaps,
            last_t_s,
        })
    }

    /// Adds one interval of a part that started `offset_s` after the merged clock's start
    /// (`map`: that part's dynamic slots so far).
    pub fn add(&mut self, mut i: RecordedInterval, offset_s: f64, map: &mut SlotMap) {
        let fixed = self.fixed.len();
        for name in &i.new_endpoints {
            let at = match self.dynamic.iter().position(|d| d == name) {
                Some(at) => at,
                None => {
                    self.dynamic.push(name.clone());
                    self.dynamic.len() - 1
                }
            };
            map.to_merged.push(fixed + at);
        }
        remap(&mut i.measured, fixed, &map.to_merged);
        remap(&mut i.warmup_recorder, fixed, &map.to_merged);
        let middle = offset_s + i.t_s - i.len_s / 2.0;
        // A second already written (live) takes no more: a late interval counts in the
        // first second still open, so no count is lost.
        let second = (middle.floor() as i64).max(self.floor);
        let slot = self.slots.entry((second, !i.warmup)).or_insert_with(|| Slot {
            end_s: 0.0,
            target_rate_per_s: None,
            measured: Recorder::with_shape(self.shape),
            warmup: Recorder::with_shape(self.shape),
            monitor: Vec::new(),
        });
        slot.end_s = slot.end_s.max(offset_s + i.t_s);
        slot.target_rate_per_s = match (slot.target_rate_per_s, i.target_rate_per_s) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
        // Merged, never averaged: histograms add bucket by bucket, counts sum, and each
        // part's busy VUs add up as the workers' of one run do.
        slot.measured.merge(&i.measured);
        slot.warmup.merge(&i.warmup_recorder);
        slot.monitor.append(&mut i.monitor);
    }

    /// Appends the merged intervals to `writer`, in order; how many were written in all.
    pub fn write(mut self, writer: &mut ResultsWriter) -> Result<u64, ResultsError> {
        self.write_before(i64::MAX, writer)?;
        Ok(self.seq)
    }

    /// Appends the merged seconds before `second` to `writer`, in order, and closes them
    /// (live merging: every part has gone past them); how many lines were written.
    pub fn write_before(&mut self, second: i64, writer: &mut ResultsWriter) -> Result<u64, ResultsError> {
        let rest = self.slots.split_off(&(second, false));
        let done = std::mem::replace(&mut self.slots, rest);
        if second != i64::MAX {
            self.floor = self.floor.max(second);
        }
        let names = self.names();
        self.total.pad_endpoints(names.len());
        let mut written = 0;
        for ((_, measured), mut slot) in done {
            let warmup = !measured;
            slot.measured.pad_endpoints(names.len());
            slot.warmup.pad_endpoints(names.len());
            let t_s = slot.end_s.max(self.previous_end);
            let len_s = t_s - self.previous_end;
            self.previous_end = t_s;
            let shown = if warmup { &slot.warmup } else { &slot.measured };
            let summary = interval_summary(shown, t_s, len_s, warmup, slot.target_rate_per_s);
            self.total.accumulate(&slot.measured);
            writer.append_with_monitor(
                &IntervalEvent {
                    seq: self.seq,
                    summary: &summary,
                    measured: &slot.measured,
                    warmup: &slot.warmup,
                    total: &self.total,
                    endpoints: &names,
                    elapsed: Duration::try_from_secs_f64(t_s).unwrap_or_default(),
                },
                &slot.monitor,
            )?;
            self.last = Some(summary);
            self.seq += 1;
            written += 1;
        }
        Ok(written)
    }

    /// Every endpoint slot's name: `meta.json`'s, then those registered during the runs.
    pub fn names(&self) -> Vec<EndpointName> {
        self.fixed
            .iter()
            .chain(&self.dynamic)
            .map(EndpointSlot::to_name)
            .collect()
    }

    /// The measured totals of the seconds written so far.
    pub fn total(&self) -> &Recorder {
        &self.total
    }

    /// The last second written.
    pub fn last(&self) -> Option<&loadcell_schema::IntervalSummary> {
        self.last.as_ref()
    }
}

/// Moves the part's dynamic endpoint slots (past the `fixed` ones) to their merged places.
fn remap(rec: &mut Recorder, fixed: usize, to_merged: &[usize]) {
    let identity = to_merged.iter().enumerate().all(|(k, &to)| to == fixed + k);
    if rec.endpoints.len() <= fixed || identity {
        return;
    }
    let slots = std::mem::take(&mut rec.endpoints);
    let len = to_merged.iter().map(|t| t + 1).max().unwrap_or(0).max(slots.len());
    rec.endpoints = (0..len).map(|_| EndpointMetrics::default()).collect();
    for (k, metrics) in slots.into_iter().enumerate() {
        let to = if k < fixed {
            k
        } else {
            to_merged.get(k - fixed).copied().unwrap_or(k)
        };
        rec.endpoints[to] = metrics;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use loadcell_metrics::record_us;

    /// A recorder with `n` endpoint slots, slot `k` holding `k + 1` requests of 1 ms.
    fn numbered(n: usize) -> Recorder {
        let mut r = Recorder::new(n);
        for (k, ep) in r.endpoints.iter_mut().enumerate() {
            for _ in 0..=k {
                record_us(&mut ep.latency, 1000);
            }
        }
        r
    }

    #[test]
    fn dynamic_slots_move_to_their_merged_places_and_fixed_ones_stay() {
        // Two fixed slots; this part's dynamic slots 0 and 1 are the merged 3 and 2.
        let mut r = numbered(4);
        remap(&mut r, 2, &[3, 2]);
        let counts: Vec<u64> = r.endpoints.iter().map(|e| e.latency.len()).collect();
        assert_eq!(counts, [1, 2, 4, 3]);
        // Already in place: untouched.
        let mut same = numbered(3);
        remap(&mut same, 2, &[2]);
        assert_eq!(
            same.endpoints.iter().map(|e| e.latency.len()).collect::<Vec<_>>(),
            [1, 2, 3]
        );
    }
}
