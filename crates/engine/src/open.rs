//! The open model on one worker thread: arrivals on schedule, handed to idle VUs in
//! batches, VUs from a pool that is pre-allocated and grows on demand up to a cap, and
//! arrivals that find no VU dropped and counted with the reason.
//!
//! Dispatch is batched. Latency is measured from each arrival's own scheduled time, so
//! nothing is lost by handing out every arrival that is due from one wake-up: when
//! arrivals are dense the scheduler sleeps at least a slice — the time [`ARRIVALS_PER_WAKE`]
//! arrivals take, at most [`MAX_SLICE`] — and then dispatches all that came due meanwhile,
//! so one wake-up of the thread serves many arrivals (a wake-up from an idle event loop
//! costs more CPU than dispatching). When arrivals are sparse (fewer than two per slice) it
//! wakes at each arrival's own time with microsecond precision (`timer.rs`). The lateness
//! batching costs — at most a slice — is measured with every other delay of loadcell's
//! own, as the schedule lag (`context.rs`).
//!
//! Reading is batched too, where that changes no figure: when each iteration is one
//! request (quick mode) over HTTP/1.1 (`transport_for`), the thread sleeps between dense
//! batches instead of parking in its event loop, so the answers that come meanwhile do not
//! wake it one by one; they are read together after the sleep, before the next batch is
//! handed out. A response's end is then the kernel's stamp of its arrival
//! (`loadcell-http`'s `stamp.rs`), so reading it late adds nothing to its latency. The loop parks as before while a connection
//! is being opened (its connect time would be stretched) and while answers come without a
//! stamp.
//!
//! The VU cap: `--max-vus` when given. Otherwise it starts at the CLI's floor (from the
//! rate alone) and is resized once per interval from the rate and the measured iteration
//! time (Little's law with headroom): a target whose iterations take long gets the VUs it
//! needs instead of dropped arrivals blamed on it.

use crate::holds::SleepWatch;
use crate::late::HeldSpans;
use crate::plan::{Model, Plan};
use crate::schedule::{LoadCurve, share_of};
use crate::signal::LocalSignal;
use crate::state::WorkerState;
use crate::timer::PreciseTimer;
use crate::workload::{Next, Workload};
use crate::{
    context::{Transport, VuContext},
    run::OpenVus,
};
use loadcell_metrics::{LatencyHistogram, new_histogram, record_us};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Dense arrivals are dispatched about this many per wake-up…
const ARRIVALS_PER_WAKE: u32 = 8;
/// …but an arrival waits at most this long for its batch…
const MAX_SLICE: Duration = Duration::from_micros(500);
/// …and the scheduler sleeps at least this long: a shorter wait would be a busy yield loop
/// (`timer.rs`), which keeps the event loop from ever idling.
const MIN_SLICE: Duration = Duration::from_micros(100);
/// At the stop, at most this many arrivals the scheduler had not reached are still
/// dispatched; any more are counted as dropped by loadcell.
const CATCH_UP_MAX: u32 = 1024;
/// The scheduler yields to the VUs after handling arrivals for this long in one turn, so
/// that a rate beyond what the thread can serve cannot starve the event loop; dropping is
/// cheap, so a scheduler that fell behind still catches up within a few turns.
const MAX_TURN: Duration = Duration::from_micros(200);
/// The clock is read once per this many arrivals handled in a turn.
const CLOCK_EVERY: u32 = 32;
/// A worker whose event loop has not been idle for this long is saturated: it drops new
/// arrivals (as loadcell's own doing) until the work it has drains and it idles again.
/// Without this, an overloaded thread kept accepting arrivals, requests piled up in flight
/// with their responses unread, and the service times it measured grew to seconds.
/// Time the thread waits for a CPU counts as busy too (the loop cannot park while it is not
/// running), and on a shared machine other processes' time slices add up to tens of
/// milliseconds: at 20 ms, threads that were keeping up shed arrivals (BENCHMARKS.md,
/// "Shedding thresholds").
const SATURATED_BUSY: Duration = Duration::from_millis(100);

