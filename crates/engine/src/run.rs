//! The coordinator: starts the workers, merges their per-interval reports in order,
//! feeds the time series and running totals to an observer (progress, abort checks),
//! handles interrupts, and returns what happened.

use crate::context::Transport;
use crate::dynamic::DynamicEndpoints;
use crate::lifecycle::{PhaseRun, PhaseSettings, run_phase};
use crate::plan::{Model, Plan};
use crate::units::Segment;
use crate::usage::ProcessUsage;
use crate::worker::{Report, WorkerEnd, run_worker};
use crate::workload::{CheckName, EndpointName, Lifecycle, Workload};
use loadcell_metrics::{Recorder, Shape, interval_summary};
use loadcell_schema::{IntervalSummary, StopReason};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

/// Everything the user decided about a run.
#[derive(Debug, Clone)]
pub struct Settings {
    pub model: Model,
    /// Excluded from results; part of the model's curve.
    pub warmup: Duration,
    /// When iterations stop being started, from the start (`None`: only the budget ends it).
    pub run_for: Option<Duration>,
    /// Stop after this many requests (iterations) in total.
    pub requests: Option<u64>,
    /// How long in-flight requests may finish after the end before they are cut.
    pub grace: Duration,
    /// Worker threads (each with its own event loop).
    pub threads: usize,
    pub transport: Transport,
    /// Where to send raw per-request records (`--samples`), if anywhere.
    pub samples: Option<crate::samples::Samples>,
    /// Open model: how the VU pool is sized.
    pub open_vus: OpenVus,
    /// Several load models at once (a scenario file's `scenarios:`), each on worker threads
    /// of its own, merged into one run; empty for a run of one model (the fields above).
    /// Then `model` describes the whole (the parts' curves summed) for the summary, and
    /// `run_for`, `requests`, `open_vus` are each part's own.
    pub parts: Vec<Part>,
    /// Which part of the whole test this process runs (`--segment I/N`; 1/1 for all of it).
    /// The model, budgets and VU pools above are the whole test's; the engine takes this
    /// segment's share of each (`segment.rs`).
    pub segment: Segment,
    /// `--start-at`: the load starts at this wall-clock instant (after the setup), so that
    /// the segments of one test started on several machines line up.
    pub start_at: Option<SystemTime>,
}

impl Settings {
    /// The most VUs the run may use before it starts: the model's limit, or with several
    /// parts the sum of theirs (k6's `vus_max` adds every scenario's VUs and `maxVUs`).
    pub fn vus_limit(&self) -> u64 {
        self.models().map(Model::vus_limit).sum()
    }

    /// The most VUs this process may use before it starts: [`vus_limit`](Self::vus_limit),
    /// or with `--segment` this segment's share of each model, as `segment.rs` divides them.
    /// What this process's own `vus_max` is judged against.
    pub fn own_vus_limit(&self) -> u64 {
        if self.segment.is_whole() {
            return self.vus_limit();
        }
        self.models()
            .map(|model| crate::segment::limit_share(self.segment, model))
            .sum()
    }

    /// The run's load models: `model`, or with several parts each part's.
    fn models(&self) -> impl Iterator<Item = &Model> {
        let single = self.parts.is_empty().then_some(&self.model);
        single.into_iter().chain(self.parts.iter().map(|p| &p.model))
    }
}

/// One load model of a run with several: its curve (which starts at 0 until the part's
/// start time), when it stops starting iterations, its iteration budget and VU pool.
#[derive(Debug, Clone)]
pub struct Part {
    pub model: Model,
    pub run_for: Option<Duration>,
    pub requests: Option<u64>,
    pub open_vus: OpenVus,
    /// k6's `gracefulStop`: at this part's end its iterations under way get this long to
    /// finish; `None`: the run's `grace`, for requests in flight only.
    pub graceful_stop: Option<Duration>,
    /// k6's `gracefulRampDown` (closed model): a VU ramped down mid-iteration has this long
    /// to finish it before it is cut; `None`: no limit.
    pub ramp_down_limit: Option<Duration>,
    /// What the user calls it (a file's scenario name), for messages about it.
    pub name: Option<String>,
}

