//! `loadcell capacity URL|FILE --slo EXPR…`: finds the highest open-model rate the
//! target sustains while every SLO holds. The search itself lives in `loadcell-capacity`;
//! here each step it asks for becomes one engine run at a constant rate, judged with the
//! same threshold machinery as `loadcell run`. Every step also lands in the results
//! folder's `summary.json` and reports (`crate::sweep`, the `capacity` section from
//! `section`).

mod section;

use crate::error::CliError;
use crate::load::{LoadInputs, plan};
use crate::run_cmd::{DEFAULT_TIMEOUT, parse_thresholds};
use crate::scenario_cmd;
use crate::sweep::combine::{Combined, Mark};
use crate::sweep::{folder, level_text};
use crate::verdict::{Measured, evaluate};
use clap::Args;
use loadcell_capacity::{Config, Search, SearchResult, Step, StepResult, StopReason};
use loadcell_engine::units::{parse_count, parse_duration, parse_rate};
use loadcell_engine::{Control, IntervalEvent, Observer, Outcome, Settings, SingleRequest, Transport, Workload};
use loadcell_http::{ClientConfig, Origin, Request, Scheme, tls_config};
use loadcell_journey::JourneyWorkload;
use loadcell_scenario::Scenario;
use loadcell_schema::{ThresholdResult, exit};
use loadcell_threshold::Threshold;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// `loadcell capacity URL|FILE --slo EXPR [flags]`
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  loadcell capacity http://127.0.0.1:8080/ --slo 'p95<200ms' --slo 'error_rate<1%'\n  loadcell capacity shop.yaml --slo 'p99<500ms' --step-duration 20s --max-time 10m --json capacity.json"
)]
pub struct CapacityArgs {
    /// The URL to test (http:// or https://), or a scenario file (.yaml, .yml or .json).
    #[arg(value_name = "URL|FILE")]
    pub target: String,

    /// SLO every step must hold, threshold syntax ("p95<200ms", "error_rate<1%"); repeatable
    /// [default for scenario files: the file's thresholds].
    #[arg(long = "slo", value_name = "EXPR", help_heading = "Search")]
    pub slos: Vec<String>,

    /// How long each steady step is measured (a warm-up of a fifth of it, at most 2s, comes first).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "10s", help_heading = "Search")]
    pub step_duration: Duration,

    /// The whole search never takes longer than this.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "5m", help_heading = "Search")]
    pub max_time: Duration,

    /// Rate of the first step; the search doubles it (or halves it) to bracket the capacity.
    #[arg(long, value_name = "RATE", value_parser = parse_rate, default_value = "10", help_heading = "Search")]
    pub start_rate: f64,

    /// Lowest rate tried when even the start rate fails.
    #[arg(long, value_name = "RATE", value_parser = parse_rate, default_value = "1", help_heading = "Search")]
    pub min_rate: f64,

    /// Highest rate tried; passing it ends the search.
    #[arg(long, value_name = "RATE", value_parser = parse_rate, default_value = "100000", help_heading = "Search")]
    pub max_rate: f64,

    /// Stop when the lowest failing rate is within this of the highest passing one (5%, 0.05).
    #[arg(long, value_name = "PCT", value_parser = parse_fraction, default_value = "5%", help_heading = "Search")]
    pub precision: f64,

    /// Scenario files: send to this base URL instead of the file's `target:`.
    #[arg(long, value_name = "URL", help_heading = "Load")]
    pub base_url: Option<String>,

    /// Most VUs per step; an arrival that finds none free is dropped and counted
    /// [default: twice the rate, at least 1000, at most 20000].
    #[arg(long, value_name = "N", value_parser = parse_count, help_heading = "Load")]
    pub max_vus: Option<u64>,

    /// Worker threads, each with its own event loop [default: the CPUs loadcell may use].
    #[arg(long, value_name = "N", help_heading = "Load")]
    pub threads: Option<usize>,

    /// HTTP method (URL mode).
    #[arg(short = 'm', long, default_value = "GET", help_heading = "Request")]
    pub method: String,

    /// Request header "Name: value" (repeatable, URL mode).
    #[arg(short = 'H', long = "header", value_name = "HEADER", help_heading = "Request")]
    pub headers: Vec<String>,

    /// Request body (URL mode).
    #[arg(short = 'b', long, value_name = "BODY", help_heading = "Request")]
    pub body: Option<String>,

    /// Per-request timeout [default: 30s, or the scenario's].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, help_heading = "Request")]
    pub timeout: Option<Duration>,

