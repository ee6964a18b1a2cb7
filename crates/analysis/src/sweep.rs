//! Many engine runs (the steps of a capacity search or the levels of a scale sweep) as one
//! `Summary`: every step's measured recorders merged (HDR histograms merge exactly, so the
//! top-level percentiles are those of everything measured), the steps' per-second intervals
//! on one clock (seconds since the search started), one stage mark and one phase per step,
//! each step's `--postgres` window on its phase, and the bottleneck verdicts of the sweep
//! and of every step on its own evidence.

use crate::resources::Monitored;
use crate::stages::{PhaseSpan, measured_phase};
use crate::summary;
use loadcell_engine::{EndpointName, Outcome};
use loadcell_monitor::Tally;
use loadcell_schema::{
    FlameGraphSummary, MonitorSample, MonitorSummary, PhaseSummary, PostgresSummary, RunMetadata, StageMark,
    StopReason, Summary, ThresholdResult,
};
use std::time::{Duration, SystemTime};

/// How a step is named and what level it ran at.
pub struct Mark {
    /// `step 3 · 80/s`, `16 VUs`.
    pub name: String,
    /// Iterations per second (open model) or VUs (closed model).
    pub level: f64,
}

/// The steps so far, merged.
#[derive(Debug)]
pub struct Combined {
    started: SystemTime,
    label: String,
    metadata: RunMetadata,
    /// Every step's warm-up (the same for all steps).
    step_warmup: Duration,
    /// `iterations/s` or `vus`, the unit of the stage marks.
    unit: &'static str,
    /// All steps merged, on the search's clock; `None` before the first step.
    merged: Option<Outcome>,
    stages: Vec<StageMark>,
    phases: Vec<PhaseSummary>,
    /// `--monitor`: one monitor watched the whole sweep; its readings on the same clock.
    readings: Vec<MonitorSample>,
    flamegraph: Option<FlameGraphSummary>,
}

impl Combined {
    /// Starts the clock: every step's times are seconds since now.
    pub fn new(label: &str, metadata: RunMetadata, step_warmup: Duration, unit: &'static str) -> Combined {
        Combined {
            started: SystemTime::now(),
            label: label.to_string(),
            metadata,
            step_warmup,
            unit,
            merged: None,
            stages: Vec::new(),
            phases: Vec::new(),
            readings: Vec::new(),
            flamegraph: None,
        }
    }

    /// Time since the sweep's clock started (what `--monitor`'s readings count from).
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed().unwrap_or_default()
    }

    /// Takes in `--monitor` readings (seconds since [`Combined::new`]), in time order.
    pub fn watched(&mut self, readings: Vec<MonitorSample>) {
        self.readings.extend(readings);
    }

    /// `--flamegraph`: the profile of the sweep.
    pub fn set_flamegraph(&mut self, graph: FlameGraphSummary) {
        self.flamegraph = Some(graph);
    }

    /// Where `step` (a run not added yet) is on the sweep's clock: the start of its
    /// measured window and its end, seconds since [`Combined::new`].
    pub fn measured_window(&self, step: &Outcome) -> (f64, f64) {
        let from = self.offset(step) + step.warmup_len.as_secs_f64();
        (from, from + step.measured.as_secs_f64())
    }

    /// The `target_*` values of the readings taken in `step`'s measured window (see
    /// [`Tally`]): the step's SLOs on the target's resources, and its figures in the step
    /// table.
    pub fn resources(&self, step: &Outcome) -> Tally {
        let (from, to) = self.measured_window(step);
        Tally::of(&self.readings, from, to)
    }

    fn offset(&self, step: &Outcome) -> f64 {
        step.started_at
            .duration_since(self.started)
            .unwrap_or_default()
            .as_secs_f64()
    }

    /// `--postgres`: the databases during the last step added, over its measured window.
    pub fn databases(&mut self, windows: Vec<PostgresSummary>) {
        if let Some(phase) = self.phases.last_mut() {
            phase.postgres = windows;
        }
    }

    /// Adds one step. `slo_failures` are the SLOs that failed on this step's own results
    /// (`None` when the command judges no SLOs, or the step was cut short).
    pub fn add(&mut self, mut step: Outcome, mark: Mark, slo_failures: Option<Vec<String>>) {
        let offset = self.offset(&step);
        for iv in &mut step.intervals {
            iv.t_s += offset;
        }
        let last_t = step.intervals.last().map_or(offset, |iv| iv.t_s);
        let end_s = last_t.max(offset + (step.warmup_len + step.measured).as_secs_f64());
        self.phases.push(phase(&step, &mark, offset, end_s, slo_failures));
        self.stages.push(StageMark {
            start_s: offset,
            end_s,
            from: mark.level,
            to: mark.level,
            unit: self.unit.to_string(),
            name: Some(mark.name),
        });
        match &mut self.merged {
            None => {
                step.started_at = self.started;
                // Per-stage recorders of one step's own curve mean nothing here: each step
                // is one phase of the combined summary.
                step.phases.clear();
                self.merged = Some(step);
            }
            Some(all) => merge(all, step),
        }
    }

    /// The summary of every step so far, with `thresholds` as its verdicts. Unless
    /// `finished`, the stop reason is `interrupted`: that is what the document says when
    /// the process dies before the next write. `None` before the first step.
    pub fn summary(&self, thresholds: Vec<ThresholdResult>, finished: bool) -> Option<Summary> {
        let merged = self.merged.as_ref()?;
        let mut s = summary::build(merged, &self.label, thresholds, self.metadata.clone(), &[]);
        if !finished {
            s.stop_reason = StopReason::Interrupted;
        }
        // The engine's warm-up length is the sum over steps (what the CPU share needs);
        // the document states each step's own warm-up.
        s.warmup_s = self.step_warmup.as_secs_f64();
        s.stages = self.stages.clone();
        s.phases = self.phases.clone();
        s.monitor = self.monitor();
        s.postgres = crate::databases::added(self.phases.iter().flat_map(|p| &p.postgres), s.requests.total);
        crate::bottleneck::attach(&mut s);
        crate::bottleneck::stages::attach(&mut s, |_, phase| self.step_monitor(phase));
        Some(s)
    }
}

