//! `JourneyWorkload`: the engine workload of a scenario file. One iteration = one journey
//! picked by weight, its steps run `loop` times with think time between them, then the
//! journey's pacing. A step's exchange (its redirect hops) is in `exchange.rs`.

use crate::adds;
use crate::data::WorkerData;
use crate::hops::{HopCache, registry};
use crate::request::{RenderFailed, Target, build_request};
use crate::rng::Rng;
use crate::vu::{Io, VuState, set_var};
use crate::weights::WeightedPick;
use loadcell_engine::{
    CheckName, DynamicEndpoints, EndpointName, Lifecycle, Next, REDIRECTS_SUFFIX, Sent, VuContext, Workload,
};
use loadcell_http::Origin;
use loadcell_metrics::Outcome;
use loadcell_scenario::{CheckKind, ExtractSource, LazyJson, OnFail, RequestStep, ResponseView, Scenario, Step, Think};
use serde_json::Value;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// Where a request step records: its request slot, the slot of its redirect hops (when it
/// follows any) and its first check slot (its checks first, then one slot per extraction);
/// whether its checks or extractions read response headers (otherwise only `Set-Cookie` and
/// `Location` are looked for); and how its exchange runs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StepSlots {
    pub(crate) request: usize,
    pub(crate) hops: Option<usize>,
    pub(crate) checks: usize,
    pub(crate) reads_headers: bool,
    /// The most redirects this step follows (0: none).
    pub(crate) max_redirects: u32,
    /// The step's or its journey's `timeout:`; `None`: the run's.
    pub(crate) timeout: Option<Duration>,
    /// The step (or `defaults:`) sets a `cookie` header, which hops keep instead of the jar's.
    pub(crate) sets_cookie: bool,
    /// Its first custom-metric slot: one per entry of its `add:`.
    pub(crate) adds: usize,
}

/// Where a step records: nothing (a sleep), a request step's slots, or a batch's (one per
/// request, in list order).
#[derive(Debug, Clone)]
pub(crate) enum StepLayout {
    Sleep,
    Request(StepSlots),
    Batch(Box<[StepSlots]>),
}

impl StepLayout {
    /// The slots of every request of the step.
    pub(crate) fn all(&self) -> &[StepSlots] {
        match self {
            StepLayout::Sleep => &[],
            StepLayout::Request(s) => std::slice::from_ref(s),
            StepLayout::Batch(all) => all,
        }
    }
}

/// One load model of the run (one entry of `scenarios:`, or the whole file): the journeys
/// it picks from and each VU's iteration limit (`per-vu-iterations`).
struct PartRun {
    pick: WeightedPick,
    per_vu_iterations: Option<u64>,
}

/// A scenario, ready to run.
pub struct JourneyWorkload {
    pub(crate) scenario: Scenario,
    pub(crate) origin: Origin,
    /// `origin`'s `scheme://authority`, made once for the cookie jar and redirects.
    pub(crate) base: String,
    parts: Vec<PartRun>,
    /// Per journey, per step: where it records.
    slots: Vec<Vec<StepLayout>>,
    pub(crate) endpoints: Vec<EndpointName>,
    /// Where redirect hops get endpoints of their own; `None` when no step follows any.
    pub(crate) dynamic: Option<Arc<DynamicEndpoints>>,
    checks: Vec<CheckName>,
    /// Where steps add to the scenario's own metrics (`label`: the metric's name).
    sites: Vec<CheckName>,
    /// Per journey: the data sources its templates read.
    sources_used: Vec<Vec<usize>>,
    pub(crate) http2: bool,
    /// `setup:` and `teardown:`, in that order.
    pub(crate) lifecycle: [Option<LifecycleSlots>; 2],
    /// What the setup extracted: every VU starts with it (k6's setup data).
    pub(crate) setup_vars: OnceLock<Vec<(String, Value)>>,
}

/// Per-worker state: this worker's share of the test data, and the redirect hops' slots it
/// knows.
pub struct JourneyWorker {
    pub(crate) data: WorkerData,
    pub(crate) hops: RefCell<HopCache>,
}

/// The slots of `setup:` or `teardown:` (see `lifecycle.rs`).
pub(crate) struct LifecycleSlots {
    pub(crate) slots: Vec<StepLayout>,
    /// The data sources its steps read.
    pub(crate) sources: Vec<usize>,
    pub(crate) timeout: Duration,
}

/// The request and check slots of a workload, as they are laid out.
struct SlotNames {
    endpoints: Vec<EndpointName>,
    checks: Vec<CheckName>,
    sites: Vec<CheckName>,
    /// The target's `scheme://authority`, for each request's `url` tag.
    base: String,
    max_redirects: u32,
    /// `defaults:` sets a `cookie` header.
    default_cookie: bool,
}

