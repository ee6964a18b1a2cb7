//! What a virtual user does in one iteration, as a trait the engine drives.
//!
//! The engine owns *when* iterations run (models, stages, stop conditions) and the
//! connection; a workload owns *what* an iteration sends. Quick mode's workload sends one
//! fixed request; scenario journeys implement the same trait elsewhere.

use crate::context::VuContext;
use std::future::Future;
use std::time::Duration;

/// k6's `setup()` and `teardown()`: steps a workload runs once, outside the load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    Setup,
    Teardown,
}

impl Lifecycle {
    /// `setup` or `teardown`, as k6 names the functions and their group (`::setup`).
    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::Setup => "setup",
            Lifecycle::Teardown => "teardown",
        }
    }
}

/// A request slot as it appears in results: the endpoint (`METHOD /templated/path`) and,
/// in scenarios, the journey and step it belongs to. Several slots may share an endpoint;
/// results group them by endpoint, and thresholds can filter by journey or step.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EndpointName {
    pub method: String,
    pub path: String,
    pub journey: Option<String>,
    pub step: Option<String>,
    /// Further tags its requests carry: `scenario` (in a file with `scenarios:`), `url`
    /// (the full URL template), and the file's own `tags:` (scenario < journey < step).
    pub tags: Vec<(String, String)>,
}

/// The value of tag `key` among `tags`.
pub fn tag_of<'a>(tags: &'a [(String, String)], key: &str) -> Option<&'a str> {
    tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// Ends the path of a slot that counts a scenario step's redirect hops (`GET /login
/// (redirects)`) once the run's dynamic endpoints are used up ([`crate::DYNAMIC_ENDPOINTS`]):
/// a hop is recorded under its own endpoint (`GET /next`) while there is room, and here
/// after that, so nothing is dropped.
pub const REDIRECTS_SUFFIX: &str = " (redirects)";

impl EndpointName {
    /// The value of tag `key`, if the slot carries it.
    pub fn tag(&self, key: &str) -> Option<&str> {
        tag_of(&self.tags, key)
    }

    /// Whether this slot counts a step's redirect hops (see [`REDIRECTS_SUFFIX`]).
    pub fn counts_redirects(&self) -> bool {
        self.path.ends_with(REDIRECTS_SUFFIX)
    }

    /// `METHOD path`, the name shown in tables and used by tag filters.
    pub fn display(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// Whether a VU should go on after an iteration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Continue,
    /// This VU has nothing more to do.
    StopVu,
    /// No iteration ran: the workload has no more test data for this worker (its share of
    /// a `unique` file is used up). The worker starts no more iterations; in-flight ones of
    /// other VUs finish as at the end of a run. Not counted as an iteration.
    DataExhausted,
}

/// A check as it appears in results.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CheckName {
    pub journey: String,
    pub step: String,
    pub label: String,
    /// As [`EndpointName::tags`], without `url`.
    pub tags: Vec<(String, String)>,
}

impl CheckName {
    /// The value of tag `key`, if the check carries it.
    pub fn tag(&self, key: &str) -> Option<&str> {
        tag_of(&self.tags, key)
    }
}

/// A kind of iteration. Shared by all worker threads; per-thread state lives in `Worker`,
/// per-VU state in `Vu`.
pub trait Workload: Send + Sync + 'static {
    /// State shared by the VUs of one worker thread (e.g. its share of test data).
    type Worker: 'static;
    /// Per-VU state (extracted variables, cookie jar, data cursor ...).
    type Vu: 'static;

    /// The request slots this workload records into, in recorder index order.
    fn endpoints(&self) -> Vec<EndpointName>;

    /// The registry of endpoint slots this workload adds while it runs, after the fixed
    /// ones (a scenario's redirect hops); `None` when it has none (quick mode).
    fn dynamic_endpoints(&self) -> Option<std::sync::Arc<crate::DynamicEndpoints>> {
        None
    }

    /// Journey names, in recorder index order (none in quick mode).
    fn journeys(&self) -> Vec<String> {
        Vec::new()
    }

    /// Checks, in recorder index order (none in quick mode).
    fn checks(&self) -> Vec<CheckName> {
        Vec::new()
    }

    /// The workload's own metrics (a scenario's `metrics:`), in declaration order.
    fn custom_metrics(&self) -> Vec<loadcell_schema::CustomMetricDef> {
        Vec::new()
    }

    /// Where values are added to them, in recorder index order: one slot per step and metric
    /// it adds to, named like a check whose `label` is the metric's name (so thresholds can
    /// filter them by journey, step, scenario and the file's own tags).
    fn custom_sites(&self) -> Vec<CheckName> {
        Vec::new()
    }

    /// State for worker `worker` of `workers`.
    fn new_worker(&self, worker: usize, workers: usize) -> Self::Worker;

    /// State for VU number `vu_id` (unique across the run, from 1) on a worker.
    fn new_vu(&self, worker: &std::rc::Rc<Self::Worker>, vu_id: u64) -> Self::Vu;

    /// State for VU `vu_id` of part `part` of a run with several parts (a scenario file's
    /// `scenarios:`, each with its own load model); a workload with one part ignores it.
    fn new_vu_in(&self, worker: &std::rc::Rc<Self::Worker>, vu_id: u64, part: usize) -> Self::Vu {
        let _ = part;
        self.new_vu(worker, vu_id)
    }

    /// How long `phase` may run, if the workload has it (none by default).
    fn lifecycle_timeout(&self, phase: Lifecycle) -> Option<Duration> {
        let _ = phase;
        None
    }

    /// Runs `phase` once through `ctx` (VU 0, outside the load); why it failed otherwise.
    /// Called only when [`Workload::lifecycle_timeout`] gives it a timeout.
    fn lifecycle<'a>(
        &'a self,
        phase: Lifecycle,
        ctx: &'a mut VuContext,
    ) -> impl Future<Output = Result<(), String>> + 'a {
        let _ = (phase, ctx);
        std::future::ready(Ok(()))
    }

    /// Whether each iteration is a single request whose answer nothing else waits on: then
    /// the open model may read the answers of dense arrivals together, a slice late
    /// (`open.rs`), without delaying any later request. Quick mode's are.
    fn one_request_per_iteration(&self) -> bool {
        false
    }

    /// Runs one iteration, sending requests through `ctx` (which records them).
    fn iteration<'a>(&'a self, vu: &'a mut Self::Vu, ctx: &'a mut VuContext) -> impl Future<Output = Next> + 'a;
}
