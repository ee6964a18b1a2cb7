//! A scenario file's `load:` with the command line's load flags on top: `-c`, `-r` or
//! `--stages` replace the file's model; `-d`, `-n`, `--warmup`, `--max-vus` and `--threads`
//! override single fields; `--profile` (or the file's `profile:`) sets the stages.

use crate::error::PlanError;
use crate::flags::{FileProfile, LoadFlags, with_file_profile};
use crate::inputs::LoadInputs;
use crate::profile::Target;
use loadcell_scenario::{Load, Scenario};
use loadcell_units::Stage;
use std::time::Duration;

/// The load of a scenario run.
pub fn from_scenario(flags: &LoadFlags, scenario: &Scenario) -> Result<LoadInputs, PlanError> {
    let cli = with_file_profile(flags, file_profile(&scenario.load))?;
    if flags.has_model() {
        return Ok(cli);
    }
    let warmup = flags.warmup.or(scenario.warmup).unwrap_or_default();
    let requests = cli.requests.or(scenario.iterations);
    if let Some(kind) = cli.profile {
        // The profile (the file's or --profile) sets the stages; the file still gives
        // warm-up, iterations and max_vus unless the command line does.
        let (file_max_vus, file_pre_vus) = match &scenario.load {
            Load::Profile {
                max_vus,
                pre_allocated_vus,
                ..
            }
            | Load::Open {
                max_vus,
                pre_allocated_vus,
                ..
            } => (*max_vus, *pre_allocated_vus),
            Load::Closed { .. } => (None, None),
        };
        return Ok(LoadInputs {
            requests,
            warmup,
            max_vus: cli.max_vus.or(if cli.open { file_max_vus } else { None }),
            pre_vus: cli.pre_vus.or(if cli.open { file_pre_vus } else { None }),
            profile: Some(kind),
            ..cli
        });
    }
    let Some(mut inputs) = file_model(&scenario.load) else {
        return Ok(cli);
    };
    if let Some(d) = cli.duration {
        run_for(&mut inputs, d, warmup);
    }
    inputs.requests = requests;
    inputs.warmup = warmup;
    inputs.max_vus = cli.max_vus.or(inputs.max_vus);
    inputs.pre_vus = cli.pre_vus.or(inputs.pre_vus);
    inputs.threads = cli.threads;
    Ok(inputs)
}

/// The file's `profile:` and its level, if it has one.
fn file_profile(load: &Load) -> Option<FileProfile> {
    match load {
        Load::Profile {
            profile,
            target_rate,
            target_vus,
            ..
        } => Some(FileProfile {
            kind: *profile,
            target: match (target_rate, target_vus) {
                (Some(r), _) => Some(Target::Rate(*r)),
                (None, Some(v)) => Some(Target::Vus(*v)),
                (None, None) => None,
            },
        }),
        _ => None,
    }
}

/// The file's closed or open model (`None` for a profile, which the flags expanded).
fn file_model(load: &Load) -> Option<LoadInputs> {
    Some(match load {
        Load::Profile { .. } => return None,
        Load::Closed { vus, stages, duration } => LoadInputs {
            concurrency: *vus,
            stages: (!stages.is_empty()).then(|| stages.clone()),
            duration: *duration,
            ..LoadInputs::default()
        },
        Load::Open {
            rate,
            stages,
            duration,
            max_vus,
            pre_allocated_vus,
        } => LoadInputs {
            rate: *rate,
            stages: (!stages.is_empty()).then(|| stages.clone()),
            duration: *duration,
            max_vus: *max_vus,
            pre_vus: *pre_allocated_vus,
            open: true,
            ..LoadInputs::default()
        },
    })
}

/// `-d` on a scenario: a staged curve runs for that long (warm-up not included), holding
/// the last level if the stages are shorter; an unstaged one gets it as its duration.
fn run_for(inputs: &mut LoadInputs, d: Duration, warmup: Duration) {
    match inputs.stages.as_mut() {
        Some(stages) => {
            let staged: Duration = stages.iter().map(|s| s.duration).sum();
            let wanted = d + warmup;
            if wanted > staged {
                let last = stages.last().map_or(0.0, |s| s.target);
                stages.push(Stage {
                    duration: wanted - staged,
                    target: last,
                });
            }
            inputs.cut = Some(wanted);
        }
        None => inputs.duration = Some(d),
    }
}
