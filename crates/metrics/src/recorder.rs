//! One worker thread's metrics for one interval: the only thing the request path writes to.

use crate::custom::CustomValues;
use crate::endpoint::{EndpointMetrics, merge_histogram};
use crate::histogram::{LatencyHistogram, new_histogram, record_us};
use crate::messages::ErrorMessages;
use loadcell_schema::ErrorKind;

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A complete response with this status code.
    Status(u16),
    /// No (complete) response: a transport failure of this kind.
    Error(ErrorKind),
}

impl Outcome {
    /// Whether the request's duration belongs in the latency histograms: every response
    /// (any status), every request timeout (a real, long wait) and every request cut while
    /// unfinished (its age at the cut, a lower bound), every redirect past a step's limit (a
    /// complete response, refused afterwards) and every body that did not decode (likewise),
    /// but not failures that involved no waiting for
    /// the target, such as a refused connection.
    #[inline]
    pub fn has_latency(self) -> bool {
        matches!(
            self,
            Outcome::Status(_)
                | Outcome::Error(
                    ErrorKind::RequestTimeout
                        | ErrorKind::Unfinished
                        | ErrorKind::TooManyRedirects
                        | ErrorKind::BodyDecode
                )
        )
    }

    /// k6's default notion of failure: transport errors and statuses from 400 up.
    #[inline]
    pub fn is_failure(self) -> bool {
        match self {
            Outcome::Status(s) => s >= 400,
            Outcome::Error(_) => true,
        }
    }
}

/// One completed request, as the engine reports it.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Index of the endpoint in the recorder.
    pub endpoint: usize,
    /// µs the user waited: from the scheduled start (open model) or the send (closed).
    pub latency_us: u64,
    /// Open model: µs from the actual send.
    pub service_us: Option<u64>,
    /// µs from the send to the first response byte, when a byte arrived.
    pub ttfb_us: Option<u64>,
    /// µs from the send until the whole request was written (HTTP/1.1), when it was.
    pub sending_us: Option<u64>,
    pub outcome: Outcome,
    pub sent_bytes: u64,
    pub received_bytes: u64,
    /// Closed model: the interval at which this VU would have sent had the target not
    /// stalled; latencies above it are back-filled into the CO estimate.
    pub expected_interval_us: Option<u64>,
}

/// The phases of one request before it went out, in µs (k6's per-request metrics).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestPhases {
    pub blocked_us: u64,
    pub connecting_us: u64,
    pub tls_us: u64,
}

/// Pass and fail counts of one check.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CheckCounts {
    pub passed: u64,
    pub failed: u64,
}

/// Iterations of one journey (scenario runs).
#[derive(Debug, Clone)]
pub struct JourneyMetrics {
    pub iterations: u64,
    /// Iterations in which a request failed, a check failed or an extraction failed.
    pub failed: u64,
    /// µs per iteration (from the scheduled start in the open model), think time included.
    pub duration: LatencyHistogram,
}

impl Default for JourneyMetrics {
    fn default() -> Self {
        JourneyMetrics {
            iterations: 0,
            failed: 0,
            duration: new_histogram(),
        }
    }
}

/// How many slots of each kind a recorder has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shape {
    /// Request slots: one per endpoint in quick mode, one per request step in scenarios.
    pub endpoints: usize,
    pub journeys: usize,
    pub checks: usize,
    /// A scenario's own metrics (`metrics:`): one slot per step and metric it adds to.
    pub custom: usize,
}