    /// Timeout for opening a connection (DNS, TCP and TLS).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "10s", help_heading = "Request")]
    pub connect_timeout: Duration,

    /// Speak HTTP/2 (prior knowledge for http://, ALPN for https://).
    #[arg(long, help_heading = "Request")]
    pub http2: bool,

    /// Accept any TLS certificate.
    #[arg(short = 'k', long, help_heading = "Request")]
    pub insecure: bool,

    /// Write the result (steps, bracket, capacity, knee, chart data) as JSON to this file.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub json: Option<PathBuf>,

    /// Results folder for summary.json and the reports, rewritten after every step
    /// [default: a new folder under ./loadcell-results/].
    #[arg(long, value_name = "DIR", help_heading = "Output")]
    pub out: Option<PathBuf>,

    /// Write no results folder.
    #[arg(long, conflicts_with = "out", help_heading = "Output")]
    pub no_out: bool,

    /// No per-step progress lines on stderr.
    #[arg(short = 'q', long, help_heading = "Output")]
    pub quiet: bool,
}

/// A fraction written as `5%` or `0.05`.
fn parse_fraction(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let (num, scale) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), 100.0),
        None => (t, 1.0),
    };
    match num.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v / scale),
        _ => Err(format!("'{s}' is not a positive fraction (e.g. 5% or 0.05)")),
    }
}

/// Grace for in-flight requests at the end of a step: they belong to an overloaded step
/// anyway, and the next step should not wait long for them.
const STEP_GRACE: Duration = Duration::from_secs(1);
/// Start-up and shut-down of one engine run, planned for in the budget.
const STEP_OVERHEAD: Duration = Duration::from_millis(200);
/// Longest warm-up before a step's measured window.
const MAX_STEP_WARMUP: Duration = Duration::from_secs(2);

/// What each step sends.
enum Work {
    Url { request: Request },
    Scenario { scenario: Box<Scenario> },
}

/// Everything checked before the first request.
struct Prepared {
    work: Work,
    origin: Origin,
    slos: Vec<Threshold>,
    timeout: Duration,
    /// How the summary names the target: the URL, or the scenario's name and file.
    label: String,
    /// The scenario file's text, for the summary's metadata.
    scenario_text: Option<String>,
}

