//! `setup:` and `teardown:` as the engine's lifecycle phases (k6's `setup()` and
//! `teardown()`): their steps run in order by VU 0 outside the load, and the first step that
//! fails — no response or a status of 400 or more, a failed check or extraction, a request
//! that cannot be built — ends the phase with that reason. What a setup extracted is kept in
//! the workload; every VU created afterwards (and the teardown's) starts with it.

use crate::workload::{JourneyWorkload, LifecycleSlots, StepLayout, StepResult, Why};
use loadcell_engine::{Lifecycle, VuContext, Workload};
use loadcell_metrics::Outcome;
use loadcell_scenario::{RequestStep, Step};
use std::rc::Rc;

impl JourneyWorkload {
    /// The slots of `phase`, if the scenario has it.
    pub(crate) fn lifecycle_slots(&self, phase: Lifecycle) -> Option<&LifecycleSlots> {
        let i = match phase {
            Lifecycle::Setup => 0,
            Lifecycle::Teardown => 1,
        };
        self.lifecycle[i].as_ref()
    }

    /// Runs `phase`'s steps through `ctx`; why it failed, otherwise.
    pub(crate) async fn run_lifecycle(&self, phase: Lifecycle, ctx: &mut VuContext) -> Result<(), String> {
        let section = match phase {
            Lifecycle::Setup => &self.scenario.setup,
            Lifecycle::Teardown => &self.scenario.teardown,
        };
        let (Some(lc), Some(section)) = (self.lifecycle_slots(phase), section) else {
            return Ok(());
        };
        // A worker of its own: the phase's rows do not come out of any load worker's share.
        let worker = Rc::new(self.new_worker(0, 1));
        let mut vu = self.new_vu(&worker, 0);
        for &source in &lc.sources {
            match vu.worker.data.next_row(source, &mut vu.rng) {
                Some(row) => vu.rows[source] = Some(row),
                None => {
                    return Err(format!(
                        "its test data '{}' has no rows",
                        self.scenario.data[source].name
                    ));
                }
            }
        }
        for (step, slots) in section.journey.steps.iter().zip(&lc.slots) {
            match (step, slots) {
                (Step::Sleep(t), _) => {
                    let d = t.sample(vu.rng.next_u64());
                    if !d.is_zero() {
                        tokio::time::sleep(d).await;
                    }
                }
                (Step::Request(rs), StepLayout::Request(slots)) => {
                    let StepResult { why, .. } = self.run_step(rs, *slots, &mut vu, ctx).await;
                    if let Some(why) = why {
                        return Err(format!("step '{}' failed: {}", rs.name, describe(why, rs)));
                    }
                }
                (Step::Batch(batch), StepLayout::Batch(slots)) => {
                    let (StepResult { why, .. }, failed) = Box::pin(self.run_batch(batch, slots, &mut vu, ctx)).await;
                    if let (Some(why), Some(rs)) = (why, failed.and_then(|i| batch.requests.get(i))) {
                        return Err(format!(
                            "request '{}' of batch '{}' failed: {}",
                            rs.name,
                            batch.name,
                            describe(why, rs)
                        ));
                    }
                }
                _ => {}
            }
        }
        if phase == Lifecycle::Setup {
            let vars = vu.vars.into_iter().filter_map(|(n, v)| Some((n, v?))).collect();
            let _ = self.setup_vars.set(vars);
        }
        Ok(())
    }
}

/// Why a step failed, in words.
fn describe(why: Why, rs: &RequestStep) -> String {
    match why {
        Why::NotBuilt => "its request could not be built (a variable it uses has no value)".to_string(),
        Why::Request(Outcome::Status(status)) => format!("status {status}"),
        Why::Request(Outcome::Error(loadcell_schema::ErrorKind::BodyDecode)) => {
            "its response body did not decode".to_string()
        }
        Why::Request(Outcome::Error(kind)) => format!("no response ({})", kind.as_str()),
        Why::Metric(i) => match rs.add.iter().find(|a| a.metric == i) {
            Some(a) => format!("its 'add:' to '{}' had no number", a.name),
            None => "an 'add:' had no number".to_string(),
        },
        Why::Check(i) => match rs.checks.get(i) {
            Some(check) => format!("check '{}' did not hold", check.label),
            None => {
                let var = rs.extract.get(i - rs.checks.len()).map_or("?", |e| e.var.as_str());
                format!("extraction of '{var}' found nothing")
            }
        },
    }
}
