//! One worker thread: a single-threaded tokio runtime running this thread's share of the
//! VUs (`closed.rs`, `open.rs`), and the control loop that ramps VUs, cuts intervals, stops,
//! and at the end records what was still under way.
//!
//! Nothing here is shared with other threads except the read-only run plan, the stop
//! flags and the channel that carries one report per interval (Architecture Invariant:
//! no lock and no cross-thread write on the request path).

use crate::plan::{Model, Plan};
use crate::samples::RequestRecord;
use crate::schedule::share_of;
use crate::state::WorkerState;
use crate::timer::tighten_timer_slack;
use crate::usage::ProcessUsage;
use crate::workload::Workload;
use loadcell_metrics::Recorder;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

/// How often the control loop looks at stages and stop conditions…
const CONTROL_TICK: Duration = Duration::from_millis(20);
/// …and how often while closed-model VUs are still being started.
const RAMP_TICK: Duration = Duration::from_millis(1);
/// After an interrupt (Ctrl-C, SIGTERM) requests in flight get at most this long, whatever
/// `--grace` says: a signal ends the run within about a second.
const INTERRUPT_GRACE: Duration = Duration::from_secs(1);

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
    /// Set on the worker's last report: it will send nothing more.
    pub end: Option<WorkerEnd>,
}

/// What a worker knows once it is done.
#[derive(Debug, Clone, Copy, Default)]
pub struct WorkerEnd {
    /// When the worker stopped starting iterations.
    pub stopped_at: Option<Instant>,
    /// The workload asked this worker to stop (test data ran out).
    pub workload_stopped: bool,
    /// CPU time this worker thread used, and how long it waited, runnable, for a CPU.
    pub cpu: Duration,
    pub run_delay: Duration,
    /// Times the machine held this thread off its CPU when it was due to run (`holds.rs`).
    pub holds: crate::holds::Holds,
    /// Open model: the VU cap this worker ended with.
    pub vus_cap: u64,
    /// VUs spawned; closed model: the most it was asked for, and those that began an
    /// iteration.
    pub vus_spawned: u64,
    pub vus_wanted: u64,
    pub vus_ran: u64,
    /// Open model: this worker's cap on connections, and how often a VU waited for one
    /// because of it.
    pub connection_limit: u64,
    pub rationed: u64,
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
                worker: plan.worker_id(id),
                seq: 0,
                until: Instant::now(),
                recorder: Recorder::with_shape(plan.shape).with_room(plan.room),
                warmup: None,
                end: Some(WorkerEnd {
                    stopped_at: Some(Instant::now()),
                    ..WorkerEnd::default()
                }),
            });
            return;
        }
    };
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, control_loop(plan, id, reports));
    // Dropping the runtime drops VU tasks still in flight after the grace period.
}

/// Interval numbering and reporting of one worker.
struct Intervals<'a> {
    reports: &'a Sender<Report>,
    id: usize,
    seq: u64,
    next_cut: Instant,
}

impl Intervals<'_> {
    /// Sends the interval that ended, if one did.
    fn cut_if_due<W>(&mut self, plan: &Plan<W>, state: &WorkerState, now: Instant) {
        if now >= self.next_cut {
            crate::open::resize_cap(plan, state, self.id);
            send_report(
                self.reports,
                state,
                plan.worker_id(self.id),
                self.seq,
                self.next_cut,
                None,
            );
            self.seq += 1;
            self.next_cut = plan.boundary_after(self.next_cut);
        }
    }
}

async fn control_loop<W: Workload>(plan: Arc<Plan<W>>, id: usize, reports: Sender<Report>) {
    let budget = plan.requests.map(|n| share_of(n, id, plan.workers));
    let state = Rc::new(WorkerState::new(
        plan.shape,
        plan.room,
        budget,
        plan.warmup_end,
        plan.t0,
    ));
    if let Some(factory) = &plan.samples {
        *state.samples.borrow_mut() = Some(factory.for_worker(id));
    }
    state.pool.set_limit(share_of(plan.connection_limit, id, plan.workers));
    // Test data is striped over every worker of every segment, so no two share a row.
    let (slot, slots) = (plan.worker_id(id) as u64, plan.all_workers as u64);
    let shared = Rc::new(plan.workload.new_worker(
        plan.segment.global(slot) as usize,
        (slots * plan.segment.count()) as usize,
    ));
    crate::open::prepare(&plan, &state, &shared, id);
    if let Model::Open { .. } = plan.model {
        // Spawned before t0, it waits for the first arrival on its own microsecond timer:
        // tokio's (below) rounds up to the next millisecond, and the first arrivals were
        // all that late.
        tokio::task::spawn_local(crate::open::scheduler(plan.clone(), state.clone(), shared.clone(), id));
    }
    tokio::time::sleep_until(tokio::time::Instant::from_std(plan.t0)).await;
    let mut intervals = Intervals {
        reports: &reports,
        id,
        seq: 0,
        next_cut: plan.boundary_after(plan.t0),
    };
    let stopped_at = run_until_stop(&plan, &state, &shared, id, &mut intervals).await;
    crate::open::finish_schedule(&plan, &state, &shared, id, stopped_at);
    state.stopping.set(true);
    state.vu_wake.notify_waiters();
    state.open.wake_idle();
    let cut_at = grace(&plan, &state, &mut intervals).await;
    cut_unfinished(&state, cut_at);
    if let Some(sink) = state.samples.borrow_mut().as_mut() {
        sink.flush();
    }
    let end = WorkerEnd {
        stopped_at: Some(stopped_at),
        workload_stopped: state.workload_stopped.get(),
        cpu: ProcessUsage::thread_cpu(),
        run_delay: ProcessUsage::thread_run_delay(),
        holds: crate::holds::found(),
        // Only an open part has a VU pool: a closed worker's VUs are its curve's.
        vus_cap: match plan.model {
            Model::Open { .. } => state.open.cap(),
            Model::Closed { .. } => 0,
        },
        vus_spawned: state.vus_spawned.get(),
        vus_wanted: state.vus_peak_target.get(),
        vus_ran: state.vus_ran.get(),
        connection_limit: state.pool.limit(),
        rationed: state.pool.rationed(),
    };
    send_report(
        &reports,
        &state,
        plan.worker_id(id),
        intervals.seq,
        Instant::now(),
        Some(end),
    );
}