/// See [`loop_behind`]. Above one time slice of another process (a few ms), for the same
/// reason as [`SATURATED_BUSY`]: at 2 ms, a thread merely preempted counted as behind and
/// held its pool back.
const BEHIND_BUSY: Duration = Duration::from_millis(10);
/// A park of the event loop shorter than this does not count as idle: an overloaded loop
/// parks too, but its `epoll_wait` returns at once with more work.
const IDLE_PARK: Duration = Duration::from_micros(50);

thread_local! {
    /// When this worker's event loop parked (tokio's `on_thread_park`), and when it last
    /// woke from a park that really was idle.
    static PARKED_AT: Cell<Option<Instant>> = const { Cell::new(None) };
    static LAST_IDLE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Called by the runtime when this worker's event loop parks.
pub fn note_park() {
    PARKED_AT.set(Some(Instant::now()));
}

/// Called by the runtime when this worker's event loop wakes from a park.
pub fn note_unpark() {
    if let Some(parked) = PARKED_AT.take() {
        let now = Instant::now();
        if now.saturating_duration_since(parked) >= IDLE_PARK {
            LAST_IDLE.set(Some(now));
        }
    }
}

/// How long this worker's event loop has been busy without an idle pause.
fn busy_since_idle(now: Instant) -> Duration {
    LAST_IDLE
        .get()
        .map_or(Duration::ZERO, |idle| now.saturating_duration_since(idle))
}

/// Whether this worker's event loop is behind on its own work right now (busy without an
/// idle pause for [`BEHIND_BUSY`]): then waiting requests are loadcell's backlog, and more
/// connections would not serve them sooner, only cost more (`pool.rs`).
pub fn loop_behind() -> bool {
    busy_since_idle(Instant::now()) > BEHIND_BUSY
}
/// A worker holding this long's worth of arrivals (at the peak rate) handed out but not yet
/// sent — waiting on its event loop or on a connection — drops further arrivals instead of
/// queueing them ever later, which bounds how late loadcell can start anything.
const BACKLOG_S: f64 = 0.05;
/// …but a backlog of this many arrivals is always allowed.
const MIN_BACKLOG: u64 = 256;
/// The auto cap gives this many times the VUs the measured iteration time calls for.
const CAP_HEADROOM: f64 = 4.0;
/// The auto cap never goes beyond this many VUs in the whole run.
pub const AUTO_CAP_CEILING: u64 = 200_000;
/// Default pre-allocated VUs: this many seconds of arrivals at the peak rate…
const PRE_ALLOCATED_S: f64 = 0.01;
/// …at most this many in the whole run.
const PRE_ALLOCATED_MAX: u64 = 1000;

/// An open-model VU's mailbox: the scheduled start of its next iteration.
#[derive(Default)]
pub struct OpenSlot {
    job: Cell<Option<Instant>>,
    signal: LocalSignal,
}

/// The open model's part of a worker's state.
pub struct OpenState {
    /// VUs waiting for work, most recently used on top (their caches are warm).
    idle: RefCell<Vec<Rc<OpenSlot>>>,
    /// Iterations handed to a VU that have not sent their first request yet: waiting on
    /// this event loop, a connection slot, or a connect.
    pub unsent: Cell<u64>,
    /// Most VUs this worker may have.
    cap: Cell<u64>,
    /// Most iterations this worker may hold dispatched but not yet started by its event
    /// loop (not counting those getting a connection); arrivals beyond are dropped.
    backlog_max: Cell<u64>,
    /// This interval's service times of whole iterations (µs, from the first send to the
    /// end: loadcell's own lateness left out), for sizing the auto cap.
    iteration_time: RefCell<LatencyHistogram>,
    /// Arrivals the scheduler has handled (dispatched or dropped).
    handled: Cell<u64>,
    /// The thread was saturated at the start of the scheduler's current turn.
    saturated: Cell<bool>,
    /// The last answer carried the kernel's stamp of its arrival. Until one has (the kernel
    /// turns stamping on a moment after the first socket asks), and after one that did not,
    /// answers are read as they come.
    stamped: Cell<bool>,
    /// The stretches of the schedule the machine's holds delayed (`late.rs`).
    pub held: HeldSpans,
}

impl Default for OpenState {
    fn default() -> Self {
        OpenState {
            idle: RefCell::default(),
            unsent: Cell::new(0),
            cap: Cell::new(1),
            backlog_max: Cell::new(u64::MAX),
            iteration_time: RefCell::new(new_histogram()),
            handled: Cell::new(0),
            saturated: Cell::new(false),
            stamped: Cell::new(false),
            held: HeldSpans::default(),
        }
    }
}

impl OpenState {
    /// This worker's VU cap right now.
    pub fn cap(&self) -> u64 {
        self.cap.get()
    }

    /// Whether the last response's end was the kernel's stamp (`exchange.rs`).
    pub fn answer_stamped(&self, stamped: bool) {
        self.stamped.set(stamped);
    }

    /// Wakes every idle VU so that it sees the run is ending.
    pub fn wake_idle(&self) {
        for slot in self.idle.borrow().iter() {
            slot.signal.notify();
        }
    }
}

/// Why an arrival found no free VU, judged from what this worker's busy VUs were doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropCause {
    /// Most had not sent yet and were not getting a connection: waiting on loadcell's event
    /// loop. Also: the event loop was saturated, or loadcell never reached the arrival in time.
    Loadcell,
    /// Most were opening connections or waiting in line for one.
    Connecting,
    /// Most had sent and were waiting on the target (or were in their journey).
    Target,
}