/// Open model: how the VU pool is sized (k6's `preAllocatedVUs` and `maxVUs`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenVus {
    /// VUs allocated before the first arrival (`None`: a hundredth of a second of arrivals
    /// at the peak rate, 1 to 1,000).
    pub pre_allocated: Option<u64>,
    /// The model's `max_vus` was given by the user: keep it fixed. Otherwise it is the floor
    /// of a cap resized every interval from the rate and the measured iteration time.
    pub fixed_max: bool,
}

/// What the observer wants after an interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Continue,
    /// End the run now (a threshold can no longer hold).
    Abort,
}

/// One completed interval, as the observer sees it.
pub struct IntervalEvent<'a> {
    /// Interval number (0, 1, 2 …).
    pub seq: u64,
    pub summary: &'a IntervalSummary,
    /// This interval's iterations that started after the warm-up (all workers merged).
    pub measured: &'a Recorder,
    /// This interval's iterations that started during the warm-up.
    pub warmup: &'a Recorder,
    /// Measured results of the run so far (this interval included).
    pub total: &'a Recorder,
    /// The names of the recorders' endpoint slots, index for index: the workload's fixed
    /// ones, then those it registered so far (a scenario's redirect hops), so an observer
    /// learns a new endpoint in the interval it first appears.
    pub endpoints: &'a [EndpointName],
    /// Time since the start of the run at the end of this interval.
    pub elapsed: Duration,
}

/// Sees the run as it goes: one call per completed interval, in order.
pub trait Observer {
    /// Called once before any worker starts (after the setup and any `--start-at` wait),
    /// with the instant intervals are counted from (`t_s` is seconds since it): whatever
    /// samples alongside the run (the target's resource monitor) cuts its readings at the
    /// same boundaries.
    /// `started_at` is the same instant on the wall clock (the results' `started_at`).
    fn on_start(&mut self, _t0: Instant, _started_at: SystemTime) {}

    fn on_interval(&mut self, event: &IntervalEvent<'_>) -> Control;
}

/// The result of a run: merged metrics and the per-second series.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub endpoints: Vec<EndpointName>,
    pub journeys: Vec<String>,
    pub checks: Vec<CheckName>,
    /// The workload's own metrics, in declaration order.
    pub custom: Vec<loadcell_schema::CustomMetricDef>,
    /// Where values are added to them, in the order of `total.custom` (`label`: the metric).
    pub custom_sites: Vec<CheckName>,
    /// Measured results (warm-up excluded).
    pub total: Recorder,
    /// Results of the warm-up, reported only as counts.
    pub warmup: Recorder,
    pub intervals: Vec<IntervalSummary>,
    pub started_at: SystemTime,
    pub ended_at: SystemTime,
    /// From the end of the warm-up to the moment iterations stopped being started.
    pub measured: Duration,
    pub stop_reason: StopReason,
    pub threads: usize,
    pub usage: ProcessUsage,
    pub model: Model,
    pub warmup_len: Duration,
    /// Measured results per stage of the model's curve (in stage order): the intervals whose
    /// middle falls in the stage, merged — exact per-stage percentiles for stepped profiles.
    pub phases: Vec<Recorder>,
    /// Open model: VUs allocated before the first arrival.
    pub pre_allocated_vus: u64,
    /// VUs started over the run (all workers).
    pub vus_spawned: u64,
    /// Closed model: the most VUs the curve asked for, and how many of them began at least
    /// one iteration (the others never started: the run ended first).
    pub vus_wanted: u64,
    pub vus_ran: u64,
    /// How long the worker threads, together, waited runnable for a CPU: a busy machine.
    pub run_delay: Duration,
    /// Times the machine held the worker threads off their CPU when they were due to run:
    /// another task had it, or they were paused (`holds.rs`).
    pub holds: crate::holds::Holds,
    /// loadcell's own connection budget and whether it had to ration connections.
    pub connections: ConnectionBudget,
    /// The workload's `setup` and `teardown`, in the order they ran (none without them).
    pub lifecycle: Vec<PhaseRun>,
    /// The most VUs the run could use (k6's `vus_max`): the model's limit, or with several
    /// parts the sum of each one's (closed: its peak VUs; open: its VU cap as it ended).
    pub vus_limit: u64,
    /// The segment this process ran (1/1: the whole test).
    pub segment: Segment,
    /// What the segment left this process without (a part with no VU of its own), in words.
    pub segment_notes: Vec<String>,
}

