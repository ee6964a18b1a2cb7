//! A scenario file's `scenarios:` as the engine's parts: each executor becomes a load
//! model whose curve is 0 until its `start_time`, with its own end, iteration budget and
//! VU pool; and the whole run's model for the summary (the parts' curves summed).
//!
//! The command line's load flags (`-c`, `-r`, `--stages`, `-d`, `-n`, `--profile`) would
//! replace a single model; with `scenarios:` each scenario sets its own, so they are refused.

use crate::error::{PlanError, invalid};
use crate::flags::LoadFlags;
use crate::inputs::LoadPlan;
use loadcell_engine::{LoadCurve, Model, OpenVus, Part};
use loadcell_scenario::{Executor, Scenario, ScenarioPart};
use loadcell_units::Stage;
use std::time::Duration;

/// The plan of a file with `scenarios:`; `None` for a file without (its `load:` plans as usual).
pub fn from_scenarios(flags: &LoadFlags, scenario: &Scenario) -> Result<Option<LoadPlan>, PlanError> {
    if scenario.scenarios.is_empty() {
        return Ok(None);
    }
    if flags.has_model() || flags.duration.is_some() || flags.requests.is_some() || flags.profile.name.is_some() {
        return Err(invalid(
            "the file's 'scenarios' set the load of each scenario: drop -c, -r, --stages, -d, -n and --profile",
        ));
    }
    if flags.max_vus.is_some() || flags.pre_vus.is_some() {
        return Err(invalid(
            "--max-vus and --pre-vus size one open model; with 'scenarios' give 'max_vus' and 'pre_allocated_vus' per scenario",
        ));
    }
    let warmup = flags.warmup.unwrap_or_default();
    let parts: Vec<Part> = scenario.scenarios.iter().map(part).collect();
    let end = parts
        .iter()
        .map(|p| p.run_for)
        .try_fold(Duration::ZERO, |m, d| d.map(|d| m.max(d)));
    if end.is_some_and(|len| warmup >= len) {
        return Err(invalid(
            "--warmup is as long as the whole run; nothing would be measured",
        ));
    }
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    Ok(Some(LoadPlan {
        model: whole(&parts),
        run_for: end,
        threads: flags.threads.unwrap_or(cpus).max(parts.len()),
        labels: Vec::new(),
        open_vus: OpenVus::default(),
        parts,
    }))
}

/// One scenario as an engine part.
fn part(s: &ScenarioPart) -> Part {
    let start = s.start_time;
    let delayed = |level: f64, stages: &[Stage]| {
        let mut all = Vec::with_capacity(stages.len() + 2);
        if !start.is_zero() {
            all.push(Stage {
                duration: start,
                target: 0.0,
            });
            all.push(Stage {
                duration: Duration::ZERO,
                target: level,
            });
        }
        all.extend_from_slice(stages);
        LoadCurve::new(if start.is_zero() { level } else { 0.0 }, &all)
    };
    let constant = |level: f64, d: Duration| {
        delayed(
            level,
            &[Stage {
                duration: d,
                target: level,
            }],
        )
    };
    let open = |rate: LoadCurve, pre: Option<u64>, max: Option<u64>| {
        let max_vus = max.unwrap_or_else(|| ((rate.peak() * 2.0).ceil() as u64).clamp(100, 20_000));
        (
            Model::Open { rate, max_vus },
            OpenVus {
                pre_allocated: pre,
                fixed_max: max.is_some(),
            },
        )
    };
    let (model, open_vus, requests) = match &s.executor {
        Executor::ConstantVus { vus, duration } => (closed(constant(*vus as f64, *duration)), OpenVus::default(), None),
        Executor::RampingVus { start_vus, stages } => {
            (closed(delayed(*start_vus as f64, stages)), OpenVus::default(), None)
        }
        Executor::ConstantArrivalRate {
            rate,
            duration,
            pre_allocated_vus,
            max_vus,
        } => {
            let (m, o) = open(constant(*rate, *duration), *pre_allocated_vus, *max_vus);
            (m, o, None)
        }
        Executor::RampingArrivalRate {
            start_rate,
            stages,
            pre_allocated_vus,
            max_vus,
        } => {
            let (m, o) = open(delayed(*start_rate, stages), *pre_allocated_vus, *max_vus);
            (m, o, None)
        }
        Executor::SharedIterations {
            vus,
            iterations,
            max_duration,
        } => (
            closed(constant(*vus as f64, *max_duration)),
            OpenVus::default(),
            Some(*iterations),
        ),
        // Each VU stops itself after its iterations (the workload counts them).
        Executor::PerVuIterations { vus, max_duration, .. } => {
            (closed(constant(*vus as f64, *max_duration)), OpenVus::default(), None)
        }
    };
    let run_for = match &model {
        Model::Closed { vus: c } | Model::Open { rate: c, .. } => Duration::from_secs_f64(c.len_s()),
    };
    Part {
        model,
        run_for: Some(run_for),
        requests,
        open_vus,
        graceful_stop: s.graceful_stop,
        ramp_down_limit: s.graceful_ramp_down,
        name: Some(s.name.clone()),
    }
}

