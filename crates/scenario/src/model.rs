//! The compiled scenario: what a valid scenario file becomes. Everything the runtime needs is
//! resolved here — templates compiled, JSON paths and regexes compiled, data and body files
//! loaded — so nothing is parsed while requests are being sent.

use std::path::PathBuf;
use std::time::Duration;

pub use loadcell_schema::Profile;
use loadcell_threshold::Threshold;
pub use loadcell_units::Stage;

use crate::jsonpath::JsonPath;
use crate::template::{JsonTemplate, Template};

/// A whole scenario file.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// `name:`, or the file name without its extension when absent.
    pub name: String,
    /// `target:` (an `http://` or `https://` base URL, `{{ env.X }}` resolved), which relative
    /// step URLs are appended to. `None` when absent: the command line must then supply one.
    pub target: Option<String>,
    pub load: Load,
    /// `load.warmup`: results of this first part of the run are kept apart from the totals.
    pub warmup: Option<Duration>,
    /// `load.iterations`: stop after this many iterations in total (all journeys, all VUs).
    pub iterations: Option<u64>,
    /// `segment: I/N`: run only this part of the test (`--segment` overrides it).
    pub segment: Option<loadcell_units::Segment>,
    pub defaults: Defaults,
    /// In file order; [`Template`] parts refer to them by index.
    pub data: Vec<DataSource>,
    /// In file order; at least one, with a total weight above 0.
    pub journeys: Vec<Journey>,
    /// `scenarios:` — several load models running at once, each with its own journeys
    /// (empty: the whole file is one scenario, loaded as `load:` says).
    pub scenarios: Vec<ScenarioPart>,
    /// In file order, each with `expr` = `"METRIC{tags}: CONDITION"`.
    pub thresholds: Vec<Threshold>,
    /// Where each of [`Scenario::thresholds`] was written (same order), for problems found
    /// only once the run's names are known (a filter naming no endpoint or step).
    pub threshold_at: Vec<SourcePos>,
    /// `monitor:`, what `--monitor`, `--monitor-series` and `--flamegraph` would say.
    pub monitor: Monitor,
    /// `postgres:`, what `--postgres URL` would say (connection strings, `env.NAME` resolved).
    pub postgres: Vec<String>,
    /// The file given to [`crate::load`]; `None` from [`crate::parse_str`].
    pub source_path: Option<PathBuf>,
    /// `resolve:` — `host:port:address` overrides, as curl's `--resolve` (checked at load).
    pub resolve: Vec<loadcell_http::Resolve>,
    /// `tls:` — CA bundle and client certificate, paths resolved against the file's folder
    /// and checked at load.
    pub tls: TlsFiles,
    /// `setup:` — steps run once before the load (k6's `setup()`); what they extract every
    /// VU's journeys (and `teardown:`) can read.
    pub setup: Option<Lifecycle>,
    /// `teardown:` — steps run once after the load (k6's `teardown()`), an interrupted or
    /// aborted load included; not after a failed setup.
    pub teardown: Option<Lifecycle>,
    /// `metrics:` — the scenario's own metrics (k6's custom metrics), in file order; steps
    /// add to them by index ([`MetricAdd::metric`]).
    pub metrics: Vec<loadcell_schema::CustomMetricDef>,
    /// Every file the scenario read at load, in file order (a file named twice, twice):
    /// what must travel with it to run elsewhere (`loadcell k8s` ships them in a ConfigMap).
    pub files: Vec<FileRef>,
}

/// A file a scenario reads at load — a `csv:`/`json:` data file, a `body_file:`, a
/// `multipart:` file, a `tls:` PEM file —, as written and as resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRef {
    /// The path as written in the scenario (relative to its folder, or absolute).
    pub written: String,
    /// The path read: `written` joined to the scenario file's folder.
    pub path: PathBuf,
    /// Where the path was written.
    pub at: SourcePos,
}

/// `setup:` or `teardown:`: a list of steps run once by one VU outside the load, kept as a
/// journey named `setup` / `teardown` (weight 0, never picked), bounded by its timeout.
#[derive(Debug, Clone)]
pub struct Lifecycle {
    pub journey: Journey,
    /// `setup_timeout` / `teardown_timeout` (k6's `setupTimeout`, `teardownTimeout`; 60 s).
    pub timeout: Duration,
}

/// k6's default `setupTimeout` and `teardownTimeout`.
pub const LIFECYCLE_TIMEOUT: Duration = Duration::from_secs(60);