/// How many connections loadcell could hold, and whether that held it back.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConnectionBudget {
    /// Open model: the connections its workers' pools could hold together.
    pub limit: u64,
    /// Open model: how often a VU waited in line because that limit was reached.
    pub rationed: u64,
    /// The file-descriptor limit the run had.
    pub descriptors: crate::fds::Descriptors,
}

/// Runs `workload` under `settings`. `interrupts` counts SIGINT/SIGTERM: the first stops
/// gracefully, the second cuts in-flight requests.
pub fn run<W: Workload>(
    workload: W,
    settings: Settings,
    interrupts: Arc<AtomicUsize>,
    observer: &mut dyn Observer,
) -> Outcome {
    let endpoint_names = workload.endpoints();
    let dynamic = workload.dynamic_endpoints();
    let room = dynamic.as_ref().map_or(endpoint_names.len(), |d| d.room());
    let shape = Shape {
        endpoints: endpoint_names.len(),
        journeys: workload.journeys().len(),
        checks: workload.checks().len(),
        custom: workload.custom_sites().len(),
    };
    let usage_before = ProcessUsage::now();
    let main_cpu_before = ProcessUsage::thread_cpu();
    crate::holds::note_coordinator();
    let descriptors = crate::fds::raise_limit();
    crate::fds::grow_table(descriptors.limit);
    let workload = Arc::new(workload);
    let mut phases = PhaseSettings {
        transport: &settings.transport,
        shape,
        samples: settings.samples.as_ref(),
        interrupts: &interrupts,
        t0: None,
        room,
    };
    let setup = run_phase(&*workload, Lifecycle::Setup, &phases);
    let setup_failed = setup.as_ref().is_some_and(|(run, _)| run.failure.is_some());
    let late = match settings.start_at {
        Some(at) if !setup_failed => crate::segment::wait_until(at, &interrupts),
        _ => None,
    };
    let (plans, mut segment_notes) = plans_of(Arc::clone(&workload), &settings, (shape, room), &descriptors);
    segment_notes.extend(late);
    phases.t0 = Some(plans[0].t0);
    let threads = plans.iter().map(|p| p.workers).sum();
    let t0 = plans[0].t0;
    // The results' start is the load's t0 (after the setup and the wait), so the segments
    // of one test line up on the wall clock interval by interval.
    let started_at = SystemTime::now() + t0.saturating_duration_since(Instant::now());
    observer.on_start(t0, started_at);
    let mut merger = Merger::new(threads, shape, t0);
    merger.names = endpoint_names;
    merger.dynamic = dynamic;
    // The stages of a run with several parts are pieces of their summed curve, not stages
    // anyone planned: no per-stage results then (each scenario has its own in the summary).
    if settings.parts.is_empty() {
        merger.phase_spans = phase_spans(&settings.model);
    }
    merger.phases = merger.phase_spans.iter().map(|_| Recorder::with_shape(shape)).collect();
    let mut lifecycle = Vec::new();
    if let Some((run, recorder)) = setup {
        // The setup's requests count in the first interval; a failed setup sends no load.
        merger.seed_first(&recorder);
        lifecycle.push(run);
    }
    if setup_failed {
        plans.iter().for_each(|plan| stop(plan));
    }
    let aborted = coordinate(&plans, &mut merger, &interrupts, observer);
    // k6 runs teardown() after the load however it ended (a threshold's abort, Ctrl-C),
    // but not after a failed setup; its requests are an interval of their own.
    if !setup_failed && let Some((run, recorder)) = run_phase(&*workload, Lifecycle::Teardown, &phases) {
        merger.add_last(recorder, Instant::now());
        merger.drain(&plans, observer);
        lifecycle.push(run);
    }

    merger.learn();
    let stopped_at = merger.stopped_at.unwrap_or_else(Instant::now);
    let last = plans
        .iter()
        .max_by_key(|p| p.end.map_or((1, t0), |e| (0, e)))
        .unwrap_or(&plans[0]);
    let stop_reason = match stop_reason(
        last,
        &merger,
        interrupts.load(Ordering::Relaxed) > 0,
        aborted,
        stopped_at,
    ) {
        StopReason::Interrupted => StopReason::Interrupted,
        _ if setup_failed => StopReason::SetupFailed,
        reason => reason,
    };
    let pre_allocated_vus = plans
        .iter()
        .map(|p| match &p.model {
            Model::Open { rate, max_vus } => crate::open::pre_allocated(p.open_vus, rate, *max_vus),
            Model::Closed { .. } => 0,
        })
        .sum();
    let vus_limit = match settings.segment.is_whole() {
        true => settings.vus_limit().max(closed_vus(&settings) + merger.ends.vus_cap),
        false => settings.own_vus_limit().max(merger.ends.vus_cap),
    };
    let mut model = settings.model;
    if let Model::Open { max_vus, .. } = &mut model {
        *max_vus = (*max_vus).max(merger.ends.vus_cap);
    }
    Outcome {
        endpoints: merger.names,
        journeys: plans[0].workload.journeys(),
        checks: plans[0].workload.checks(),
        custom: plans[0].workload.custom_metrics(),
        custom_sites: plans[0].workload.custom_sites(),
        total: merger.total,
        warmup: merger.warmup,
        intervals: merger.intervals,
        started_at,
        ended_at: SystemTime::now(),
        measured: stopped_at.saturating_duration_since(plans[0].warmup_end),
        stop_reason,
        threads,
        usage: own_usage(&usage_before, merger.ends.cpu, main_cpu_before),
        model,
        warmup_len: settings.warmup,
        pre_allocated_vus,
        vus_spawned: merger.ends.vus_spawned,
        vus_wanted: merger.ends.vus_wanted,
        vus_ran: merger.ends.vus_ran,
        run_delay: merger.ends.run_delay,
        holds: merger.ends.holds,
        connections: ConnectionBudget {
            limit: merger.ends.connection_limit,
            rationed: merger.ends.rationed,
            descriptors,
        },
        phases: merger.phases,
        lifecycle,
        vus_limit,
        segment: settings.segment,
        segment_notes,
    }
}

