//! The `summary.json` document: what a run did, in numbers, with its verdicts.
//!
//! Durations are milliseconds (`*_ms`), rates are per second (`*_per_s`), counts are plain
//! integers. Latency statistics come from merged HDR histograms, never from averaged
//! percentiles. See `docs/summary-schema.md` for the meaning of every field.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How load was generated, which decides what latency means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Model {
    /// Virtual users loop request → response → next request.
    Closed,
    /// Iterations start on a fixed arrival schedule whatever the target's response time.
    Open,
}

impl Model {
    /// The lower-case name used in JSON and the terminal.
    pub fn as_str(self) -> &'static str {
        match self {
            Model::Closed => "closed",
            Model::Open => "open",
        }
    }
}

/// Why the run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The planned duration (or the last stage) elapsed.
    Duration,
    /// The `--requests` budget was used up.
    Requests,
    /// The user interrupted the run (Ctrl-C / SIGINT / SIGTERM).
    Interrupted,
    /// `--abort-on-fail` ended the run because a threshold could no longer hold.
    ThresholdAborted,
    /// A scenario's `unique` (or `on_exhausted: stop`) test data ran out.
    DataExhausted,
    /// The scenario's `setup:` failed or timed out: no load was sent after it.
    SetupFailed,
}

/// Latency statistics of one histogram, in milliseconds. An empty histogram (`count` 0)
/// has no minimum, mean or percentiles: they are written as `null` in JSON (and read back
/// as 0 here, where `count` says they mean nothing).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct LatencyStats {
    pub count: u64,
    #[serde(deserialize_with = "null_as_zero")]
    pub min: f64,
    #[serde(deserialize_with = "null_as_zero")]
    pub mean: f64,
    #[serde(deserialize_with = "null_as_zero")]
    pub stdev: f64,
    #[serde(deserialize_with = "null_as_zero")]
    pub p50: f64,
    #[serde(deserialize_with = "null_as_zero")]
    pub p90: f64,
    #[serde(deserialize_with = "null_as_zero")]
    pub p95: f64,
    #[serde(deserialize_with = "null_as_zero")]
    pub p99: f64,
    #[serde(deserialize_with = "null_as_zero")]
    pub p999: f64,
    #[serde(deserialize_with = "null_as_zero")]
    pub max: f64,
}

impl Serialize for LatencyStats {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let value = |v: f64| (self.count > 0).then_some(v);
        let mut out = serializer.serialize_struct("LatencyStats", 10)?;
        out.serialize_field("count", &self.count)?;
        for (name, v) in [
            ("min", self.min),
            ("mean", self.mean),
            ("stdev", self.stdev),
            ("p50", self.p50),
            ("p90", self.p90),
            ("p95", self.p95),
            ("p99", self.p99),
            ("p999", self.p999),
            ("max", self.max),
        ] {
            out.serialize_field(name, &value(v))?;
        }
        out.end()
    }
}

fn null_as_zero<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(0.0))
}

/// Request counts of the measured period (warm-up excluded).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Requests {
    /// Requests that completed with a response or a transport error.
    pub total: u64,
    /// Responses with a status below 400.
    pub ok: u64,
    /// Transport errors plus responses with status 400 or above.
    pub failed: u64,
    /// `total` divided by the measured duration.
    pub rate_per_s: f64,
    /// Requests still in flight when the run ended and the grace period ran out: counted in
    /// `total` and `failed` (error `unfinished`, their age at the cut as latency).
    pub interrupted: u64,
    /// Requests completed during `--warmup`; not in `total`.
    pub warmup: u64,
}

/// Iteration counts: in quick mode one iteration is one request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Iterations {
    /// Iterations completed in the measured period.
    pub total: u64,
    /// `total` per second of measured time.
    pub rate_per_s: f64,
    /// Open model: iterations scheduled by the arrival schedule.
    pub scheduled: u64,
    /// Open model: scheduled iterations that found no free VU and were not started.
    pub dropped: u64,
    /// Iterations still under way when the run was cut (sent or not): with `total` and
    /// `dropped`, every scheduled arrival is accounted for.
    #[serde(default)]
    pub cut: u64,
}