/// `tls: { cacert, cert, key }`: what `--cacert`, `--cert` and `--key` would say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsFiles {
    pub cacert: Option<PathBuf>,
    /// Client certificate chain and key, both or neither.
    pub client_cert: Option<(PathBuf, PathBuf)>,
}

/// A place in the scenario file: 1-based line and column (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SourcePos {
    pub line: usize,
    pub col: usize,
}

/// One entry of `scenarios:`: a name, an executor (k6's), when it starts, the journeys it
/// runs (each journey belongs to one scenario) and the tags its requests carry.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioPart {
    pub name: String,
    pub executor: Executor,
    /// `start_time`: the scenario starts this long after the run (k6's `startTime`).
    pub start_time: Duration,
    /// Indices into [`Scenario::journeys`], with the weight each runs at in this scenario.
    pub journeys: Vec<(usize, u32)>,
    /// `tags:`, lower in precedence than a journey's and a step's own.
    pub tags: Vec<(String, String)>,
    /// `graceful_stop` (k6's `gracefulStop`): at the scenario's end, iterations under way
    /// get this long to finish before they are cut. `None`: the run's `--grace`, which
    /// waits only for requests in flight.
    pub graceful_stop: Option<Duration>,
    /// `graceful_ramp_down` (k6's `gracefulRampDown`, `ramping-vus` only, default 30s): a VU
    /// ramped down finishes its iteration within this long, or the iteration is cut.
    pub graceful_ramp_down: Option<Duration>,
}

/// k6's default `gracefulRampDown` of `ramping-vus`.
pub const DEFAULT_GRACEFUL_RAMP_DOWN: Duration = Duration::from_secs(30);

/// How a scenario applies load: k6's executors, with loadcell's names for their options.
#[derive(Debug, Clone, PartialEq)]
pub enum Executor {
    /// `constant-vus`: `vus` VUs loop for `duration`.
    ConstantVus { vus: u64, duration: Duration },
    /// `ramping-vus`: from `start_vus` through VU `stages`. A VU ramped down finishes the
    /// iteration it is in, within [`ScenarioPart::graceful_ramp_down`].
    RampingVus { start_vus: u64, stages: Vec<Stage> },
    /// `constant-arrival-rate`: `rate` iterations per second for `duration`.
    ConstantArrivalRate {
        rate: f64,
        duration: Duration,
        pre_allocated_vus: Option<u64>,
        max_vus: Option<u64>,
    },
    /// `ramping-arrival-rate`: from `start_rate` through rate `stages`.
    RampingArrivalRate {
        start_rate: f64,
        stages: Vec<Stage>,
        pre_allocated_vus: Option<u64>,
        max_vus: Option<u64>,
    },
    /// `shared-iterations`: `iterations` in total, shared by `vus` VUs, within `max_duration`.
    SharedIterations {
        vus: u64,
        iterations: u64,
        max_duration: Duration,
    },
    /// `per-vu-iterations`: each of `vus` VUs runs `iterations`, within `max_duration`.
    PerVuIterations {
        vus: u64,
        iterations: u64,
        max_duration: Duration,
    },
}

impl Executor {
    /// k6's names, as written in `executor:`.
    pub const NAMES: [&'static str; 6] = [
        "constant-vus",
        "ramping-vus",
        "constant-arrival-rate",
        "ramping-arrival-rate",
        "shared-iterations",
        "per-vu-iterations",
    ];

    /// The name as written in `executor:`.
    pub fn name(&self) -> &'static str {
        let i = match self {
            Executor::ConstantVus { .. } => 0,
            Executor::RampingVus { .. } => 1,
            Executor::ConstantArrivalRate { .. } => 2,
            Executor::RampingArrivalRate { .. } => 3,
            Executor::SharedIterations { .. } => 4,
            Executor::PerVuIterations { .. } => 5,
        };
        Executor::NAMES[i]
    }

    /// Each VU's iteration limit (`per-vu-iterations`).
    pub fn per_vu_iterations(&self) -> Option<u64> {
        match self {
            Executor::PerVuIterations { iterations, .. } => Some(*iterations),
            _ => None,
        }
    }
}

/// `monitor:` — sources as `--monitor` takes them (each parses), series as
/// `--monitor-series`; empty when absent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Monitor {
    pub sources: Vec<String>,
    pub series: Vec<String>,
    pub flamegraph: bool,
}