/// The most VUs the closed parts of a run ask for (the open parts' caps are the workers'
/// `vus_cap`, grown during the run).
fn closed_vus(settings: &Settings) -> u64 {
    settings
        .models()
        .filter(|m| matches!(m, Model::Closed { .. }))
        .map(Model::vus_limit)
        .sum()
}

/// The run's shared plans, one per part (one for a run of one model): what every worker
/// reads, fixed before the first one starts. The parts share the start instant and split
/// the worker threads (at least one each) and the connection budget.
fn plans_of<W: Workload>(
    workload: Arc<W>,
    settings: &Settings,
    (shape, room): (Shape, usize),
    descriptors: &crate::fds::Descriptors,
) -> (Vec<Arc<Plan<W>>>, Vec<String>) {
    let parts = if settings.parts.is_empty() {
        vec![Part {
            model: settings.model.clone(),
            run_for: settings.run_for,
            requests: settings.requests,
            open_vus: settings.open_vus,
            graceful_stop: None,
            ramp_down_limit: None,
            name: None,
        }]
    } else {
        settings.parts.clone()
    };
    let (parts, shares): (Vec<Part>, Vec<crate::segment::Share>) = parts
        .into_iter()
        .map(|p| crate::segment::apply(settings.segment, p))
        .unzip();
    let notes = crate::segment::notes(settings.segment, &shares);
    let threads = settings.threads.max(1);
    let per_part = (threads / parts.len()).max(1);
    // A closed part never gets more workers than VUs: a worker without one would hold its
    // share of an iteration budget (and of the test data) that nobody spends. The plan sees
    // to it for a whole run of one model; a segment has only its share of the VUs.
    let workers: Vec<usize> = parts
        .iter()
        .map(|p| match &p.model {
            Model::Closed { vus } if !settings.parts.is_empty() || !settings.segment.is_whole() => {
                per_part.min(settings.segment.share(vus.peak().round() as u64).max(1) as usize)
            }
            _ => per_part,
        })
        .collect();
    let all_workers: usize = workers.iter().sum();
    let connections = descriptors.connections(all_workers);
    // A short head start lets every thread reach its event loop before the first arrival.
    let t0 = Instant::now() + Duration::from_millis(20);
    let plans = parts
        .into_iter()
        .zip(shares)
        .enumerate()
        .map(|(i, (part, share))| {
            let first_worker = workers[..i].iter().sum();
            Arc::new(Plan {
                shape,
                room,
                workload: Arc::clone(&workload),
                part: i,
                first_worker,
                all_workers,
                segment: settings.segment,
                transport: Arc::new(crate::open::transport_for(&settings.transport, &part.model, &*workload)),
                model: part.model,
                workers: workers[i],
                t0,
                warmup_end: t0 + settings.warmup,
                // A part this segment has no VU of ends at once instead of idling to its end.
                end: if share.idle {
                    Some(t0)
                } else {
                    part.run_for.map(|d| t0 + d)
                },
                requests: part.requests,
                grace: part.graceful_stop.unwrap_or(settings.grace),
                grace_iterations: part.graceful_stop.is_some(),
                ramp_down_limit: part.ramp_down_limit,
                samples: settings.samples.clone(),
                open_vus: part.open_vus,
                stop: Default::default(),
                stop_notify: Default::default(),
                hard_stop: Default::default(),
                interrupted: Default::default(),
                connection_limit: connections / all_workers as u64 * workers[i] as u64,
            })
        })
        .collect();
    (plans, notes)
}

