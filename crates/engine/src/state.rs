//! One worker thread's state, shared by its tasks (control loop, scheduler, VUs) through
//! `Rc` and never across threads: its recorders, counters, VU bookkeeping, the open
//! model's pool and the requests in flight.

use crate::inflight::InFlight;
use crate::open::OpenState;
use crate::pool::ConnPool;
use crate::ramp::RampDown;
use crate::workload::Next;
use loadcell_metrics::{Recorder, Shape};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Instant;
use tokio::sync::Notify;

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
    pub(crate) vus_target: Cell<u64>,
    pub(crate) vu_wake: Notify,
    /// Closed model: the highest VU target so far, VUs spawned and still on their first
    /// connect, and VUs that began at least one iteration.
    pub(crate) vus_peak_target: Cell<u64>,
    pub(crate) vus_starting: Cell<u64>,
    pub(crate) vus_ran: Cell<u64>,
    /// Requests in flight, by VU, for cutting them at the end.
    pub(crate) inflight: Rc<InFlight>,
    /// The requests in flight on VUs' extra connections (a scenario's batch step, `lanes.rs`).
    pub(crate) lane_inflight: Rc<InFlight>,
    /// VUs in an iteration right now (open model: from dispatch), and the peak this interval.
    pub(crate) busy: Cell<u64>,
    pub(crate) busy_peak: Cell<u64>,
    /// Closed model: typical request interval for the coordinated-omission estimate (µs).
    pub co_interval_us: Cell<u64>,
    pub(crate) vus_spawned: Cell<u64>,
    /// Set when every VU of this worker has stopped for good (budget or data exhausted).
    pub(crate) vus_live: Cell<u64>,
    /// A workload asked this worker to stop (its test data ran out).
    pub(crate) workload_stopped: Cell<bool>,
    /// Open model: idle VUs, the VU cap, iterations not yet sent.
    pub(crate) open: OpenState,
    /// Open model: the connections this worker's VUs share.
    pub(crate) pool: Rc<ConnPool>,
    /// Closed model with k6's `gracefulRampDown`: the VUs a ramp-down may cut.
    pub(crate) ramp: RampDown,
}

impl WorkerState {
    pub(crate) fn new(shape: Shape, room: usize, budget: Option<u64>, warmup_end: Instant, t0: Instant) -> WorkerState {
        WorkerState {
            t0,
            samples: RefCell::new(None),
            recorder: RefCell::new(Recorder::with_shape(shape).with_room(room)),
            warmup: RefCell::new(Recorder::with_shape(shape).with_room(room)),
            warmup_end,
            in_flight: Cell::new(0),
            stopping: Cell::new(false),
            budget: Cell::new(budget),
            vus_target: Cell::new(0),
            vu_wake: Notify::new(),
            vus_peak_target: Cell::new(0),
            vus_starting: Cell::new(0),
            vus_ran: Cell::new(0),
            inflight: Rc::default(),
            lane_inflight: Rc::default(),
            busy: Cell::new(0),
            busy_peak: Cell::new(0),
            co_interval_us: Cell::new(0),
            vus_spawned: Cell::new(0),
            vus_live: Cell::new(0),
            workload_stopped: Cell::new(false),
            open: OpenState::default(),
            pool: Rc::new(ConnPool::default()),
            ramp: RampDown::default(),
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
