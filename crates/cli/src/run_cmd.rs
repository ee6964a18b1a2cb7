//! `loadcell run URL|FILE`: quick mode for a URL, scenario mode for a file; both end in
//! [`execute`], which runs the engine, prints the summary, writes JSON and picks the exit
//! code.

use crate::args::RunArgs;
use crate::error::CliError;
use crate::live::Live;
use crate::load::{LoadInputs, plan};
use crate::profile::{self, Kind};
use crate::progress::{AbortCheck, Progress};
use crate::samples::SamplesFile;
use crate::verdict::{Measured, evaluate};
use crate::{outputs, print, scenario_cmd, summary};
use loadcell_engine::units::parse_stages;
use loadcell_engine::{Settings, SingleRequest, Transport, Workload};
use loadcell_http::{ClientConfig, Origin, Request, Scheme, tls_config};
use loadcell_schema::RunMetadata;
use loadcell_threshold::Threshold;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

/// Per-request timeout when neither the flag nor the scenario sets one.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs the command; returns the exit code.
pub fn run(args: &RunArgs, interrupts: Arc<AtomicUsize>) -> Result<i32, CliError> {
    if args.target.contains("://") {
        quick(args, interrupts)
    } else {
        scenario_cmd::run(args, interrupts)
    }
}

fn quick(args: &RunArgs, interrupts: Arc<AtomicUsize>) -> Result<i32, CliError> {
    if args.base_url.is_some() {
        return Err(CliError::Usage(
            "--base-url applies to scenario files; the URL already names the target".into(),
        ));
    }
    let origin = Origin::parse(&args.target).map_err(|e| CliError::Usage(e.to_string()))?;
    let mut thresholds = parse_thresholds(&args.thresholds)?;
    let request = build_request(args, &origin)?;
    let inputs = load_inputs(args, None)?;
    // Quick mode has no checks, so a smoke test only adds the failed-request threshold.
    profile_thresholds(inputs.profile, &mut thresholds, false)?;
    let load = plan(&inputs)?;
    let transport = transport(&origin, args, args.timeout.unwrap_or(DEFAULT_TIMEOUT))?;
    let stage_names = load.stage_names.clone();
    let settings = settings(args, load, transport, args.requests, args.warmup);
    let info = RunInfo {
        metadata: crate::metadata::collect(None),
        target: args.target.clone(),
        label: args.target.clone(),
        thresholds: &thresholds,
        default_out: None,
        stage_names,
        abort_on_fail: args.abort_on_fail || inputs.profile == Some(Kind::Breakpoint),
        profile: inputs.profile,
    };
    execute(info, SingleRequest::new(request, &origin), settings, args, interrupts)
}

/// The load flags as given on the command line. `file` is a scenario's own profile, which
/// applies (with the profile flags as overrides) when the command line gives no model.
pub fn load_inputs(args: &RunArgs, file: Option<FileProfile>) -> Result<LoadInputs, CliError> {
    let model_flags = args.concurrency.is_some() || args.rate.is_some() || args.stages.is_some();
    let profile_flags = args.target_rate.is_some()
        || args.target_vus.is_some()
        || args.ramp.is_some()
        || args.hold.is_some()
        || args.spike_factor.is_some()
        || args.spike_hold.is_some()
        || args.recovery_window.is_some();
    let kind = match (&args.profile, file) {
        (Some(name), _) => Some(Kind::parse(name)?),
        (None, Some(f)) if !model_flags => Some(f.kind),
        (None, _) => None,
    };
    if let Some(kind) = kind {
        if model_flags || args.duration.is_some() {
            return Err(CliError::Usage(format!(
                "profile '{}' sets the load and its length: drop -c, -r, --stages and -d (use --target-vus or --target-rate, --ramp, --hold)",
                kind.name()
            )));
        }
        let target = match (args.target_rate, args.target_vus) {
            (Some(r), _) => Some(profile::Target::Rate(r)),
            (None, Some(v)) => Some(profile::Target::Vus(v)),
            (None, None) => file.and_then(|f| f.target),
        };
        let e = profile::expand(
            kind,
            &profile::Params {
                target,
                ramp: args.ramp,
                hold: args.hold,
                spike_factor: args.spike_factor,
                spike_hold: args.spike_hold,
                recovery_window: args.recovery_window,
            },
        )?;
        let start = (e.start > 0.0).then_some(e.start);
        return Ok(LoadInputs {
            concurrency: if e.open { None } else { start.map(|v| v as u64) },
            rate: if e.open { start } else { None },
            duration: None,
            requests: args.requests,
            stages: Some(e.stages),
            open: e.open,
            warmup: args.warmup.unwrap_or_default(),
            max_vus: args.max_vus,
            pre_vus: args.pre_vus,
            threads: args.threads,
            cut: None,
            profile: Some(kind),
            stage_names: e.names,
        });
    }
    if profile_flags {
        return Err(CliError::Usage(
            "--target-rate, --target-vus, --ramp, --hold, --spike-factor, --spike-hold and --recovery-window apply with --profile".into(),
        ));
    }
    let open = args.rate.is_some();
    let stages = match &args.stages {
        Some(text) => Some(parse_stages(text, open).map_err(|e| CliError::Usage(e.to_string()))?),
        None => None,
    };
    Ok(LoadInputs {
        concurrency: args.concurrency,
        rate: args.rate,
        duration: args.duration,
        requests: args.requests,
        stages,
        open,
        warmup: args.warmup.unwrap_or_default(),
        max_vus: args.max_vus,
        pre_vus: args.pre_vus,
        threads: args.threads,
        cut: None,
        profile: None,
        stage_names: Vec::new(),
    })
}