/// The cause of a drop from the counts of busy VUs: all, not yet sent, and (of those) getting
/// a connection.
pub fn drop_cause(busy: u64, unsent: u64, connecting: u64) -> DropCause {
    let unsent = unsent.min(busy);
    let connecting = connecting.min(unsent);
    let own = unsent - connecting;
    let target = busy - unsent;
    if own > target.max(connecting) {
        DropCause::Loadcell
    } else if connecting > target {
        DropCause::Connecting
    } else {
        DropCause::Target
    }
}

/// Before the first arrival: sets the cap, pre-allocates this worker's share of VUs and
/// begins opening its first connections (`warm.rs`).
pub fn prepare<W: Workload>(plan: &Arc<Plan<W>>, state: &Rc<WorkerState>, shared: &Rc<W::Worker>, id: usize) {
    let Model::Open { ref rate, max_vus } = plan.model else {
        return;
    };
    state.open.cap.set(share_of(max_vus, id, plan.workers).max(1));
    let backlog = (rate.peak() / plan.segment.count() as f64 * BACKLOG_S / plan.workers as f64).ceil() as u64;
    state.open.backlog_max.set(backlog.max(MIN_BACKLOG));
    let pre = pre_allocated(plan.open_vus, rate, max_vus);
    let mine = share_of(pre, id, plan.workers).min(state.open.cap.get());
    for _ in 0..mine {
        let slot = spawn_vu(plan, state, shared, id, None);
        state.open.idle.borrow_mut().push(slot);
    }
    crate::warm::open_ahead(plan, state, id, mine);
}

/// VUs to allocate before the first arrival: as asked, or a hundredth of a second of
/// arrivals at the peak rate (at least 1, at most [`PRE_ALLOCATED_MAX`]).
pub fn pre_allocated(vus: OpenVus, rate: &LoadCurve, max_vus: u64) -> u64 {
    let default = || ((rate.peak() * PRE_ALLOCATED_S).ceil() as u64).clamp(1, PRE_ALLOCATED_MAX);
    vus.pre_allocated.unwrap_or_else(default).min(max_vus)
}

/// Once per interval: when arrivals were dropped because every VU was waiting on the
/// target, raises the auto cap to what the peak rate and this interval's measured service
/// time call for (Little's law, with headroom). Drops that were loadcell's own doing do not
/// raise it: more VUs would only deepen loadcell's backlog.
pub fn resize_cap<W>(plan: &Plan<W>, state: &WorkerState, id: usize) {
    let Model::Open { ref rate, max_vus } = plan.model else {
        return;
    };
    let p99_us = {
        let mut h = state.open.iteration_time.borrow_mut();
        let p99 = (!h.is_empty()).then(|| h.value_at_quantile(0.99));
        h.reset();
        p99
    };
    let dropped_on_target = state.recorder.borrow().dropped_on_target() + state.warmup.borrow().dropped_on_target();
    if plan.open_vus.fixed_max || dropped_on_target == 0 {
        return;
    }
    let Some(p99_us) = p99_us else { return };
    let needed = rate.peak() / plan.segment.count() as f64 * (p99_us as f64 / 1e6) * CAP_HEADROOM;
    let total = (needed.ceil() as u64).clamp(max_vus, AUTO_CAP_CEILING.max(max_vus));
    let here = share_of(total, id, plan.workers).max(1);
    state.open.cap.set(state.open.cap.get().max(here));
}