impl SlotNames {
    /// Lays out the slots of `journey`'s request steps, carrying `base_tags` (its steps'
    /// own on top), their paths ending with `suffix`; per step, its slots.
    fn add_journey(
        &mut self,
        journey: &loadcell_scenario::Journey,
        base_tags: &[(String, String)],
        suffix: &str,
    ) -> Vec<StepLayout> {
        journey
            .steps
            .iter()
            .map(|step| match step {
                Step::Request(rs) => StepLayout::Request(self.add_step(journey, rs, base_tags, suffix)),
                Step::Sleep(_) => StepLayout::Sleep,
                Step::Batch(b) => StepLayout::Batch(
                    b.requests
                        .iter()
                        .map(|rs| self.add_step(journey, rs, base_tags, suffix))
                        .collect(),
                ),
            })
            .collect()
    }

    fn add_step(
        &mut self,
        journey: &loadcell_scenario::Journey,
        rs: &RequestStep,
        base_tags: &[(String, String)],
        suffix: &str,
    ) -> StepSlots {
        let (method, path) = rs
            .endpoint
            .split_once(' ')
            .unwrap_or((rs.method.as_str(), rs.endpoint.as_str()));
        let tags = merge_tags(base_tags, &rs.tags);
        let url = match rs.absolute {
            true => path.to_string(),
            false => format!("{}{path}", self.base),
        };
        let mut request_tags = tags.clone();
        request_tags.push(("url".to_string(), url));
        let name = |path: String| EndpointName {
            method: method.to_string(),
            path,
            journey: Some(journey.name.clone()),
            step: Some(rs.name.clone()),
            tags: request_tags.clone(),
        };
        let request = self.endpoints.len();
        self.endpoints.push(name(format!("{path}{suffix}")));
        let limit = rs.redirects.limit(self.max_redirects);
        let hops = (limit > 0).then(|| {
            self.endpoints.push(name(format!("{path}{suffix}{REDIRECTS_SUFFIX}")));
            request + 1
        });
        let slot = StepSlots {
            request,
            hops,
            checks: self.checks.len(),
            reads_headers: rs.checks.iter().any(|c| matches!(c.kind, CheckKind::Header { .. }))
                || rs.extract.iter().any(|e| matches!(e.source, ExtractSource::Header(_))),
            max_redirects: limit,
            timeout: rs.timeout.or(journey.timeout),
            sets_cookie: self.default_cookie || rs.headers.iter().any(|(n, _)| n == "cookie"),
            adds: self.sites.len(),
        };
        for add in &rs.add {
            self.sites.push(CheckName {
                journey: journey.name.clone(),
                step: rs.name.clone(),
                label: add.name.clone(),
                tags: tags.clone(),
            });
        }
        let labels = rs
            .checks
            .iter()
            .map(|c| c.label.clone())
            .chain(rs.extract.iter().map(|e| format!("extract {}", e.var)));
        for label in labels {
            self.checks.push(CheckName {
                journey: journey.name.clone(),
                step: rs.name.clone(),
                label,
                tags: tags.clone(),
            });
        }
        slot
    }
}

impl JourneyWorkload {
    /// Prepares `scenario` to send to `origin` (the scenario's target or the command line's);
    /// steps follow up to `max_redirects` redirects unless they say otherwise.
    pub fn new(scenario: Scenario, origin: Origin, http2: bool, max_redirects: u32) -> JourneyWorkload {
        let owners = owners(&scenario);
        let mut names = SlotNames {
            endpoints: Vec::new(),
            checks: Vec::new(),
            sites: Vec::new(),
            base: origin.base(),
            max_redirects,
            default_cookie: scenario.defaults.headers.iter().any(|(n, _)| n == "cookie"),
        };
        let mut slots = Vec::new();
        let mut sources_used = Vec::new();
        for (j, journey) in scenario.journeys.iter().enumerate() {
            let base_tags = journey_tags(&scenario, owners[j], journey);
            slots.push(names.add_journey(journey, &base_tags, ""));
            sources_used.push(scenario.data_used_by(journey));
        }
        let lifecycle = [
            (&scenario.setup, Lifecycle::Setup),
            (&scenario.teardown, Lifecycle::Teardown),
        ]
        .map(|(section, phase)| {
            section.as_ref().map(|lc| {
                // k6 tags setup()'s requests with group `::setup`; their rows in the
                // results are their own (`POST /login (setup)`), apart from the load's.
                let tags = vec![("group".to_string(), format!("::{}", phase.as_str()))];
                LifecycleSlots {
                    slots: names.add_journey(&lc.journey, &tags, &format!(" ({})", phase.as_str())),
                    sources: scenario.data_used_by(&lc.journey),
                    timeout: lc.timeout,
                }
            })
        });
        let parts = parts(&scenario);
        // The setup's and teardown's steps follow redirects too: their hops need the registry.
        let phase_slots = lifecycle.iter().flatten().flat_map(|lc| &lc.slots);
        let follows = slots
            .iter()
            .flatten()
            .chain(phase_slots)
            .flat_map(StepLayout::all)
            .any(|s| s.max_redirects > 0);
        JourneyWorkload {
            dynamic: registry(names.endpoints.len(), follows),
            scenario,
            base: origin.base(),
            origin,
            parts,
            slots,
            endpoints: names.endpoints,
            checks: names.checks,
            sites: names.sites,
            sources_used,
            http2,
            lifecycle,
            setup_vars: OnceLock::new(),
        }
    }