/// A scenario file's `load: { profile: …, target_rate | target_vus: … }`.
#[derive(Debug, Clone, Copy)]
pub struct FileProfile {
    pub kind: Kind,
    pub target: Option<profile::Target>,
}

/// What a profile adds to the thresholds: a smoke test without thresholds of its own gets
/// `http_req_failed: rate==0` (and `checks: rate==1` when the workload has checks); a
/// breakpoint test (which implies --abort-on-fail) needs at least one threshold to stop on.
pub fn profile_thresholds(
    kind: Option<Kind>,
    thresholds: &mut Vec<Threshold>,
    has_checks: bool,
) -> Result<(), CliError> {
    match kind {
        Some(Kind::Smoke) if thresholds.is_empty() => {
            let exprs = if has_checks {
                &profile::SMOKE_THRESHOLDS[..]
            } else {
                &profile::SMOKE_THRESHOLDS[..1]
            };
            for e in exprs {
                thresholds.push(loadcell_threshold::parse(e).map_err(|err| CliError::Usage(err.to_string()))?);
            }
            Ok(())
        }
        Some(Kind::Breakpoint) if thresholds.is_empty() => Err(CliError::Usage(
            "--profile breakpoint stops when a threshold fails: give at least one, e.g. --threshold 'p95<500ms'".into(),
        )),
        _ => Ok(()),
    }
}

/// Connection settings for `origin`.
pub fn transport(origin: &Origin, args: &RunArgs, timeout: Duration) -> Result<Transport, CliError> {
    if timeout.is_zero() || args.connect_timeout.is_zero() {
        return Err(CliError::Usage(
            "--timeout and --connect-timeout must be above 0".into(),
        ));
    }
    let tls = match origin.scheme {
        Scheme::Https => Some(tls_config(args.insecure, args.http2).map_err(|e| CliError::Usage(e.to_string()))?),
        Scheme::Http => None,
    };
    Ok(Transport {
        origin: origin.clone(),
        client: ClientConfig {
            connect_timeout: args.connect_timeout,
            http2: args.http2,
            tls,
        },
        timeout,
    })
}

/// The engine settings of a run.
pub fn settings(
    args: &RunArgs,
    load: crate::load::LoadPlan,
    transport: Transport,
    requests: Option<u64>,
    warmup: Option<Duration>,
) -> Settings {
    Settings {
        model: load.model,
        warmup: warmup.unwrap_or_default(),
        run_for: load.run_for,
        requests,
        grace: args.grace,
        threads: load.threads,
        transport,
        samples: None,
        open_vus: load.open_vus,
    }
}

/// Parses every `--threshold`.
pub fn parse_thresholds(exprs: &[String]) -> Result<Vec<Threshold>, CliError> {
    exprs
        .iter()
        .map(|e| loadcell_threshold::parse(e).map_err(|err| CliError::Usage(err.to_string())))
        .collect()
}

