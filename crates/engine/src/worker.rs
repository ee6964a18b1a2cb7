//! One worker thread: a single-threaded tokio runtime running this thread's share of the
//! VUs, its own recorder, and the control loop that ramps VUs, cuts intervals and stops.
//!
//! Nothing here is shared with other threads except the read-only run plan, the stop
//! flags and the channel that carries one report per interval (Architecture Invariant:
//! no lock and no cross-thread write on the request path).

use crate::context::VuContext;
use crate::open::OpenState;
use crate::plan::{Model, Plan};
use crate::pool::ConnPool;
use crate::schedule::share_of;
use crate::timer::tighten_timer_slack;
use crate::workload::{Next, Workload};
use loadcell_metrics::{Recorder, Shape};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// How often the control loop looks at stages and stop conditions.
const CONTROL_TICK: Duration = Duration::from_millis(20);

/// What a worker sends the coordinator once per interval.
pub struct Report {
    pub worker: usize,
    /// Interval number; the same numbers mean the same boundaries on every worker.
    pub seq: u64,
    /// End of the interval (the boundary, or the moment the worker stopped).
    pub until: Instant,
    pub recorder: Recorder,
    /// Iterations that started during the warm-up (even if they ended after it).
    pub warmup: Option<Recorder>,
    /// The worker's last report: it will send nothing more.
    pub last: bool,
    /// Last report only: when the worker stopped starting iterations.
    pub stopped_at: Option<Instant>,
    /// Last report only: the workload asked this worker to stop (test data ran out).
    pub workload_stopped: bool,
    /// Last report only: CPU time this worker thread used.
    pub cpu: std::time::Duration,
    /// Last report only: open model, the VU cap this worker ended with and the VUs it spawned.
    pub vus_cap: u64,
    pub vus_spawned: u64,
    /// Last report only: how long this thread waited, runnable, for a CPU.
    pub run_delay: Duration,
}

/// This thread's state, shared by its VU tasks through `Rc` (never across threads).
pub struct WorkerState {
    /// Iterations that started after the warm-up.
    pub recorder: RefCell<Recorder>,
    /// Iterations that started during the warm-up: kept apart so that the measured results
    /// (and the `--requests` budget) hold only what started after it.
    pub warmup: RefCell<Recorder>,
    pub warmup_end: Instant,
    /// The run's start, for timestamps of raw records.
    pub t0: Instant,
    /// `--samples`: this worker's sink.
    pub samples: RefCell<Option<Box<dyn crate::samples::SampleSink>>>,
    pub in_flight: Cell<u64>,
    pub stopping: Cell<bool>,
    /// Requests still allowed by `--requests` on this worker (`None`: unlimited).
    budget: Cell<Option<u64>>,
    /// Closed model: VUs with a local index below this run; the others wait.
    vus_target: Cell<u64>,
    vu_wake: Notify,
    /// VUs in an iteration right now (open model: from dispatch), and the peak this interval.
    pub(crate) busy: Cell<u64>,
    busy_peak: Cell<u64>,
    /// Closed model: typical request interval for the coordinated-omission estimate (µs).
    pub co_interval_us: Cell<u64>,
    pub(crate) vus_spawned: Cell<u64>,
    /// Set when every VU of this worker has stopped for good (budget or data exhausted).
    pub(crate) vus_live: Cell<u64>,
    /// A workload asked this worker to stop (its test data ran out).
    workload_stopped: Cell<bool>,
    /// Open model: idle VUs, the VU cap, iterations not yet sent.
    pub(crate) open: OpenState,
    /// Open model: the connections this worker's VUs share.
    pub(crate) pool: Rc<ConnPool>,
}

impl WorkerState {
    fn new(shape: Shape, budget: Option<u64>, warmup_end: Instant, t0: Instant) -> WorkerState {
        WorkerState {
            t0,
            samples: RefCell::new(None),
            recorder: RefCell::new(Recorder::with_shape(shape)),
            warmup: RefCell::new(Recorder::with_shape(shape)),
            warmup_end,
            in_flight: Cell::new(0),
            stopping: Cell::new(false),
            budget: Cell::new(budget),
            vus_target: Cell::new(0),
            vu_wake: Notify::new(),
            busy: Cell::new(0),
            busy_peak: Cell::new(0),
            co_interval_us: Cell::new(0),
            vus_spawned: Cell::new(0),
            vus_live: Cell::new(0),
            workload_stopped: Cell::new(false),
            open: OpenState::default(),
            pool: Rc::new(ConnPool::default()),
        }
    }