/// Metrics of one worker thread over one interval (or, merged, of a whole run).
#[derive(Debug, Clone)]
pub struct Recorder {
    pub endpoints: Vec<EndpointMetrics>,
    pub journeys: Vec<JourneyMetrics>,
    pub checks: Vec<CheckCounts>,
    /// A scenario's own metrics: one slot per step and metric it adds to (the workload's
    /// `custom_sites`).
    pub custom: Vec<CustomValues>,
    /// µs to open a connection (DNS + TCP + TLS).
    pub connect: LatencyHistogram,
    pub connections_opened: u64,
    /// Iterations completed (a journey in scenarios, a request in quick mode).
    pub iterations: u64,
    /// Open model: iterations due by the arrival schedule.
    pub scheduled: u64,
    /// Open model: due iterations that found no free VU.
    pub dropped: u64,
    /// Of `dropped`: drops while most busy VUs had not sent yet and were not connecting,
    /// i.e. were waiting on loadcell itself (its event loop, a connection slot).
    pub dropped_loadcell: u64,
    /// Of `dropped`: drops while most busy VUs were opening connections.
    pub dropped_connecting: u64,
    /// Open model: µs from each iteration's scheduled start to the send of its first
    /// request, time spent opening a connection excluded — loadcell's own lateness.
    pub schedule_lag: LatencyHistogram,
    /// Open model: iterations that started over 1 ms after their scheduled time…
    pub late_starts: u64,
    /// …and of those, the ones due while the machine held the worker thread off its CPU or
    /// before the thread had caught up after the hold.
    pub late_starts_held: u64,
    /// Requests still in flight when the grace period ended: recorded as failed
    /// (`unfinished`), and counted here too.
    pub interrupted: u64,
    /// Iterations still under way when the run was cut (sent or not).
    pub iterations_cut: u64,
    /// Highest number of VUs busy or idle-but-allocated at once (summed across threads
    /// when merged per interval).
    pub active_vus: u64,
    /// The first few distinct messages of each error kind (all endpoints together).
    pub error_messages: ErrorMessages,
    /// How many endpoint slots this recorder may grow to when a request names a slot past
    /// its end: slots registered while the run goes (a scenario's redirect hops, each under
    /// its own endpoint). Requests to slots beyond it are ignored.
    pub room: usize,
}

impl Recorder {
    /// An empty recorder for `endpoints` request slots (and no journeys or checks).
    pub fn new(endpoints: usize) -> Recorder {
        Recorder::with_shape(Shape {
            endpoints,
            journeys: 0,
            checks: 0,
            custom: 0,
        })
    }

    /// An empty recorder with the given slots.
    pub fn with_shape(shape: Shape) -> Recorder {
        Recorder {
            endpoints: (0..shape.endpoints.max(1))
                .map(|_| EndpointMetrics::default())
                .collect(),
            journeys: (0..shape.journeys).map(|_| JourneyMetrics::default()).collect(),
            checks: vec![CheckCounts::default(); shape.checks],
            custom: (0..shape.custom).map(|_| CustomValues::default()).collect(),
            connect: new_histogram(),
            connections_opened: 0,
            iterations: 0,
            scheduled: 0,
            dropped: 0,
            dropped_loadcell: 0,
            dropped_connecting: 0,
            schedule_lag: new_histogram(),
            late_starts: 0,
            late_starts_held: 0,
            interrupted: 0,
            iterations_cut: 0,
            active_vus: 0,
            error_messages: ErrorMessages::default(),
            room: shape.endpoints.max(1),
        }
    }

    /// This recorder, allowed to grow to `room` endpoint slots (see [`Recorder::room`]).
    pub fn with_room(mut self, room: usize) -> Recorder {
        self.room = room.max(self.endpoints.len());
        self
    }

    /// Endpoint slot `i`, added (with any before it) when it is within [`Recorder::room`]:
    /// allocates only the first time an interval's recorder sees a slot registered during
    /// the run, as a histogram does for a value of a new order of magnitude.
    #[inline]
    pub fn endpoint_mut(&mut self, i: usize) -> Option<&mut EndpointMetrics> {
        if i >= self.endpoints.len() && i < self.room {
            self.endpoints.resize_with(i + 1, EndpointMetrics::default);
        }
        self.endpoints.get_mut(i)
    }

    /// Gives this recorder at least `n` endpoint slots (empty ones added at the end), so
    /// that it lines up with `n` endpoint names.
    pub fn pad_endpoints(&mut self, n: usize) {
        if self.endpoints.len() < n {
            self.endpoints.resize_with(n, EndpointMetrics::default);
        }
        self.room = self.room.max(n);
    }

    /// An empty recorder shaped like this one.
    pub fn fresh(&self) -> Recorder {
        Recorder::with_shape(self.shape()).with_room(self.room)
    }

    /// The slots this recorder has.
    pub fn shape(&self) -> Shape {
        Shape {
            endpoints: self.endpoints.len(),
            journeys: self.journeys.len(),
            checks: self.checks.len(),
            custom: self.custom.len(),
        }
    }

    /// Records one check result.
    #[inline]
    pub fn record_check(&mut self, check: usize, passed: bool) {
        if let Some(c) = self.checks.get_mut(check) {
            if passed {
                c.passed += 1;
            } else {
                c.failed += 1;
            }
        }
    }

