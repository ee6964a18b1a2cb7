//! `loadcell run URL|FILE`: quick mode for a URL, scenario mode for a file; both end in
//! [`execute`], which runs the engine, prints the summary, writes JSON and picks the exit
//! code.

use crate::args::RunArgs;
use crate::error::CliError;
use crate::live::Live;
use crate::load::{LoadInputs, plan};
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
    let thresholds = parse_thresholds(&args.thresholds)?;
    let request = build_request(args, &origin)?;
    let load = plan(&load_inputs(args)?)?;
    let transport = transport(&origin, args, args.timeout.unwrap_or(DEFAULT_TIMEOUT))?;
    let settings = settings(args, load, transport, args.requests, args.warmup);
    let info = RunInfo {
        metadata: crate::metadata::collect(None),
        target: args.target.clone(),
        label: args.target.clone(),
        thresholds: &thresholds,
        default_out: None,
    };
    execute(info, SingleRequest::new(request, &origin), settings, args, interrupts)
}

/// The load flags as given on the command line.
pub fn load_inputs(args: &RunArgs) -> Result<LoadInputs, CliError> {
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
        threads: args.threads,
        cut: None,
    })
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
            };
            let (dir, writer) = outputs::create(out, &id, &settings)?;
            (Some(dir), Some(writer))
        }
        None => (None, None),
    };
    let planned = settings.run_for;
    let vus_limit = settings.model.vus_limit();
    let abort = args.abort_on_fail.then(|| AbortCheck {
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
        journeys: journeys.clone(),
    };
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
    let summary = summary::build(&outcome, &info.label, verdicts, info.metadata);
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
