//! A VU's view of the engine while it runs an iteration: its connection, the schedule it
//! is held to, and the one call that sends a request and records what happened.
//!
//! Closed-model VUs own their connection. Open-model VUs borrow one from their worker's
//! pool (`pool.rs`) at their first send and give it back at the end of the iteration.
//! Open-model iterations also record their schedule lag: from the scheduled start to the
//! send of the first request, minus the time spent connecting — what loadcell itself
//! (its timer, its event loop, its connection slots) added before the target saw anything.

use crate::inflight::InFlight;
use crate::lanes::LaneSet;
use crate::pool::Waiter;
use crate::state::WorkerState;
use loadcell_http::{ClientConfig, ConnectPhases, Connection, Origin, ResponseInfo};
use loadcell_metrics::Outcome;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Connection settings every VU of a run shares.
#[derive(Debug, Clone)]
pub struct Transport {
    pub origin: Origin,
    pub client: ClientConfig,
    /// Per-request timeout, from the send to the end of the response.
    pub timeout: Duration,
}

/// What a VU holds while it runs: one connection, reused while the server allows (and,
/// once it ran a batch step, its lanes: `lanes.rs`). The request itself is sent in
/// `exchange.rs`.
pub struct VuContext {
    pub(crate) worker: Rc<WorkerState>,
    pub(crate) transport: Arc<Transport>,
    pub(crate) connection: Option<Connection>,
    /// Open model: this VU's place in line for its worker's connection pool; `None` when
    /// the VU owns its connection (closed model).
    pub(crate) pool_waiter: Option<Rc<Waiter>>,
    /// This VU's index on its worker (its slot in the in-flight table).
    pub(crate) slot: usize,
    /// The in-flight table `slot` is in: the worker's table of VUs, or of extra connections.
    pub(crate) inflight: Rc<InFlight>,
    /// The extra connections of a VU that ran a batch step (`lanes.rs`); `None` until then.
    pub(crate) lanes: Option<Box<LaneSet>>,
    /// This context is such an extra connection of a VU, not a VU.
    pub(crate) is_lane: bool,
    /// Open model: the iteration was dispatched and has not sent its first request yet
    /// (it counts in the worker's `unsent`).
    unsent: bool,
    /// Closed model: the VU has not finished its first connect yet (it counts in the
    /// worker's `vus_starting`, which paces how fast VUs are started).
    starting: bool,
    /// A request failed because loadcell's machine refused a socket or a port: back off.
    pub(crate) local_limit_hit: bool,
    /// Time the last `obtain_connection` spent connecting.
    pub(crate) last_connect: Duration,
    /// The phases of that connect (zero when none was made).
    pub(crate) last_phases: ConnectPhases,
    /// Open model: when the current iteration's first request was sent.
    pub(crate) first_sent: Option<Instant>,
    /// Open model: when the current iteration was scheduled to start. The first request of
    /// the iteration is measured from here, so any lateness (loadcell's or the target's)
    /// shows in its latency.
    pub(crate) scheduled: Option<Instant>,
    /// When the current iteration started (its scheduled start in the open model); decides
    /// whether its results belong to the warm-up.
    pub(crate) started: Instant,
    pub(crate) vu_id: u64,
    pub(crate) iteration: u64,
}

/// A VU's own connection and settings, parked while it sends to another origin (a
/// scenario's redirect there); [`VuContext::come_back`] restores them.
pub struct Parked {
    transport: Arc<Transport>,
    connection: Option<Connection>,
    pool_waiter: Option<Rc<Waiter>>,
}

/// The result of one request as the workload sees it.
#[derive(Debug, Clone, Copy)]
pub struct Sent {
    pub outcome: Outcome,
    pub info: Option<ResponseInfo>,
    /// From the send (or the scheduled start) to the end of the response.
    pub latency: Duration,
}

impl VuContext {
    /// A closed-model VU's context (it owns its connection); `slot` is its index on its
    /// worker.
    pub(crate) fn new(worker: Rc<WorkerState>, transport: Arc<Transport>, vu_id: u64, slot: usize) -> VuContext {
        worker.inflight.reserve(slot);
        VuContext {
            inflight: Rc::clone(&worker.inflight),
            lanes: None,
            is_lane: false,
            worker,
            transport,
            connection: None,
            pool_waiter: None,
            slot,
            unsent: false,
            starting: false,
            local_limit_hit: false,
            last_connect: Duration::ZERO,
            last_phases: ConnectPhases::default(),
            first_sent: None,
            scheduled: None,
            started: Instant::now(),
            vu_id,
            iteration: 0,
        }
    }

    /// An open-model VU's context: connections come from the worker's pool.
    pub(crate) fn pooled(worker: Rc<WorkerState>, transport: Arc<Transport>, vu_id: u64, slot: usize) -> VuContext {
        let mut ctx = VuContext::new(worker, transport, vu_id, slot);
        ctx.pool_waiter = Some(Rc::new(Waiter::default()));
        ctx
    }

    /// Closed model: this VU counts in the worker's `vus_starting` until its first connect
    /// attempt ends.
    pub(crate) fn starting(mut self) -> VuContext {
        self.starting = true;
        self
    }

    /// The first connect attempt ended: this VU is no longer starting.
    pub(crate) fn first_connect_done(&mut self) {
        if self.starting {
            self.starting = false;
            let starting = &self.worker.vus_starting;
            starting.set(starting.get().saturating_sub(1));
        }
    }