impl Scenario {
    /// [`Scenario::metrics`] as thresholds name them.
    pub fn custom_metrics(&self) -> Vec<loadcell_threshold::Custom> {
        custom_refs(&self.metrics)
    }

    /// The most connections one VU holds at once: 1, or its widest batch's (the fewer of
    /// its `parallel` and its requests).
    pub fn connections_per_vu(&self) -> u64 {
        let widest = self
            .journeys
            .iter()
            .flat_map(|j| &j.steps)
            .filter_map(|step| match step {
                Step::Batch(b) => Some(u64::from(b.parallel).min(b.requests.len() as u64)),
                _ => None,
            })
            .max();
        widest.unwrap_or(1).max(1)
    }

    /// The sum of all journey weights (always above 0 in a valid scenario).
    pub fn total_weight(&self) -> u64 {
        self.journeys.iter().map(|j| u64::from(j.weight)).sum()
    }
}

/// How load is applied. Fields that are `None` / empty were not given in the file; the command
/// line may supply them (an absent `load:` section is `Closed` with everything unset).
#[derive(Debug, Clone, PartialEq)]
pub enum Load {
    /// A fixed or staged number of virtual users, each running iterations back to back.
    /// Either `vus` (+ `duration` and/or `iterations`) or `stages` (targets are VU counts).
    Closed {
        vus: Option<u64>,
        stages: Vec<Stage>,
        duration: Option<Duration>,
    },
    /// Iterations start at an arrival rate whatever the response times. Either `rate` +
    /// `duration` (constant), or `stages` (targets are iterations per second, ramping linearly
    /// from `rate`, or 0 when `rate` is `None`, to each stage's target).
    Open {
        rate: Option<f64>,
        stages: Vec<Stage>,
        duration: Option<Duration>,
        max_vus: Option<u64>,
        /// VUs allocated before the first arrival (k6's `preAllocatedVUs`).
        pre_allocated_vus: Option<u64>,
    },
    /// A test-type profile (`smoke`, `load`, `stress`, `spike`, `soak`, `breakpoint`) that the
    /// command line expands into stages around `target_rate` (open model) or `target_vus`
    /// (closed model); `smoke` may have neither (2 VUs), `breakpoint` needs `target_rate`.
    Profile {
        profile: Profile,
        target_rate: Option<f64>,
        target_vus: Option<u64>,
        max_vus: Option<u64>,
        pre_allocated_vus: Option<u64>,
    },
}

/// `defaults:` — applied to every request step.
#[derive(Debug, Clone, Default)]
pub struct Defaults {
    /// Lower-case names. A step's own header of the same name replaces the default.
    pub headers: Vec<(String, Template)>,
    /// Pause after each request step unless the journey sets its own `think`.
    pub think: Option<Think>,
    /// Per-request timeout.
    pub timeout: Option<Duration>,
}

/// A pause: `500ms` (fixed) or `200ms..1s` (uniformly distributed, both ends included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Think {
    Fixed(Duration),
    Uniform(Duration, Duration),
}

impl Think {
    /// The pause to take, given a uniformly distributed random number `r`.
    pub fn sample(&self, r: u64) -> Duration {
        match *self {
            Think::Fixed(d) => d,
            Think::Uniform(lo, hi) => {
                let (lo_ns, hi_ns) = (lo.as_nanos(), hi.as_nanos());
                let span = hi_ns.saturating_sub(lo_ns) + 1;
                let offset = (u128::from(r) * span) >> 64;
                let ns = lo_ns + offset;
                Duration::new((ns / 1_000_000_000) as u64, (ns % 1_000_000_000) as u32)
            }
        }
    }

    /// The longest pause this can produce.
    pub fn max(&self) -> Duration {
        match *self {
            Think::Fixed(d) | Think::Uniform(_, d) => d,
        }
    }
}

/// One entry of `data:` with its file already read.
#[derive(Debug, Clone, PartialEq)]
pub struct DataSource {
    pub name: String,
    /// CSV header fields in order, or the keys of the JSON objects (sorted).
    pub columns: Vec<String>,
    /// One value per column per row: CSV cells are strings; JSON values are kept as they are
    /// (a key missing from an object is `null`). Never empty.
    pub rows: Vec<Vec<serde_json::Value>>,
    pub pick: Pick,
    pub on_exhausted: Exhausted,
}

impl DataSource {
    /// The index of `column` in [`DataSource::columns`].
    pub fn column(&self, column: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == column)
    }
}