/// Starts the workers and merges their reports until every one has ended: intervals go to
/// `observer` in order, signals and `--abort-on-fail` stop the run. Whether it aborted.
fn coordinate<W: Workload>(
    plans: &[Arc<Plan<W>>],
    merger: &mut Merger,
    interrupts: &AtomicUsize,
    observer: &mut dyn Observer,
) -> bool {
    let (tx, rx) = mpsc::channel::<Report>();
    let handles: Vec<_> = plans
        .iter()
        .flat_map(|plan| (0..plan.workers).map(move |id| (plan, id)))
        .map(|(plan, id)| {
            let (plan, tx) = (Arc::clone(plan), tx.clone());
            std::thread::Builder::new()
                .name(format!("loadcell-worker-{}", plan.worker_id(id)))
                .spawn(move || run_worker(plan, id, tx))
        })
        .collect();
    drop(tx);
    let mut aborted = false;
    loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(report) => merger.add(report),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        let n = interrupts.load(Ordering::Relaxed);
        for plan in plans {
            if n >= 1 && !plan.interrupted.swap(true, Ordering::Relaxed) {
                stop(plan);
            }
            if n >= 2 && !plan.hard_stop.swap(true, Ordering::Relaxed) {
                plan.stop_notify.notify_waiters();
            }
        }
        while let Some(control) = merger.emit_next(plans, observer) {
            if control == Control::Abort && !aborted {
                aborted = true;
                plans.iter().for_each(|plan| stop(plan));
            }
        }
    }
    for handle in handles.into_iter().flatten() {
        let _ = handle.join();
    }
    merger.all_finished = true;
    merger.drain(plans, observer);
    aborted
}

/// Why the run ended: a signal, an abort, the workload's data, the request budget, or time.
fn stop_reason<W>(
    plan: &Plan<W>,
    merger: &Merger,
    interrupted: bool,
    aborted: bool,
    stopped_at: Instant,
) -> StopReason {
    if interrupted {
        StopReason::Interrupted
    } else if aborted {
        StopReason::ThresholdAborted
    } else if merger.workload_stopped && plan.end.is_none_or(|end| stopped_at < end) {
        StopReason::DataExhausted
    } else if plan.requests.is_some() && plan.end.is_none_or(|end| stopped_at < end) {
        StopReason::Requests
    } else {
        StopReason::Duration
    }
}

/// loadcell's own resource use: its worker threads plus the coordinator, so that other
/// threads in the process (`loadcell demo`'s target) are not billed to the generator.
/// Falls back to the whole process where per-thread figures are not available.
fn own_usage(before: &ProcessUsage, worker_cpu: Duration, main_before: Duration) -> ProcessUsage {
    let process = ProcessUsage::now().since(before);
    let main = ProcessUsage::thread_cpu().saturating_sub(main_before);
    if worker_cpu.is_zero() {
        return process;
    }
    ProcessUsage {
        cpu: worker_cpu + main,
        max_rss_kib: process.max_rss_kib,
    }
}

/// The stages of the model's curve as (start, end) seconds since the start.
pub fn phase_spans(model: &Model) -> Vec<(f64, f64)> {
    let curve = match model {
        Model::Closed { vus } => vus,
        Model::Open { rate, .. } => rate,
    };
    curve
        .segments()
        .into_iter()
        .map(|(start, len, _, _)| (start, start + len))
        .collect()
}