    /// Adds `value` to custom-metric slot `slot` (see [`CustomValues::add`]); `None` counts
    /// an add that had no number.
    #[inline]
    pub fn record_custom(&mut self, slot: usize, value: Option<f64>, trend: bool) {
        if let Some(c) = self.custom.get_mut(slot) {
            match value {
                Some(v) => c.add(v, trend),
                None => c.add_invalid(),
            }
        }
    }

    /// Records one finished journey iteration.
    #[inline]
    pub fn record_journey(&mut self, journey: usize, duration_us: u64, failed: bool) {
        if let Some(j) = self.journeys.get_mut(journey) {
            j.iterations += 1;
            j.failed += u64::from(failed);
            record_us(&mut j.duration, duration_us);
        }
    }

    /// All checks' counts added up.
    pub fn checks_total(&self) -> CheckCounts {
        self.checks.iter().fold(CheckCounts::default(), |a, c| CheckCounts {
            passed: a.passed + c.passed,
            failed: a.failed + c.failed,
        })
    }

    /// Records one completed request. No allocation unless a histogram must grow to a new
    /// order of magnitude or a status code is seen for the first time.
    #[inline]
    pub fn record(&mut self, s: &Sample) {
        let Some(ep) = self.endpoint_mut(s.endpoint) else {
            return;
        };
        if s.outcome.has_latency() {
            record_us(&mut ep.latency, s.latency_us);
            if !s.outcome.is_failure() {
                record_us(&mut ep.latency_expected, s.latency_us);
            }
            if let Some(us) = s.service_us {
                record_us(&mut ep.service, us);
            }
            if let Some(interval) = s.expected_interval_us {
                record_corrected(&mut ep.co_estimate, s.latency_us, interval);
            }
        }
        if let Some(us) = s.ttfb_us {
            // k6's phases: sending + waiting + receiving is the time from the send.
            let sending = s.sending_us.unwrap_or(0);
            record_us(&mut ep.ttfb, us.saturating_sub(sending));
            if let Outcome::Status(_) = s.outcome {
                if s.sending_us.is_some() {
                    record_us(&mut ep.sending, sending);
                }
                // The rest of the exchange after the first byte, from the times the sample
                // already carries: no clock read more per request.
                let from_send = s.service_us.unwrap_or(s.latency_us);
                record_us(&mut ep.receiving, from_send.saturating_sub(us));
            }
        }
        match s.outcome {
            Outcome::Status(code) => ep.status.add(code, 1),
            Outcome::Error(kind) => ep.errors[kind.as_index()] += 1,
        }
        if s.outcome.is_failure() {
            ep.failed += 1;
        } else {
            ep.ok += 1;
        }
        ep.sent_bytes += s.sent_bytes;
        ep.received_bytes += s.received_bytes;
    }

    /// Records the phases of one request, beside [`Recorder::record`] for the same request.
    #[inline]
    pub fn record_phases(&mut self, endpoint: usize, p: &RequestPhases) {
        if let Some(ep) = self.endpoint_mut(endpoint) {
            record_us(&mut ep.blocked, p.blocked_us);
            record_us(&mut ep.connecting, p.connecting_us);
            record_us(&mut ep.tls_handshaking, p.tls_us);
        }
    }

    /// Keeps the message of a failed request (the first few distinct ones per kind); call it
    /// beside [`Recorder::record`] for requests that ended in a transport error.
    #[inline]
    pub fn record_error_message(&mut self, kind: ErrorKind, message: &str) {
        self.error_messages.note(kind, message);
    }

    /// Records a newly opened connection and how long it took.
    #[inline]
    pub fn record_connect(&mut self, us: u64) {
        self.connections_opened += 1;
        record_us(&mut self.connect, us);
    }

    /// Records a connection opened for a request of `endpoint`: overall and per endpoint.
    #[inline]
    pub fn record_connect_for(&mut self, endpoint: usize, us: u64) {
        self.record_connect(us);
        if let Some(ep) = self.endpoint_mut(endpoint) {
            ep.connections += 1;
            record_us(&mut ep.connect, us);
        }
    }

    /// Open model: arrivals dropped while most busy VUs waited on the target.
    pub fn dropped_on_target(&self) -> u64 {
        self.dropped
            .saturating_sub(self.dropped_loadcell.saturating_add(self.dropped_connecting))
    }

