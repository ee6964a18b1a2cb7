//! `VuContext::send`: one request from the VU's point of view — getting a connection (its
//! own, or one from the worker's pool), sending with the request timeout, retrying once a
//! reused connection turns out stale, and recording what happened: latency, service time
//! and schedule lag (open model), bytes (failed requests included), and the request's slot
//! in the worker's in-flight table while it is under way.

use crate::context::{Sent, VuContext, micros};
use crate::inflight::Entry;
use crate::late::LATE_START;
use crate::pool::Grant;
use crate::samples::RequestRecord;
use loadcell_http::{Capture, ConnectPhases, HttpError, Request, ResponseInfo, connect};
use loadcell_metrics::{Outcome, RequestPhases, Sample, record_us};
use loadcell_schema::ErrorKind;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// What one exchange gave: the response or the failure, when the request went out (or the
/// attempt failed), the time spent connecting on the way, and the bytes (sent, received).
struct Exchanged {
    result: Result<ResponseInfo, HttpError>,
    sent_at: Instant,
    connecting: Duration,
    /// The phases of the connections opened for this request.
    phases: ConnectPhases,
    bytes: (u64, u64),
}

impl VuContext {
    /// Sends `request` (encoded for HTTP/1.1 as `wire`) and records it under `endpoint`.
    /// Never fails: a failure is a measurement, returned as an error outcome.
    #[inline]
    pub async fn send(&mut self, endpoint: usize, request: &Request, wire: &[u8], capture: &mut Capture<'_>) -> Sent {
        let timeout = self.transport.timeout;
        self.send_with(endpoint, request, wire, capture, timeout, |_, _| None)
            .await
    }