/// Bytes on the wire, HTTP framing included, TLS overhead excluded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DataVolume {
    pub sent_bytes: u64,
    pub received_bytes: u64,
    /// Response bodies after their `Content-Encoding` (gzip, deflate, br, zstd) was undone,
    /// for the responses loadcell read (scenario steps); 0 in quick mode, which never
    /// decodes. Beside `received_bytes` (compressed, on the wire) it shows what compression
    /// saved.
    #[serde(default)]
    pub decoded_body_bytes: u64,
}

/// Open model: what rate was asked for and what was achieved.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ArrivalRate {
    /// Mean target arrival rate over the measured period (iterations per second).
    pub target_per_s: f64,
    /// Iterations actually started per second.
    pub achieved_per_s: f64,
}

/// Open model: how well loadcell kept its own schedule, so that its own lateness and
/// drops are never taken for the target's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    /// From each iteration's scheduled start to the send of its first request, the time
    /// spent opening a connection left out: loadcell's own lateness (its timer and batching,
    /// its event loop, waiting for a connection slot). Latency includes it.
    pub lag_ms: LatencyStats,
    /// Of `iterations.dropped`: arrivals dropped while most busy VUs had not sent yet and were
    /// not connecting — waiting on loadcell itself — or that loadcell never reached in time.
    pub dropped_loadcell: u64,
    /// Of `iterations.dropped`: dropped while most busy VUs were opening connections.
    pub dropped_connecting: u64,
    /// Of `iterations.dropped`: dropped while most busy VUs waited on the target (a request
    /// in flight, or the journey under way).
    pub dropped_target: u64,
    /// VUs allocated before the first arrival.
    pub pre_allocated_vus: u64,
    /// VUs started over the run (pre-allocated included).
    pub vus_started: u64,
    /// Times the machine held loadcell's worker threads off their CPU when they were due to
    /// run, seen where the scheduler sleeps (a lower bound): waiting while another process or
    /// a kernel thread ran, and paused — neither running nor waiting (a virtual machine's
    /// host took the CPU, or the process was stopped). How many, ms in all (summed over the
    /// threads), the longest.
    #[serde(default)]
    pub cpu_waits: u64,
    #[serde(default)]
    pub cpu_waited_ms: f64,
    #[serde(default)]
    pub longest_cpu_wait_ms: f64,
    #[serde(default)]
    pub pauses: u64,
    #[serde(default)]
    pub paused_ms: f64,
    #[serde(default)]
    pub longest_pause_ms: f64,
    /// Iterations that started over 1 ms after their scheduled time, and of those the ones
    /// due while the machine held a worker thread off its CPU or before the thread had caught
    /// up after the hold: the machine's share of the lateness, counted.
    #[serde(default)]
    pub late_starts: u64,
    #[serde(default)]
    pub late_starts_held: u64,
}

/// Virtual-user counts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Vus {
    /// Highest number of VUs active at once. Exact with one worker thread and in the closed
    /// model (whose VUs stay busy); in the open model with several threads it is, for each
    /// second, the sum of each thread's own peak, so an upper bound: threads may peak at
    /// different moments of the second (one shared counter would cost every iteration a
    /// contended atomic).
    pub max: u64,
    /// The configured ceiling (`--max-vus` in the open model, the concurrency otherwise).
    pub limit: u64,
    /// Closed model: VUs that never began an iteration (VUs are started no faster than
    /// their connections open; the run ended first).
    #[serde(default)]
    pub never_started: u64,
}