/// Which row an iteration gets from a data source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// Rows in file order, shared by all VUs (row i goes to the i-th iteration that asks).
    Sequential,
    /// A random row each time.
    Random,
    /// Each row at most once in the whole run (until recycled).
    Unique,
}

/// What happens when `sequential` or `unique` has handed out every row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exhausted {
    /// The run stops starting iterations.
    Stop,
    /// Start again from the first row.
    Recycle,
}

/// One journey: a weighted sequence of steps that one iteration runs.
#[derive(Debug, Clone)]
pub struct Journey {
    pub name: String,
    /// Relative weight (default 1); 0 disables the journey.
    pub weight: u32,
    /// Overrides [`Defaults::think`] for this journey.
    pub think: Option<Think>,
    /// Fixed iteration length: after the steps, wait until this much time has passed since the
    /// iteration started (no wait when the steps took longer).
    pub pacing: Option<Duration>,
    /// How many times the steps run per iteration (`loop:`, default 1, at least 1).
    pub loops: u32,
    /// `tags:` its requests and checks carry (a step's own win).
    pub tags: Vec<(String, String)>,
    /// Never empty.
    pub steps: Vec<Step>,
    /// `timeout:` — every request of this journey, unless its step has its own; overrides
    /// `--timeout`.
    pub timeout: Option<Duration>,
}

/// One step of a journey.
#[derive(Debug, Clone)]
pub enum Step {
    Request(Box<RequestStep>),
    /// `sleep: 1s` or `sleep: 500ms..2s` (no think time is added after a sleep step).
    Sleep(Think),
    /// `batch:` — several requests sent at once (k6's `http.batch()`).
    Batch(Box<Batch>),
}

impl Step {
    /// The requests this step sends: one, none (a sleep) or a batch's, in list order.
    pub fn requests(&self) -> &[RequestStep] {
        match self {
            Step::Request(rs) => std::slice::from_ref(rs.as_ref()),
            Step::Sleep(_) => &[],
            Step::Batch(b) => &b.requests,
        }
    }
}

/// A `batch:` step: its requests go out at the same time, on at most `parallel` connections
/// of the VU, and the step ends when all have answered (or timed out). Checks, extractions
/// and `add:` apply after all responses, in list order.
#[derive(Debug, Clone)]
pub struct Batch {
    /// `name:` of the batch step, or `batch` (for messages; each request has its own name).
    pub name: String,
    /// Never empty; none is `once:`.
    pub requests: Vec<RequestStep>,
    /// `parallel:` — the most requests of this batch in flight at once (k6's
    /// `batchPerHost`, default [`DEFAULT_BATCH_PARALLEL`]); at least 1.
    pub parallel: u32,
    /// Where the step starts in the file (1-based).
    pub line: usize,
    pub col: usize,
}

/// k6's default `batchPerHost`.
pub const DEFAULT_BATCH_PARALLEL: u32 = 6;

/// One HTTP request with its checks and extractions.
#[derive(Debug, Clone)]
pub struct RequestStep {
    /// `name:`, or `"METHOD url-template"` by default.
    pub name: String,
    /// Upper-case: `GET`, `POST`, `PUT`, `PATCH`, `DELETE` or `HEAD`.
    pub method: String,
    /// Starts with `/` (relative to the scenario's target) unless `absolute`.
    pub url: Template,
    /// The grouping key `"METHOD /path/{{ var }}"`: the URL template's source without its
    /// query string, never rendered, so that ids do not split endpoints.
    pub endpoint: String,
    /// The URL is a full `http://` / `https://` URL rather than a path under the target.
    pub absolute: bool,
    /// Lower-case names, in file order.
    pub headers: Vec<(String, Template)>,
    /// Appended to the URL, percent-encoded (see [`crate::append_query`]).
    pub query: Vec<(String, Template)>,
    pub body: Body,
    pub checks: Vec<Check>,
    /// Applied in order after the response; each sets a variable for later steps.
    pub extract: Vec<Extract>,
    pub on_fail: OnFail,
    /// `tags:`, as written on the step.
    pub tags: Vec<(String, String)>,
    /// `once: true`: run only in a VU's first iteration that reaches it (until it succeeds);
    /// what it extracts is kept across the VU's iterations (log in once per user).
    pub once: bool,
    /// Where the step starts in the file (1-based).
    pub line: usize,
    pub col: usize,
    /// `timeout:` — this request's own; wins over its journey's and `--timeout`.
    pub timeout: Option<Duration>,
    /// `follow_redirects:` — how this step treats a 3xx with a `Location`.
    pub redirects: Redirects,
    /// `add:` — what the step adds to the scenario's own metrics, after its checks and
    /// extraction.
    pub add: Vec<MetricAdd>,
}