    /// [`send`](Self::send) with the request's own `timeout` (a scenario step's `timeout:`)
    /// and a `judge` that may refuse a complete response before it is recorded: the request
    /// is then recorded as that failure (its latency kept), as a redirect past a step's limit
    /// is. Quick mode's `send` passes a judge that refuses nothing, which the compiler drops.
    pub async fn send_with(
        &mut self,
        endpoint: usize,
        request: &Request,
        wire: &[u8],
        capture: &mut Capture<'_>,
        timeout: Duration,
        judge: impl FnOnce(&ResponseInfo, &Capture<'_>) -> Option<HttpError>,
    ) -> Sent {
        let scheduled = self.scheduled.take();
        let worker = Rc::clone(&self.worker);
        worker.in_flight.set(worker.in_flight.get() + 1);
        let begun = Instant::now();
        self.inflight.begin(
            self.slot,
            Entry {
                endpoint,
                since: scheduled.unwrap_or(begun),
                sent: None,
                connecting: false,
                sent_bytes: 0,
                started: self.started,
                open: scheduled.is_some(),
                vu: self.vu_id,
                iteration: self.iteration,
            },
        );
        let mut ex = self.exchange(endpoint, request, wire, capture, timeout).await;
        // A response ends when its last bytes reached the socket, as the kernel stamped them
        // (`loadcell-http`'s `stamp.rs`), not when this VU got round to reading them: the
        // open model may read a batch's answers a slice late (`open.rs`).
        let now = Instant::now();
        let done = match &ex.result {
            Ok(info) => {
                worker.open.answer_stamped(info.arrived.is_some());
                info.arrived.map_or(now, |arrived| arrived.max(ex.sent_at).min(now))
            }
            Err(_) => now,
        };
        if let Ok(info) = &ex.result
            && let Some(refused) = judge(info, capture)
        {
            ex.bytes = (info.sent_bytes, info.received_bytes);
            ex.result = Err(refused);
        }
        self.inflight.end(self.slot);
        worker.in_flight.set(worker.in_flight.get() - 1);

        let since_send = done.saturating_duration_since(ex.sent_at);
        let latency = scheduled.map_or(since_send, |s| done.saturating_duration_since(s));
        let (outcome, info) = match ex.result {
            Ok(info) => (Outcome::Status(info.status), Some(info)),
            Err(e) => {
                worker
                    .recorder_for(self.started)
                    .record_error_message(e.kind, &e.detail);
                (Outcome::Error(e.kind), None)
            }
        };
        if outcome == Outcome::Error(ErrorKind::LocalLimit) {
            self.local_limit_hit = true;
        }
        let expected = worker.co_interval_us.get();
        let sample = Sample {
            endpoint,
            latency_us: micros(latency),
            service_us: scheduled.map(|_| micros(since_send)),
            ttfb_us: info
                .and_then(|i| i.first_byte)
                .map(|fb| micros(fb.saturating_duration_since(ex.sent_at))),
            sending_us: info
                .and_then(|i| i.written)
                .map(|w| micros(w.saturating_duration_since(ex.sent_at))),
            outcome,
            sent_bytes: info.map_or(ex.bytes.0, |i| i.sent_bytes),
            received_bytes: info.map_or(ex.bytes.1, |i| i.received_bytes),
            expected_interval_us: (scheduled.is_none() && expected > 0).then_some(expected),
        };
        {
            let mut recorder = worker.recorder_for(self.started);
            recorder.record(&sample);
            if outcome.has_latency() {
                recorder.record_phases(endpoint, &phases(ex.sent_at, ex.phases, begun));
            }
            // A batch's extra connections measure from the scheduled start too, but the
            // iteration's lag is the VU's own first send's, recorded once.
            if let Some(s) = scheduled.filter(|_| !self.is_lane) {
                self.first_sent = Some(ex.sent_at);
                let lag = ex.sent_at.saturating_duration_since(s).saturating_sub(ex.connecting);
                record_us(&mut recorder.schedule_lag, micros(lag));
                if lag > LATE_START {
                    recorder.late_starts += 1;
                    recorder.late_starts_held += u64::from(worker.open.held.covers(s));
                } else {
                    worker.open.held.on_time(ex.sent_at);
                }
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
    /// reused one turns out to have been closed by the server while idle.
    async fn exchange(
        &mut self,
        endpoint: usize,
        request: &Request,
        wire: &[u8],
        capture: &mut Capture<'_>,
        timeout: Duration,
    ) -> Exchanged {
        let mut connecting = Duration::ZERO;
        let mut phases = ConnectPhases::default();
        loop {
            let connect_started = Instant::now();
            if self.connection.is_none() {
                if let Err(e) = self.obtain_connection(endpoint).await {
                    self.mark_sent();
                    connecting += connect_started.elapsed();
                    return Exchanged {
                        result: Err(e),
                        sent_at: connect_started,
                        connecting,
                        phases,
                        bytes: (0, 0),
                    };
                }
                connecting += self.last_connect;
                phases += self.last_phases;
            }
            self.mark_sent();
            let sent_at = Instant::now();
            self.inflight.sent(self.slot, sent_at, wire.len() as u64);
            let Some(conn) = self.connection.as_mut() else {
                return Exchanged {
                    result: Err(HttpError::new(ErrorKind::Other, "no connection")),
                    sent_at,
                    connecting,
                    phases,
                    bytes: (0, 0),
                };
            };
            let deadline = tokio::time::Instant::from_std(sent_at + timeout);
            let result = match tokio::time::timeout_at(deadline, conn.send(request, wire, capture)).await {
                Ok(r) => r,
                Err(_) => Err(HttpError::new(
                    ErrorKind::RequestTimeout,
                    format!("no complete response within {timeout:?}"),
                )),
            };
            let bytes = conn.exchanged();
            match result {
                Ok(info) => {
                    if !conn.reusable() {
                        self.close_connection();
                    }
                    return Exchanged {
                        result: Ok(info),
                        sent_at,
                        connecting,
                        phases,
                        bytes,
                    };
                }
                // Only a reused connection can be stale, so every retry consumes one and
                // the loop ends at the latest on a fresh connection.
                Err(e) if e.stale => self.close_connection(),
                Err(e) => {
                    self.close_connection();
                    return Exchanged {
                        result: Err(e),
                        sent_at,
                        connecting,
                        phases,
                        bytes,
                    };
                }
            }
        }
    }

    /// Gets this VU a connection: its own new one (closed model), or one from the worker's
    /// pool — idle, or newly opened when the pool lets it connect. Sets `last_connect` to the
    /// time spent in a connect (zero when none was made).
    async fn obtain_connection(&mut self, endpoint: usize) -> Result<(), HttpError> {
        self.last_connect = Duration::ZERO;
        self.last_phases = ConnectPhases::default();
        if let Some(waiter) = &self.pool_waiter {
            let pool = Rc::clone(&self.worker.pool);
            match pool.acquire(waiter).await {
                Grant::Idle(conn) => {
                    self.connection = Some(conn);
                    return Ok(());
                }
                Grant::Connect => {
                    let result = self.connect(endpoint).await;
                    pool.connect_ended(&result);
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
        self.inflight.connecting(self.slot);
        let started = Instant::now();
        let result = Box::pin(connect(&self.transport.origin, &self.transport.client)).await;
        self.last_connect = started.elapsed();
        self.first_connect_done();
        let c = result?;
        self.last_phases = c.phases;
        self.worker
            .recorder_for(self.started)
            .record_connect_for(endpoint, micros(c.connect_time));
        self.connection = Some(c.connection);
        Ok(())
    }
}

/// k6's per-request phases: the TCP connect and TLS handshake of connections opened for
/// this request, and the rest of the wait from the call to the send as blocked (a
/// connection slot of the pool, the DNS lookup, an HTTP/2 handshake).
fn phases(sent_at: Instant, connects: ConnectPhases, begun: Instant) -> RequestPhases {
    let waited = sent_at.saturating_duration_since(begun);
    RequestPhases {
        blocked_us: micros(waited.saturating_sub(connects.tcp + connects.tls)),
        connecting_us: micros(connects.tcp),
        tls_us: micros(connects.tls),
    }
}
