//! The metrics a threshold can name (k6 names), their kinds, and the
//! aggregations each kind supports.

use crate::filter::TagKey;
use std::fmt;

/// The tags of one request: where it was sent and by which step. Durations, failures and
/// bytes are kept per request slot, so these split them; a status is not (see `HTTP_REQS_TAGS`).
const REQUEST_TAGS: &[TagKey] = &[
    TagKey::Endpoint,
    TagKey::Name,
    TagKey::Method,
    TagKey::Url,
    TagKey::Journey,
    TagKey::Step,
    TagKey::Scenario,
    TagKey::Group,
];
/// Latency is also kept for the requests that did not fail (k6's default
/// `http_req_duration{expected_response:true}`).
const DURATION_TAGS: &[TagKey] = &[
    TagKey::Endpoint,
    TagKey::Name,
    TagKey::Method,
    TagKey::Url,
    TagKey::Journey,
    TagKey::Step,
    TagKey::Scenario,
    TagKey::Group,
    TagKey::ExpectedResponse,
];
/// Requests are also counted per status code, so `http_reqs` alone splits by status too.
const HTTP_REQS_TAGS: &[TagKey] = &[
    TagKey::Endpoint,
    TagKey::Name,
    TagKey::Method,
    TagKey::Url,
    TagKey::Journey,
    TagKey::Step,
    TagKey::Status,
    TagKey::Scenario,
    TagKey::Group,
    TagKey::ExpectedResponse,
    TagKey::Error,
];
/// `http_req_failed` counts failures per slot, so it splits by whether a response was expected.
const FAILED_TAGS: &[TagKey] = &[
    TagKey::Endpoint,
    TagKey::Name,
    TagKey::Method,
    TagKey::Url,
    TagKey::Journey,
    TagKey::Step,
    TagKey::Scenario,
    TagKey::Group,
    TagKey::ExpectedResponse,
];
const CHECK_TAGS: &[TagKey] = &[
    TagKey::Check,
    TagKey::Name,
    TagKey::Journey,
    TagKey::Step,
    TagKey::Scenario,
    TagKey::Group,
];

/// A metric a threshold can check, named as in k6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// Total request time (trend, ms).
    HttpReqDuration,
    /// Writing the request, head and body (trend, ms).
    HttpReqSending,
    /// From the request written to the first response byte (trend, ms).
    HttpReqWaiting,
    /// Per request, the TCP connect of a connection opened for it, else 0 (trend, ms).
    HttpReqConnecting,
    /// Per request, waiting for a connection slot and the DNS lookup (trend, ms).
    HttpReqBlocked,
    /// Per request, the TLS handshake of a connection opened for it, else 0 (trend, ms).
    HttpReqTlsHandshaking,
    /// First response byte to the last (trend, ms).
    HttpReqReceiving,
    /// One iteration: a journey in scenario runs, a request in quick mode (trend, ms).
    IterationDuration,
    /// One journey's iterations (trend, ms), k6's duration of a group; filter by `journey`.
    GroupDuration,
    /// Share of failed requests (rate, fraction 0..1).
    HttpReqFailed,
    /// Requests (counter).
    HttpReqs,
    /// Completed iterations (counter).
    Iterations,
    /// Iterations the open model could not start (counter).
    DroppedIterations,
    /// Share of passed checks (rate, fraction 0..1).
    Checks,
    /// Bytes received (counter).
    DataReceived,
    /// Bytes sent (counter).
    DataSent,
    /// Active virtual users (gauge).
    Vus,
    /// Allocated virtual users (gauge).
    VusMax,
    /// CPU of the monitored target, % of one core (resource; `--monitor` readings).
    TargetCpu,
    /// Resident memory of the monitored target, bytes (resource).
    TargetRss,
    /// Open file descriptors of the monitored target (resource).
    TargetFds,
    /// A metric the scenario declares itself (`metrics:`), see [`Custom`].
    Custom(Custom),
}

/// A scenario's own metric as a threshold names it: its place among the declared metrics,
/// its kind (counter, trend, rate or gauge) and the unit of its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Custom {
    /// The declaration's index in the scenario's `metrics:` (and in every recorder).
    pub index: usize,
    /// Its name, interned once when the scenario is loaded (see [`Custom::new`]).
    pub name: &'static str,
    pub kind: MetricKind,
    /// The unit of its values: milliseconds, bytes or a plain number.
    pub unit: crate::Unit,
}