/// The load generator's own health: a saturated generator lies about the target.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Generator {
    /// Worker threads that generated load.
    pub threads: u64,
    /// CPU time loadcell used, as a percentage of the worker threads' capacity.
    pub cpu_percent: f64,
    /// CPU microseconds loadcell spent per completed request.
    pub cpu_us_per_request: f64,
    /// Peak resident memory in MiB.
    pub max_rss_mib: f64,
    /// The CPU and memory figures are not known (0 here): a report rebuilt from a folder
    /// whose run never wrote its end. Omitted when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub usage_unknown: bool,
    /// Warnings about the measurement itself (generator saturated, CO estimate gap, ...).
    pub warnings: Vec<String>,
}

/// One endpoint (method + templated path) and its numbers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EndpointSummary {
    /// `METHOD /path` (templated in scenarios, so ids do not split endpoints).
    pub name: String,
    pub method: String,
    pub requests: u64,
    pub ok: u64,
    pub failed: u64,
    pub rate_per_s: f64,
    pub latency_ms: LatencyStats,
    pub ttfb_ms: LatencyStats,
    /// Connections opened for this endpoint's requests and how long opening them took.
    #[serde(default)]
    pub connections: u64,
    #[serde(default)]
    pub connect_ms: LatencyStats,
    pub status_codes: BTreeMap<String, u64>,
    pub errors: BTreeMap<String, u64>,
    /// Scenario steps not sent: a variable they need was never extracted, or their URL left
    /// the target's origin. Not in `requests`.
    #[serde(default)]
    pub skipped: u64,
}

/// One journey of a scenario run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JourneySummary {
    pub name: String,
    pub iterations: u64,
    /// Iterations in which a request, a check or an extraction failed.
    pub failed: u64,
    pub rate_per_s: f64,
    /// Iteration duration (think time included), from the scheduled start in the open model.
    pub duration_ms: LatencyStats,
    /// Requests made by this journey and their latency.
    pub requests: u64,
    pub latency_ms: LatencyStats,
}

/// One entry of a scenario file's `scenarios:`: its executor and what its journeys did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScenarioSummary {
    pub name: String,
    /// k6's executor name (`constant-arrival-rate`, `ramping-vus` …).
    pub executor: String,
    /// Seconds after the start of the run that the scenario began.
    pub start_time_s: f64,
    pub journeys: Vec<String>,
    pub iterations: u64,
    /// Iterations in which a request, a check or an extraction failed.
    pub failed_iterations: u64,
    pub requests: u64,
    pub failed_requests: u64,
    /// Requests per second over the run's measured time.
    pub rate_per_s: f64,
    /// From the scheduled start for arrival-rate executors, from the send for VU executors.
    pub latency_ms: LatencyStats,
    pub checks_passed: u64,
    pub checks_failed: u64,
}

/// A scenario file's `setup:` or `teardown:`: how long it ran, the requests it sent (also
/// counted in the run's totals, as k6 counts them), and why it failed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LifecycleSummary {
    /// `setup` or `teardown`.
    pub phase: String,
    pub duration_s: f64,
    #[serde(default)]
    pub requests: u64,
    #[serde(default)]
    pub failed_requests: u64,
    /// Why it did not complete (a step's failure, `timed out after 60s`, `interrupted`);
    /// absent when every step passed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One check of a scenario step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckSummary {
    pub journey: String,
    pub step: String,
    pub name: String,
    pub passed: u64,
    pub failed: u64,
    /// `passed / (passed + failed)`; 1 when the check never ran.
    pub pass_rate: f64,
}

/// One point of the latency percentile spectrum (HdrHistogram-style plot).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PercentilePoint {
    /// 0 to 100.
    pub percentile: f64,
    pub latency_ms: f64,
}

