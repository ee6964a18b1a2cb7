//! From a folder read back to what the engine would have returned: the [`Outcome`] of the
//! whole run, or the merged measured recorder of any time window.

use crate::read::Recorded;
use loadcell_engine::{Outcome, ProcessUsage};
use loadcell_metrics::{Recorder, interval_summary};
use loadcell_schema::StopReason;
use std::time::Duration;

impl Recorded {
    /// The run's outcome as the engine returned it: totals are the intervals' measured
    /// recorders accumulated in order (warm-up likewise), the time series is recomputed from
    /// the stored histograms, the model is rebuilt from the stored curve.
    ///
    /// Without `end.json` (the run did not finish) the stop reason is `Interrupted`, the end
    /// is the start plus the last interval's end, the measured time runs from the end of the
    /// warm-up to the end of the last interval, and the generator's usage is zero.
    pub fn outcome(&self) -> Outcome {
        let shape = self.meta.shape();
        let mut total = Recorder::with_shape(shape);
        let mut warmup = Recorder::with_shape(shape);
        let mut intervals = Vec::with_capacity(self.intervals.len());
        for i in &self.intervals {
            let shown = if i.warmup { &i.warmup_recorder } else { &i.measured };
            intervals.push(interval_summary(shown, i.t_s, i.len_s, i.warmup, i.target_rate_per_s));
            warmup.accumulate(&i.warmup_recorder);
            total.accumulate(&i.measured);
        }
        let started_at = self.meta.started();
        let warmup_len = self.meta.warmup();
        let last_t_s = self.intervals.last().map_or(0.0, |i| i.t_s);
        let (ended_at, measured, stop_reason, threads, usage) = match &self.end {
            Some(end) => (
                end.ended(),
                seconds(end.measured_s),
                end.stop_reason,
                end.threads,
                ProcessUsage {
                    cpu: seconds(end.cpu_s),
                    max_rss_kib: end.max_rss_kib,
                },
            ),
            None => (
                started_at + seconds(last_t_s),
                seconds(last_t_s - self.meta.warmup_s),
                StopReason::Interrupted,
                self.meta.threads,
                ProcessUsage::default(),
            ),
        };
        Outcome {
            endpoints: self.meta.endpoints.iter().map(|e| e.to_name()).collect(),
            journeys: self.meta.journeys.clone(),
            checks: self.meta.checks.iter().map(|c| c.to_name()).collect(),
            total,
            warmup,
            intervals,
            started_at,
            ended_at,
            measured,
            stop_reason,
            threads,
            usage,
            model: self.meta.model.to_model(),
            warmup_len,
        }
    }

    /// The measured recorders of the intervals in the window `[from_s, to_s)` merged into
    /// one, so percentiles of any window are exact. Times are seconds since the start of
    /// the run (warm-up included), like `t_s`; an interval belongs to the window holding
    /// its midpoint, so adjacent windows never count an interval twice.
    pub fn window(&self, from_s: f64, to_s: f64) -> Recorder {
        let mut merged = Recorder::with_shape(self.meta.shape());
        for i in &self.intervals {
            let mid = i.t_s - i.len_s / 2.0;
            if from_s <= mid && mid < to_s {
                merged.accumulate(&i.measured);
            }
        }
        merged
    }
}

/// `s` seconds as a duration (zero if negative or not a number).
fn seconds(s: f64) -> Duration {
    Duration::try_from_secs_f64(s.max(0.0)).unwrap_or_default()
}