    /// Open model: an iteration due at `due` starts on this VU (it was counted as unsent
    /// when it was dispatched).
    pub(crate) fn begin_open_iteration(&mut self, due: Instant) {
        self.scheduled = Some(due);
        self.started = due;
        self.unsent = true;
        self.first_sent = None;
    }

    /// The iteration's first request is on its way (or the iteration ended without one).
    pub(crate) fn mark_sent(&mut self) {
        if self.unsent {
            self.unsent = false;
            let open = &self.worker.open;
            open.unsent.set(open.unsent.get().saturating_sub(1));
        }
    }

    /// This VU's run-wide number (from 1).
    pub fn vu_id(&self) -> u64 {
        self.vu_id
    }

    /// When the current iteration was due (open model) — `None` in the closed model.
    pub fn scheduled_start(&self) -> Option<Instant> {
        self.scheduled
    }

    /// Records a check result under check slot `check`.
    pub fn record_check(&self, check: usize, passed: bool) {
        self.worker.recorder_for(self.started).record_check(check, passed);
    }

    /// Adds `value` to custom-metric slot `slot` (see `Workload::custom_sites`; `None`: an
    /// add that had no number); `trend` keeps its distribution.
    pub fn record_custom(&self, slot: usize, value: Option<f64>, trend: bool) {
        self.worker.recorder_for(self.started).record_custom(slot, value, trend);
    }

    /// Records that the request of slot `endpoint` could not be built and was not sent.
    pub fn record_skipped(&self, endpoint: usize) {
        if let Some(ep) = self.worker.recorder_for(self.started).endpoint_mut(endpoint) {
            ep.skipped += 1;
        }
    }

    /// Records the size of a response body of slot `endpoint` once its `Content-Encoding`
    /// was undone (the wire bytes were recorded by `send`).
    pub fn record_decoded(&self, endpoint: usize, bytes: u64) {
        if let Some(ep) = self.worker.recorder_for(self.started).endpoint_mut(endpoint) {
            ep.decoded_body_bytes += bytes;
        }
    }

    /// Records a finished journey iteration that started at `started`.
    pub fn record_journey(&self, journey: usize, started: Instant, failed: bool) {
        let us = micros(Instant::now().saturating_duration_since(started));
        self.worker
            .recorder_for(self.started)
            .record_journey(journey, us, failed);
    }

    /// Whether the run is ending: long iterations should stop starting new steps.
    pub fn stopping(&self) -> bool {
        self.worker.stopping.get()
    }

    /// How many iterations this VU has completed before the current one.
    pub fn iteration(&self) -> u64 {
        self.iteration
    }

    pub(crate) fn finish_iteration(&mut self) {
        self.iteration += 1;
        self.scheduled = None;
        self.mark_sent();
        if self.pool_waiter.is_some()
            && let Some(conn) = self.connection.take()
        {
            self.worker.pool.release(conn);
        }
    }

    /// Drops the connection (a VU that is parked or ramped down holds none), its extra ones
    /// included.
    pub(crate) fn disconnect(&mut self) {
        self.close_connection();
        self.close_lanes();
    }

    /// Closes the connection this VU holds, telling the pool when it came from there.
    pub(crate) fn close_connection(&mut self) {
        if self.connection.take().is_some() && self.pool_waiter.is_some() {
            self.worker.pool.closed();
        }
    }

    /// Points this VU at `origin` until [`come_back`](Self::come_back): its connection and
    /// pool place are parked, and the next sends open a connection of their own there
    /// (counted and timed like any connect, closed on coming back). Only redirects to another
    /// origin do this, so the cost (a copy of the settings) is off the usual path. An
    /// iteration cut while away drops the parked connection without telling the pool, which
    /// then counts one connection too many until the run ends.
    pub fn leave_for(&mut self, origin: &Origin) -> Parked {
        let away = Transport {
            origin: origin.clone(),
            ..(*self.transport).clone()
        };
        Parked {
            transport: std::mem::replace(&mut self.transport, Arc::new(away)),
            connection: self.connection.take(),
            pool_waiter: self.pool_waiter.take(),
        }
    }

    /// An iteration was cut where it stood (a ramp-down's limit): its connection may be
    /// mid-exchange and goes; a redirect may have pointed this VU elsewhere, so its own
    /// settings come back (the parked connection, dropped with the iteration, is gone).
    pub(crate) fn after_cut(&mut self, home: &Arc<Transport>) {
        self.close_connection();
        self.close_lanes();
        if !Arc::ptr_eq(&self.transport, home) {
            self.transport = Arc::clone(home);
        }
        self.finish_iteration();
    }

    /// Back from another origin: that connection is closed, this VU's own restored.
    pub fn come_back(&mut self, parked: Parked) {
        self.connection = parked.connection;
        self.pool_waiter = parked.pool_waiter;
        self.transport = parked.transport;
    }

    /// The run's per-request timeout (`--timeout`), which a scenario step may override.
    pub fn timeout(&self) -> Duration {
        self.transport.timeout
    }

    /// The run's target origin (for resolving relative URLs).
    pub fn origin(&self) -> &Origin {
        &self.transport.origin
    }
}

impl Drop for VuContext {
    fn drop(&mut self) {
        self.mark_sent();
        self.first_connect_done();
        if self.connection.take().is_some() && self.pool_waiter.is_some() {
            self.worker.pool.forget();
        }
    }
}

#[inline]
pub(crate) fn micros(d: Duration) -> u64 {
    d.as_micros().min(u128::from(u64::MAX)) as u64
}