/// One entry of a step's `add:`.
#[derive(Debug, Clone)]
pub struct MetricAdd {
    /// Index into [`Scenario::metrics`].
    pub metric: usize,
    /// The metric's name, for messages.
    pub name: String,
    pub kind: loadcell_schema::CustomKind,
    pub value: AddValue,
}

/// What a step adds to a metric.
#[derive(Debug, Clone)]
pub enum AddValue {
    /// A number written in the file.
    Number(f64),
    /// A template (say, an extracted value) that must render to a number; one that does not
    /// is counted as the metric's `invalid` and fails the iteration.
    Template(Template),
    /// Rates: 1 when every check of the step passed (a step without checks: when its
    /// request succeeded), else 0.
    Checks,
    /// Rates: 1 when the request succeeded (a response below 400), else 0.
    Ok,
    /// Rates: `true` or `false` as written.
    Flag(bool),
}

/// How a request step follows redirects (`follow_redirects:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Redirects {
    /// Not given: follow up to the run's limit (`--max-redirects`, 10 by default).
    #[default]
    RunLimit,
    /// `false` (or `0`): the 3xx itself is the step's response, checked and extracted.
    Off,
    /// `N` (or `true`, the run's limit): follow up to N hops; one more redirect is the error
    /// `too_many_redirects`.
    Max(u32),
}

impl Redirects {
    /// The most hops this step follows, given the run's limit.
    pub fn limit(self, run_limit: u32) -> u32 {
        match self {
            Redirects::RunLimit => run_limit,
            Redirects::Off => 0,
            Redirects::Max(n) => n,
        }
    }
}

/// A request body.
#[derive(Debug, Clone)]
pub enum Body {
    None,
    /// `json:` — any value; strings inside are templates.
    Json(JsonTemplate),
    /// `form:` — sent as `application/x-www-form-urlencoded`.
    Form(Vec<(String, Template)>),
    /// `body:` — a text template sent as is.
    Raw(Template),
    /// `body_file:` — the file's bytes, read when the scenario was loaded.
    File(bytes::Bytes),
    /// `multipart:` — `multipart/form-data` with text fields and files.
    Multipart(Multipart),
}

/// A `multipart/form-data` body, its fixed bytes laid out at load: per part the boundary
/// line and part headers, then a field's template or a file's bytes (read once, shared by
/// every request through [`bytes::Bytes`]).
#[derive(Debug, Clone)]
pub struct Multipart {
    /// `multipart/form-data; boundary=…`
    pub content_type: String,
    pub parts: Vec<MultipartPart>,
    /// The closing boundary (`\r\n--BOUNDARY--\r\n`).
    pub tail: Vec<u8>,
}

/// One part: its head (boundary line, `Content-Disposition`, `Content-Type`, blank line;
/// with the CRLF that ends the part before it) and its content.
#[derive(Debug, Clone)]
pub struct MultipartPart {
    pub head: Vec<u8>,
    pub content: PartContent,
}

#[derive(Debug, Clone)]
pub enum PartContent {
    Field(Template),
    File(bytes::Bytes),
}

impl Body {
    /// The `content-type` this body implies, if any (a step's own header wins).
    pub fn content_type(&self) -> Option<&str> {
        match self {
            Body::Json(_) => Some("application/json"),
            Body::Form(_) => Some("application/x-www-form-urlencoded"),
            Body::Multipart(m) => Some(&m.content_type),
            Body::None | Body::Raw(_) | Body::File(_) => None,
        }
    }
}

/// One check on a response, with a label unique within its step.
#[derive(Debug, Clone)]
pub struct Check {
    /// E.g. `status is 200`, `$.token exists`, `duration < 200ms`.
    pub label: String,
    pub kind: CheckKind,
}

/// What a check tests.
#[derive(Debug, Clone)]
pub enum CheckKind {
    /// The status is one of these.
    Status(Vec<StatusMatch>),
    /// The body contains these bytes.
    BodyContains(String),
    /// At least one value the path selects passes the test (`Exists(false)`: none selected).
    Json { path: JsonPath, test: ValueTest },
    /// At least one header of this (lower-case) name passes the test.
    Header { name: String, test: ValueTest },
    /// The response time compares to the limit.
    Duration { op: Compare, limit: Duration },
}

