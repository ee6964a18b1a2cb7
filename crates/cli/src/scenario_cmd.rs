//! Scenario files on the command line: `loadcell run FILE`, `loadcell validate FILE` and
//! `loadcell schema`.

use crate::args::RunArgs;
use crate::error::CliError;
use crate::load::{LoadInputs, plan};
use crate::profile::{Kind, Target};
use crate::run_cmd::{
    DEFAULT_TIMEOUT, FileProfile, RunInfo, execute, load_inputs, parse_thresholds, profile_thresholds, settings,
    transport,
};
use loadcell_engine::units::Stage;
use loadcell_http::Origin;
use loadcell_journey::JourneyWorkload;
use loadcell_scenario::{Load, Scenario, Step};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

/// `loadcell run FILE`.
pub fn run(args: &RunArgs, interrupts: Arc<AtomicUsize>) -> Result<i32, CliError> {
    let scenario = load_file(Path::new(&args.target))?;
    run_scenario(scenario, args, interrupts)
}

/// Reads and validates a scenario file; every problem is one line naming file:line:col.
pub fn load_file(path: &Path) -> Result<Scenario, CliError> {
    if !path.exists() {
        return Err(CliError::Usage(format!(
            "no such file '{}' (to load-test a URL, give it with http:// or https://)",
            path.display()
        )));
    }
    loadcell_scenario::load(path).map_err(|e| CliError::Usage(e.to_string()))
}

/// Runs a loaded scenario with the command line's overrides.
pub fn run_scenario(scenario: Scenario, args: &RunArgs, interrupts: Arc<AtomicUsize>) -> Result<i32, CliError> {
    if !args.headers.is_empty() || args.body.is_some() || args.body_file.is_some() || args.method != "GET" {
        return Err(CliError::Usage(
            "-m, -H, -b and --body-file describe a quick-mode request; a scenario sets them per step".into(),
        ));
    }
    let base = args
        .base_url
        .clone()
        .or_else(|| scenario.target.clone())
        .ok_or_else(|| {
            CliError::Usage(format!(
                "scenario '{}' has no 'target:'; give one with --base-url URL",
                scenario.name
            ))
        })?;
    let origin = Origin::parse(&base).map_err(|e| CliError::Usage(e.to_string()))?;
    let mut thresholds = scenario.thresholds.clone();
    let extra = parse_thresholds(&args.thresholds)?;
    for t in &extra {
        for (key, value) in &t.filter.tags {
            let known = scenario.journeys.iter().any(|j| j.name == *value);
            if *key == loadcell_threshold::TagKey::Journey && !known {
                let names: Vec<&str> = scenario.journeys.iter().map(|j| j.name.as_str()).collect();
                return Err(CliError::Usage(format!(
                    "--threshold '{}': scenario '{}' has no journey '{value}' (journeys: {})",
                    t.expr,
                    scenario.name,
                    names.join(", ")
                )));
            }
        }
    }
    thresholds.extend(extra);
    let inputs = scenario_load(&scenario, args)?;
    let has_checks = scenario
        .journeys
        .iter()
        .flat_map(|j| &j.steps)
        .any(|s| matches!(s, Step::Request(r) if !r.checks.is_empty()));
    profile_thresholds(inputs.profile, &mut thresholds, has_checks)?;
    let load = plan(&inputs)?;
    let stage_names = load.stage_names.clone();
    let timeout = args.timeout.or(scenario.defaults.timeout).unwrap_or(DEFAULT_TIMEOUT);
    let transport = transport(&origin, args, timeout)?;
    let requests = args.requests.or(scenario.iterations);
    let warmup = args.warmup.or(scenario.warmup);
    let settings = settings(args, load, transport, requests, warmup);
    let label = match &scenario.source_path {
        Some(p) => format!("{} ({})", scenario.name, p.display()),
        None => scenario.name.clone(),
    };
    let text = scenario
        .source_path
        .as_ref()
        .and_then(|p| std::fs::read_to_string(p).ok());
    let info = RunInfo {
        metadata: crate::metadata::collect(text.as_deref()),
        target: scenario
            .source_path
            .as_ref()
            .map_or_else(|| scenario.name.clone(), |p| p.display().to_string()),
        default_out: Some(scenario.name.clone()),
        label,
        thresholds: &thresholds,
        stage_names,
        abort_on_fail: args.abort_on_fail || inputs.profile == Some(Kind::Breakpoint),
        profile: inputs.profile,
    };
    let workload = JourneyWorkload::new(scenario, origin, args.http2);
    execute(info, workload, settings, args, interrupts)
}

