//! `loadcell run URL|FILE` (and the demo's run): flags → a prepared target, thresholds and
//! a load plan → the session runs it, shown by the progress display → the summary printed,
//! the outputs written → the exit code.

use crate::args::RunArgs;
use crate::commands::compare::Baseline;
use crate::display::Progress;
use crate::error::CliError;
use loadcell_engine::Settings;
use loadcell_plan::{LoadInputs, LoadPlan, Profile};
use loadcell_schema::{Summary, exit};
use loadcell_session::fleet::CollectUrl;
use loadcell_session::folder::OutDir;
use loadcell_session::{Finished, RunOutputs, RunSpec, Target};
use loadcell_threshold::Threshold;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::{Duration, SystemTime};

/// `loadcell run`.
pub fn run(args: &RunArgs, interrupts: Arc<AtomicUsize>) -> Result<i32, CliError> {
    let target = Target::prepare(&args.target, args.request.base_url.as_deref(), &args.request.spec())?;
    run_target(target, args, interrupts)
}

/// Runs a prepared target with the command line's thresholds, load and outputs.
pub fn run_target(target: Target, args: &RunArgs, interrupts: Arc<AtomicUsize>) -> Result<i32, CliError> {
    // Read before any load is sent: a missing baseline is a usage error, not a wasted run.
    let baseline = args.baseline.open()?;
    let finished = measure(target, args, interrupts)?;
    conclude(finished, baseline.as_ref())
}

/// The run itself, shown by the progress display, without printing the summary or writing
/// the outputs (the demo's database act shows its own lines).
pub fn measure(target: Target, args: &RunArgs, interrupts: Arc<AtomicUsize>) -> Result<Finished, CliError> {
    let (thresholds, inputs, load) = plan_run(&target, args)?;
    let start_at = start_at(args)?;
    let collect = args.collect.as_deref().map(CollectUrl::parse).transpose()?;
    let spec = RunSpec {
        settings: settings(&target, args, &load, start_at),
        thresholds,
        labels: load.labels,
        profile: inputs.profile,
        abort_on_fail: args.verdict.abort_on_fail || inputs.profile == Some(Profile::Breakpoint),
        abort_delay: args.verdict.abort_delay,
        recovery_window: args.profile.recovery_window,
        outputs: RunOutputs {
            collect,
            ..outputs(&target, args)
        },
        monitor: args.monitor.request(),
        postgres: args.monitor.postgres.clone(),
    };
    let mut display = Progress::new(args.folder.quiet);
    Ok(loadcell_session::execute(target, spec, &mut display, interrupts)?)
}

/// Checks `loadcell run`'s flags as far as they go without sending anything: the target,
/// the thresholds and the load plan (what `loadcell suite` checks of every test first).
pub fn check(args: &RunArgs) -> Result<(), CliError> {
    let target = Target::prepare(&args.target, args.request.base_url.as_deref(), &args.request.spec())?;
    start_at(args)?;
    plan_run(&target, args).map(|_| ())
}

/// How far in the past `--start-at` may be and still start (at once, with a warning): a
/// part whose process started a moment late still runs with the others.
const START_AT_LATE: Duration = Duration::from_secs(1);

/// `--start-at` as a wall-clock instant; one in the past (by more than [`START_AT_LATE`])
/// is a usage error, since the parts could no longer line up.
fn start_at(args: &RunArgs) -> Result<Option<SystemTime>, CliError> {
    let Some(text) = &args.load.start_at else {
        return Ok(None);
    };
    let now = SystemTime::now();
    let at = loadcell_units::parse_instant(text, now).map_err(|e| CliError::Usage(format!("--start-at: {e}")))?;
    match now.duration_since(at) {
        Ok(late) if late > START_AT_LATE => Err(CliError::Usage(format!(
            "--start-at {text} is {:.1} s in the past: give a time ahead, e.g. +10s",
            late.as_secs_f64()
        ))),
        _ => Ok(Some(at)),
    }
}