/// One accepted status: a code or a class (`2xx` = `Class(2)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusMatch {
    Code(u16),
    Class(u8),
}

impl StatusMatch {
    pub fn matches(self, status: u16) -> bool {
        match self {
            StatusMatch::Code(c) => c == status,
            StatusMatch::Class(c) => status / 100 == u16::from(c),
        }
    }
}

/// A test on a JSON value or header value.
#[derive(Debug, Clone)]
pub enum ValueTest {
    /// `exists` / `{ exists: false }`.
    Exists(bool),
    /// Equal as JSON values (numbers compared numerically; a header compares as a string).
    Equals(serde_json::Value),
    /// The regex matches the string (or, for other JSON values, their JSON text).
    Matches(regex::Regex),
}

/// A comparison operator of a `duration` check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    Lt,
    Le,
    Gt,
    Ge,
}

impl Compare {
    pub fn symbol(self) -> &'static str {
        match self {
            Compare::Lt => "<",
            Compare::Le => "<=",
            Compare::Gt => ">",
            Compare::Ge => ">=",
        }
    }

    pub fn holds<T: PartialOrd>(self, a: T, b: T) -> bool {
        match self {
            Compare::Lt => a < b,
            Compare::Le => a <= b,
            Compare::Gt => a > b,
            Compare::Ge => a >= b,
        }
    }
}

/// One `extract:` entry: sets `var` from the response.
#[derive(Debug, Clone)]
pub struct Extract {
    pub var: String,
    pub source: ExtractSource,
    pub pick: PickMatch,
}

/// Where an extracted value comes from.
#[derive(Debug, Clone)]
pub enum ExtractSource {
    Json(JsonPath),
    /// Matches on the body (as bytes, so a non-UTF-8 body still works); `group` 0 is the whole
    /// match.
    Regex {
        regex: regex::bytes::Regex,
        group: usize,
    },
    /// A response header (lower-case name).
    Header(String),
}

/// Which of several matches an extraction keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickMatch {
    First,
    Random,
    /// All matches as a JSON array.
    All,
}

/// What a failed check or extraction does to the iteration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnFail {
    /// Record the failure and go on with the next step.
    Continue,
    /// Record the failure and end the iteration here.
    AbortIteration,
}

/// Declared metrics as thresholds name them: kind and unit in the threshold crate's terms.
pub fn custom_refs(metrics: &[loadcell_schema::CustomMetricDef]) -> Vec<loadcell_threshold::Custom> {
    use loadcell_schema::{CustomKind, CustomUnit};
    use loadcell_threshold::{Custom, MetricKind, Unit};
    metrics
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let kind = match m.kind {
                CustomKind::Counter => MetricKind::Counter,
                CustomKind::Trend => MetricKind::Trend,
                CustomKind::Rate => MetricKind::Rate,
                CustomKind::Gauge => MetricKind::Gauge,
            };
            let unit = match m.unit {
                CustomUnit::None => Unit::Count,
                CustomUnit::Ms => Unit::Millis,
                CustomUnit::Bytes => Unit::Bytes,
            };
            Custom::new(i, &m.name, kind, unit)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn think_sample_stays_in_range() {
        let t = Think::Uniform(Duration::from_millis(200), Duration::from_secs(1));
        assert_eq!(t.sample(0), Duration::from_millis(200));
        assert_eq!(t.sample(u64::MAX), Duration::from_secs(1));
        let mid = t.sample(u64::MAX / 2);
        assert!(
            mid > Duration::from_millis(590) && mid < Duration::from_millis(610),
            "{mid:?}"
        );
        assert_eq!(
            Think::Fixed(Duration::from_millis(5)).sample(123),
            Duration::from_millis(5)
        );
        assert_eq!(t.max(), Duration::from_secs(1));
    }

    #[test]
    fn status_classes() {
        assert!(StatusMatch::Class(2).matches(204));
        assert!(!StatusMatch::Class(2).matches(301));
        assert!(StatusMatch::Code(404).matches(404));
    }

    #[test]
    fn compare() {
        assert!(Compare::Lt.holds(1, 2));
        assert!(!Compare::Gt.holds(1, 2));
        assert!(Compare::Le.holds(2, 2));
        assert!(Compare::Ge.holds(2, 2));
        assert_eq!(Compare::Ge.symbol(), ">=");
    }
}