/// Ramps VUs and cuts intervals until the run ends; returns when iterations stopped being
/// started.
async fn run_until_stop<W: Workload>(
    plan: &Arc<Plan<W>>,
    state: &Rc<WorkerState>,
    shared: &Rc<W::Worker>,
    id: usize,
    intervals: &mut Intervals<'_>,
) -> Instant {
    loop {
        let now = Instant::now();
        let mut ramping = false;
        if let Model::Closed { ref vus } = plan.model {
            let whole = vus.value_at(plan.elapsed_s(now)).round().max(0.0) as u64;
            let total = plan.segment.share(whole);
            ramping = crate::closed::set_target(plan, state, shared, id, share_of(total, id, plan.workers));
        }
        intervals.cut_if_due(plan, state, now);
        let exhausted = state.budget_spent() && state.in_flight.get() == 0 && state.busy.get() == 0;
        let all_vus_done = state.vus_spawned.get() > 0 && state.vus_live.get() == 0;
        if plan.end.is_some_and(|end| now >= end)
            || plan.stop.load(Ordering::Relaxed)
            || exhausted
            || all_vus_done
            || state.workload_stopped.get()
        {
            return plan.end.map_or(now, |end| end.min(now));
        }
        let mut wake = now + if ramping { RAMP_TICK } else { CONTROL_TICK };
        wake = wake.min(intervals.next_cut);
        if let Some(end) = plan.end {
            wake = wake.min(end);
        }
        tokio::select! {
            _ = tokio::time::sleep_until(tokio::time::Instant::from_std(wake)) => {}
            _ = plan.stop_notify.notified() => {}
        }
    }
}

/// Lets requests in flight — and the open model's arrivals already handed to a VU that has
/// not sent yet — finish within the grace period (at most a second after an interrupt, none
/// after a second one) — with k6's `gracefulStop`, the iterations under way, whatever step
/// they are at —; returns when the rest are cut.
async fn grace<W>(plan: &Plan<W>, state: &WorkerState, intervals: &mut Intervals<'_>) -> Instant {
    let grace = if plan.interrupted.load(Ordering::Relaxed) {
        plan.grace.min(INTERRUPT_GRACE)
    } else {
        plan.grace
    };
    let grace_end = Instant::now() + grace;
    loop {
        let now = Instant::now();
        // An arrival dispatched before the end whose VU has not sent yet (the last slice's,
        // handed out by `finish_schedule` as the run stopped) is as much the test's load as
        // a request in flight: it gets the grace period too, rather than being cut unsent.
        let unsent = state.open.unsent.get();
        let settled = state.in_flight.get() == 0 && unsent == 0 && (!plan.grace_iterations || state.busy.get() == 0);
        if settled || now >= grace_end || plan.hard_stop.load(Ordering::Relaxed) {
            return now;
        }
        intervals.cut_if_due(plan, state, now);
        let wake = (now + Duration::from_millis(5)).min(intervals.next_cut).min(grace_end);
        tokio::select! {
            _ = tokio::time::sleep_until(tokio::time::Instant::from_std(wake)) => {}
            _ = plan.stop_notify.notified() => {}
        }
    }
}

/// At the cut: every request still in flight — sent and held by the target, or its
/// connection still being opened to it — is a failed request (`unfinished`) whose age counts
/// as its latency (a lower bound), in the summary and in `--samples`. A request still queued
/// for a slot in loadcell's own connection pool never left loadcell and is not counted as
/// one (`inflight.rs`). Every iteration still under way is counted as cut, so no arrival
/// and no request vanishes with its task.
pub(crate) fn cut_unfinished(state: &WorkerState, at: Instant) {
    for entry in state.inflight.cut().into_iter().chain(state.lane_inflight.cut()) {
        record_cut(state, &entry, at);
    }
    state.recorder.borrow_mut().iterations_cut += state.busy.get();
}

/// Records request `entry`, cut at `at` unanswered, as a failed request (`unfinished`).
pub(crate) fn record_cut(state: &WorkerState, entry: &crate::inflight::Entry, at: Instant) {
    let sample = entry.cut_at(at);
    {
        let mut rec = state.recorder_for(entry.started);
        rec.record(&sample);
        rec.interrupted += 1;
    }
    if let Some(sink) = state.samples.borrow_mut().as_mut() {
        sink.record(&RequestRecord {
            at: at.saturating_duration_since(state.t0),
            endpoint: sample.endpoint,
            outcome: sample.outcome,
            latency_us: sample.latency_us,
            ttfb_us: None,
            sent_bytes: sample.sent_bytes,
            received_bytes: 0,
            vu: entry.vu,
            iteration: entry.iteration,
            warmup: entry.started < state.warmup_end,
        });
    }
}

fn send_report(
    reports: &Sender<Report>,
    state: &WorkerState,
    worker: usize,
    seq: u64,
    until: Instant,
    end: Option<WorkerEnd>,
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
    let _ = reports.send(Report {
        worker,
        seq,
        until,
        recorder,
        warmup,
        end,
    });
}