/// One stage of the load curve, for marking charts and naming phases.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StageMark {
    /// Seconds since the start of the run (warm-up included).
    pub start_s: f64,
    pub end_s: f64,
    /// Level at the start and end of the stage (linear in between).
    pub from: f64,
    pub to: f64,
    /// `vus` (closed model) or `iterations/s` (open model).
    pub unit: String,
    /// The phase this stage is, when the stages come from a test-type profile
    /// (`ramp up`, `hold 100%`, `step 150%`, `spike ×5`, `recovery`, `ramp down`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Measured results of one stage of the load curve (runs with more than one stage).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PhaseSummary {
    /// The stage's phase name (profiles), or `stage N`.
    pub name: String,
    pub start_s: f64,
    pub end_s: f64,
    /// The level the stage ramps to (VUs or iterations/s).
    pub level: f64,
    /// Measured seconds of the stage (warm-up excluded).
    pub seconds: f64,
    pub requests: u64,
    /// Requests per second achieved in the stage.
    pub rate_per_s: f64,
    pub latency_ms: LatencyStats,
    /// `requests.failed / requests` in the stage, 0 to 1.
    pub error_rate: f64,
    pub errors: BTreeMap<String, u64>,
    pub dropped_iterations: u64,
    /// Whether the run's thresholds held on this stage's results alone (`None` without thresholds).
    pub thresholds_passed: Option<bool>,
    /// The thresholds that failed on this stage.
    pub failed_thresholds: Vec<String>,
    /// `--postgres` over this step's own measured window (`capacity` and `scale`; a staged
    /// run's database window is the whole run's `postgres[]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub postgres: Vec<crate::PostgresSummary>,
    /// Which resource limited the target during this stage alone, from its own evidence
    /// (`docs/bottlenecks.md`: the load-level verdicts; memory, file descriptors and the
    /// generator are judged on the whole run).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bottlenecks: Vec<crate::Bottleneck>,
}

/// The first stage whose results broke the thresholds, and how the target broke.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BreakingPoint {
    /// Index into `phases`.
    pub phase: usize,
    pub name: String,
    /// The level of that stage (VUs or iterations/s) and what was achieved.
    pub level: f64,
    pub rate_per_s: f64,
    /// The last stage that held, if any.
    pub last_good: Option<String>,
    /// How it broke: `latency climbed`, `errors appeared`, `timeouts`, `rate not kept`
    /// (loadcell dropped iterations), `throughput fell short` (the target completed less than
    /// was offered), or `threshold` when none of these explains the failed threshold.
    pub how: Vec<String>,
    /// The same, explained for people.
    pub detail: Vec<String>,
    /// Whether it broke gracefully, judged on the breaking stage and the stages after it at
    /// the same level or higher: `graceful` (it kept completing at least 90% of the best
    /// successful requests/s of the stages that held, while latency or errors rose),
    /// `fell over` (under half of that, or most requests failed), `degraded` in between;
    /// `None` when no stage held before it (nothing to compare with).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behaviour: Option<Behaviour>,
    /// The same, with the numbers, e.g. `kept 352 ok requests/s (best before: 298/s) while
    /// p95 rose to 840 ms`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behaviour_detail: Option<String>,
}

/// How a target broke past its breaking point (see [`BreakingPoint::behaviour`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Behaviour {
    /// It kept completing at least 90% of the best successful throughput before.
    #[serde(rename = "graceful")]
    Graceful,
    /// Between graceful and fell over.
    #[serde(rename = "degraded")]
    Degraded,
    /// Under half of that, or most requests failed.
    #[serde(rename = "fell over")]
    FellOver,
}

impl Behaviour {
    /// The word as `summary.json` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Behaviour::Graceful => "graceful",
            Behaviour::Degraded => "degraded",
            Behaviour::FellOver => "fell over",
        }
    }
}

/// Where and how the run was made.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunMetadata {
    /// The command line, with values of secret-looking flags and headers redacted.
    pub command: Vec<String>,
    pub host: String,
    pub os: String,
    pub cpus: u64,
    /// The scenario file's text with secret-looking values redacted (scenario runs).
    pub scenario: Option<String>,
}

/// A threshold's verdict.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ThresholdResult {
    /// The expression as the user wrote it.
    pub expr: String,
    pub passed: bool,
    /// The measured value in the threshold's unit (ms, fraction, per second, count);
    /// `null` when there was no data for it.
    pub actual: Option<f64>,
    /// The measured value formatted with its unit, e.g. `212.4 ms`, `0.8%`.
    pub actual_text: String,
    /// The limit formatted with its unit, e.g. `< 200 ms`.
    pub limit: String,
}

