//! A VU's view of the engine while it runs an iteration: its connection, the schedule it
//! is held to, and the one call that sends a request and records what happened.
//!
//! Closed-model VUs own their connection. Open-model VUs borrow one from their worker's
//! pool (`pool.rs`) at their first send and give it back at the end of the iteration.
//! Open-model iterations also record their schedule lag: from the scheduled start to the
//! send of the first request, minus the time spent connecting — what loadcell itself
//! (its timer, its event loop, its connection slots) added before the target saw anything.

use crate::pool::{Grant, Waiter};
use crate::samples::RequestRecord;
use crate::worker::WorkerState;
use loadcell_http::{Capture, ClientConfig, Connection, HttpError, Origin, Request, ResponseInfo, connect};
use loadcell_metrics::{Outcome, Sample, record_us};
use loadcell_schema::ErrorKind;
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

/// What a VU holds while it runs: one connection, reused while the server allows.
pub struct VuContext {
    pub(crate) worker: Rc<WorkerState>,
    transport: Arc<Transport>,
    connection: Option<Connection>,
    /// Open model: this VU's place in line for its worker's connection pool; `None` when
    /// the VU owns its connection (closed model).
    pool_waiter: Option<Rc<Waiter>>,
    /// Open model: the iteration was dispatched and has not sent its first request yet
    /// (it counts in the worker's `unsent`).
    unsent: bool,
    /// Time the last `obtain_connection` spent connecting.
    last_connect: Duration,
    /// Open model: when the current iteration's first request was sent.
    pub(crate) first_sent: Option<Instant>,
    /// Open model: when the current iteration was scheduled to start. The first request of
    /// the iteration is measured from here, so any lateness (loadcell's or the target's)
    /// shows in its latency.
    pub(crate) scheduled: Option<Instant>,
    /// When the current iteration started (its scheduled start in the open model); decides
    /// whether its results belong to the warm-up.
    pub(crate) started: Instant,
    vu_id: u64,
    iteration: u64,
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
    pub(crate) fn new(worker: Rc<WorkerState>, transport: Arc<Transport>, vu_id: u64) -> VuContext {
        VuContext {
            worker,
            transport,
            connection: None,
            pool_waiter: None,
            unsent: false,
            last_connect: Duration::ZERO,
            first_sent: None,
            scheduled: None,
            started: Instant::now(),
            vu_id,
            iteration: 0,
        }
    }

