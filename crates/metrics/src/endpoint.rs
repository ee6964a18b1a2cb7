//! Everything measured about one endpoint (method + templated path).

use crate::histogram::{LatencyHistogram, new_histogram};
use crate::status::StatusCounts;
use loadcell_schema::ErrorKind;

/// Histograms and counters of one endpoint within one recorder.
#[derive(Debug, Clone)]
pub struct EndpointMetrics {
    /// Latency in µs: from the scheduled start in the open model, from the send otherwise.
    pub latency: LatencyHistogram,
    /// `latency` of the requests that did not fail (a response below 400): k6's
    /// `http_req_duration{expected_response:true}`.
    pub latency_expected: LatencyHistogram,
    /// Open model only: µs from the actual send to the end of the response.
    pub service: LatencyHistogram,
    /// Closed model only: latency back-filled for coordinated omission (an estimate).
    pub co_estimate: LatencyHistogram,
    /// µs from the request written (the send, over HTTP/2) to the first response byte
    /// (k6's `http_req_waiting`).
    pub ttfb: LatencyHistogram,
    /// µs to write the request, head and body, to the socket (k6's `http_req_sending`),
    /// complete HTTP/1.1 responses only.
    pub sending: LatencyHistogram,
    /// µs from the first response byte to the last (k6's `http_req_receiving`), complete
    /// responses only.
    pub receiving: LatencyHistogram,
    /// Per request (k6's `http_req_blocked`): from the call to send until the request could
    /// go out, less the TCP connect and TLS handshake — a connection slot, the DNS lookup.
    pub blocked: LatencyHistogram,
    /// Per request (k6's `http_req_connecting`): the TCP connect of a connection opened for
    /// it, 0 on a reused connection.
    pub connecting: LatencyHistogram,
    /// Per request (k6's `http_req_tls_handshaking`): the TLS handshake of a connection
    /// opened for it, 0 on a reused or plain one.
    pub tls_handshaking: LatencyHistogram,
    /// µs to open the connections this endpoint's requests needed (DNS + TCP + TLS).
    pub connect: LatencyHistogram,
    /// Connections opened for this endpoint's requests.
    pub connections: u64,
    /// Responses with status < 400.
    pub ok: u64,
    /// Responses with status >= 400 plus transport errors.
    pub failed: u64,
    pub status: StatusCounts,
    pub errors: [u64; ErrorKind::COUNT],
    pub sent_bytes: u64,
    pub received_bytes: u64,
    /// Response bodies after their `Content-Encoding` was undone, for the requests whose
    /// body was read (scenario steps; quick mode never decodes and leaves this 0).
    pub decoded_body_bytes: u64,
    /// Scenario steps not sent at all: a variable they need was never set (an earlier
    /// extraction failed) or their URL left the target's origin. Not in `requests()`,
    /// since the target never saw them.
    pub skipped: u64,
}

impl Default for EndpointMetrics {
    fn default() -> Self {
        EndpointMetrics {
            latency: new_histogram(),
            latency_expected: new_histogram(),
            service: new_histogram(),
            co_estimate: new_histogram(),
            ttfb: new_histogram(),
            sending: new_histogram(),
            receiving: new_histogram(),
            blocked: new_histogram(),
            connecting: new_histogram(),
            tls_handshaking: new_histogram(),
            connect: new_histogram(),
            connections: 0,
            ok: 0,
            failed: 0,
            status: StatusCounts::default(),
            errors: [0; ErrorKind::COUNT],
            sent_bytes: 0,
            received_bytes: 0,
            decoded_body_bytes: 0,
            skipped: 0,
        }
    }
}

impl EndpointMetrics {
    /// Completed requests (responses and transport errors).
    pub fn requests(&self) -> u64 {
        self.ok + self.failed
    }

    /// Transport errors of every kind.
    pub fn error_total(&self) -> u64 {
        self.errors.iter().sum()
    }

    /// Adds `other` into `self`.
    pub fn merge(&mut self, other: &EndpointMetrics) {
        // Auto-resizing histograms only refuse a merge on allocation failure; a lost merge
        // would under-count, so fall back to recording value by value.
        merge_histogram(&mut self.latency, &other.latency);
        merge_histogram(&mut self.latency_expected, &other.latency_expected);
        merge_histogram(&mut self.service, &other.service);
        merge_histogram(&mut self.co_estimate, &other.co_estimate);
        merge_histogram(&mut self.ttfb, &other.ttfb);
        merge_histogram(&mut self.sending, &other.sending);
        merge_histogram(&mut self.receiving, &other.receiving);
        merge_histogram(&mut self.blocked, &other.blocked);
        merge_histogram(&mut self.connecting, &other.connecting);
        merge_histogram(&mut self.tls_handshaking, &other.tls_handshaking);
        merge_histogram(&mut self.connect, &other.connect);
        self.connections += other.connections;
        self.ok += other.ok;
        self.failed += other.failed;
        self.status.merge(&other.status);
        for (mine, theirs) in self.errors.iter_mut().zip(other.errors) {
            *mine += theirs;
        }
        self.sent_bytes += other.sent_bytes;
        self.received_bytes += other.received_bytes;
        self.decoded_body_bytes += other.decoded_body_bytes;
        self.skipped += other.skipped;
    }
}

/// Adds `from` into `into`.
pub fn merge_histogram(into: &mut LatencyHistogram, from: &LatencyHistogram) {
    if into.add(from).is_err() {
        for v in from.iter_recorded() {
            crate::histogram::record_us_n(into, v.value_iterated_to(), v.count_at_value());
        }
    }
}