/// How long the scheduler sleeps at least, given the spacing of arrivals: long enough for
/// [`ARRIVALS_PER_WAKE`] arrivals, at most [`MAX_SLICE`]; zero (wake at the arrival's own
/// time) when fewer than two arrivals would share a wake-up.
fn slice_for(spacing: Duration) -> Duration {
    let slice = (spacing * ARRIVALS_PER_WAKE).clamp(MIN_SLICE, MAX_SLICE);
    if slice < spacing * 2 { Duration::ZERO } else { slice }
}

/// When this worker's next arrival (after the `handled` ones) is due, unless the run's
/// schedule has ended by then.
fn next_due<W>(plan: &Plan<W>, rate: &LoadCurve, state: &WorkerState, id: usize) -> Option<Instant> {
    let i = state.open.handled.get() * plan.workers as u64 + id as u64;
    // With `--segment I/N` this process's i-th arrival is the whole schedule's I−1 + i·N-th.
    let at = plan.t0 + Duration::from_secs_f64(rate.arrival_time(plan.segment.global(i))?);
    plan.end.is_none_or(|end| at < end).then_some(at)
}

/// Starts this worker's share of the arrivals on schedule, in batches (see the module doc).
pub async fn scheduler<W: Workload>(plan: Arc<Plan<W>>, state: Rc<WorkerState>, shared: Rc<W::Worker>, id: usize) {
    let Model::Open { ref rate, .. } = plan.model else {
        return;
    };
    let mut timer = PreciseTimer::new();
    let mut watch = SleepWatch::new(plan.all_workers);
    let late_reads = plan.transport.client.stamp_arrivals;
    let Some(mut due) = next_due(&plan, rate, &state, id) else {
        return;
    };
    let mut previous = due;
    loop {
        // The control loop may have caught up with the schedule and stopped meanwhile.
        if state.stopping.get() {
            return;
        }
        let now = Instant::now();
        if due > now {
            let slice = slice_for(due.saturating_duration_since(previous));
            let wake = due.max(now + slice);
            watch.sleeping(now);
            if late_reads && !slice.is_zero() && reads_may_wait(&state) {
                sleep_between_batches(wake).await;
            } else {
                timer.sleep_until(wake).await;
            }
            if watch.woke(wake) {
                state.open.held.held(now);
            }
            continue;
        }
        state.open.saturated.set(busy_since_idle(now) > SATURATED_BUSY);
        // Connects the pool denied while the loop was behind get their chance again.
        state.pool.retry_connects();
        let mut handled = 0;
        let mut now = now;
        let turn_end = now + MAX_TURN;
        while due <= now {
            if !state.take_ticket(due) {
                return;
            }
            dispatch(&plan, &state, &shared, id, due);
            previous = due;
            let Some(next) = next_due(&plan, rate, &state, id) else {
                return;
            };
            due = next;
            handled += 1;
            if handled % CLOCK_EVERY == 0 {
                now = Instant::now();
                if now >= turn_end {
                    tokio::task::yield_now().await;
                    break;
                }
            }
        }
    }
}

/// The transport for a part run under `model`: where this module may read answers late —
/// the open model, one request per iteration, HTTP/1.1 — its responses are dated by the
/// kernel's arrival stamps (see the module doc). Elsewhere answers are read as they come
/// and the stamps would only cost.
pub fn transport_for<W: Workload>(transport: &Transport, model: &Model, workload: &W) -> Transport {
    let mut transport = transport.clone();
    transport.client.stamp_arrivals =
        matches!(model, Model::Open { .. }) && workload.one_request_per_iteration() && !transport.client.http2;
    transport
}

/// Whether answers may wait for the next batch: the last answer carried its arrival
/// stamp, and no connection is being opened (its connect would be timed a slice late).
fn reads_may_wait(state: &WorkerState) -> bool {
    state.open.stamped.get() && state.pool.connecting() == 0
}