/// The stage holding time `t` (the last stage also holds anything after the curve ends).
pub fn phase_of(spans: &[(f64, f64)], t: f64) -> Option<usize> {
    spans
        .iter()
        .position(|&(start, end)| t >= start && t < end)
        .or_else(|| {
            let last = spans.len().checked_sub(1)?;
            (t >= spans[last].1).then_some(last)
        })
}

fn stop<W>(plan: &Plan<W>) {
    plan.stop.store(true, Ordering::Relaxed);
    plan.stop_notify.notify_waiters();
}

/// Collects worker reports and releases intervals once every worker that will report
/// them has.
struct Merger {
    workers: usize,
    t0: Instant,
    /// Per interval: measured recorder, warm-up recorder, reporters so far, end.
    pending: BTreeMap<u64, (Recorder, Recorder, usize, Instant)>,
    /// Per worker: the sequence number of its last report, once sent.
    last_seq: Vec<Option<u64>>,
    next_seq: u64,
    previous_until: Instant,
    total: Recorder,
    warmup: Recorder,
    intervals: Vec<IntervalSummary>,
    stopped_at: Option<Instant>,
    workload_stopped: bool,
    /// The workers' ends, summed (their caps, VUs, CPU, run delay, connection limits).
    ends: WorkerEnd,
    /// Measured results that arrived with a warm-up interval, held for the next one.
    carry: Recorder,
    /// Per stage of the curve: (start s, end s) and the measured results inside it.
    phase_spans: Vec<(f64, f64)>,
    phases: Vec<Recorder>,
    all_finished: bool,
    /// The endpoint names so far: the workload's fixed ones, then its dynamic ones as they
    /// are registered (`learn`).
    names: Vec<EndpointName>,
    dynamic: Option<Arc<DynamicEndpoints>>,
}

impl Merger {
    fn new(workers: usize, shape: Shape, t0: Instant) -> Merger {
        Merger {
            workers,
            t0,
            pending: BTreeMap::new(),
            last_seq: vec![None; workers],
            next_seq: 0,
            previous_until: t0,
            total: Recorder::with_shape(shape),
            warmup: Recorder::with_shape(shape),
            intervals: Vec::new(),
            stopped_at: None,
            workload_stopped: false,
            ends: WorkerEnd::default(),
            carry: Recorder::with_shape(shape),
            phase_spans: Vec::new(),
            phases: Vec::new(),
            all_finished: false,
            names: Vec::new(),
            dynamic: None,
        }
    }

    /// Takes the endpoints registered since the last call into `names` (an atomic load when
    /// there are none) and lines the run's recorders up with them.
    fn learn(&mut self) {
        if let Some(d) = &self.dynamic {
            d.learn(&mut self.names);
        }
        let n = self.names.len();
        self.total.pad_endpoints(n);
        self.warmup.pad_endpoints(n);
        self.carry.pad_endpoints(n);
        for p in &mut self.phases {
            p.pad_endpoints(n);
        }
    }

    fn add(&mut self, report: Report) {
        if let Some(end) = report.end {
            if let Some(slot) = self.last_seq.get_mut(report.worker) {
                *slot = Some(report.seq);
            }
            self.workload_stopped |= end.workload_stopped;
            let e = &mut self.ends;
            e.cpu += end.cpu;
            e.run_delay += end.run_delay;
            e.holds.add(&end.holds);
            e.vus_cap += end.vus_cap;
            e.vus_spawned += end.vus_spawned;
            e.vus_wanted += end.vus_wanted;
            e.vus_ran += end.vus_ran;
            e.connection_limit = e.connection_limit.saturating_add(end.connection_limit);
            e.rationed += end.rationed;
            if let Some(at) = end.stopped_at {
                self.stopped_at = Some(self.stopped_at.map_or(at, |s| s.max(at)));
            }
        }
        let entry = self
            .pending
            .entry(report.seq)
            .or_insert_with(|| (report.recorder.fresh(), report.recorder.fresh(), 0, report.until));
        entry.0.merge(&report.recorder);
        if let Some(w) = &report.warmup {
            entry.1.merge(w);
        }
        entry.2 += 1;
        entry.3 = entry.3.max(report.until);
    }

    /// Adds `recorder` (the setup's requests) to the first interval's measured results,
    /// without counting as one of its reporters.
    fn seed_first(&mut self, recorder: &Recorder) {
        let t0 = self.t0;
        let entry = self
            .pending
            .entry(0)
            .or_insert_with(|| (recorder.fresh(), recorder.fresh(), 0, t0));
        entry.0.merge(recorder);
    }