    /// Completed requests across endpoints.
    pub fn requests(&self) -> u64 {
        self.endpoints.iter().map(EndpointMetrics::requests).sum()
    }

    /// All endpoints merged into one.
    pub fn overall(&self) -> EndpointMetrics {
        let mut all = EndpointMetrics::default();
        for ep in &self.endpoints {
            all.merge(ep);
        }
        all
    }

    /// Adds `other` into `self`; `active_vus` adds up (threads' VUs are disjoint).
    pub fn merge(&mut self, other: &Recorder) {
        if self.endpoints.len() < other.endpoints.len() {
            self.endpoints
                .resize_with(other.endpoints.len(), EndpointMetrics::default);
        }
        for (mine, theirs) in self.endpoints.iter_mut().zip(&other.endpoints) {
            mine.merge(theirs);
        }
        if self.journeys.len() < other.journeys.len() {
            self.journeys.resize_with(other.journeys.len(), JourneyMetrics::default);
        }
        for (mine, theirs) in self.journeys.iter_mut().zip(&other.journeys) {
            mine.iterations += theirs.iterations;
            mine.failed += theirs.failed;
            merge_histogram(&mut mine.duration, &theirs.duration);
        }
        if self.checks.len() < other.checks.len() {
            self.checks.resize(other.checks.len(), CheckCounts::default());
        }
        for (mine, theirs) in self.checks.iter_mut().zip(&other.checks) {
            mine.passed += theirs.passed;
            mine.failed += theirs.failed;
        }
        if self.custom.len() < other.custom.len() {
            self.custom.resize_with(other.custom.len(), CustomValues::default);
        }
        for (mine, theirs) in self.custom.iter_mut().zip(&other.custom) {
            mine.merge(theirs);
        }
        merge_histogram(&mut self.connect, &other.connect);
        self.connections_opened += other.connections_opened;
        self.iterations += other.iterations;
        self.scheduled += other.scheduled;
        self.dropped += other.dropped;
        self.dropped_loadcell += other.dropped_loadcell;
        self.dropped_connecting += other.dropped_connecting;
        merge_histogram(&mut self.schedule_lag, &other.schedule_lag);
        self.late_starts += other.late_starts;
        self.late_starts_held += other.late_starts_held;
        self.interrupted += other.interrupted;
        self.iterations_cut += other.iterations_cut;
        self.active_vus += other.active_vus;
        self.error_messages.merge(&other.error_messages);
        self.room = self.room.max(other.room).max(self.endpoints.len());
    }

    /// Adds `other` into a running total where `active_vus` is a peak, not a sum.
    pub fn accumulate(&mut self, other: &Recorder) {
        let peak = self.active_vus.max(other.active_vus);
        self.merge(other);
        self.active_vus = peak;
    }
}