/// Runs the command; returns the exit code.
pub fn run(args: &CapacityArgs, interrupts: Arc<AtomicUsize>) -> Result<i32, CliError> {
    let Prepared {
        work,
        origin,
        slos,
        timeout,
        label,
        scenario_text,
    } = prepare(args)?;
    let warmup = (args.step_duration / 5).min(MAX_STEP_WARMUP);
    let config = Config {
        start_rate: args.start_rate,
        min_rate: args.min_rate,
        max_rate: args.max_rate,
        growth: 2.0,
        precision: args.precision,
        // The budget plans for the longest a step can take: warm-up, measured time, the
        // grace for in-flight requests, the cool-down after a failure and start-up.
        step_duration: warmup + args.step_duration + STEP_GRACE * 2 + STEP_OVERHEAD,
        max_time: args.max_time,
    };
    let mut search = Search::new(config).map_err(|e| CliError::Usage(format!("capacity: {e}")))?;
    let transport = transport(&origin, args, timeout)?;
    // Check the load flags once, before any request.
    step_settings(args, args.start_rate, warmup, &transport)?;
    let out_dir = folder::claim(
        args.out.as_deref(),
        args.no_out,
        &format!("capacity-{}", loadcell_results::slug(&args.target)),
    )?;
    let section_settings = section::Settings {
        step_duration_s: args.step_duration.as_secs_f64(),
        step_warmup_s: warmup.as_secs_f64(),
        max_time_s: args.max_time.as_secs_f64(),
        precision: args.precision,
    };
    let mut combined = Combined::new(
        &label,
        crate::metadata::collect(scenario_text.as_deref()),
        warmup,
        "iterations/s",
    );
    // The SLO verdicts of each judged step, in step order.
    let mut verdicts: Vec<Vec<ThresholdResult>> = Vec::new();
    if !args.quiet {
        let exprs: Vec<&str> = slos.iter().map(|t| t.expr.as_str()).collect();
        eprintln!(
            "capacity: {} under {} — steps of {:?} (+{:?} warm-up), budget {:?}",
            args.target,
            exprs.join(", "),
            args.step_duration,
            warmup,
            args.max_time
        );
    }
    while let Some(rate) = search.next_rate() {
        let started = Instant::now();
        let settings = step_settings(args, rate, warmup, &transport)?;
        let (measured, outcome, step_verdicts) = match &work {
            Work::Url { request } => run_step(
                SingleRequest::new(request.clone(), &origin),
                settings,
                &slos,
                &interrupts,
            ),
            Work::Scenario { scenario } => run_step(
                JourneyWorkload::new((**scenario).clone(), origin.clone(), args.http2),
                settings,
                &slos,
                &interrupts,
            ),
        };
        let n = search.steps().len() + 1;
        if interrupts.load(Ordering::Relaxed) > 0 {
            // A step cut short says nothing about the rate, but what it sent was measured.
            let name = format!("step {n} · {}/s (interrupted)", level_text(rate));
            combined.add(outcome, Mark { name, level: rate }, None);
            search.interrupt();
            break;
        }
        let failed_slos = step_verdicts
            .iter()
            .filter(|v| !v.passed)
            .map(|v| v.expr.clone())
            .collect();
        let name = format!("step {n} · {}/s", level_text(rate));
        combined.add(outcome, Mark { name, level: rate }, Some(failed_slos));
        verdicts.push(step_verdicts);
        let mut result = StepResult {
            offered: rate,
            elapsed: started.elapsed(),
            ..measured
        };
        if !Step::judge(result.clone()).passed {
            // Let the target drain what the overloaded step queued, so that it does not
            // slow the next step down.
            std::thread::sleep(STEP_GRACE);
            result.elapsed = started.elapsed();
        }
        if let Some(dir) = &out_dir {
            // The folder is rewritten with this step before the search goes on; its time
            // counts against the budget, as part of the step.
            let mut with_step = search.clone();
            with_step.record(result.clone());
            let doc = summary_of(
                &combined,
                &with_step.result(),
                &slos,
                &verdicts,
                &section_settings,
                false,
            );
            // A failed rewrite must not end the search; the final write reports errors.
            if let Some(Err(e)) = doc.map(|d| folder::write(dir, &d)) {
                eprintln!("warning: results folder: {e}");
            }
            result.elapsed = started.elapsed();
        }
        search.record(result);
        if let (false, Some(step)) = (args.quiet, search.steps().last()) {
            eprintln!("{}", progress_line(search.steps().len(), step));
        }
    }
    let result = search.result();
    print!("{}", render(&args.target, &slos, &result));
    if let Some(dir) = &out_dir {
        match summary_of(&combined, &result, &slos, &verdicts, &section_settings, true) {
            Some(doc) => {
                folder::write(dir, &doc)?;
                println!(
                    "  results: {}  (report: {})",
                    dir.display(),
                    dir.join("report.html").display()
                );
            }
            None => println!("  results: none (no step ran)"),
        }
    }
    if let Some(path) = &args.json {
        let json = serde_json::json!({
            "target": args.target,
            "slos": slos.iter().map(|t| t.expr.clone()).collect::<Vec<_>>(),
            "step_duration_s": args.step_duration.as_secs_f64(),
            "step_warmup_s": warmup.as_secs_f64(),
            "max_time_s": args.max_time.as_secs_f64(),
            "precision": args.precision,
            "result": result,
        });
        let text = serde_json::to_string_pretty(&json).map_err(|e| CliError::Output(e.to_string()))?;
        std::fs::write(path, text + "\n")
            .map_err(|e| CliError::Output(format!("cannot write --json '{}': {e}", path.display())))?;
    }
    Ok(if result.capacity.is_some() {
        exit::OK
    } else {
        exit::THRESHOLD_FAILED
    })
}

/// The summary of every step so far with the `capacity` section; `None` before any step.
fn summary_of(
    combined: &Combined,
    result: &SearchResult,
    slos: &[Threshold],
    verdicts: &[Vec<ThresholdResult>],
    settings: &section::Settings,
    finished: bool,
) -> Option<loadcell_schema::Summary> {
    let mut doc = combined.summary(section::thresholds(result, verdicts), finished)?;
    doc.capacity = Some(section::capacity(result, slos, settings));
    Some(doc)
}