/// One second of the run (or the last partial second).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IntervalSummary {
    /// Seconds since the start of the run (warm-up included) at the end of this interval.
    pub t_s: f64,
    /// Length of the interval in seconds (1 except for the last one).
    pub len_s: f64,
    /// True while the warm-up lasted; excluded from the totals.
    pub warmup: bool,
    pub requests: u64,
    pub ok: u64,
    pub failed: u64,
    pub rate_per_s: f64,
    pub latency_ms: LatencyStats,
    pub status_codes: BTreeMap<String, u64>,
    pub errors: BTreeMap<String, u64>,
    pub sent_bytes: u64,
    pub received_bytes: u64,
    pub iterations: u64,
    pub dropped_iterations: u64,
    pub active_vus: u64,
    /// Open model: the target arrival rate at the end of this interval.
    pub target_rate_per_s: Option<f64>,
}

/// The whole `summary.json` document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub schema_version: u32,
    pub loadcell_version: String,
    /// The URL (quick mode) or scenario name.
    pub target: String,
    pub model: Model,
    /// What latency is measured from: `request sent` (closed) or `scheduled start` (open).
    pub latency_measured_from: String,
    pub started_at: String,
    pub ended_at: String,
    /// Measured seconds (warm-up excluded).
    pub duration_s: f64,
    pub warmup_s: f64,
    pub stop_reason: StopReason,
    pub requests: Requests,
    pub iterations: Iterations,
    /// Same as `iterations.dropped`, at the top level for quick access.
    pub dropped_iterations: u64,
    pub latency_ms: LatencyStats,
    /// `latency_ms` of the requests that did not fail, a response below 400 (k6's
    /// `http_req_duration{expected_response:true}`).
    #[serde(default)]
    pub latency_expected_ms: LatencyStats,
    /// Open model: time from the actual send to the response (what the server did).
    pub service_time_ms: Option<LatencyStats>,
    /// Open model: loadcell's own schedule lag and the causes of dropped arrivals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    /// Closed model: latency corrected for coordinated omission by back-filling at each
    /// worker thread's typical request interval (HdrHistogram's method). An estimate.
    pub latency_co_estimate_ms: Option<LatencyStats>,
    /// From the request written (HTTP/1.1; the send over HTTP/2) to the first response byte
    /// (k6's `http_req_waiting`).
    pub ttfb_ms: LatencyStats,
    /// Writing the request, head and body, to the socket: complete HTTP/1.1 responses only
    /// (k6's `http_req_sending`). `sending + ttfb + receiving` is the time from the send.
    #[serde(default)]
    pub sending_ms: LatencyStats,
    /// From the first response byte to the last, complete responses only (k6's
    /// `http_req_receiving`).
    #[serde(default)]
    pub receiving_ms: LatencyStats,
    /// Per request, from the call to send until it went out, less TCP and TLS: waiting for
    /// a connection slot and the DNS lookup (k6's `http_req_blocked`).
    #[serde(default)]
    pub blocked_ms: LatencyStats,
    /// Per request, the TCP connect of a connection opened for it, 0 on a reused one (k6's
    /// `http_req_connecting`).
    #[serde(default)]
    pub connecting_ms: LatencyStats,
    /// Per request, the TLS handshake of a connection opened for it, 0 otherwise (k6's
    /// `http_req_tls_handshaking`).
    #[serde(default)]
    pub tls_handshaking_ms: LatencyStats,
    /// Per iteration (k6's `iteration_duration`): every journey's duration merged in
    /// scenario runs; in quick mode an iteration is one request, so its latency.
    #[serde(default)]
    pub iteration_duration_ms: LatencyStats,
    /// Time to open a connection: DNS, TCP and TLS.
    pub connect_ms: LatencyStats,
    pub connections_opened: u64,
    pub status_codes: BTreeMap<String, u64>,
    pub errors: BTreeMap<String, u64>,
    /// The first few distinct messages of each error kind in `errors` (at most 3 per kind,
    /// each at most 300 characters), in the order they were first seen: what to fix.
    #[serde(default)]
    pub error_messages: BTreeMap<String, Vec<String>>,
    pub data: DataVolume,
    pub vus: Vus,
    pub arrival_rate: Option<ArrivalRate>,
    pub endpoints: Vec<EndpointSummary>,
    /// Scenario runs: one entry per journey (empty in quick mode).
    #[serde(default)]
    pub journeys: Vec<JourneySummary>,
    /// Scenario runs: one entry per check (empty in quick mode).
    #[serde(default)]
    pub checks: Vec<CheckSummary>,
    /// A file with `scenarios:`: each scenario's own results (empty otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scenarios: Vec<ScenarioSummary>,
    /// A file's `setup:` and `teardown:` (k6's setup() and teardown()), in the order they
    /// ran (empty without them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lifecycle: Vec<LifecycleSummary>,
    /// The scenario's own metrics (`metrics:`, k6's custom metrics), in declaration order
    /// (empty without them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_metrics: Vec<crate::CustomMetricSummary>,
    pub thresholds: Vec<ThresholdResult>,
    pub generator: Generator,
    pub timeseries: Vec<IntervalSummary>,
    /// Latency by percentile, from the merged histogram (log-spaced towards 100).
    #[serde(default)]
    pub latency_percentiles: Vec<PercentilePoint>,
    /// The planned load curve.
    #[serde(default)]
    pub stages: Vec<StageMark>,
    #[serde(default)]
    pub metadata: RunMetadata,
    /// Per stage of the load curve (only when it has more than one stage).
    #[serde(default)]
    pub phases: Vec<PhaseSummary>,
    /// The first stage that broke the thresholds (staged runs with thresholds).
    #[serde(default)]
    pub breaking_point: Option<BreakingPoint>,
    /// Spike profile: the degradation during the spike and the recovery after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spike_recovery: Option<crate::SpikeRecovery>,
    /// Soak profile: the latency and error trend of the hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soak_trend: Option<crate::SoakTrend>,
    /// `loadcell capacity`: the search and the sustainable rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<crate::CapacitySummary>,
    /// `loadcell scale`: the concurrency sweep and the fitted scalability model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<crate::ScaleSummary>,
    /// `--monitor`: the target's resource use, one entry per source.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub monitor: Vec<crate::MonitorSummary>,
    /// `--postgres`: what each database did during the measured window.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub postgres: Vec<crate::PostgresSummary>,
    /// Which resource limited the target, from the evidence above (`docs/bottlenecks.md`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bottlenecks: Vec<crate::Bottleneck>,
    /// `--segment I/N`: the part of the whole test this run was (absent for a whole test).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    /// `loadcell merge`: the results folders this summary was merged from, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged: Vec<MergedPart>,
}