/// HdrHistogram's coordinated-omission back-fill: a sample of `value` taken by a VU that
/// would otherwise have sent every `interval` also stands for the requests it could not
/// send meanwhile, at `value - interval`, `value - 2·interval`, ... down to `interval`.
fn record_corrected(h: &mut LatencyHistogram, value: u64, interval: u64) {
    record_us(h, value);
    if interval == 0 {
        return;
    }
    let mut missing = value.saturating_sub(interval);
    while missing >= interval {
        record_us(h, missing);
        missing -= interval;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(endpoint: usize, latency_us: u64, outcome: Outcome) -> Sample {
        Sample {
            endpoint,
            latency_us,
            service_us: None,
            ttfb_us: Some(latency_us / 2),
            sending_us: None,
            outcome,
            sent_bytes: 10,
            received_bytes: 100,
            expected_interval_us: None,
        }
    }

    #[test]
    fn counts_ok_failed_statuses_and_errors() {
        let mut r = Recorder::new(2);
        r.record(&sample(0, 1000, Outcome::Status(200)));
        r.record(&sample(0, 2000, Outcome::Status(503)));
        r.record(&sample(1, 3000, Outcome::Error(ErrorKind::Reset)));
        r.record(&sample(7, 3000, Outcome::Status(200))); // unknown endpoint: ignored
        assert_eq!(r.requests(), 3);
        let all = r.overall();
        assert_eq!((all.ok, all.failed), (1, 2));
        assert_eq!(all.status.get(503), 1);
        assert_eq!(all.errors[ErrorKind::Reset.as_index()], 1);
        assert_eq!(all.sent_bytes, 30);
        // The reset had no response to wait for: counted, but not a latency.
        assert_eq!(all.latency.len(), 2);
        // Receiving is the part after the first byte, for the two complete responses.
        assert_eq!(all.receiving.len(), 2);
        assert!(
            all.receiving.max() >= 999 && all.receiving.max() <= 1001,
            "{}",
            all.receiving.max()
        );
    }

    #[test]
    fn merge_adds_and_accumulate_keeps_peak_vus() {
        let mut a = Recorder::new(1);
        a.active_vus = 5;
        a.record(&sample(0, 1000, Outcome::Status(200)));
        let mut b = Recorder::new(1);
        b.active_vus = 3;
        b.record(&sample(0, 1000, Outcome::Status(200)));
        let mut sum = a.clone();
        sum.merge(&b);
        assert_eq!(sum.active_vus, 8);
        assert_eq!(sum.requests(), 2);
        let mut total = a.clone();
        total.accumulate(&b);
        assert_eq!(total.active_vus, 5);
    }

    #[test]
    fn a_slot_within_room_is_added_on_its_first_request_and_kept_by_fresh() {
        let mut r = Recorder::new(2).with_room(5);
        r.record(&sample(3, 1000, Outcome::Status(200)));
        r.record(&sample(5, 1000, Outcome::Status(200))); // past the room: ignored
        assert_eq!(r.endpoints.len(), 4);
        assert_eq!((r.endpoints[3].requests(), r.requests()), (1, 1));
        let next = r.fresh();
        assert_eq!((next.endpoints.len(), next.room), (4, 5));
        let mut total = Recorder::new(2);
        total.merge(&r);
        total.pad_endpoints(5);
        assert_eq!((total.endpoints.len(), total.requests()), (5, 1));
    }

    #[test]
    fn connect_times_are_kept_per_endpoint_and_overall() {
        let mut r = Recorder::new(2);
        r.record_connect_for(1, 250);
        r.record_connect_for(1, 350);
        r.record_connect_for(5, 100); // unknown endpoint: overall only
        assert_eq!(r.connections_opened, 3);
        assert_eq!(r.connect.len(), 3);
        assert_eq!((r.endpoints[0].connections, r.endpoints[1].connections), (0, 2));
        let mut total = r.fresh();
        total.merge(&r);
        assert_eq!(total.overall().connect.len(), 2);
        assert!(total.endpoints[1].connect.max() >= 349);
    }

    #[test]
    fn checks_and_journeys_merge() {
        let shape = Shape {
            endpoints: 1,
            journeys: 2,
            checks: 2,
            custom: 1,
        };
        let mut a = Recorder::with_shape(shape);
        a.record_check(0, true);
        a.record_check(1, false);
        a.record_check(9, false); // unknown: ignored
        a.record_journey(1, 2_000_000, true);
        let mut b = a.fresh();
        assert_eq!(b.shape(), shape);
        b.record_check(0, true);
        b.record_journey(1, 1_000, false);
        b.record_custom(0, Some(3.0), false);
        b.record_custom(0, None, false);
        b.record_custom(4, Some(1.0), false); // unknown: ignored
        a.merge(&b);
        assert_eq!((a.custom[0].count, a.custom[0].sum, a.custom[0].invalid), (1, 3.0, 1));
        assert_eq!(a.checks[0], CheckCounts { passed: 2, failed: 0 });
        assert_eq!(a.checks_total(), CheckCounts { passed: 2, failed: 1 });
        assert_eq!((a.journeys[1].iterations, a.journeys[1].failed), (2, 1));
        assert!(a.journeys[1].duration.max() >= 1_999_000);
    }

    #[test]
    fn co_estimate_back_fills_a_stall() {
        let mut r = Recorder::new(1);
        let mut s = sample(0, 1_000_000, Outcome::Status(200));
        s.expected_interval_us = Some(1_000);
        r.record(&s);
        // One real sample of 1 s with a 1 ms expected interval stands for ~1000 requests
        // that a non-stalled user would have sent.
        let est = &r.endpoints[0].co_estimate;
        assert_eq!(est.len(), 1000);
        assert!(est.max() >= 999_000 && est.value_at_quantile(0.5) > 400_000);
        assert_eq!(r.endpoints[0].latency.len(), 1);
    }
}