/// Checks the input and builds what every step sends, where, under which SLOs.
fn prepare(args: &CapacityArgs) -> Result<Prepared, CliError> {
    let mut slos = parse_thresholds(&args.slos)?;
    if args.target.contains("://") {
        if args.base_url.is_some() {
            return Err(CliError::Usage(
                "--base-url applies to scenario files; the URL already names the target".into(),
            ));
        }
        if slos.is_empty() {
            return Err(CliError::Usage(
                "capacity needs at least one --slo (e.g. --slo 'p95<200ms')".into(),
            ));
        }
        let origin = Origin::parse(&args.target).map_err(|e| CliError::Usage(e.to_string()))?;
        let request = build_request(args, &origin)?;
        let timeout = args.timeout.unwrap_or(DEFAULT_TIMEOUT);
        return Ok(Prepared {
            work: Work::Url { request },
            origin,
            slos,
            timeout,
            label: args.target.clone(),
            scenario_text: None,
        });
    }
    if !args.headers.is_empty() || args.body.is_some() || args.method != "GET" {
        return Err(CliError::Usage(
            "-m, -H and -b describe a URL-mode request; a scenario sets them per step".into(),
        ));
    }
    let scenario = scenario_cmd::load_file(std::path::Path::new(&args.target))?;
    if slos.is_empty() {
        slos = scenario.thresholds.clone();
    }
    if slos.is_empty() {
        return Err(CliError::Usage(format!(
            "capacity needs at least one --slo, and scenario '{}' has no thresholds",
            scenario.name
        )));
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
    let timeout = args.timeout.or(scenario.defaults.timeout).unwrap_or(DEFAULT_TIMEOUT);
    let (label, scenario_text) = crate::sweep::scenario_label(&scenario);
    Ok(Prepared {
        work: Work::Scenario {
            scenario: Box::new(scenario),
        },
        origin,
        slos,
        timeout,
        label,
        scenario_text,
    })
}

fn build_request(args: &CapacityArgs, origin: &Origin) -> Result<Request, CliError> {
    let mut headers = Vec::with_capacity(args.headers.len());
    for h in &args.headers {
        let (name, value) = h
            .split_once(':')
            .ok_or_else(|| CliError::Usage(format!("invalid header '{h}': expected 'Name: value'")))?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let body = bytes::Bytes::from(args.body.clone().unwrap_or_default().into_bytes());
    Request::new(&args.method, &origin.path_and_query, headers, body).map_err(|e| CliError::Usage(e.to_string()))
}

fn transport(origin: &Origin, args: &CapacityArgs, timeout: Duration) -> Result<Transport, CliError> {
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

/// Engine settings of one constant-rate step.
fn step_settings(
    args: &CapacityArgs,
    rate: f64,
    warmup: Duration,
    transport: &Transport,
) -> Result<Settings, CliError> {
    let load = plan(&LoadInputs {
        rate: Some(rate),
        open: true,
        duration: Some(args.step_duration),
        warmup,
        max_vus: args.max_vus,
        threads: args.threads,
        ..LoadInputs::default()
    })?;
    Ok(Settings {
        model: load.model,
        warmup,
        run_for: load.run_for,
        requests: None,
        grace: STEP_GRACE,
        threads: load.threads,
        transport: transport.clone(),
        samples: None,
        open_vus: load.open_vus,
    })
}

/// Sees nothing: a step's progress is one line once it ends.
struct Silent;

impl Observer for Silent {
    fn on_interval(&mut self, _: &IntervalEvent<'_>) -> Control {
        Control::Continue
    }
}

/// Runs one step and measures it (offered rate and wall time are filled in by the caller);
/// also returns what the engine measured and the SLO verdicts on it.
fn run_step<W: Workload>(
    workload: W,
    settings: Settings,
    slos: &[Threshold],
    interrupts: &Arc<AtomicUsize>,
) -> (StepResult, Outcome, Vec<ThresholdResult>) {
    let vus_limit = settings.model.vus_limit();
    let outcome = loadcell_engine::run(workload, settings, interrupts.clone(), &mut Silent);
    let seconds = outcome.measured.as_secs_f64();
    let total = &outcome.total;
    let overall = total.overall();
    let source = Measured {
        total,
        endpoints: &outcome.endpoints,
        checks: &outcome.checks,
        seconds,
        vus_limit,
    };
    let verdicts = evaluate(slos, &source);
    let slo_failures = verdicts
        .iter()
        .filter(|v| !v.passed)
        .map(|v| format!("{} (actual {})", v.expr, v.actual_text))
        .collect();
    let quantile = |q: f64| (!overall.latency.is_empty()).then(|| overall.latency.value_at_quantile(q) as f64 / 1000.0);
    let requests = overall.requests();
    let result = StepResult {
        offered: 0.0,
        achieved: if seconds > 0.0 {
            total.iterations as f64 / seconds
        } else {
            0.0
        },
        p50_ms: quantile(0.50),
        p95_ms: quantile(0.95),
        p99_ms: quantile(0.99),
        error_rate: if requests > 0 {
            overall.failed as f64 / requests as f64
        } else {
            0.0
        },
        scheduled: total.scheduled,
        dropped: total.dropped,
        interrupted: total.interrupted,
        slo_failures,
        elapsed: Duration::ZERO,
    };
    (result, outcome, verdicts)
}

fn ms(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{v:.1}"))
}

fn progress_line(n: usize, s: &Step) -> String {
    let verdict = if s.passed {
        "pass".to_string()
    } else {
        format!("FAIL: {}", s.failed.join("; "))
    };
    format!(
        "  step {n}: {:.1}/s offered, {:.1}/s achieved, p95 {} ms, errors {:.2}% — {verdict}",
        s.offered_rate,
        s.achieved_rate,
        ms(s.p95_ms),
        s.error_pct
    )
}

/// The readable result: the step table, the answer with its bracket, the knee.
pub fn render(target: &str, slos: &[Threshold], r: &SearchResult) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let exprs: Vec<&str> = slos.iter().map(|t| t.expr.as_str()).collect();
    let _ = writeln!(out, "capacity of {target} under {}", exprs.join(", "));
    let _ = writeln!(
        out,
        "  {:>4} {:>10} {:>10} {:>9} {:>9} {:>9} {:>7} {:>8}  verdict",
        "step", "offered/s", "achieved/s", "p50 ms", "p95 ms", "p99 ms", "err %", "dropped"
    );
    for (i, s) in r.steps.iter().enumerate() {
        let verdict = if s.passed {
            "pass".to_string()
        } else {
            format!("FAIL {}", s.failed.join("; "))
        };
        let _ = writeln!(
            out,
            "  {:>4} {:>10.1} {:>10.1} {:>9} {:>9} {:>9} {:>7.2} {:>8}  {verdict}",
            i + 1,
            s.offered_rate,
            s.achieved_rate,
            ms(s.p50_ms),
            ms(s.p95_ms),
            ms(s.p99_ms),
            s.error_pct,
            s.dropped + s.interrupted,
        );
    }
    let bracket = |v: Option<f64>| v.map_or_else(|| "none".to_string(), |v| format!("{v:.1}/s"));
    let why = match r.stop {
        StopReason::Converged => "converged",
        StopReason::Budget => "time budget reached, bracket not narrowed to the precision",
        StopReason::MaxRate => "the maximum rate passed; the capacity may be higher",
        StopReason::MinRate => "even the minimum rate failed",
        StopReason::Interrupted => "interrupted",
        StopReason::Running => "unfinished",
    };
    match r.capacity {
        Some(c) => {
            let _ = writeln!(
                out,
                "  sustainable rate: {c:.1}/s  (highest passing {}, lowest failing {}; {why})",
                bracket(r.highest_pass),
                bracket(r.lowest_fail)
            );
        }
        None => {
            let _ = writeln!(
                out,
                "  no sustainable rate: every step failed (lowest failing {}; {why})",
                bracket(r.lowest_fail)
            );
        }
    }
    if let Some(k) = r.knee {
        let _ = writeln!(
            out,
            "  knee of the p95 curve: {:.1}/s (p95 {:.1} ms)",
            k.offered_rate, k.p95_ms
        );
    }
    let _ = writeln!(out, "  search took {:.1}s over {} steps", r.elapsed_s, r.steps.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_take_percent_or_plain_form() {
        assert_eq!(parse_fraction("5%"), Ok(0.05));
        assert_eq!(parse_fraction(" 0.1 "), Ok(0.1));
        for bad in ["0", "-1%", "x", "%", "nan"] {
            assert!(parse_fraction(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn render_shows_steps_bracket_and_knee() {
        let slos = parse_thresholds(&["p95<200ms".to_string()]).unwrap_or_default();
        let mut search = Search::new(Config::default()).unwrap_or_else(|e| panic!("{e}"));
        for (rate, p95) in [(10.0, 5.0), (20.0, 6.0), (40.0, 300.0), (30.0, 50.0)] {
            search.record(StepResult {
                offered: rate,
                achieved: rate,
                p95_ms: Some(p95),
                scheduled: 100,
                slo_failures: if p95 < 200.0 { vec![] } else { vec!["p95<200ms".into()] },
                elapsed: Duration::from_secs(1),
                ..StepResult::default()
            });
        }
        let text = render("http://127.0.0.1:1/", &slos, &search.result());
        assert!(text.contains("sustainable rate: 30.0/s"), "{text}");
        assert!(text.contains("lowest failing 40.0/s"), "{text}");
        assert!(text.contains("FAIL p95<200ms"), "{text}");
        assert!(text.contains("knee of the p95 curve: 30.0/s"), "{text}");
    }
}
