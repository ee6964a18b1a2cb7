//! The load a run asked for, whichever way it was written ([`LoadInputs`]), and [`plan`]:
//! the engine's model, run length and thread count, with every combination checked.

use crate::error::{PlanError, invalid};
use loadcell_engine::{LoadCurve, Model};
use loadcell_schema::{Profile, StageLabel};
use loadcell_units::Stage;
use std::time::Duration;

/// Default length of a run given neither a duration, a request budget nor stages.
const DEFAULT_DURATION: Duration = Duration::from_secs(10);
/// Default VUs of a closed-model run given no concurrency.
const DEFAULT_VUS: u64 = 10;
/// Stands for "no planned end" in curves of runs bounded only by a request budget.
const UNBOUNDED_S: f64 = 1e9;
/// The highest arrival rate one loadcell process can even schedule (it would drop nearly
/// all of it: one thread sends on the order of 100,000 requests/s).
const MAX_RATE: f64 = 10_000_000.0;

/// The load a run asked for, whichever way it was written.
#[derive(Debug, Clone, Default)]
pub struct LoadInputs {
    pub concurrency: Option<u64>,
    pub rate: Option<f64>,
    pub duration: Option<Duration>,
    pub requests: Option<u64>,
    /// Stage targets are VUs, or rates when `open` is set.
    pub stages: Option<Vec<Stage>>,
    /// The stages (or `rate`) describe the open model.
    pub open: bool,
    pub warmup: Duration,
    pub max_vus: Option<u64>,
    /// Open model: VUs to allocate before the first arrival.
    pub pre_vus: Option<u64>,
    pub threads: Option<usize>,
    /// End the run this long after the start even if the stages go on.
    pub cut: Option<Duration>,
    /// The test-type profile the stages were expanded from.
    pub profile: Option<Profile>,
    /// Name and role of each stage (profiles; empty otherwise), for the summary's `stages[]`
    /// and the analyses.
    pub labels: Vec<StageLabel>,
}

/// What the engine needs to know about the load.
#[derive(Debug, Clone)]
pub struct LoadPlan {
    pub model: Model,
    pub run_for: Option<Duration>,
    pub threads: usize,
    /// Name and role of each stage (empty without a profile).
    pub labels: Vec<StageLabel>,
    /// Open model: how the VU pool is sized.
    pub open_vus: loadcell_engine::OpenVus,
    /// A file's `scenarios:`, one engine part each (empty: one model, the fields above).
    pub parts: Vec<loadcell_engine::Part>,
}

impl LoadPlan {
    /// The stages' names, in order (empty without a profile).
    pub fn stage_names(&self) -> Vec<String> {
        self.labels.iter().map(|l| l.name.clone()).collect()
    }
}

/// Checks the inputs and builds the plan.
pub fn plan(i: &LoadInputs) -> Result<LoadPlan, PlanError> {
    check(i)?;
    let warmup_s = i.warmup.as_secs_f64();
    let length_s = match (&i.stages, i.duration, i.requests) {
        (Some(_), _, _) => None,
        (None, Some(d), _) => Some(warmup_s + d.as_secs_f64()),
        (None, None, Some(_)) => None,
        (None, None, None) => Some(warmup_s + DEFAULT_DURATION.as_secs_f64()),
    };
    let curve = |start: f64| match &i.stages {
        Some(s) => LoadCurve::new(start, s),
        None => LoadCurve::constant(start, length_s.unwrap_or(UNBOUNDED_S)),
    };
    let model = if i.open {
        let curve = curve(i.rate.unwrap_or(0.0));
        if curve.peak() <= 0.0 {
            return Err(invalid("the rate never rises above 0; nothing would be sent"));
        }
        if curve.peak() > MAX_RATE {
            return Err(invalid(format!(
                "a rate of {}/s is more than one loadcell process can schedule (at most 10M/s; one thread sends about 100k/s): run several loadcell processes, or lower it",
                curve.peak()
            )));
        }
        let max_vus = i
            .max_vus
            .unwrap_or_else(|| ((curve.peak() * 2.0).ceil() as u64).clamp(1000, 20_000));
        Model::Open { rate: curve, max_vus }
    } else {
        let start = i
            .concurrency
            .unwrap_or(if i.stages.is_some() { 0 } else { DEFAULT_VUS }) as f64;
        let curve = curve(start);
        if curve.peak() < 1.0 {
            return Err(invalid("the number of VUs never rises above 0; nothing would be sent"));
        }
        Model::Closed { vus: curve }
    };
    let run_for = match (&model, &i.stages) {
        (Model::Open { rate: curve, .. } | Model::Closed { vus: curve }, Some(_)) => Some(curve.len_s()),
        (_, None) => length_s,
    };
    let run_for = match (run_for, i.cut) {
        (Some(len), Some(cut)) => Some(len.min(cut.as_secs_f64())),
        (len, _) => len,
    };
    if run_for.is_some_and(|len| warmup_s >= len) {
        return Err(invalid(
            "--warmup is as long as the whole run; nothing would be measured",
        ));
    }
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut threads = i.threads.unwrap_or(cpus);
    if let Model::Closed { vus } = &model {
        threads = threads.min(vus.peak().round().max(1.0) as usize);
    }
    Ok(LoadPlan {
        model,
        run_for: run_for.map(Duration::from_secs_f64),
        threads,
        labels: i.labels.clone(),
        open_vus: loadcell_engine::OpenVus {
            pre_allocated: i.pre_vus,
            fixed_max: i.max_vus.is_some(),
        },
        parts: Vec::new(),
    })
}