/// Sleeps the thread until `wake` between dense batches (see the module doc): the VUs
/// just handed arrivals send first, the answers that come meanwhile wait in their sockets,
/// and the event loop reads them all before the scheduler hands out the next batch.
async fn sleep_between_batches(wake: Instant) {
    tokio::task::yield_now().await;
    note_park();
    crate::timer::sleep_thread_until(wake);
    note_unpark();
    tokio::task::yield_now().await;
}

/// When the run stops at `stopped_at`: dispatches the arrivals due before it that the
/// scheduler has not reached yet (at most the last slice's in a healthy run), then counts
/// any still left — loadcell fell behind its own schedule — as scheduled and dropped by
/// loadcell, so that no arrival vanishes.
pub fn finish_schedule<W: Workload>(
    plan: &Arc<Plan<W>>,
    state: &Rc<WorkerState>,
    shared: &Rc<W::Worker>,
    id: usize,
    stopped_at: Instant,
) {
    let Model::Open { ref rate, .. } = plan.model else {
        return;
    };
    for _ in 0..CATCH_UP_MAX {
        match next_due(plan, rate, state, id) {
            Some(due) if due < stopped_at && state.take_ticket(due) => dispatch(plan, state, shared, id, due),
            _ => break,
        }
    }
    if state.budget_spent() || state.workload_stopped() {
        return;
    }
    let due = plan.segment.share(rate.arrivals_before(plan.elapsed_s(stopped_at)));
    let missed = share_of(due, id, plan.workers).saturating_sub(state.open.handled.get());
    if missed > 0 {
        state.open.handled.set(state.open.handled.get() + missed);
        let mut rec = state.recorder_for(stopped_at);
        rec.scheduled += missed;
        rec.dropped += missed;
        rec.dropped_loadcell += missed;
    }
}

/// Hands the arrival due at `due` to an idle VU, a new one, or counts it dropped.
fn dispatch<W: Workload>(
    plan: &Arc<Plan<W>>,
    state: &Rc<WorkerState>,
    shared: &Rc<W::Worker>,
    id: usize,
    due: Instant,
) {
    state.open.handled.set(state.open.handled.get() + 1);
    state.recorder_for(due).scheduled += 1;
    if state.open.saturated.get() {
        // This thread has had work queued without a pause for a while: it cannot keep up,
        // and more would only make everything later — the sends, and the reading of every
        // response, which would stretch the service times it measures. loadcell's own doing.
        drop_arrival(state, due, DropCause::Loadcell);
        return;
    }
    let getting_connection = state.pool.connecting() + state.pool.waiting();
    if state.open.unsent.get() >= state.open.backlog_max.get() {
        // The iterations already handed out have not been sent yet: queueing more would
        // only make every one of them later.
        let cause = drop_cause(state.busy.get(), state.open.unsent.get(), getting_connection);
        drop_arrival(state, due, cause);
        return;
    }
    let idle = state.open.idle.borrow_mut().pop();
    let slot = match idle {
        Some(slot) => slot,
        None if state.vus_spawned.get() < state.open.cap.get() => {
            state.open.unsent.set(state.open.unsent.get() + 1);
            state.begin_iteration();
            spawn_vu(plan, state, shared, id, Some(due));
            return;
        }
        None => {
            let cause = drop_cause(state.busy.get(), state.open.unsent.get(), getting_connection);
            drop_arrival(state, due, cause);
            return;
        }
    };
    state.open.unsent.set(state.open.unsent.get() + 1);
    state.begin_iteration();
    slot.job.set(Some(due));
    slot.signal.notify();
}

fn drop_arrival(state: &WorkerState, due: Instant, cause: DropCause) {
    let mut rec = state.recorder_for(due);
    rec.dropped += 1;
    match cause {
        DropCause::Loadcell => rec.dropped_loadcell += 1,
        DropCause::Connecting => rec.dropped_connecting += 1,
        DropCause::Target => {}
    }
}