    /// The think time after step `i` of `round`: none after the journey's last step or
    /// before a sleep step.
    async fn think_after(
        &self,
        think: Option<Think>,
        journey: &loadcell_scenario::Journey,
        round: u32,
        i: usize,
        vu: &mut VuState,
    ) {
        let is_last = round + 1 == journey.loops && i + 1 == journey.steps.len();
        let next_is_sleep = matches!(journey.steps.get(i + 1), Some(Step::Sleep(_)));
        if let (Some(t), false, false) = (think, is_last, next_is_sleep) {
            sleep(t.sample(vu.rng.next_u64())).await;
        }
    }

    fn think_for(&self, journey: usize) -> Option<Think> {
        self.scenario
            .journeys
            .get(journey)
            .and_then(|j| j.think)
            .or(self.scenario.defaults.think)
    }

    /// Runs one request step: whether it failed, why, and whether to abort the iteration.
    pub(crate) async fn run_step(
        &self,
        rs: &RequestStep,
        slots: StepSlots,
        vu: &mut VuState,
        ctx: &mut VuContext,
    ) -> StepResult {
        if let Err(RenderFailed) = build_request(rs, &self.target(), vu) {
            // A variable the step needs was never set (an earlier step failed), its URL
            // leaves the target's origin, or a header value rendered with a line break: the
            // request cannot be made. Counted as skipped,
            // and the iteration cannot meaningfully go on.
            ctx.record_skipped(slots.request);
            return StepResult {
                why: Some(Why::NotBuilt),
                abort: true,
            };
        }
        let sent = self
            .exchange(slots, &mut vu.io, vu.jar.get_mut(), &vu.worker, ctx)
            .await;
        let VuState { io, rng, vars, .. } = vu;
        let checked = evaluate(rs, slots, &sent, io, rng, vars, ctx);
        self.conclude(rs, slots, &sent, checked, vu, ctx)
    }

    /// What every request is built against.
    pub(crate) fn target(&self) -> Target<'_> {
        Target {
            scenario: &self.scenario,
            origin: &self.origin,
            base: &self.base,
            http2: self.http2,
        }
    }

    /// After request step `rs`'s checks and extractions (`checked`: the first that failed):
    /// its `add:`, and how it went.
    pub(crate) fn conclude(
        &self,
        rs: &RequestStep,
        slots: StepSlots,
        sent: &Sent,
        checked: Option<usize>,
        vu: &mut VuState,
        ctx: &VuContext,
    ) -> StepResult {
        let invalid = if rs.add.is_empty() {
            None
        } else {
            let ok = !sent.outcome.is_failure();
            let went = adds::Went {
                ok,
                checks: if rs.checks.is_empty() {
                    ok
                } else {
                    checked.is_none_or(|i| i >= rs.checks.len())
                },
            };
            adds::add(rs, slots.adds, &self.scenario, went, vu, ctx)
        };
        let why = match (sent.outcome, checked, invalid) {
            (outcome, _, _) if outcome.is_failure() => Some(Why::Request(outcome)),
            (_, Some(check), _) => Some(Why::Check(check)),
            (_, None, Some(metric)) => Some(Why::Metric(metric)),
            _ => None,
        };
        StepResult {
            why,
            abort: checked.is_some() && rs.on_fail == OnFail::AbortIteration,
        }
    }
}

/// How a request step went.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StepResult {
    /// Why it failed (`None`: it passed).
    pub(crate) why: Option<Why>,
    /// A check or extraction failed and the step says to abort the iteration.
    pub(crate) abort: bool,
}