impl Combined {
    /// What `--monitor` read during one step's measured window (after its warm-up).
    fn step_monitor(&self, phase: &PhaseSummary) -> Vec<MonitorSummary> {
        if self.readings.is_empty() {
            return Vec::new();
        }
        let sources = loadcell_monitor::sources_of(&self.readings);
        let from = phase.start_s + self.step_warmup.as_secs_f64();
        let watched = Monitored {
            sources: &sources,
            samples: &self.readings,
            flamegraph: self.flamegraph.as_ref(),
        };
        watched.within(from, from + phase.seconds)
    }

    /// `monitor[]` of the sweep: statistics after the first step's warm-up, leak lines
    /// over the whole sweep (whose load changes from step to step, which the docs say).
    fn monitor(&self) -> Vec<MonitorSummary> {
        if self.readings.is_empty() {
            return Vec::new();
        }
        let sources = loadcell_monitor::sources_of(&self.readings);
        let from = self.stages.first().map_or(0.0, |s| s.start_s) + self.step_warmup.as_secs_f64();
        let to = self.stages.last().map_or(f64::INFINITY, |s| s.end_s);
        let watched = Monitored {
            sources: &sources,
            samples: &self.readings,
            flamegraph: self.flamegraph.as_ref(),
        };
        watched.summaries(from, to)
    }
}

/// Adds `step` into `all`: recorders merged (VU counts as a peak), intervals appended,
/// times and CPU added up.
fn merge(all: &mut Outcome, step: Outcome) {
    let slots = slots_in(&mut all.endpoints, &step.endpoints);
    all.total.accumulate(&renamed(&step.total, &slots, all.endpoints.len()));
    all.warmup
        .accumulate(&renamed(&step.warmup, &slots, all.endpoints.len()));
    all.intervals.extend(step.intervals);
    all.ended_at = step.ended_at;
    all.measured += step.measured;
    all.warmup_len += step.warmup_len;
    all.threads = all.threads.max(step.threads);
    all.usage.cpu += step.usage.cpu;
    all.usage.max_rss_kib = all.usage.max_rss_kib.max(step.usage.max_rss_kib);
    if step.stop_reason == StopReason::Interrupted {
        all.stop_reason = StopReason::Interrupted;
    }
    // The largest step's model gives the VU limit.
    if step.model.vus_limit() > all.model.vus_limit() {
        all.model = step.model;
    }
}

/// Where each of `step`'s endpoint slots is in `all`, by name: each step is a run of its own,
/// whose redirect hops got endpoint slots in the order they happened there. Names `all`
/// lacks are added.
fn slots_in(all: &mut Vec<EndpointName>, step: &[EndpointName]) -> Vec<usize> {
    step.iter()
        .map(|name| match all.iter().position(|n| n == name) {
            Some(i) => i,
            None => {
                all.push(name.clone());
                all.len() - 1
            }
        })
        .collect()
}

/// `r` with its endpoint slot `i` moved to `slots[i]`, in `n` slots.
fn renamed(r: &loadcell_metrics::Recorder, slots: &[usize], n: usize) -> loadcell_metrics::Recorder {
    let mut out = r.clone();
    out.endpoints = vec![loadcell_metrics::EndpointMetrics::default(); n];
    for (i, ep) in r.endpoints.iter().enumerate() {
        if let Some(slot) = slots.get(i).and_then(|&s| out.endpoints.get_mut(s)) {
            slot.merge(ep);
        }
    }
    out.room = out.room.max(n);
    out
}

/// One step's own results as a phase.
fn phase(step: &Outcome, mark: &Mark, start_s: f64, end_s: f64, slo_failures: Option<Vec<String>>) -> PhaseSummary {
    let span = PhaseSpan {
        name: mark.name.clone(),
        start_s,
        end_s,
        level: mark.level,
        seconds: step.measured.as_secs_f64(),
    };
    measured_phase(span, &step.total.overall(), step.total.dropped, slo_failures)
}

#[cfg(test)]
mod tests {
    use super::*;
    use loadcell_metrics::{Outcome as Ended, Recorder, Sample};

    fn name(path: &str) -> EndpointName {
        EndpointName {
            method: "GET".into(),
            path: path.into(),
            ..EndpointName::default()
        }
    }

    #[test]
    fn a_steps_hop_endpoints_are_merged_by_name_whatever_their_slot() {
        // Step 1 met /a then /b; step 2 met /b first, then /c.
        let mut all = vec![name("/step"), name("/a"), name("/b")];
        let step = [name("/step"), name("/b"), name("/c")];
        let slots = slots_in(&mut all, &step);
        assert_eq!(slots, vec![0, 2, 3]);
        assert_eq!(all.len(), 4);
        let mut r = Recorder::new(3);
        for endpoint in [1, 1, 2] {
            r.record(&Sample {
                endpoint,
                latency_us: 1000,
                service_us: None,
                ttfb_us: None,
                sending_us: None,
                outcome: Ended::Status(200),
                sent_bytes: 1,
                received_bytes: 1,
                expected_interval_us: None,
            });
        }
        let moved = renamed(&r, &slots, all.len());
        let counts: Vec<u64> = moved.endpoints.iter().map(|e| e.requests()).collect();
        assert_eq!(counts, vec![0, 0, 2, 1]);
    }
}