fn build_request(args: &RunArgs, origin: &Origin) -> Result<Request, CliError> {
    let mut headers = Vec::with_capacity(args.headers.len());
    for h in &args.headers {
        let (name, value) = h
            .split_once(':')
            .ok_or_else(|| CliError::Usage(format!("invalid header '{h}': expected 'Name: value'")))?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let body = match (&args.body, &args.body_file) {
        (Some(b), _) => bytes::Bytes::from(b.clone().into_bytes()),
        (None, Some(path)) => std::fs::read(path)
            .map(bytes::Bytes::from)
            .map_err(|e| CliError::Usage(format!("cannot read --body-file '{}': {e}", path.display())))?,
        (None, None) => bytes::Bytes::new(),
    };
    Request::new(&args.method, &origin.path_and_query, headers, body).map_err(|e| CliError::Usage(e.to_string()))
}

/// What a run is, beyond its workload and settings.
pub struct RunInfo<'a> {
    pub metadata: RunMetadata,
    /// The URL or scenario file, as the user named it.
    pub target: String,
    /// How the run is named in results (URL, or scenario name and file).
    pub label: String,
    pub thresholds: &'a [Threshold],
    /// Without `--out`, write a default results folder named after this (scenario runs).
    pub default_out: Option<String>,
    /// Phase names of the load stages (profiles), for the summary's `stages[]`.
    pub stage_names: Vec<String>,
    /// `--abort-on-fail`, or implied by `--profile breakpoint`.
    pub abort_on_fail: bool,
    /// The test-type profile, for its analyses (spike recovery, soak trend, breakpoint).
    pub profile: Option<Kind>,
}

/// Runs `workload`, shows progress, writes the results folder as it goes, prints and writes
/// the summary; returns the exit code.
pub fn execute<W: Workload>(
    info: RunInfo<'_>,
    workload: W,
    mut settings: Settings,
    args: &RunArgs,
    interrupts: Arc<AtomicUsize>,
) -> Result<i32, CliError> {
    let thresholds = info.thresholds;
    loadcell_engine::check_descriptors(&settings.model, settings.threads.max(1))
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let endpoints = workload.endpoints();
    let checks = workload.checks();
    let journeys = workload.journeys();
    if let Some(path) = &args.samples {
        settings.samples = Some(Arc::new(SamplesFile::create(path, &endpoints)?));
    }
    let out = match (&args.out, &info.default_out) {
        _ if args.no_out => None,
        (Some(dir), _) => Some(outputs::OutDir::Given(dir.clone())),
        (None, Some(label)) => Some(outputs::OutDir::Default(label.clone())),
        (None, None) => None,
    };
    let (out_dir, results) = match &out {
        Some(out) => {
            let id = outputs::RunIdentity {
                target: &info.target,
                label: &info.label,
                endpoints: &endpoints,
                journeys: &journeys,
                checks: &checks,
                thresholds,
                metadata: &info.metadata,
                profile: info.profile.map(Kind::name),
                stage_names: &info.stage_names,
                abort_delay: info.abort_on_fail.then_some(args.abort_delay),
                recovery_window_s: (info.profile == Some(Kind::Spike))
                    .then(|| crate::stability::window_s(args.recovery_window)),
            };
            let (dir, writer) = outputs::create(out, &id, &settings)?;
            (Some(dir), Some(writer))
        }
        None => (None, None),
    };
    let planned = settings.run_for;
    let vus_limit = settings.model.vus_limit();
    let abort = info.abort_on_fail.then(|| AbortCheck {
        thresholds,
        endpoints: &endpoints,
        checks: &checks,
        vus_limit,
        delay: args.abort_delay,
        warmup: settings.warmup,
        failed: None,
    });
    let live = match &args.prometheus {
        Some(addr) => Some(Live::start(
            Some(addr),
            endpoints.clone(),
            checks.clone(),
            journeys.clone(),
            vus_limit,
        )?),
        None => None,
    };
    let mut progress = Progress::new(args.quiet, planned, abort);
    progress.live = live;
    progress.results = results;
    progress.context = crate::progress::Context {
        stages: stage_spans(&settings.model),
        stage_names: info.stage_names.clone(),
        journeys: journeys.clone(),
    };
    progress.tracks =
        crate::tracks::Tracks::for_profile(info.profile, crate::stability::window_s(args.recovery_window));
    let outcome = loadcell_engine::run(workload, settings, interrupts, &mut progress);
    progress.finish();
    if let Some(live) = progress.live.take() {
        live.shutdown();
    }
    let results_written = match progress.results.take() {
        Some(writer) => outputs::finish(writer, &outcome).map(|_| true)?,
        None => false,
    };

    let source = Measured {
        total: &outcome.total,
        endpoints: &outcome.endpoints,
        checks: &outcome.checks,
        seconds: outcome.measured.as_secs_f64(),
        vus_limit,
    };
    let verdicts = evaluate(thresholds, &source);
    let mut summary = summary::build(&outcome, &info.label, verdicts, info.metadata, &info.stage_names);
    crate::phases::attach(&mut summary, &outcome, thresholds, &info.stage_names);
    crate::stability::attach(&mut summary, &outcome, info.profile, progress.tracks.as_ref());
    print!("{}", print::render(&summary));
    if let Some(reason) = progress.abort_reason() {
        println!("  aborted by --abort-on-fail: {reason}");
    }
    if let Some(path) = &args.summary_json {
        let json = serde_json::to_string_pretty(&summary).map_err(|e| CliError::Output(e.to_string()))?;
        std::fs::write(path, json + "\n")
            .map_err(|e| CliError::Output(format!("cannot write --summary-json '{}': {e}", path.display())))?;
    }
    if let (Some(dir), true) = (&out_dir, results_written) {
        outputs::write_all(dir, &summary)?;
        println!(
            "  results: {}  (report: {})",
            dir.display(),
            dir.join("report.html").display()
        );
    }
    Ok(summary.exit_code())
}