/// One results folder of a `loadcell merge`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergedPart {
    /// The folder as it was named on the command line.
    pub folder: String,
    /// Its `--segment`, if it was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    /// Its load's start (RFC 3339 UTC).
    pub started_at: String,
    /// Its intervals merged.
    pub intervals: u64,
    /// Why the part is incomplete (killed: no end record; intervals missing), if it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incomplete: Option<String>,
}

impl Summary {
    /// True when every threshold held (vacuously true without thresholds).
    pub fn thresholds_passed(&self) -> bool {
        self.thresholds.iter().all(|t| t.passed)
    }

    /// The configured levels of a staged run, `0 → 60 → 0` (in `stages[].unit`); `None`
    /// when the load was one constant level. The mean of such a run is not its target.
    pub fn stage_levels(&self) -> Option<String> {
        stage_levels(&self.stages)
    }

    /// The warning a run where most requests failed must carry, whatever its thresholds:
    /// its latencies and rates describe failures, not the service.
    pub fn mostly_failed(&self) -> Option<String> {
        mostly_failed(self.requests.failed, self.requests.total)
    }

    /// The exit code this summary calls for: 2 when the scenario's `setup:` failed (no load
    /// was sent: the test could not run), 1 for a failed threshold, an interrupted
    /// (incomplete) test, a failed `teardown:` or a merge with an incomplete part, 0 otherwise.
    pub fn exit_code(&self) -> i32 {
        if self.stop_reason == StopReason::SetupFailed {
            crate::exit::USAGE
        } else if !self.thresholds_passed() {
            crate::exit::THRESHOLD_FAILED
        } else if self.stop_reason == StopReason::Interrupted
            || self.lifecycle.iter().any(|p| p.error.is_some())
            || self.merged.iter().any(|p| p.incomplete.is_some())
        {
            crate::exit::INCOMPLETE
        } else {
            crate::exit::OK
        }
    }
}