/// The scenario's `load:`, unless the command line gives a model of its own (-c, -r or
/// --stages replace it; -d, -n, --warmup, --max-vus and --threads override single fields).
fn scenario_load(scenario: &Scenario, args: &RunArgs) -> Result<LoadInputs, CliError> {
    let file = match &scenario.load {
        Load::Profile {
            profile,
            target_rate,
            target_vus,
            ..
        } => Some(FileProfile {
            kind: Kind::parse(profile)?,
            target: match (target_rate, target_vus) {
                (Some(r), _) => Some(Target::Rate(*r)),
                (None, Some(v)) => Some(Target::Vus(*v)),
                (None, None) => None,
            },
        }),
        _ => None,
    };
    let cli = load_inputs(args, file)?;
    if args.concurrency.is_some() || args.rate.is_some() || args.stages.is_some() {
        return Ok(cli);
    }
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
        let warmup = args.warmup.or(scenario.warmup).unwrap_or_default();
        return Ok(LoadInputs {
            requests: cli.requests.or(scenario.iterations),
            warmup,
            max_vus: cli.max_vus.or(if cli.open { file_max_vus } else { None }),
            pre_vus: cli.pre_vus.or(if cli.open { file_pre_vus } else { None }),
            profile: Some(kind),
            ..cli
        });
    }
    let mut inputs = match &scenario.load {
        Load::Profile { .. } => return Ok(cli),
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
    };
    if let Some(d) = cli.duration {
        // -d on a staged scenario runs its curve for that long (warm-up not included),
        // holding the last level if the stages are shorter.
        let warmup = args.warmup.or(scenario.warmup).unwrap_or_default();
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
    inputs.requests = cli.requests.or(scenario.iterations);
    inputs.warmup = args.warmup.or(scenario.warmup).unwrap_or_default();
    inputs.max_vus = cli.max_vus.or(inputs.max_vus);
    inputs.pre_vus = cli.pre_vus.or(inputs.pre_vus);
    inputs.threads = cli.threads;
    Ok(inputs)
}

/// `loadcell validate FILE`: prints what the file holds; exit 0, or 2 with the problem.
pub fn validate(path: &Path) -> Result<i32, CliError> {
    let scenario = load_file(path)?;
    let steps: usize = scenario.journeys.iter().map(|j| j.steps.len()).sum();
    let requests: usize = scenario
        .journeys
        .iter()
        .flat_map(|j| &j.steps)
        .filter(|s| matches!(s, Step::Request(_)))
        .count();
    let checks: usize = scenario
        .journeys
        .iter()
        .flat_map(|j| &j.steps)
        .map(|s| match s {
            Step::Request(r) => r.checks.len(),
            Step::Sleep(_) => 0,
        })
        .sum();
    println!(
        "{}: ok — scenario '{}': {} journeys, {steps} steps ({requests} requests, {checks} checks), {} data sources, {} thresholds",
        path.display(),
        scenario.name,
        scenario.journeys.len(),
        scenario.data.len(),
        scenario.thresholds.len()
    );
    Ok(loadcell_schema::exit::OK)
}

/// `loadcell schema`: the JSON Schema of scenario files.
pub fn schema() -> Result<i32, CliError> {
    let text =
        serde_json::to_string_pretty(&loadcell_scenario::json_schema()).map_err(|e| CliError::Output(e.to_string()))?;
    println!("{text}");
    Ok(loadcell_schema::exit::OK)
}