impl Custom {
    /// A custom metric; `kind` must be a trend, rate, counter or gauge and `unit` one of
    /// `Millis`, `Bytes` or `Count`. Its name is interned: kept for the life of the process,
    /// once per distinct name, so that [`Metric`] stays `Copy`.
    pub fn new(index: usize, name: &str, kind: MetricKind, unit: crate::Unit) -> Custom {
        Custom {
            index,
            name: intern(name),
            kind,
            unit,
        }
    }
}

/// One `&'static str` per distinct name. Called only while a scenario is loaded (never on a
/// request path), so the lock is never contended.
fn intern(name: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(|| Mutex::new(HashSet::new()))
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(known) = names.get(name) {
        return known;
    }
    let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
    names.insert(leaked);
    leaked
}

/// How a metric is recorded, which decides its valid aggregations (as in k6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetricKind {
    /// A distribution of values: `p(N)`, `avg`, `min`, `max`, `med`.
    Trend,
    /// A share of non-zero samples: `rate`.
    Rate,
    /// A running total: `count`, `rate` (per second).
    Counter,
    /// A current value: `value` only, as in k6 (its gauge sink keeps min and max, but k6's
    /// threshold validation refuses them).
    Gauge,
    /// The target's resource use, read once per interval by `--monitor`: `max` (the short
    /// form's meaning), `avg`, `min`, `value` (the last reading).
    Resource,
}

impl Metric {
    /// Every metric, in documentation order.
    pub const ALL: [Metric; 21] = [
        Metric::HttpReqDuration,
        Metric::HttpReqSending,
        Metric::HttpReqWaiting,
        Metric::HttpReqConnecting,
        Metric::HttpReqBlocked,
        Metric::HttpReqTlsHandshaking,
        Metric::HttpReqReceiving,
        Metric::IterationDuration,
        Metric::GroupDuration,
        Metric::HttpReqFailed,
        Metric::HttpReqs,
        Metric::Iterations,
        Metric::DroppedIterations,
        Metric::Checks,
        Metric::DataReceived,
        Metric::DataSent,
        Metric::Vus,
        Metric::VusMax,
        Metric::TargetCpu,
        Metric::TargetRss,
        Metric::TargetFds,
    ];