/// The levels `stages` go through, `0 → 60 → 0`; `None` for one constant level.
pub fn stage_levels(stages: &[StageMark]) -> Option<String> {
    let first = stages.first()?;
    let mut levels = vec![first.from];
    for stage in stages {
        for level in [stage.from, stage.to] {
            if levels.last() != Some(&level) {
                levels.push(level);
            }
        }
    }
    let text = |v: &f64| match v.fract() == 0.0 {
        true => format!("{v:.0}"),
        false => format!("{v}"),
    };
    (levels.len() > 1).then(|| levels.iter().map(text).collect::<Vec<_>>().join(" → "))
}

/// "most requests failed: …" when more than half of `total` requests failed.
pub fn mostly_failed(failed: u64, total: u64) -> Option<String> {
    (total > 0 && failed * 2 > total).then(|| {
        format!(
            "most requests failed: {failed} of {total} ({:.0}%); the latencies and rates describe failures, not the service",
            failed as f64 * 100.0 / total as f64
        )
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn empty_latency_stats_are_null_and_read_back() {
        let empty = serde_json::to_value(LatencyStats::default()).unwrap();
        assert_eq!(empty["count"], 0);
        for field in ["min", "mean", "stdev", "p50", "p95", "p999", "max"] {
            assert!(empty[field].is_null(), "{field}: {empty}");
        }
        let back: LatencyStats = serde_json::from_value(empty).unwrap();
        assert_eq!(back, LatencyStats::default());
        let full = LatencyStats {
            count: 2,
            min: 1.0,
            p95: 2.5,
            max: 3.0,
            ..LatencyStats::default()
        };
        let json = serde_json::to_value(&full).unwrap();
        assert_eq!(json["p95"], 2.5);
        assert_eq!(serde_json::from_value::<LatencyStats>(json).unwrap(), full);
    }

    #[test]
    fn stage_levels_are_the_configured_ones() {
        let mark = |from: f64, to: f64| StageMark {
            start_s: 0.0,
            end_s: 1.0,
            from,
            to,
            unit: "iterations/s".into(),
            name: None,
        };
        assert_eq!(stage_levels(&[]), None);
        assert_eq!(stage_levels(&[mark(60.0, 60.0)]), None, "one constant level");
        let ramp = [mark(0.0, 60.0), mark(60.0, 60.0), mark(60.0, 0.0)];
        assert_eq!(stage_levels(&ramp).as_deref(), Some("0 → 60 → 0"));
        let steps = [mark(10.0, 10.0), mark(20.0, 20.0), mark(2.5, 2.5)];
        assert_eq!(stage_levels(&steps).as_deref(), Some("10 → 20 → 2.5"));
    }

    #[test]
    fn most_failed_is_more_than_half() {
        assert_eq!(mostly_failed(5, 10), None);
        assert!(
            mostly_failed(6, 10)
                .unwrap()
                .starts_with("most requests failed: 6 of 10 (60%)")
        );
        assert_eq!(mostly_failed(0, 0), None);
    }
}