/// Why a request step failed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Why {
    /// Its request could not be built (a variable it needs has no value).
    NotBuilt,
    /// No response, or a status of 400 or more.
    Request(Outcome),
    /// Its first failed check, or extraction counted after the checks.
    Check(usize),
    /// An `add:` to this metric (index into `Scenario::metrics`) had no number.
    Metric(usize),
}

/// Runs a step's checks and extractions on its (final) response in `io`; the first that
/// failed (checks first, then extractions).
pub(crate) fn evaluate(
    rs: &RequestStep,
    slots: StepSlots,
    sent: &Sent,
    io: &mut Io,
    rng: &mut Rng,
    vars: &mut Vec<(String, Option<Value>)>,
    ctx: &VuContext,
) -> Option<usize> {
    let status = match sent.outcome {
        Outcome::Status(s) => s,
        Outcome::Error(_) => 0,
    };
    if slots.reads_headers {
        io.headers.parse(&io.response_head);
    } else {
        io.headers.clear();
    }
    // Checks and extractions read the body as the server meant it, decoded by the
    // exchange; a body that did not decode is a failed request (`body_decode`).
    let Io {
        headers,
        response_body,
        json_matches,
        ..
    } = io;
    let view = ResponseView {
        status,
        headers: headers.as_slice(),
        body: response_body,
        duration: sent.latency,
    };
    let mut json = LazyJson::reusing(response_body, std::mem::take(json_matches));
    let mut first_failed = None;
    for (i, check) in rs.checks.iter().enumerate() {
        let passed = check.evaluate(&view, &mut json);
        ctx.record_check(slots.checks + i, passed);
        if !passed {
            first_failed = first_failed.or(Some(i));
        }
    }
    for (i, extract) in rs.extract.iter().enumerate() {
        let value = extract.apply(&view, &mut json, rng.next_u64());
        ctx.record_check(slots.checks + rs.checks.len() + i, value.is_some());
        match value {
            Some(v) => set_var(vars, &extract.var, v),
            None => first_failed = first_failed.or(Some(rs.checks.len() + i)),
        }
    }
    *json_matches = json.into_matches();
    first_failed
}

impl Workload for JourneyWorkload {
    type Worker = JourneyWorker;
    type Vu = VuState;

    fn endpoints(&self) -> Vec<EndpointName> {
        self.endpoints.clone()
    }

    fn dynamic_endpoints(&self) -> Option<Arc<DynamicEndpoints>> {
        self.dynamic.clone()
    }

    fn journeys(&self) -> Vec<String> {
        self.scenario.journeys.iter().map(|j| j.name.clone()).collect()
    }

    fn checks(&self) -> Vec<CheckName> {
        self.checks.clone()
    }

    fn custom_metrics(&self) -> Vec<loadcell_schema::CustomMetricDef> {
        self.scenario.metrics.clone()
    }

    fn custom_sites(&self) -> Vec<CheckName> {
        self.sites.clone()
    }

    fn new_worker(&self, worker: usize, workers: usize) -> JourneyWorker {
        JourneyWorker {
            data: WorkerData::new(&self.scenario.data, worker, workers),
            hops: RefCell::new(HopCache::default()),
        }
    }

    fn new_vu(&self, worker: &Rc<JourneyWorker>, vu_id: u64) -> VuState {
        let mut vu = VuState::new(vu_id, self.scenario.data.len(), worker.clone());
        if let Some(vars) = self.setup_vars.get() {
            vu.start_with(vars);
        }
        vu
    }

    fn lifecycle_timeout(&self, phase: Lifecycle) -> Option<Duration> {
        self.lifecycle_slots(phase).map(|lc| lc.timeout)
    }