    /// The k6 name, e.g. `http_req_duration`.
    pub fn name(&self) -> &'static str {
        match self {
            Metric::HttpReqDuration => "http_req_duration",
            Metric::HttpReqSending => "http_req_sending",
            Metric::HttpReqWaiting => "http_req_waiting",
            Metric::HttpReqConnecting => "http_req_connecting",
            Metric::HttpReqBlocked => "http_req_blocked",
            Metric::HttpReqTlsHandshaking => "http_req_tls_handshaking",
            Metric::HttpReqReceiving => "http_req_receiving",
            Metric::IterationDuration => "iteration_duration",
            Metric::GroupDuration => "group_duration",
            Metric::HttpReqFailed => "http_req_failed",
            Metric::HttpReqs => "http_reqs",
            Metric::Iterations => "iterations",
            Metric::DroppedIterations => "dropped_iterations",
            Metric::Checks => "checks",
            Metric::DataReceived => "data_received",
            Metric::DataSent => "data_sent",
            Metric::Vus => "vus",
            Metric::VusMax => "vus_max",
            Metric::TargetCpu => "target_cpu",
            Metric::TargetRss => "target_rss",
            Metric::TargetFds => "target_fds",
            Metric::Custom(c) => c.name,
        }
    }

    /// The metric with this exact k6 name.
    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The tags this metric can be filtered by — exactly those the measured results are
    /// split by: a request's slot for request metrics (and its status for `http_reqs`), the
    /// journey for iterations, only the run's (single) scenario for what belongs to the whole
    /// run (connections are pooled, not opened per step), none for the target's resources.
    pub fn tag_keys(&self) -> &'static [TagKey] {
        match self {
            Metric::HttpReqDuration => DURATION_TAGS,
            Metric::HttpReqSending
            | Metric::HttpReqWaiting
            | Metric::HttpReqReceiving
            | Metric::HttpReqConnecting
            | Metric::HttpReqBlocked
            | Metric::HttpReqTlsHandshaking
            | Metric::DataReceived
            | Metric::DataSent => REQUEST_TAGS,
            Metric::HttpReqFailed => FAILED_TAGS,
            Metric::HttpReqs => HTTP_REQS_TAGS,
            Metric::Checks => CHECK_TAGS,
            Metric::Iterations | Metric::IterationDuration | Metric::GroupDuration => {
                &[TagKey::Journey, TagKey::Scenario, TagKey::Group]
            }
            Metric::DroppedIterations | Metric::Vus | Metric::VusMax => &[TagKey::Scenario],
            // Kept per step that adds to them, as checks are (k6 tags their samples with the
            // VU's scenario and group, not the request's name).
            Metric::Custom(_) => &[TagKey::Journey, TagKey::Step, TagKey::Scenario, TagKey::Group],
            Metric::TargetCpu | Metric::TargetRss | Metric::TargetFds => &[],
        }
    }

    /// Whether the scenario file's own tags split this metric: they are carried by requests,
    /// checks and (journey and scenario tags) iterations.
    pub fn takes_custom_tags(&self) -> bool {
        self.tag_keys().contains(&TagKey::Journey)
    }

    /// Trend, rate, counter or gauge.
    pub fn kind(&self) -> MetricKind {
        match self {
            Metric::HttpReqDuration
            | Metric::HttpReqSending
            | Metric::HttpReqWaiting
            | Metric::HttpReqConnecting
            | Metric::HttpReqBlocked
            | Metric::HttpReqTlsHandshaking
            | Metric::HttpReqReceiving
            | Metric::IterationDuration
            | Metric::GroupDuration => MetricKind::Trend,
            Metric::HttpReqFailed | Metric::Checks => MetricKind::Rate,
            Metric::HttpReqs
            | Metric::Iterations
            | Metric::DroppedIterations
            | Metric::DataReceived
            | Metric::DataSent => MetricKind::Counter,
            Metric::Vus | Metric::VusMax => MetricKind::Gauge,
            Metric::TargetCpu | Metric::TargetRss | Metric::TargetFds => MetricKind::Resource,
            Metric::Custom(c) => c.kind,
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl MetricKind {
    /// Whether `aggregation` applies to metrics of this kind.
    pub fn allows(self, aggregation: Aggregation) -> bool {
        use Aggregation as A;
        match self {
            MetricKind::Trend => matches!(aggregation, A::Percentile(_) | A::Avg | A::Min | A::Max | A::Med),
            MetricKind::Rate => matches!(aggregation, A::Rate),
            MetricKind::Counter => matches!(aggregation, A::Count | A::Rate),
            MetricKind::Gauge => matches!(aggregation, A::Value),
            MetricKind::Resource => matches!(aggregation, A::Max | A::Avg | A::Min | A::Value),
        }
    }

    /// The valid aggregations as text for error messages.
    pub fn aggregation_hint(self) -> &'static str {
        match self {
            MetricKind::Trend => "p(N), avg, min, max or med",
            MetricKind::Rate => "rate",
            MetricKind::Counter => "count or rate",
            MetricKind::Gauge => "value",
            MetricKind::Resource => "max, avg, min or value",
        }
    }
}

/// What to compute from a metric's samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Aggregation {
    /// The N-th percentile, N in 0..=100 (`p(95)`, `p(99.9)`).
    Percentile(f64),
    Avg,
    Min,
    Max,
    /// The median (k6 `med`).
    Med,
    /// Rate metrics: share of non-zero samples (fraction 0..1).
    /// Counters: total divided by the measured seconds (per second).
    Rate,
    /// Counters: the total.
    Count,
    /// Gauges: the last value.
    Value,
}

impl fmt::Display for Aggregation {
    /// The k6 spelling: `p(95)`, `avg`, `med`, `rate`, ...
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Aggregation::Percentile(p) => write!(f, "p({p})"),
            Aggregation::Avg => f.write_str("avg"),
            Aggregation::Min => f.write_str("min"),
            Aggregation::Max => f.write_str("max"),
            Aggregation::Med => f.write_str("med"),
            Aggregation::Rate => f.write_str("rate"),
            Aggregation::Count => f.write_str("count"),
            Aggregation::Value => f.write_str("value"),
        }
    }
}