    /// An open-model VU's context: connections come from the worker's pool.
    pub(crate) fn pooled(worker: Rc<WorkerState>, transport: Arc<Transport>, vu_id: u64) -> VuContext {
        let mut ctx = VuContext::new(worker, transport, vu_id);
        ctx.pool_waiter = Some(Rc::new(Waiter::default()));
        ctx
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
    fn mark_sent(&mut self) {
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

    /// Records that the request of slot `endpoint` could not be built and was not sent.
    pub fn record_skipped(&self, endpoint: usize) {
        if let Some(ep) = self.worker.recorder_for(self.started).endpoints.get_mut(endpoint) {
            ep.skipped += 1;
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

    /// Drops the connection (a VU that is parked or ramped down holds none).
    pub(crate) fn disconnect(&mut self) {
        self.close_connection();
    }

    /// Closes the connection this VU holds, telling the pool when it came from there.
    fn close_connection(&mut self) {
        if self.connection.take().is_some() && self.pool_waiter.is_some() {
            self.worker.pool.closed();
        }
    }

    /// The run's target origin (for resolving relative URLs).
    pub fn origin(&self) -> &Origin {
        &self.transport.origin
    }

    /// Sends `request` (encoded for HTTP/1.1 as `wire`) and records it under `endpoint`.
    /// Never fails: a failure is a measurement, returned as an error outcome.
    pub async fn send(&mut self, endpoint: usize, request: &Request, wire: &[u8], capture: &mut Capture<'_>) -> Sent {
        let scheduled = self.scheduled.take();
        let worker = Rc::clone(&self.worker);
        worker.in_flight.set(worker.in_flight.get() + 1);
        let (result, sent_at, connecting) = self.exchange(endpoint, request, wire, capture).await;
        let done = Instant::now();
        worker.in_flight.set(worker.in_flight.get() - 1);

        let since_send = done.saturating_duration_since(sent_at);
        let latency = scheduled.map_or(since_send, |s| done.saturating_duration_since(s));
        let (outcome, info) = match result {
            Ok(info) => (Outcome::Status(info.status), Some(info)),
            Err(e) => (Outcome::Error(e.kind), None),
        };
        let expected = worker.co_interval_us.get();
        let sample = Sample {
            endpoint,
            latency_us: micros(latency),
            service_us: scheduled.map(|_| micros(since_send)),
            ttfb_us: info
                .and_then(|i| i.first_byte)
                .map(|fb| micros(fb.saturating_duration_since(sent_at))),
            outcome,
            sent_bytes: info.map_or(0, |i| i.sent_bytes),
            received_bytes: info.map_or(0, |i| i.received_bytes),
            expected_interval_us: (scheduled.is_none() && expected > 0).then_some(expected),
        };
        {
            let mut recorder = worker.recorder_for(self.started);
            recorder.record(&sample);
            if let Some(s) = scheduled {
                self.first_sent = Some(sent_at);
                let lag = sent_at.saturating_duration_since(s).saturating_sub(connecting);
                record_us(&mut recorder.schedule_lag, micros(lag));
            }
        }
        if let Some(sink) = worker.samples.borrow_mut().as_mut() {
            sink.record(&RequestRecord {
                at: done.saturating_duration_since(worker.t0),
                endpoint,
                outcome,
                latency_us: sample.latency_us,
                ttfb_us: sample.ttfb_us,
                sent_bytes: sample.sent_bytes,
                received_bytes: sample.received_bytes,
                vu: self.vu_id,
                iteration: self.iteration,
                warmup: self.started < worker.warmup_end,
            });
        }
        Sent { outcome, info, latency }
    }

    /// Connects if needed and performs one exchange, retrying on a fresh connection when a
    /// reused one turns out to have been closed by the server while idle. Returns the
    /// result, when the request was sent (or the attempt failed) and the time spent
    /// opening connections on the way.
    async fn exchange(
        &mut self,
        endpoint: usize,
        request: &Request,
        wire: &[u8],
        capture: &mut Capture<'_>,
    ) -> (Result<ResponseInfo, HttpError>, Instant, Duration) {
        let mut connecting = Duration::ZERO;
        loop {
            let connect_started = Instant::now();
            if self.connection.is_none() {
                if let Err(e) = self.obtain_connection(endpoint).await {
                    self.mark_sent();
                    connecting += connect_started.elapsed();
                    return (Err(e), connect_started, connecting);
                }
                connecting += self.last_connect;
            }
            self.mark_sent();
            let Some(conn) = self.connection.as_mut() else {
                return (
                    Err(HttpError::new(ErrorKind::Other, "no connection")),
                    connect_started,
                    connecting,
                );
            };
            let sent_at = Instant::now();
            let deadline = tokio::time::Instant::from_std(sent_at + self.transport.timeout);
            let result = match tokio::time::timeout_at(deadline, conn.send(request, wire, capture)).await {
                Ok(r) => r,
                Err(_) => Err(HttpError::new(
                    ErrorKind::RequestTimeout,
                    format!("no complete response within {:?}", self.transport.timeout),
                )),
            };
            match result {
                Ok(info) => {
                    if !conn.reusable() {
                        self.close_connection();
                    }
                    return (Ok(info), sent_at, connecting);
                }
                // Only a reused connection can be stale, so every retry consumes one and
                // the loop ends at the latest on a fresh connection.
                Err(e) if e.stale => self.close_connection(),
                Err(e) => {
                    self.close_connection();
                    return (Err(e), sent_at, connecting);
                }
            }
        }
    }

    /// Gets this VU a connection: its own new one (closed model), or one from the worker's
    /// pool — idle, or newly opened when the pool lets it connect. Sets `last_connect` to the
    /// time spent in a connect (zero when none was made).
    async fn obtain_connection(&mut self, endpoint: usize) -> Result<(), HttpError> {
        self.last_connect = Duration::ZERO;
        if let Some(waiter) = &self.pool_waiter {
            let pool = Rc::clone(&self.worker.pool);
            match pool.acquire(waiter).await {
                Grant::Idle(conn) => {
                    self.connection = Some(conn);
                    return Ok(());
                }
                Grant::Connect => {
                    let result = self.connect(endpoint).await;
                    pool.connected(result.is_ok());
                    return result;
                }
            }
        }
        self.connect(endpoint).await
    }

    /// Opens a new connection and records how long it took.
    async fn connect(&mut self, endpoint: usize) -> Result<(), HttpError> {
        // Boxed: connecting (DNS, TLS, HTTP/2 handshake) is a large future, and kept inline
        // it would make every idle VU that large (10,000 VUs → ~90 MB).
        let started = Instant::now();
        let result = Box::pin(connect(&self.transport.origin, &self.transport.client)).await;
        self.last_connect = started.elapsed();
        let c = result?;
        self.worker
            .recorder_for(self.started)
            .record_connect_for(endpoint, micros(c.connect_time));
        self.connection = Some(c.connection);
        Ok(())
    }
}

impl Drop for VuContext {
    fn drop(&mut self) {
        self.mark_sent();
        if self.connection.take().is_some() && self.pool_waiter.is_some() {
            self.worker.pool.forget();
        }
    }
}

#[inline]
fn micros(d: Duration) -> u64 {
    d.as_micros().min(u128::from(u64::MAX)) as u64
}