    /// The recorder for an iteration that started at `start`.
    pub fn recorder_for(&self, start: Instant) -> std::cell::RefMut<'_, Recorder> {
        if start < self.warmup_end {
            self.warmup.borrow_mut()
        } else {
            self.recorder.borrow_mut()
        }
    }

    /// Takes one iteration starting at `start` from the `--requests` budget (warm-up
    /// iterations are free); false when it is used up.
    pub(crate) fn take_ticket(&self, start: Instant) -> bool {
        if start < self.warmup_end {
            return true;
        }
        match self.budget.get() {
            None => true,
            Some(0) => false,
            Some(n) => {
                self.budget.set(Some(n - 1));
                true
            }
        }
    }

    pub(crate) fn budget_spent(&self) -> bool {
        self.budget.get() == Some(0)
    }

    pub(crate) fn workload_stopped(&self) -> bool {
        self.workload_stopped.get()
    }

    pub(crate) fn begin_iteration(&self) {
        let busy = self.busy.get() + 1;
        self.busy.set(busy);
        if busy > self.busy_peak.get() {
            self.busy_peak.set(busy);
        }
    }

    /// A workload asked this worker to start no more iterations.
    pub(crate) fn stop_if_asked(&self, next: Next) {
        if next == Next::DataExhausted {
            self.stopping.set(true);
            self.workload_stopped.set(true);
            self.vu_wake.notify_waiters();
        }
    }

    pub(crate) fn end_iteration(&self, started: Instant, next: Next) {
        self.busy.set(self.busy.get().saturating_sub(1));
        if next != Next::DataExhausted {
            self.recorder_for(started).iterations += 1;
        }
    }
}

/// Runs worker `id` to completion on the calling thread.
pub fn run_worker<W: Workload>(plan: Arc<Plan<W>>, id: usize, reports: Sender<Report>) {
    tighten_timer_slack();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .on_thread_park(crate::open::note_park)
        .on_thread_unpark(crate::open::note_unpark)
        .build();
    let runtime = match runtime {
        Ok(rt) => rt,
        Err(_) => {
            // Without a runtime this worker cannot run; report an empty last interval so
            // the coordinator does not wait for it.
            let _ = reports.send(Report {
                worker: id,
                seq: 0,
                until: Instant::now(),
                recorder: Recorder::with_shape(plan.shape),
                warmup: None,
                last: true,
                stopped_at: Some(Instant::now()),
                workload_stopped: false,
                cpu: Duration::ZERO,
                vus_cap: 0,
                vus_spawned: 0,
                run_delay: Duration::ZERO,
            });
            return;
        }
    };
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, control_loop(plan, id, reports));
    // Dropping the runtime drops VU tasks still in flight after the grace period.
}

async fn control_loop<W: Workload>(plan: Arc<Plan<W>>, id: usize, reports: Sender<Report>) {
    let budget = plan.requests.map(|n| share_of(n, id, plan.workers));
    let state = Rc::new(WorkerState::new(plan.shape, budget, plan.warmup_end, plan.t0));
    if let Some(factory) = &plan.samples {
        *state.samples.borrow_mut() = Some(factory.for_worker(id));
    }
    let shared = Rc::new(plan.workload.new_worker(id, plan.workers));
    crate::open::prepare(&plan, &state, &shared, id);
    tokio::time::sleep_until(tokio::time::Instant::from_std(plan.t0)).await;
    if let Model::Open { .. } = plan.model {
        tokio::task::spawn_local(crate::open::scheduler(plan.clone(), state.clone(), shared.clone(), id));
    }
    let mut seq = 0;
    let mut next_cut = plan.boundary_after(plan.t0);
    let stopped_at = loop {
        let now = Instant::now();
        if let Model::Closed { ref vus } = plan.model {
            let total = vus.value_at(plan.elapsed_s(now)).round().max(0.0) as u64;
            set_closed_target(&plan, &state, &shared, id, share_of(total, id, plan.workers));
        }
        if now >= next_cut {
            crate::open::resize_cap(&plan, &state, id);
            send_report(&reports, &state, id, seq, next_cut, false, None);
            seq += 1;
            next_cut = plan.boundary_after(next_cut);
        }
        let exhausted = state.budget_spent() && state.in_flight.get() == 0 && state.busy.get() == 0;
        let all_vus_done = state.vus_spawned.get() > 0 && state.vus_live.get() == 0;
        let asked = state.workload_stopped.get();
        if plan.end.is_some_and(|end| now >= end)
            || plan.stop.load(Ordering::Relaxed)
            || exhausted
            || all_vus_done
            || asked
        {
            break plan.end.map_or(now, |end| end.min(now));
        }
        let mut wake = now + CONTROL_TICK;
        wake = wake.min(next_cut);
        if let Some(end) = plan.end {
            wake = wake.min(end);
        }
        tokio::select! {
            _ = tokio::time::sleep_until(tokio::time::Instant::from_std(wake)) => {}
            _ = plan.stop_notify.notified() => {}
        }
    };

    // Stop starting iterations; let those in flight finish within the grace period.
    crate::open::finish_schedule(&plan, &state, &shared, id, stopped_at);
    state.stopping.set(true);
    state.vu_wake.notify_waiters();
    state.open.wake_idle();
    let grace_end = Instant::now() + plan.grace;
    while state.in_flight.get() > 0 && Instant::now() < grace_end && !plan.hard_stop.load(Ordering::Relaxed) {
        let now = Instant::now();
        if now >= next_cut {
            send_report(&reports, &state, id, seq, next_cut, false, None);
            seq += 1;
            next_cut = plan.boundary_after(next_cut);
        }
        let wake = (now + Duration::from_millis(5)).min(next_cut).min(grace_end);
        tokio::time::sleep_until(tokio::time::Instant::from_std(wake)).await;
    }
    // Iterations dispatched but never sent are cut like requests in flight: every
    // scheduled arrival is accounted for.
    state.recorder.borrow_mut().interrupted += state.in_flight.get() + state.open.unsent.get();
    if let Some(sink) = state.samples.borrow_mut().as_mut() {
        sink.flush();
    }
    send_report(&reports, &state, id, seq, Instant::now(), true, Some(stopped_at));
}