/// Spawns a VU task, with a first job or idle; returns its mailbox.
fn spawn_vu<W: Workload>(
    plan: &Arc<Plan<W>>,
    state: &Rc<WorkerState>,
    shared: &Rc<W::Worker>,
    id: usize,
    job: Option<Instant>,
) -> Rc<OpenSlot> {
    let local = state.vus_spawned.get();
    state.vus_spawned.set(local + 1);
    state.vus_live.set(state.vus_live.get() + 1);
    let vu_id = plan.vu_id(local, id);
    let slot = Rc::new(OpenSlot::default());
    slot.job.set(job);
    tokio::task::spawn_local(open_vu(
        plan.clone(),
        state.clone(),
        shared.clone(),
        slot.clone(),
        vu_id,
    ));
    slot
}

async fn open_vu<W: Workload>(
    plan: Arc<Plan<W>>,
    state: Rc<WorkerState>,
    shared: Rc<W::Worker>,
    slot: Rc<OpenSlot>,
    vu_id: u64,
) {
    let mut vu = plan.workload.new_vu_in(&shared, vu_id, plan.part);
    let local = plan.vu_local(vu_id) as usize;
    let mut ctx = VuContext::pooled(state.clone(), plan.transport.clone(), vu_id, local);
    loop {
        let Some(due) = slot.job.take() else {
            if state.stopping.get() {
                break;
            }
            slot.signal.wait().await;
            continue;
        };
        ctx.begin_open_iteration(due);
        let next = plan.workload.iteration(&mut vu, &mut ctx).await;
        if let Some(sent) = ctx.first_sent {
            let took = Instant::now().saturating_duration_since(sent);
            record_us(&mut state.open.iteration_time.borrow_mut(), took.as_micros() as u64);
        }
        state.end_iteration(due, next);
        ctx.finish_iteration();
        state.stop_if_asked(next);
        if next != Next::Continue || state.stopping.get() {
            break;
        }
        ctx.local_limit_hit = false;
        state.open.idle.borrow_mut().push(slot.clone());
        // A backlog of jobs handed out one after another must still let the loop run.
        tokio::task::coop::consume_budget().await;
    }
    state.vus_live.set(state.vus_live.get().saturating_sub(1));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_are_blamed_on_what_most_busy_vus_were_doing() {
        // 10 busy: 8 had not sent, 1 of them connecting → loadcell's own backlog.
        assert_eq!(drop_cause(10, 8, 1), DropCause::Loadcell);
        // 10 busy: 7 connecting.
        assert_eq!(drop_cause(10, 8, 7), DropCause::Connecting);
        // 10 busy, all sent: the target holds them.
        assert_eq!(drop_cause(10, 0, 0), DropCause::Target);
        // A tie is not loadcell's.
        assert_eq!(drop_cause(10, 5, 0), DropCause::Target);
        // Counts taken at slightly different moments never underflow.
        assert_eq!(drop_cause(2, 5, 9), DropCause::Connecting);
    }

    #[test]
    fn slices_hold_several_arrivals_and_stay_short() {
        let us = Duration::from_micros;
        assert_eq!(slice_for(us(20)), us(160)); // 50,000/s: 8 per wake
        assert_eq!(slice_for(us(2)), us(100)); // 500,000/s: still a real sleep
        assert_eq!(slice_for(us(50)), us(400)); // 20,000/s
        assert_eq!(slice_for(us(200)), us(500)); // 5,000/s: capped, 2.5 per wake
        assert_eq!(slice_for(us(300)), Duration::ZERO); // sparse: exact wake-ups
        assert_eq!(slice_for(Duration::from_millis(5)), Duration::ZERO);
    }

    #[test]
    fn pre_allocation_follows_the_rate_within_bounds() {
        let vus = OpenVus::default();
        assert_eq!(pre_allocated(vus, &LoadCurve::constant(1.0, 10.0), 1000), 1);
        assert_eq!(pre_allocated(vus, &LoadCurve::constant(50_000.0, 10.0), 20_000), 500);
        assert_eq!(pre_allocated(vus, &LoadCurve::constant(1e6, 10.0), 20_000), 1000);
        let asked = OpenVus {
            pre_allocated: Some(5000),
            fixed_max: true,
        };
        assert_eq!(pre_allocated(asked, &LoadCurve::constant(10.0, 10.0), 300), 300);
    }
}
