//! `loadcell run URL`: turns flags into engine settings (checking every combination
//! before any request), runs, prints the summary, writes JSON and picks the exit code.

use crate::args::RunArgs;
use crate::error::CliError;
use crate::progress::{AbortCheck, Progress};
use crate::verdict::{Measured, evaluate};
use crate::{print, summary};
use bytes_body::body_of;
use loadcell_engine::units::parse_stages;
use loadcell_engine::{LoadCurve, Model, Settings, SingleRequest, Transport};
use loadcell_http::{ClientConfig, Origin, Request, Scheme, tls_config};
use loadcell_threshold::Threshold;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

/// Default length of a run given neither --duration, --requests nor --stages.
const DEFAULT_DURATION: Duration = Duration::from_secs(10);
/// Default VUs of a closed-model run given no --concurrency.
const DEFAULT_VUS: u64 = 10;
/// Stands for "no planned end" in curves of runs bounded only by --requests.
const UNBOUNDED_S: f64 = 1e9;

/// Runs the command; returns the exit code.
pub fn run(args: &RunArgs, interrupts: Arc<AtomicUsize>) -> Result<i32, CliError> {
    let origin = Origin::parse(&args.url).map_err(|e| CliError::Usage(e.to_string()))?;
    let thresholds = parse_thresholds(&args.thresholds)?;
    let request = build_request(args, &origin)?;
    let settings = settings(args, &origin)?;

    let workload = SingleRequest::new(request, &origin);
    let endpoints = loadcell_engine::Workload::endpoints(&workload);
    let planned = settings.run_for;
    let vus_limit = settings.model.vus_limit();
    let abort = args.abort_on_fail.then(|| AbortCheck {
        thresholds: &thresholds,
        endpoints: &endpoints,
        checks: &[],
        vus_limit,
        delay: args.abort_delay,
        warmup: settings.warmup,
        failed: None,
    });
    let mut progress = Progress::new(args.quiet, planned, abort);
    let outcome = loadcell_engine::run(workload, settings, interrupts, &mut progress);
    progress.finish();

    let source = Measured {
        total: &outcome.total,
        endpoints: &outcome.endpoints,
        checks: &outcome.checks,
        seconds: outcome.measured.as_secs_f64(),
        vus_limit,
    };
    let verdicts = evaluate(&thresholds, &source);
    let summary = summary::build(&outcome, &args.url, verdicts);
    print!("{}", print::render(&summary));
    if let Some(reason) = progress.abort_reason() {
        println!("  aborted by --abort-on-fail: {reason}");
    }
    if let Some(path) = &args.summary_json {
        let json = serde_json::to_string_pretty(&summary).map_err(|e| CliError::Output(e.to_string()))?;
        std::fs::write(path, json + "\n")
            .map_err(|e| CliError::Output(format!("cannot write --summary-json '{}': {e}", path.display())))?;
    }
    Ok(summary.exit_code())
}

fn parse_thresholds(exprs: &[String]) -> Result<Vec<Threshold>, CliError> {
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
    let body = body_of(args)?;
    Request::new(&args.method, &origin.path_and_query, headers, body).map_err(|e| CliError::Usage(e.to_string()))
}

mod bytes_body {
    //! The request body from `--body` or `--body-file`.
    use crate::args::RunArgs;
    use crate::error::CliError;

    pub fn body_of(args: &RunArgs) -> Result<bytes::Bytes, CliError> {
        if let Some(b) = &args.body {
            return Ok(bytes::Bytes::from(b.clone().into_bytes()));
        }
        match &args.body_file {
            Some(path) => std::fs::read(path)
                .map(bytes::Bytes::from)
                .map_err(|e| CliError::Usage(format!("cannot read --body-file '{}': {e}", path.display()))),
            None => Ok(bytes::Bytes::new()),
        }
    }
}