fn send_report(
    reports: &Sender<Report>,
    state: &WorkerState,
    worker: usize,
    seq: u64,
    until: Instant,
    last: bool,
    stopped_at: Option<Instant>,
) {
    let fresh = state.recorder.borrow().fresh();
    let mut recorder = state.recorder.replace(fresh);
    let peak = state.busy_peak.get().max(state.busy.get());
    recorder.active_vus = peak;
    state.busy_peak.set(state.busy.get());
    let warmup = {
        let pending = state.warmup.borrow();
        pending.requests() > 0 || pending.iterations > 0 || pending.scheduled > 0 || pending.connections_opened > 0
    };
    let warmup = warmup.then(|| {
        let fresh = state.warmup.borrow().fresh();
        let mut w = state.warmup.replace(fresh);
        w.active_vus = peak;
        w
    });
    // The typical request interval of this interval stands for the next one's expected
    // interval in the coordinated-omission estimate.
    let all = if recorder.requests() > 0 {
        recorder.overall()
    } else {
        warmup.as_ref().map(|w| w.overall()).unwrap_or_default()
    };
    if !all.latency.is_empty() {
        state.co_interval_us.set(all.latency.value_at_quantile(0.5).max(1));
    }
    let workload_stopped = last && state.workload_stopped.get();
    let (cpu, run_delay) = if last {
        (
            crate::usage::ProcessUsage::thread_cpu(),
            crate::usage::ProcessUsage::thread_run_delay(),
        )
    } else {
        (Duration::ZERO, Duration::ZERO)
    };
    let _ = reports.send(Report {
        worker,
        seq,
        until,
        recorder,
        warmup,
        last,
        stopped_at,
        workload_stopped,
        cpu,
        vus_cap: state.open.cap(),
        vus_spawned: state.vus_spawned.get(),
        run_delay,
    });
}

/// Closed model: spawns VUs up to `target` and wakes or parks the others.
fn set_closed_target<W: Workload>(
    plan: &Arc<Plan<W>>,
    state: &Rc<WorkerState>,
    shared: &Rc<W::Worker>,
    id: usize,
    target: u64,
) {
    let previous = state.vus_target.get();
    state.vus_target.set(target);
    while state.vus_spawned.get() < target {
        let local = state.vus_spawned.get();
        state.vus_spawned.set(local + 1);
        state.vus_live.set(state.vus_live.get() + 1);
        let vu_id = local * plan.workers as u64 + id as u64 + 1;
        tokio::task::spawn_local(closed_vu(plan.clone(), state.clone(), shared.clone(), local, vu_id));
    }
    if target > previous {
        state.vu_wake.notify_waiters();
    }
}

async fn closed_vu<W: Workload>(
    plan: Arc<Plan<W>>,
    state: Rc<WorkerState>,
    shared: Rc<W::Worker>,
    local: u64,
    vu_id: u64,
) {
    let mut vu = plan.workload.new_vu(&shared, vu_id);
    let mut ctx = VuContext::new(state.clone(), plan.transport.clone(), vu_id);
    loop {
        if state.stopping.get() {
            break;
        }
        if local >= state.vus_target.get() {
            // Ramped down: release the connection and wait to be needed again.
            ctx.disconnect();
            let woken = state.vu_wake.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            if local >= state.vus_target.get() && !state.stopping.get() {
                woken.await;
            }
            continue;
        }
        let started = Instant::now();
        if !state.take_ticket(started) {
            break;
        }
        state.begin_iteration();
        ctx.started = started;
        let next = plan.workload.iteration(&mut vu, &mut ctx).await;
        state.end_iteration(started, next);
        ctx.finish_iteration();
        if next != Next::Continue {
            state.stop_if_asked(next);
            break;
        }
    }
    state.vus_live.set(state.vus_live.get().saturating_sub(1));
}