/// The thresholds, the load inputs and the plan of a run: every combination checked.
fn plan_run(target: &Target, args: &RunArgs) -> Result<(Vec<Threshold>, LoadInputs, LoadPlan), CliError> {
    let mut thresholds = target.thresholds(&args.verdict.thresholds)?;
    let flags = args.load_flags();
    let inputs = match target.scenario() {
        Some(scenario) => loadcell_plan::from_scenario(&flags, scenario)?,
        None => loadcell_plan::from_flags(&flags)?,
    };
    loadcell_plan::profile_thresholds(inputs.profile, &mut thresholds, target.has_checks())?;
    if args.verdict.no_thresholds {
        thresholds.clear();
    }
    let load = match target.scenario().map(|s| loadcell_plan::from_scenarios(&flags, s)) {
        Some(parts) => match parts? {
            Some(load) => load,
            None => loadcell_plan::plan(&inputs)?,
        },
        None => loadcell_plan::plan(&inputs)?,
    };
    Ok((thresholds, inputs, load))
}

/// The engine settings: the plan, and the budget and warm-up of the flags (or the file's).
fn settings(target: &Target, args: &RunArgs, load: &LoadPlan, start_at: Option<SystemTime>) -> Settings {
    let scenario = target.scenario();
    let requests = args.load.requests.or(scenario.and_then(|s| s.iterations));
    let warmup = args.load.warmup.or(scenario.and_then(|s| s.warmup));
    Settings {
        model: load.model.clone(),
        warmup: warmup.unwrap_or_default(),
        run_for: load.run_for,
        requests,
        grace: args.load.grace,
        threads: load.threads,
        transport: target.transport.clone(),
        samples: None,
        open_vus: load.open_vus,
        parts: load.parts.clone(),
        // The flag wins over the file's `segment:`.
        segment: args
            .load
            .segment
            .or(scenario.and_then(|s| s.segment))
            .unwrap_or_default(),
        start_at,
    }
}

/// Where the results go: `--out`, or for scenario files a default folder named after the
/// scenario; none with `--no-out`.
fn outputs(target: &Target, args: &RunArgs) -> RunOutputs {
    let out = match (&args.folder.out, target.scenario()) {
        _ if args.folder.no_out => None,
        (Some(dir), _) => Some(OutDir::Given(dir.clone())),
        (None, Some(scenario)) => Some(OutDir::Default(scenario.name.clone())),
        // A part sends its folder's lines to the collector: it keeps the folder too.
        (None, None) if args.collect.is_some() => Some(OutDir::Default(target.label.clone())),
        (None, None) => None,
    };
    RunOutputs {
        out,
        summary_json: args.summary_json.clone(),
        summary_export: args.summary_export.clone(),
        samples: args.samples.clone(),
        prometheus: args.prometheus.clone(),
        collect: None,
    }
}

/// The line that names the threshold which ended the run, the same after the run and from
/// `loadcell report DIR`.
pub(crate) fn aborted_line(reason: &str) -> String {
    format!("  aborted by a failing threshold (--abort-on-fail or abortOnFail): {reason}")
}

/// Prints the summary, writes the outputs, reports what could not be written, compares with
/// the baseline (a regression fails the run like a threshold); the exit code.
fn conclude(mut finished: Finished, baseline: Option<&Baseline>) -> Result<i32, CliError> {
    print!("{}", loadcell_report::terminal_text(&finished.summary));
    print!("{}", crate::monitor::lines(&finished.summary));
    if let Some(reason) = &finished.aborted {
        println!("{}", aborted_line(reason));
    }
    let written = finished.write_outputs();
    if let Some(dir) = &written {
        println!(
            "  results: {}  (report: {})",
            dir.display(),
            dir.join("report.html").display()
        );
    }
    for failure in &finished.failures {
        eprintln!("error: {failure}");
    }
    let mut code = exit_code(&finished.summary, !finished.failures.is_empty());
    if finished.fleet_stop.is_some() && code == exit::OK {
        // The fleet failed a threshold this part alone holds: the part's run failed too.
        code = exit::THRESHOLD_FAILED;
    }
    match baseline {
        Some(b) => b.finish(written.as_deref(), &finished.summary, code),
        None => Ok(code),
    }
}

/// The verdict's exit code; a result that could not be written turns a pass into 1 (the
/// verdict itself is printed and stands).
fn exit_code(summary: &Summary, lost_output: bool) -> i32 {
    match summary.exit_code() {
        exit::OK if lost_output => exit::OUTPUT_FAILED,
        code => code,
    }
}
