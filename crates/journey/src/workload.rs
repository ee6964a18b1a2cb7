//! `JourneyWorkload`: the engine workload of a scenario file. One iteration = one journey
//! picked by weight, its steps run `loop` times with think time between them, then the
//! journey's pacing.

use crate::data::WorkerData;
use crate::decode::decode_response;
use crate::request::{RenderFailed, build_request};
use crate::response::store_cookies;
use crate::vu::{VuState, set_var};
use crate::weights::WeightedPick;
use loadcell_engine::{CheckName, EndpointName, Next, VuContext, Workload};
use loadcell_http::{Capture, Origin};
use loadcell_metrics::Outcome;
use loadcell_scenario::{CheckKind, ExtractSource, LazyJson, OnFail, RequestStep, ResponseView, Scenario, Step, Think};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Where a request step records: its request slot and its first check slot (its checks
/// first, then one slot per extraction); and whether its checks or extractions read
/// response headers (otherwise only `Set-Cookie` is looked for).
#[derive(Debug, Clone, Copy)]
struct StepSlots {
    request: usize,
    checks: usize,
    reads_headers: bool,
}

/// A scenario, ready to run.
pub struct JourneyWorkload {
    scenario: Scenario,
    origin: Origin,
    pick: WeightedPick,
    /// Per journey, per step: the slots of request steps.
    slots: Vec<Vec<Option<StepSlots>>>,
    endpoints: Vec<EndpointName>,
    checks: Vec<CheckName>,
    /// Per journey: the data sources its templates read.
    sources_used: Vec<Vec<usize>>,
    http2: bool,
}

/// Per-worker state: this worker's share of the test data.
pub struct JourneyWorker {
    pub(crate) data: WorkerData,
}

impl JourneyWorkload {
    /// Prepares `scenario` to send to `origin` (the scenario's target or the command line's).
    pub fn new(scenario: Scenario, origin: Origin, http2: bool) -> JourneyWorkload {
        let mut endpoints = Vec::new();
        let mut checks = Vec::new();
        let mut slots = Vec::new();
        let mut sources_used = Vec::new();
        for journey in &scenario.journeys {
            let mut journey_slots = Vec::new();
            for step in &journey.steps {
                let Step::Request(rs) = step else {
                    journey_slots.push(None);
                    continue;
                };
                let (method, path) = rs
                    .endpoint
                    .split_once(' ')
                    .unwrap_or((rs.method.as_str(), rs.endpoint.as_str()));
                let slot = StepSlots {
                    request: endpoints.len(),
                    checks: checks.len(),
                    reads_headers: rs.checks.iter().any(|c| matches!(c.kind, CheckKind::Header { .. }))
                        || rs.extract.iter().any(|e| matches!(e.source, ExtractSource::Header(_))),
                };
                endpoints.push(EndpointName {
                    method: method.to_string(),
                    path: path.to_string(),
                    journey: Some(journey.name.clone()),
                    step: Some(rs.name.clone()),
                });
                for check in &rs.checks {
                    checks.push(CheckName {
                        journey: journey.name.clone(),
                        step: rs.name.clone(),
                        label: check.label.clone(),
                    });
                }
                for extract in &rs.extract {
                    checks.push(CheckName {
                        journey: journey.name.clone(),
                        step: rs.name.clone(),
                        label: format!("extract {}", extract.var),
                    });
                }
                journey_slots.push(Some(slot));
            }
            slots.push(journey_slots);
            sources_used.push(scenario.data_used_by(journey));
        }
        let pick = WeightedPick::new(scenario.journeys.iter().map(|j| j.weight));
        JourneyWorkload {
            scenario,
            origin,
            pick,
            slots,
            endpoints,
            checks,
            sources_used,
            http2,
        }
    }

    fn think_for(&self, journey: usize) -> Option<Think> {
        self.scenario
            .journeys
            .get(journey)
            .and_then(|j| j.think)
            .or(self.scenario.defaults.think)
    }

    /// Runs one request step; returns whether it failed and whether to abort the iteration.
    async fn run_step(
        &self,
        rs: &RequestStep,
        slots: StepSlots,
        vu: &mut VuState,
        ctx: &mut VuContext,
    ) -> (bool, bool) {
        if let Err(RenderFailed) = build_request(rs, &self.scenario, &self.origin, vu, self.http2) {
            // A variable the step needs was never set (an earlier step failed), its URL
            // leaves the target's origin, or a header value rendered with a line break: the
            // request cannot be made. Counted as skipped,
            // and the iteration cannot meaningfully go on.
            ctx.record_skipped(slots.request);
            return (true, true);
        }
        let sent = {
            let VuState {
                request,
                wire,
                response_head,
                response_body,
                ..
            } = vu;
            response_head.clear();
            response_body.clear();
            let mut capture = Capture {
                body: Some(response_body),
                head: Some(response_head),
            };
            ctx.send(slots.request, request, wire, &mut capture).await
        };
        if slots.reads_headers {
            vu.headers.parse(&vu.response_head);
        } else {
            vu.headers.clear();
        }
        store_cookies(&vu.response_head, &mut vu.jar);
        let status = match sent.outcome {
            Outcome::Status(s) => s,
            Outcome::Error(_) => 0,
        };
        let decoded = decode_response(slots.request, vu, ctx, status != 0);
        let mut failed = sent.outcome.is_failure() || !decoded;
        let VuState {
            headers,
            response_body,
            rng,
            vars,
            ..
        } = vu;
        let view = ResponseView {
            status,
            headers: headers.as_slice(),
            body: response_body,
            duration: sent.latency,
        };
        let mut json = LazyJson::new(response_body);
        let mut check_failed = false;
        for (i, check) in rs.checks.iter().enumerate() {
            let passed = check.evaluate(&view, &mut json);
            ctx.record_check(slots.checks + i, passed);
            check_failed |= !passed;
        }
        for (i, extract) in rs.extract.iter().enumerate() {
            let value = extract.apply(&view, &mut json, rng.next_u64());
            ctx.record_check(slots.checks + rs.checks.len() + i, value.is_some());
            check_failed |= value.is_none();
            if let Some(v) = value {
                set_var(vars, &extract.var, v);
            }
        }
        failed |= check_failed;
        (failed, check_failed && rs.on_fail == OnFail::AbortIteration)
    }
}

impl Workload for JourneyWorkload {
    type Worker = JourneyWorker;
    type Vu = VuState;

    fn endpoints(&self) -> Vec<EndpointName> {
        self.endpoints.clone()
    }

    fn journeys(&self) -> Vec<String> {
        self.scenario.journeys.iter().map(|j| j.name.clone()).collect()
    }

    fn checks(&self) -> Vec<CheckName> {
        self.checks.clone()
    }

    fn new_worker(&self, worker: usize, workers: usize) -> JourneyWorker {
        JourneyWorker {
            data: WorkerData::new(&self.scenario.data, worker, workers),
        }
    }

    fn new_vu(&self, worker: &Rc<JourneyWorker>, vu_id: u64) -> VuState {
        VuState::new(vu_id, self.scenario.data.len(), worker.clone())
    }

    async fn iteration<'a>(&'a self, vu: &'a mut VuState, ctx: &'a mut VuContext) -> Next {
        let started = ctx.scheduled_start().unwrap_or_else(Instant::now);
        let journey_index = self.pick.pick(vu.rng.below(self.pick.total()));
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
        let last_round = journey.loops.saturating_sub(1);
        'rounds: for round in 0..journey.loops {
            for (i, step) in journey.steps.iter().enumerate() {
                match step {
                    Step::Sleep(t) => sleep(t.sample(vu.rng.next_u64())).await,
                    Step::Request(rs) => {
                        let Some(slots) = self.slots[journey_index][i] else {
                            continue;
                        };
                        let (step_failed, abort) = self.run_step(rs, slots, vu, ctx).await;
                        failed |= step_failed;
                        if abort {
                            break 'rounds;
                        }
                        let is_last = round == last_round && i + 1 == journey.steps.len();
                        let next_is_sleep = matches!(journey.steps.get(i + 1), Some(Step::Sleep(_)));
                        if let (Some(t), false, false) = (think, is_last, next_is_sleep) {
                            sleep(t.sample(vu.rng.next_u64())).await;
                        }
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
        Next::Continue
    }
}

async fn sleep(d: Duration) {
    if !d.is_zero() {
        tokio::time::sleep(d).await;
    }
}
