//! One line of `intervals.ndjson` and the conversion of a [`Recorder`] to and from its
//! JSON form. Zero counters, empty maps and empty histograms are left out, so an idle
//! endpoint is `{}` and an idle recorder is not written at all.

use crate::histogram::{HistogramEncoder, decode};
use loadcell_metrics::{CheckCounts, CustomValues, EndpointMetrics, JourneyMetrics, Recorder, Shape};
use loadcell_schema::ErrorKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One interval as stored: its place in time and both of its recorders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct IntervalLine {
    pub seq: u64,
    pub t_s: f64,
    pub len_s: f64,
    pub warmup: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_rate_per_s: Option<f64>,
    /// Left out when nothing was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measured: Option<RecorderRecord>,
    /// Left out when nothing was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warmup_recorder: Option<RecorderRecord>,
    /// `--monitor` readings taken since the previous line (each with its own `t_s`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub monitor: Vec<loadcell_schema::MonitorSample>,
    /// Endpoint slots first registered in this interval (a scenario's redirect hops), after
    /// those of `meta.json` and of earlier lines, index for index.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub new_endpoints: Vec<crate::meta::EndpointSlot>,
}

/// A [`Recorder`] in JSON form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct RecorderRecord {
    pub endpoints: Vec<EndpointRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub journeys: Vec<JourneyRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckRecord>,
    /// A scenario's own metrics (absent in logs written before them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom: Vec<CustomRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect: Option<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub connections_opened: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub iterations: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub scheduled: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dropped: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dropped_loadcell: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dropped_connecting: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_lag: Option<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub late_starts: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub late_starts_held: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub interrupted: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub iterations_cut: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub active_vus: u64,
    /// The first distinct messages of each error kind (`"tls": ["…"]`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub error_messages: BTreeMap<String, Vec<String>>,
}

/// An [`EndpointMetrics`] in JSON form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct EndpointRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<String>,
    /// Latency of the requests that did not fail (absent in logs written before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_expected: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub co_estimate: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttfb: Option<String>,
    /// First byte to last byte of complete responses (absent in logs written before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiving: Option<String>,
    /// Writing the request (k6's `http_req_sending`; absent in logs written before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sending: Option<String>,
    /// k6's per-request phases (absent in logs written before them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connecting: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_handshaking: Option<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub ok: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failed: u64,
    /// Responses by status code (`"200": n`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub status: BTreeMap<u16, u64>,
    /// Transport errors by kind name (`"reset": n`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: BTreeMap<String, u64>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub sent_bytes: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub received_bytes: u64,
    /// See `EndpointMetrics::decoded_body_bytes`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub decoded_body_bytes: u64,
    /// Scenario steps not sent (see `EndpointMetrics::skipped`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub skipped: u64,
    /// Connect times of this endpoint's connections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect: Option<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub connections: u64,
}

/// A [`JourneyMetrics`] in JSON form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct JourneyRecord {
    #[serde(default, skip_serializing_if = "is_zero")]
    pub iterations: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failed: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
}

/// A [`CheckCounts`] in JSON form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct CheckRecord {
    #[serde(default, skip_serializing_if = "is_zero")]
    pub passed: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failed: u64,
}

/// A [`CustomValues`] in JSON form: `min`/`max` only when a value was added.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct CustomRecord {
    #[serde(default, skip_serializing_if = "is_zero")]
    pub count: u64,
    #[serde(default, skip_serializing_if = "is_zero_f")]
    pub sum: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<f64>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub nonzero: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub invalid: u64,
    /// Trend values × 1000 (HdrHistogram V2, base64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub histogram: Option<String>,
}

fn is_zero_f(n: &f64) -> bool {
    *n == 0.0
}

fn encode_custom(enc: &mut HistogramEncoder, c: &CustomValues) -> Result<CustomRecord, String> {
    let added = c.count > 0;
    Ok(CustomRecord {
        count: c.count,
        sum: c.sum,
        min: added.then_some(c.min),
        max: added.then_some(c.max),
        last: added.then_some(c.last),
        nonzero: c.nonzero,
        invalid: c.invalid,
        histogram: enc.encode(&c.histogram)?,
    })
}