    async fn lifecycle<'a>(&'a self, phase: Lifecycle, ctx: &'a mut VuContext) -> Result<(), String> {
        self.run_lifecycle(phase, ctx).await
    }

    fn new_vu_in(&self, worker: &Rc<JourneyWorker>, vu_id: u64, part: usize) -> VuState {
        let mut vu = self.new_vu(worker, vu_id);
        vu.part = part.min(self.parts.len().saturating_sub(1));
        vu
    }

    async fn iteration<'a>(&'a self, vu: &'a mut VuState, ctx: &'a mut VuContext) -> Next {
        let started = ctx.scheduled_start().unwrap_or_else(Instant::now);
        let Some(part) = self.parts.get(vu.part) else {
            return Next::StopVu;
        };
        let journey_index = part.pick.pick(vu.rng.below(part.pick.total()));
        let Some(journey) = self.scenario.journeys.get(journey_index) else {
            return Next::StopVu;
        };
        vu.iteration = ctx.iteration();
        vu.forget_vars();
        for &source in &self.sources_used[journey_index] {
            match vu.worker.data.next_row(source, &mut vu.rng) {
                Some(row) => vu.rows[source] = Some(row),
                None => return Next::DataExhausted,
            }
        }
        let think = self.think_for(journey_index);
        let mut failed = false;
        'rounds: for round in 0..journey.loops {
            for (i, step) in journey.steps.iter().enumerate() {
                match step {
                    Step::Sleep(t) => sleep(t.sample(vu.rng.next_u64())).await,
                    Step::Batch(batch) => {
                        let StepLayout::Batch(slots) = &self.slots[journey_index][i] else {
                            continue;
                        };
                        // Boxed: the batch's state (its connections' futures) would otherwise
                        // make every VU's iteration future larger, batch or not.
                        let (StepResult { why, abort }, _) = Box::pin(self.run_batch(batch, slots, vu, ctx)).await;
                        failed |= why.is_some();
                        if abort {
                            break 'rounds;
                        }
                        self.think_after(think, journey, round, i, vu).await;
                    }
                    Step::Request(rs) => {
                        let StepLayout::Request(slots) = self.slots[journey_index][i] else {
                            continue;
                        };
                        if rs.once && vu.once_done(journey_index, i) {
                            continue;
                        }
                        let StepResult { why, abort } = self.run_step(rs, slots, vu, ctx).await;
                        let step_failed = why.is_some();
                        failed |= step_failed;
                        if rs.once && !step_failed {
                            vu.keep_once(journey_index, i, rs.extract.iter().map(|e| e.var.as_str()));
                        }
                        if abort {
                            break 'rounds;
                        }
                        self.think_after(think, journey, round, i, vu).await;
                    }
                }
            }
        }
        ctx.record_journey(journey_index, started, failed);
        if let Some(pacing) = journey.pacing {
            let until = started + pacing;
            if until > Instant::now() {
                tokio::time::sleep_until(tokio::time::Instant::from_std(until)).await;
            }
        }
        vu.iterations_done += 1;
        match part.per_vu_iterations {
            Some(limit) if vu.iterations_done >= limit => Next::StopVu,
            _ => Next::Continue,
        }
    }
}

/// Which entry of `scenarios:` runs each journey (`None` without `scenarios:`).
fn owners(scenario: &Scenario) -> Vec<Option<usize>> {
    let mut owners = vec![None; scenario.journeys.len()];
    for (p, part) in scenario.scenarios.iter().enumerate() {
        for &(j, _) in &part.journeys {
            if let Some(o) = owners.get_mut(j) {
                *o = Some(p);
            }
        }
    }
    owners
}

/// The tags of a journey's requests before its steps' own: `scenario` (with `scenarios:`),
/// the scenario's `tags:`, then the journey's.
fn journey_tags(
    scenario: &Scenario,
    owner: Option<usize>,
    journey: &loadcell_scenario::Journey,
) -> Vec<(String, String)> {
    let mut tags = Vec::new();
    if let Some(part) = owner.and_then(|p| scenario.scenarios.get(p)) {
        tags.push(("scenario".to_string(), part.name.clone()));
        tags = merge_tags(&tags, &part.tags);
    }
    merge_tags(&tags, &journey.tags)
}

/// `base` with `over` on top (a key in both takes `over`'s value).
fn merge_tags(base: &[(String, String)], over: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = base
        .iter()
        .filter(|(k, _)| !over.iter().any(|(o, _)| o == k))
        .cloned()
        .collect();
    out.extend(over.iter().cloned());
    out
}

/// The run's parts: one per entry of `scenarios:` (its journeys at its weights), or one
/// for the whole file.
fn parts(scenario: &Scenario) -> Vec<PartRun> {
    if scenario.scenarios.is_empty() {
        return vec![PartRun {
            pick: WeightedPick::new(scenario.journeys.iter().map(|j| j.weight)),
            per_vu_iterations: None,
        }];
    }
    scenario
        .scenarios
        .iter()
        .map(|part| {
            let mut weights = vec![0u32; scenario.journeys.len()];
            for &(j, w) in &part.journeys {
                if let Some(slot) = weights.get_mut(j) {
                    *slot = w;
                }
            }
            PartRun {
                pick: WeightedPick::new(weights),
                per_vu_iterations: part.executor.per_vu_iterations(),
            }
        })
        .collect()
}

async fn sleep(d: Duration) {
    if !d.is_zero() {
        tokio::time::sleep(d).await;
    }
}