fn closed(vus: LoadCurve) -> Model {
    Model::Closed { vus }
}

/// The run as a whole, for the summary's headline: the sum of the open parts' rates when
/// every part is open, otherwise the sum of the closed parts' VUs (each scenario's own
/// model and numbers are in the summary's `scenarios[]`).
fn whole(parts: &[Part]) -> Model {
    let all_open = parts.iter().all(|p| matches!(p.model, Model::Open { .. }));
    let curves: Vec<&LoadCurve> = parts
        .iter()
        .filter_map(|p| match &p.model {
            Model::Open { rate, .. } if all_open => Some(rate),
            Model::Closed { vus } if !all_open => Some(vus),
            _ => None,
        })
        .collect();
    let sum = sum(&curves);
    if all_open {
        let max_vus = parts
            .iter()
            .map(|p| match p.model {
                Model::Open { max_vus, .. } => max_vus,
                Model::Closed { .. } => 0,
            })
            .sum();
        Model::Open { rate: sum, max_vus }
    } else {
        Model::Closed { vus: sum }
    }
}

/// The sum of piecewise-linear curves, exact: a segment between every two breakpoints of
/// any curve, a zero-length one where a curve jumps.
fn sum(curves: &[&LoadCurve]) -> LoadCurve {
    let mut cuts: Vec<f64> = curves
        .iter()
        .flat_map(|c| c.segments().into_iter().flat_map(|(s, l, _, _)| [s, s + l]))
        .collect();
    cuts.sort_by(f64::total_cmp);
    cuts.dedup();
    let at = |t: f64| curves.iter().map(|c| c.value_at(t)).sum::<f64>();
    let start = cuts.first().map_or(0.0, |&t| at(t));
    let mut stages = Vec::with_capacity(cuts.len() * 2);
    let mut level = start;
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let from = at(a);
        if from != level {
            stages.push(Stage {
                duration: Duration::ZERO,
                target: from,
            });
        }
        // Every curve is linear on [a, b): its value just before b follows from the middle.
        let to = from + 2.0 * (at((a + b) / 2.0) - from);
        stages.push(Stage {
            duration: Duration::from_secs_f64(b - a),
            target: to,
        });
        level = to;
    }
    LoadCurve::new(start, &stages)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(secs: f64, target: f64) -> Stage {
        Stage {
            duration: Duration::from_secs_f64(secs),
            target,
        }
    }

    #[test]
    fn sums_curves_with_a_delayed_start() {
        let a = LoadCurve::constant(10.0, 4.0);
        let b = LoadCurve::new(0.0, &[stage(2.0, 0.0), stage(0.0, 5.0), stage(2.0, 5.0)]);
        let s = sum(&[&a, &b]);
        assert_eq!(s.value_at(1.0), 10.0);
        assert_eq!(s.value_at(3.0), 15.0);
        assert!((s.total_arrivals() - 50.0).abs() < 1e-9, "{}", s.total_arrivals());
        let ramp = LoadCurve::new(0.0, &[stage(4.0, 8.0)]);
        let s = sum(&[&a, &ramp]);
        assert!((s.value_at(2.0) - 14.0).abs() < 1e-9);
        assert!((s.total_arrivals() - 56.0).abs() < 1e-9);
    }

    #[test]
    fn a_start_time_delays_the_curve() {
        let p = part(&ScenarioPart {
            name: "late".into(),
            executor: Executor::ConstantArrivalRate {
                rate: 10.0,
                duration: Duration::from_secs(3),
                pre_allocated_vus: None,
                max_vus: None,
            },
            start_time: Duration::from_secs(2),
            journeys: vec![(0, 1)],
            tags: Vec::new(),
            graceful_stop: None,
            graceful_ramp_down: None,
        });
        let Model::Open { rate, .. } = &p.model else {
            panic!("open")
        };
        assert_eq!(rate.arrival_time(0), Some(2.0));
        assert!((rate.total_arrivals() - 30.0).abs() < 1e-9);
        assert_eq!(p.run_for, Some(Duration::from_secs(5)));
    }
}