fn decode_custom(i: usize, rec: &CustomRecord) -> Result<CustomValues, String> {
    Ok(CustomValues {
        count: rec.count,
        sum: rec.sum,
        min: rec.min.unwrap_or(f64::INFINITY),
        max: rec.max.unwrap_or(f64::NEG_INFINITY),
        last: rec.last.unwrap_or(0.0),
        nonzero: rec.nonzero,
        invalid: rec.invalid,
        histogram: decode(rec.histogram.as_deref()).map_err(|e| format!("custom metric {i}: {e}"))?,
    })
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl RecorderRecord {
    /// Whether this is the form of a recorder in which nothing was recorded.
    pub(crate) fn is_blank(&self) -> bool {
        let blank = RecorderRecord {
            endpoints: vec![EndpointRecord::default(); self.endpoints.len()],
            journeys: vec![JourneyRecord::default(); self.journeys.len()],
            checks: vec![CheckRecord::default(); self.checks.len()],
            custom: vec![CustomRecord::default(); self.custom.len()],
            ..RecorderRecord::default()
        };
        *self == blank
    }

    /// The slots of the recorder this record came from.
    pub(crate) fn shape(&self) -> Shape {
        Shape {
            endpoints: self.endpoints.len(),
            journeys: self.journeys.len(),
            checks: self.checks.len(),
            custom: self.custom.len(),
        }
    }
}

/// The JSON form of `r`.
pub(crate) fn encode_recorder(enc: &mut HistogramEncoder, r: &Recorder) -> Result<RecorderRecord, String> {
    let endpoints = r
        .endpoints
        .iter()
        .map(|ep| encode_endpoint(enc, ep))
        .collect::<Result<_, _>>()?;
    let journeys = r
        .journeys
        .iter()
        .map(|j| {
            Ok(JourneyRecord {
                iterations: j.iterations,
                failed: j.failed,
                duration: enc.encode(&j.duration)?,
            })
        })
        .collect::<Result<_, String>>()?;
    Ok(RecorderRecord {
        endpoints,
        journeys,
        checks: r
            .checks
            .iter()
            .map(|c| CheckRecord {
                passed: c.passed,
                failed: c.failed,
            })
            .collect(),
        custom: r
            .custom
            .iter()
            .map(|c| encode_custom(enc, c))
            .collect::<Result<_, _>>()?,
        connect: enc.encode(&r.connect)?,
        connections_opened: r.connections_opened,
        iterations: r.iterations,
        scheduled: r.scheduled,
        dropped: r.dropped,
        dropped_loadcell: r.dropped_loadcell,
        dropped_connecting: r.dropped_connecting,
        schedule_lag: enc.encode(&r.schedule_lag)?,
        late_starts: r.late_starts,
        late_starts_held: r.late_starts_held,
        interrupted: r.interrupted,
        iterations_cut: r.iterations_cut,
        active_vus: r.active_vus,
        error_messages: r.error_messages.to_map(),
    })
}

fn encode_endpoint(enc: &mut HistogramEncoder, ep: &EndpointMetrics) -> Result<EndpointRecord, String> {
    Ok(EndpointRecord {
        latency: enc.encode(&ep.latency)?,
        latency_expected: enc.encode(&ep.latency_expected)?,
        service: enc.encode(&ep.service)?,
        co_estimate: enc.encode(&ep.co_estimate)?,
        ttfb: enc.encode(&ep.ttfb)?,
        receiving: enc.encode(&ep.receiving)?,
        sending: enc.encode(&ep.sending)?,
        blocked: enc.encode(&ep.blocked)?,
        connecting: enc.encode(&ep.connecting)?,
        tls_handshaking: enc.encode(&ep.tls_handshaking)?,
        ok: ep.ok,
        failed: ep.failed,
        status: ep.status.sorted().into_iter().collect(),
        errors: ErrorKind::ALL
            .into_iter()
            .filter(|k| ep.errors[k.as_index()] > 0)
            .map(|k| (k.as_str().to_string(), ep.errors[k.as_index()]))
            .collect(),
        sent_bytes: ep.sent_bytes,
        received_bytes: ep.received_bytes,
        decoded_body_bytes: ep.decoded_body_bytes,
        skipped: ep.skipped,
        connect: enc.encode(&ep.connect)?,
        connections: ep.connections,
    })
}

/// The recorder `rec` stands for. Error kinds this version does not know count as `other`.
pub(crate) fn decode_recorder(rec: &RecorderRecord) -> Result<Recorder, String> {
    let mut r = Recorder::with_shape(rec.shape());
    r.endpoints = rec
        .endpoints
        .iter()
        .enumerate()
        .map(|(i, ep)| decode_endpoint(ep).map_err(|e| format!("endpoint {i}: {e}")))
        .collect::<Result<_, _>>()?;
    r.journeys = rec
        .journeys
        .iter()
        .enumerate()
        .map(|(i, j)| {
            Ok(JourneyMetrics {
                iterations: j.iterations,
                failed: j.failed,
                duration: decode(j.duration.as_deref()).map_err(|e| format!("journey {i} duration: {e}"))?,
            })
        })
        .collect::<Result<_, String>>()?;
    r.checks = rec
        .checks
        .iter()
        .map(|c| CheckCounts {
            passed: c.passed,
            failed: c.failed,
        })
        .collect();
    r.custom = rec
        .custom
        .iter()
        .enumerate()
        .map(|(i, c)| decode_custom(i, c))
        .collect::<Result<_, _>>()?;
    r.connect = decode(rec.connect.as_deref()).map_err(|e| format!("connect: {e}"))?;
    r.connections_opened = rec.connections_opened;
    r.iterations = rec.iterations;
    r.scheduled = rec.scheduled;
    r.dropped = rec.dropped;
    r.dropped_loadcell = rec.dropped_loadcell;
    r.dropped_connecting = rec.dropped_connecting;
    r.schedule_lag = decode(rec.schedule_lag.as_deref()).map_err(|e| format!("schedule_lag: {e}"))?;
    r.late_starts = rec.late_starts;
    r.late_starts_held = rec.late_starts_held;
    r.interrupted = rec.interrupted;
    r.iterations_cut = rec.iterations_cut;
    r.active_vus = rec.active_vus;
    for (name, messages) in &rec.error_messages {
        let kind = ErrorKind::from_name(name).unwrap_or(ErrorKind::Other);
        for message in messages {
            r.record_error_message(kind, message);
        }
    }
    Ok(r)
}

fn decode_endpoint(rec: &EndpointRecord) -> Result<EndpointMetrics, String> {
    let histogram = |name: &str, text: &Option<String>| decode(text.as_deref()).map_err(|e| format!("{name}: {e}"));
    let mut ep = EndpointMetrics {
        latency: histogram("latency", &rec.latency)?,
        latency_expected: histogram("latency_expected", &rec.latency_expected)?,
        service: histogram("service", &rec.service)?,
        co_estimate: histogram("co_estimate", &rec.co_estimate)?,
        ttfb: histogram("ttfb", &rec.ttfb)?,
        receiving: histogram("receiving", &rec.receiving)?,
        sending: histogram("sending", &rec.sending)?,
        blocked: histogram("blocked", &rec.blocked)?,
        connecting: histogram("connecting", &rec.connecting)?,
        tls_handshaking: histogram("tls_handshaking", &rec.tls_handshaking)?,
        ok: rec.ok,
        failed: rec.failed,
        sent_bytes: rec.sent_bytes,
        received_bytes: rec.received_bytes,
        decoded_body_bytes: rec.decoded_body_bytes,
        skipped: rec.skipped,
        connect: histogram("connect", &rec.connect)?,
        connections: rec.connections,
        ..EndpointMetrics::default()
    };
    for (&code, &n) in &rec.status {
        ep.status.add(code, n);
    }
    for (name, &n) in &rec.errors {
        let kind = ErrorKind::from_name(name).unwrap_or(ErrorKind::Other);
        ep.errors[kind.as_index()] += n;
    }
    Ok(ep)
}