    /// Adds `recorder` (the teardown's requests) as an interval of its own, after every
    /// other, ending at `until`.
    fn add_last(&mut self, recorder: Recorder, until: Instant) {
        let seq = self
            .pending
            .keys()
            .next_back()
            .map_or(self.next_seq, |&k| k + 1)
            .max(self.next_seq);
        let warmup = recorder.fresh();
        self.pending.insert(seq, (recorder, warmup, 0, until));
    }

    /// Once every worker has ended: emits every interval still pending, and adds measured
    /// results carried by a run that ended in its warm-up.
    fn drain<W>(&mut self, plans: &[Arc<Plan<W>>], observer: &mut dyn Observer) {
        while self.emit_next(plans, observer).is_some() {}
        let carried = std::mem::replace(&mut self.carry, self.total.fresh());
        self.total.accumulate(&carried);
    }

    /// Workers expected to report interval `seq`: those that have not ended before it.
    fn expected(&self, seq: u64) -> usize {
        self.last_seq
            .iter()
            .filter(|last| last.is_none_or(|l| l >= seq))
            .count()
    }

    /// Emits the next interval if every worker has reported it: summarises it, adds it to
    /// the totals and shows it to the observer.
    fn emit_next<W>(&mut self, plans: &[Arc<Plan<W>>], observer: &mut dyn Observer) -> Option<Control> {
        let plan = &plans[0];
        loop {
            let seq = self.next_seq;
            let ready = match self.pending.get(&seq) {
                Some((_, _, reporters, _)) => *reporters >= self.expected(seq) || self.all_finished,
                None => {
                    // Nobody will report this interval any more: skip the gap.
                    if self.expected(seq) == 0 && self.pending.keys().any(|&k| k > seq) {
                        self.next_seq += 1;
                        continue;
                    }
                    false
                }
            };
            if !ready || self.workers == 0 {
                return None;
            }
            let (mut rec, warm, _, until) = self.pending.remove(&seq)?;
            self.next_seq += 1;
            let start = self.previous_until;
            self.previous_until = until;
            let warmup = until <= plan.warmup_end && plan.warmup_end > plan.t0;
            let t_s = until.saturating_duration_since(self.t0).as_secs_f64();
            let len_s = until.saturating_duration_since(start).as_secs_f64();
            let mid_s = (t_s - len_s / 2.0).max(0.0);
            let target_rate = plans
                .iter()
                .filter_map(|p| match &p.model {
                    // This segment's arrivals are every N-th of the whole schedule's.
                    Model::Open { rate, .. } => Some(rate.value_at(mid_s) / p.segment.count() as f64),
                    Model::Closed { .. } => None,
                })
                .reduce(|a, b| a + b);
            // Iterations belong to the phase they started in: warm-up intervals show the
            // warm-up's iterations, later ones only what started after it. Measured requests
            // that ended in the instant before the last warm-up interval was cut are carried
            // into the first measured interval, so the series adds up to the totals.
            if warmup {
                self.carry.merge(&rec);
                rec = rec.fresh();
            } else if self.carry.requests() > 0 || self.carry.iterations > 0 || self.carry.scheduled > 0 {
                let carried = std::mem::replace(&mut self.carry, rec.fresh());
                let mut merged = carried;
                merged.merge(&rec);
                rec = merged;
            }
            self.learn();
            rec.pad_endpoints(self.names.len());
            let mut warm = warm;
            warm.pad_endpoints(self.names.len());
            let summary = interval_summary(if warmup { &warm } else { &rec }, t_s, len_s, warmup, target_rate);
            self.warmup.accumulate(&warm);
            self.total.accumulate(&rec);
            if !warmup {
                let mid = t_s - len_s / 2.0;
                if let Some(i) = phase_of(&self.phase_spans, mid) {
                    self.phases[i].accumulate(&rec);
                }
            }
            let control = observer.on_interval(&IntervalEvent {
                seq,
                summary: &summary,
                measured: &rec,
                warmup: &warm,
                total: &self.total,
                endpoints: &self.names,
                elapsed: Duration::from_secs_f64(t_s),
            });
            self.intervals.push(summary);
            return Some(control);
        }
    }
}
