//! `loadcell capacity`: the highest open-model rate the target sustains while every SLO
//! holds. The search is `loadcell-capacity`'s state machine; here each rate it asks for is
//! one constant-rate step of the [`crate::sweep`] driver, judged with the same threshold
//! machinery as `loadcell run`, and the steps become one summary with the `capacity`
//! section (`loadcell-analysis`).

use crate::error::{SessionError, invalid};
use crate::sweep::{Sweep, default_warmup, step_settings};
use crate::target::Target;
use loadcell_analysis::capacity::{self as section, Settings as SectionSettings};
use loadcell_analysis::{Combined, Mark};
use loadcell_capacity::{Config, Search, SearchResult, Step, StepResult};
use loadcell_engine::{Outcome, Settings};
use loadcell_monitor::Tally;
use loadcell_plan::LoadInputs;
use loadcell_schema::{CapacitySummary, Summary, TargetUse, ThresholdResult};
use loadcell_threshold::Threshold;
use loadcell_units::format::level;
use std::time::{Duration, Instant};

/// Grace for in-flight requests at the end of a step: they belong to an overloaded step
/// anyway, and the next step should not wait long for them.
const STEP_GRACE: Duration = Duration::from_secs(1);
/// Start-up and shut-down of one engine run, planned for in the budget.
const STEP_OVERHEAD: Duration = Duration::from_millis(200);

/// What the search is asked.
#[derive(Debug, Clone)]
pub struct CapacitySpec {
    /// `--slo`, as typed (scenario files default to their thresholds).
    pub slos: Vec<String>,
    pub step_duration: Duration,
    pub max_time: Duration,
    pub start_rate: f64,
    pub min_rate: f64,
    pub max_rate: f64,
    pub precision: f64,
    pub max_vus: Option<u64>,
    pub threads: Option<usize>,
}

/// A capacity search in progress.
pub struct Capacity {
    search: Search,
    slos: Vec<Threshold>,
    spec: CapacitySpec,
    warmup: Duration,
    transport: loadcell_engine::Transport,
    /// The SLO verdicts of each judged step, in step order.
    verdicts: Vec<Vec<ThresholdResult>>,
    /// `--monitor`: the target's resources during each judged step, in step order.
    targets: Vec<Option<TargetUse>>,
    /// The step just measured, recorded once its folder rewrite is done.
    pending: Option<StepResult>,
}

impl Capacity {
    /// Checks the search against `target` before any request.
    pub fn new(target: &Target, spec: CapacitySpec) -> Result<Capacity, SessionError> {
        let mut slos = spec
            .slos
            .iter()
            .map(|e| loadcell_threshold::parse(e))
            .collect::<Result<Vec<_>, _>>()?;
        match target.scenario() {
            None if slos.is_empty() => {
                return Err(invalid("capacity needs at least one --slo (e.g. --slo 'p95<200ms')"));
            }
            Some(scenario) if slos.is_empty() => {
                slos = scenario.thresholds.clone();
                if slos.is_empty() {
                    return Err(invalid(format!(
                        "capacity needs at least one --slo, and scenario '{}' has no thresholds",
                        scenario.name
                    )));
                }
            }
            _ => {}
        }
        target.check_filters(&slos)?;
        let warmup = default_warmup(spec.step_duration);
        let search = Search::new(Config {
            start_rate: spec.start_rate,
            min_rate: spec.min_rate,
            max_rate: spec.max_rate,
            growth: 2.0,
            precision: spec.precision,
            // The budget plans for the longest a step can take: warm-up, measured time, the
            // grace for in-flight requests, the cool-down after a failure and start-up.
            step_duration: warmup + spec.step_duration + STEP_GRACE * 2 + STEP_OVERHEAD,
            max_time: spec.max_time,
        })?;
        let capacity = Capacity {
            search,
            slos,
            warmup,
            transport: target.transport.clone(),
            verdicts: Vec::new(),
            targets: Vec::new(),
            pending: None,
            spec,
        };
        // Check the load flags once, before any request.
        capacity.settings(capacity.spec.start_rate)?;
        Ok(capacity)
    }

    pub fn slos(&self) -> &[Threshold] {
        &self.slos
    }

    /// Each step's warm-up: a fifth of the step, at most 2 s.
    pub fn warmup(&self) -> Duration {
        self.warmup
    }

    /// The steps recorded so far.
    pub fn steps(&self) -> &[Step] {
        self.search.steps()
    }

    /// The search's answer so far.
    pub fn result(&self) -> SearchResult {
        self.search.result()
    }

    /// The `capacity` section for `result`.
    pub fn section(&self, result: &SearchResult) -> CapacitySummary {
        section::capacity(result, &self.slos, &self.section_settings(), &self.targets)
    }

    fn section_settings(&self) -> SectionSettings {
        SectionSettings {
            step_duration_s: self.spec.step_duration.as_secs_f64(),
            step_warmup_s: self.warmup.as_secs_f64(),
            max_time_s: self.spec.max_time.as_secs_f64(),
            precision: self.spec.precision,
        }
    }

    /// The unit of the summary's stage marks.
    pub const UNIT: &'static str = "iterations/s";
}

impl Sweep for Capacity {
    type Level = f64;

    fn next(&mut self) -> Option<f64> {
        self.search.next_rate()
    }

    /// Engine settings of one constant-rate step.
    fn settings(&self, rate: f64) -> Result<Settings, SessionError> {
        let load = LoadInputs {
            rate: Some(rate),
            open: true,
            duration: Some(self.spec.step_duration),
            warmup: self.warmup,
            max_vus: self.spec.max_vus,
            threads: self.spec.threads,
            ..LoadInputs::default()
        };
        step_settings(&load, STEP_GRACE, &self.transport)
    }

    fn mark(&self, rate: f64, n: usize, interrupted: bool) -> Mark {
        let cut = if interrupted { " (interrupted)" } else { "" };
        Mark {
            name: format!("step {n} · {}/s{cut}", level(rate)),
            level: rate,
        }
    }

    fn measured(
        &mut self,
        rate: f64,
        outcome: &Outcome,
        started: Instant,
        resources: Option<&Tally>,
    ) -> Option<Vec<String>> {
        let (measured, verdicts) = section::step(outcome, &self.slos, resources.map(|r| r as _));
        self.targets.push(resources.and_then(Tally::target_use));
        let failed = verdicts.iter().filter(|v| !v.passed).map(|v| v.expr.clone()).collect();
        self.verdicts.push(verdicts);
        let result = StepResult {
            offered: rate,
            elapsed: started.elapsed(),
            ..measured
        };
        if !Step::judge(result.clone()).passed {
            // Let the target drain what the overloaded step queued, so that it does not
            // slow the next step down.
            std::thread::sleep(STEP_GRACE);
        }
        self.pending = Some(StepResult {
            elapsed: started.elapsed(),
            ..result
        });
        Some(failed)
    }

    fn done(&mut self, started: Instant) {
        if let Some(result) = self.pending.take() {
            self.search.record(StepResult {
                elapsed: started.elapsed(),
                ..result
            });
        }
    }

    fn interrupted(&mut self, _: f64) {
        self.search.interrupt();
    }

    /// While a step is pending, the document already counts it.
    fn document(&self, combined: &Combined, finished: bool) -> Option<Summary> {
        let result = match &self.pending {
            Some(step) => {
                let mut with_step = self.search.clone();
                with_step.record(step.clone());
                with_step.result()
            }
            None => self.search.result(),
        };
        section::summary(
            combined,
            &result,
            &self.slos,
            &self.verdicts,
            &self.section_settings(),
            &self.targets,
            finished,
        )
    }
}