/// The checks that need no curve: contradictions and zeros.
fn check(i: &LoadInputs) -> Result<(), PlanError> {
    if i.concurrency.is_some() && i.rate.is_some() {
        return Err(invalid(
            "use either --concurrency (closed model) or --rate (open model), not both",
        ));
    }
    if i.concurrency == Some(0) {
        return Err(invalid("--concurrency must be at least 1"));
    }
    if i.rate == Some(0.0) && i.stages.is_none() {
        return Err(invalid("--rate must be above 0"));
    }
    if i.duration.is_some() && i.stages.is_some() {
        return Err(invalid(
            "--duration and --stages both set the length of the run; use one",
        ));
    }
    if i.duration == Some(Duration::ZERO) {
        return Err(invalid("--duration must be above 0"));
    }
    if i.requests == Some(0) {
        return Err(invalid("--requests must be at least 1"));
    }
    if i.max_vus.is_some() && !i.open {
        return Err(invalid(
            "--max-vus applies to the open model; add --rate, or use --concurrency for VUs",
        ));
    }
    if i.max_vus == Some(0) {
        return Err(invalid("--max-vus must be at least 1"));
    }
    if i.pre_vus.is_some() && !i.open {
        return Err(invalid("--pre-vus applies to the open model; add --rate"));
    }
    if let (Some(pre), Some(max)) = (i.pre_vus, i.max_vus)
        && pre > max
    {
        return Err(invalid(format!("--pre-vus {pre} is more than --max-vus {max}")));
    }
    if i.threads == Some(0) {
        return Err(invalid("--threads must be at least 1"));
    }

    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_to_ten_vus_for_ten_seconds() {
        let p = plan(&LoadInputs::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.run_for, Some(Duration::from_secs(10)));
        assert!(matches!(p.model, Model::Closed { ref vus } if vus.peak() == 10.0));
    }

    #[test]
    fn warmup_adds_to_the_duration_and_stages_set_the_length() {
        let p = plan(&LoadInputs {
            duration: Some(Duration::from_secs(5)),
            warmup: Duration::from_secs(2),
            ..Default::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.run_for, Some(Duration::from_secs(7)));
        let stages = vec![Stage {
            duration: Duration::from_secs(3),
            target: 5.0,
        }];
        let p = plan(&LoadInputs {
            rate: Some(1.0),
            open: true,
            stages: Some(stages),
            ..Default::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.run_for, Some(Duration::from_secs(3)));
    }

    #[test]
    fn contradictions_are_usage_errors() {
        let bad = [
            LoadInputs {
                concurrency: Some(1),
                rate: Some(1.0),
                open: true,
                ..Default::default()
            },
            LoadInputs {
                concurrency: Some(0),
                ..Default::default()
            },
            LoadInputs {
                max_vus: Some(5),
                ..Default::default()
            },
            LoadInputs {
                requests: Some(0),
                ..Default::default()
            },
            LoadInputs {
                rate: Some(2e7),
                open: true,
                ..Default::default()
            },
            LoadInputs {
                warmup: Duration::from_secs(20),
                stages: Some(vec![Stage {
                    duration: Duration::from_secs(5),
                    target: 3.0,
                }]),
                ..Default::default()
            },
        ];
        for inputs in bad {
            assert!(plan(&inputs).is_err(), "{inputs:?}");
        }
    }
}
