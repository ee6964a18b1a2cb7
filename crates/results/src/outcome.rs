//! From a folder read back to what the engine would have returned: the [`Outcome`] of the
//! whole run, or the merged measured recorder of any time window.

use crate::read::Recorded;
use loadcell_engine::{ConnectionBudget, Descriptors, Holds, Outcome, ProcessUsage, Spells};
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
        let mut builder = OutcomeBuilder::new(&self.meta, self.intervals.len());
        for i in &self.intervals {
            builder.add(i);
        }
        builder.finish(&self.meta, self.end.as_ref())
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

/// Accumulates intervals, in order, into what an [`Outcome`] needs: the totals and the time
/// series. Used on intervals held in memory and on intervals streamed from disk alike.
pub(crate) struct OutcomeBuilder {
    total: Recorder,
    warmup: Recorder,
    intervals: Vec<loadcell_schema::IntervalSummary>,
    /// Stages of the stored load curve and the measured results inside each.
    spans: Vec<(f64, f64)>,
    phases: Vec<Recorder>,
    /// Endpoint slots named by the intervals (after `meta.json`'s).
    new_endpoints: Vec<loadcell_engine::EndpointName>,
}

impl OutcomeBuilder {
    pub(crate) fn new(meta: &crate::meta::RunMeta, capacity: usize) -> OutcomeBuilder {
        let shape = meta.shape();
        let spans = loadcell_engine::phase_spans(&meta.model.to_model());
        OutcomeBuilder {
            total: Recorder::with_shape(shape),
            warmup: Recorder::with_shape(shape),
            intervals: Vec::with_capacity(capacity),
            phases: spans.iter().map(|_| Recorder::with_shape(shape)).collect(),
            spans,
            new_endpoints: Vec::new(),
        }
    }

    pub(crate) fn add(&mut self, i: &crate::read::RecordedInterval) {
        self.new_endpoints
            .extend(i.new_endpoints.iter().map(crate::meta::EndpointSlot::to_name));
        let shown = if i.warmup { &i.warmup_recorder } else { &i.measured };
        self.intervals
            .push(interval_summary(shown, i.t_s, i.len_s, i.warmup, i.target_rate_per_s));
        self.warmup.accumulate(&i.warmup_recorder);
        self.total.accumulate(&i.measured);
        let phase = (!i.warmup)
            .then(|| loadcell_engine::phase_of(&self.spans, i.t_s - i.len_s / 2.0))
            .flatten();
        if let Some(p) = phase {
            self.phases[p].accumulate(&i.measured);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.intervals.len()
    }

    pub(crate) fn last_t_s(&self) -> f64 {
        self.intervals.last().map_or(0.0, |i| i.t_s)
    }

    /// The outcome, with `end` (or, without it, what can be inferred: see
    /// [`Recorded::outcome`]).
    pub(crate) fn finish(self, meta: &crate::meta::RunMeta, end: Option<&crate::end::RunEnd>) -> Outcome {
        let started_at = meta.started();
        let warmup_len = meta.warmup();
        let last_t_s = self.last_t_s();
        let (ended_at, measured, stop_reason, threads, usage) = match end {
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
                seconds(last_t_s - meta.warmup_s),
                StopReason::Interrupted,
                meta.threads,
                ProcessUsage::default(),
            ),
        };
        let mut model = meta.model.to_model();
        if let (loadcell_engine::Model::Open { max_vus, .. }, Some(limit)) = (&mut model, end.and_then(|e| e.vus_limit))
        {
            *max_vus = limit;
        }
        let endpoints: Vec<_> = meta
            .endpoints
            .iter()
            .map(|e| e.to_name())
            .chain(self.new_endpoints)
            .collect();
        let (mut total, mut warmup, mut phases) = (self.total, self.warmup, self.phases);
        for r in std::iter::once(&mut total).chain([&mut warmup]).chain(&mut phases) {
            r.pad_endpoints(endpoints.len());
        }
        let vus_limit = end.and_then(|e| e.vus_limit).unwrap_or_else(|| model.vus_limit());
        Outcome {
            endpoints,
            journeys: meta.journeys.clone(),
            checks: meta.checks.iter().map(|c| c.to_name()).collect(),
            custom: meta.custom.clone(),
            custom_sites: meta.custom_sites.iter().map(|c| c.to_name()).collect(),
            total,
            warmup,
            intervals: self.intervals,
            started_at,
            ended_at,
            measured,
            stop_reason,
            threads,
            usage,
            phases,
            model,
            warmup_len,
            pre_allocated_vus: end.map_or(0, |e| e.pre_allocated_vus),
            vus_spawned: end.map_or(0, |e| e.vus_spawned),
            run_delay: end.map_or(Duration::ZERO, |e| seconds(e.run_delay_s)),
            holds: end.map_or_else(Holds::default, |e| Holds {
                waited: Spells {
                    count: e.cpu_waits,
                    total: seconds(e.cpu_waited_s),
                    longest: seconds(e.longest_cpu_wait_s),
                },
                paused: Spells {
                    count: e.pauses,
                    total: seconds(e.paused_s),
                    longest: seconds(e.longest_pause_s),
                },
            }),
            vus_wanted: end.map_or(0, |e| e.vus_wanted),
            vus_ran: end.map_or(0, |e| e.vus_ran),
            lifecycle: end.map_or_else(Vec::new, |e| e.phases()),
            vus_limit,
            segment: meta.segment().unwrap_or_default(),
            segment_notes: end.map_or_else(Vec::new, |e| e.segment_notes.clone()),
            connections: ConnectionBudget {
                limit: end.map_or(0, |e| e.connection_limit),
                rationed: end.map_or(0, |e| e.rationed),
                descriptors: Descriptors {
                    limit: end.map_or(0, |e| e.descriptors.0),
                    hard: end.map_or(0, |e| e.descriptors.1),
                    in_use: 0,
                },
            },
        }
    }
}