fn settings(args: &RunArgs, origin: &Origin) -> Result<Settings, CliError> {
    let usage = |m: &str| CliError::Usage(m.to_string());
    if args.concurrency.is_some() && args.rate.is_some() {
        return Err(usage(
            "use either --concurrency (closed model) or --rate (open model), not both",
        ));
    }
    if args.concurrency == Some(0) {
        return Err(usage("--concurrency must be at least 1"));
    }
    if args.rate == Some(0.0) && args.stages.is_none() {
        return Err(usage("--rate must be above 0"));
    }
    if args.duration.is_some() && args.stages.is_some() {
        return Err(usage("--duration and --stages both set the length of the run; use one"));
    }
    if args.duration == Some(Duration::ZERO) {
        return Err(usage("--duration must be above 0"));
    }
    if args.requests == Some(0) {
        return Err(usage("--requests must be at least 1"));
    }
    if args.max_vus.is_some() && args.rate.is_none() {
        return Err(usage(
            "--max-vus applies to the open model; add --rate, or use --concurrency for VUs",
        ));
    }
    if args.max_vus == Some(0) {
        return Err(usage("--max-vus must be at least 1"));
    }
    if args.threads == Some(0) {
        return Err(usage("--threads must be at least 1"));
    }
    if args.timeout.is_zero() || args.connect_timeout.is_zero() {
        return Err(usage("--timeout and --connect-timeout must be above 0"));
    }

    let open = args.rate.is_some();
    let stages = match &args.stages {
        Some(text) => Some(parse_stages(text, open).map_err(|e| CliError::Usage(e.to_string()))?),
        None => None,
    };
    let warmup_s = args.warmup.as_secs_f64();
    let length_s = match (&stages, args.duration, args.requests) {
        (Some(_), _, _) => None,
        (None, Some(d), _) => Some(warmup_s + d.as_secs_f64()),
        (None, None, Some(_)) => None,
        (None, None, None) => Some(warmup_s + DEFAULT_DURATION.as_secs_f64()),
    };
    let curve = |start: f64| match &stages {
        Some(s) => LoadCurve::new(start, s),
        None => LoadCurve::constant(start, length_s.unwrap_or(UNBOUNDED_S)),
    };
    let model = match args.rate {
        Some(rate) => {
            let curve = curve(rate);
            if curve.peak() <= 0.0 {
                return Err(usage("the rate never rises above 0; nothing would be sent"));
            }
            let max_vus = args
                .max_vus
                .unwrap_or_else(|| ((curve.peak() * 2.0).ceil() as u64).clamp(1000, 20_000));
            Model::Open { rate: curve, max_vus }
        }
        None => {
            let start = args
                .concurrency
                .unwrap_or(if stages.is_some() { 0 } else { DEFAULT_VUS }) as f64;
            let curve = curve(start);
            if curve.peak() < 1.0 {
                return Err(usage("the number of VUs never rises above 0; nothing would be sent"));
            }
            Model::Closed { vus: curve }
        }
    };
    let run_for = match (&model, &stages, length_s) {
        (Model::Open { rate, .. }, Some(_), _) | (Model::Closed { vus: rate }, Some(_), _) => Some(rate.len_s()),
        (_, None, Some(len)) => Some(len),
        (_, None, None) => None,
    };
    if run_for.is_some_and(|len| warmup_s >= len) {
        return Err(usage("--warmup is as long as the whole run; nothing would be measured"));
    }
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut threads = args.threads.unwrap_or(cpus);
    if let Model::Closed { vus } = &model {
        threads = threads.min(vus.peak().round().max(1.0) as usize);
    }
    let tls = match origin.scheme {
        Scheme::Https => Some(tls_config(args.insecure, args.http2).map_err(|e| CliError::Usage(e.to_string()))?),
        Scheme::Http => None,
    };
    Ok(Settings {
        model,
        warmup: args.warmup,
        run_for: run_for.map(Duration::from_secs_f64),
        requests: args.requests,
        grace: args.grace,
        threads,
        transport: Transport {
            origin: origin.clone(),
            client: ClientConfig {
                connect_timeout: args.connect_timeout,
                http2: args.http2,
                tls,
            },
            timeout: args.timeout,
        },
    })
}