/// The stages of the model's curve as (start, end) seconds, for naming the current stage.
fn stage_spans(model: &loadcell_engine::Model) -> Vec<(f64, f64)> {
    let curve = match model {
        loadcell_engine::Model::Closed { vus } => vus,
        loadcell_engine::Model::Open { rate, .. } => rate,
    };
    curve
        .segments()
        .into_iter()
        .map(|(start, len, _, _)| (start, start + len))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::{Cli, Command};
    use clap::Parser;

    fn args(flags: &[&str]) -> RunArgs {
        let argv = ["loadcell", "run", "http://127.0.0.1:1/"].iter().chain(flags);
        match Cli::try_parse_from(argv).map(|c| c.command) {
            Ok(Command::Run(a)) => *a,
            other => panic!("{flags:?}: {other:?}"),
        }
    }

    fn inputs(flags: &[&str]) -> Result<LoadInputs, String> {
        load_inputs(&args(flags), None).map_err(|e| e.to_string())
    }

    #[test]
    fn a_profile_becomes_the_stages_of_the_model() {
        let i =
            inputs(&["--profile", "stress", "--target-rate", "100", "--hold", "20s"]).unwrap_or_else(|e| panic!("{e}"));
        assert!(i.open);
        assert_eq!(i.profile, Some(Kind::Stress));
        let p = plan(&i).unwrap_or_else(|e| panic!("{e}"));
        let loadcell_engine::Model::Open { rate, .. } = &p.model else {
            panic!("not open: {:?}", p.model)
        };
        assert_eq!(rate.segments().len(), p.stage_names.len());
        assert_eq!(rate.peak(), 300.0);
        assert_eq!(p.run_for, Some(Duration::from_secs(5 * (10 + 20) + 10)));
        assert_eq!(p.stage_names[1], "step 50%");

        let i = inputs(&["--profile", "smoke"]).unwrap_or_else(|e| panic!("{e}"));
        let p = plan(&i).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(p.model, loadcell_engine::Model::Closed { ref vus } if vus.peak() == 2.0));
        assert_eq!(p.run_for, Some(Duration::from_secs(30)));
    }

    #[test]
    fn profile_flag_contradictions_are_usage_errors() {
        let bad: [&[&str]; 7] = [
            &["--profile", "load", "-c", "5", "--target-vus", "5"],
            &["--profile", "load", "-r", "5", "--target-rate", "5"],
            &["--profile", "load", "--stages", "1s:1", "--target-vus", "5"],
            &["--profile", "load", "-d", "1m", "--target-vus", "5"],
            &["--profile", "load"],
            &["--profile", "breakpoint", "--target-vus", "5"],
            &["--target-rate", "5", "-c", "3"],
        ];
        for flags in bad {
            let err = inputs(flags).err().unwrap_or_else(|| panic!("{flags:?} was accepted"));
            assert!(!err.contains('\n'), "{err}");
        }
        let err = inputs(&["--profile", "lod"]).err().unwrap_or_default();
        assert!(err.contains("did you mean 'load'?"), "{err}");
    }

    #[test]
    fn smoke_adds_fail_fast_thresholds_and_breakpoint_needs_one() {
        let mut t = Vec::new();
        profile_thresholds(Some(Kind::Smoke), &mut t, true).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.len(), 2);
        let mut t = Vec::new();
        profile_thresholds(Some(Kind::Smoke), &mut t, false).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.len(), 1);
        let mut t = parse_thresholds(&["p95<1s".to_string()]).unwrap_or_default();
        profile_thresholds(Some(Kind::Smoke), &mut t, true).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.len(), 1);
        assert!(profile_thresholds(Some(Kind::Breakpoint), &mut Vec::new(), false).is_err());
        let mut t = parse_thresholds(&["p95<1s".to_string()]).unwrap_or_default();
        assert!(profile_thresholds(Some(Kind::Breakpoint), &mut t, false).is_ok());
    }
}
