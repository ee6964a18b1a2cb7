//! `loadcell scale URL|FILE --vus 1,2,4,8,16,32`: a closed-model sweep across concurrency
//! levels, each level one engine run, followed by a Universal Scalability Law fit
//! (`loadcell-usl`) of the measured throughput: λ, σ (contention), κ (coherency), R², the
//! concurrency of peak throughput and an efficiency table. The method is in docs/scale.md.
//! Every level also lands in the results folder's `summary.json` and reports
//! (`crate::sweep`, the `scale` section from `section`).

mod points;
mod section;

use crate::error::CliError;
use crate::load::{LoadInputs, plan};
use crate::run_cmd::DEFAULT_TIMEOUT;
use crate::scenario_cmd;
use crate::sweep::combine::{Combined, Mark};
use crate::sweep::folder;
use clap::Args;
use loadcell_engine::units::parse_duration;
use loadcell_engine::{Control, IntervalEvent, Observer, Outcome, Settings, SingleRequest, Transport, Workload};
use loadcell_http::{ClientConfig, Origin, Request, Scheme, tls_config};
use loadcell_journey::JourneyWorkload;
use loadcell_scenario::Scenario;
use loadcell_schema::exit;
use loadcell_usl::{Efficiency, Fit, Point};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// `loadcell scale URL|FILE --vus LIST [flags]`
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  loadcell scale http://127.0.0.1:8080/ --vus 1,2,4,8,16,32,64\n  loadcell scale shop.yaml --vus 1,4,16,64 --step-duration 30s --json scale.json"
)]
pub struct ScaleArgs {
    /// The URL to test (http:// or https://), or a scenario file (.yaml, .yml or .json).
    #[arg(value_name = "URL|FILE", required_unless_present = "points")]
    pub target: Option<String>,

    /// Concurrency levels (closed-model VUs), comma-separated; at least 3 distinct levels.
    #[arg(
        long,
        value_name = "LIST",
        required_unless_present = "points",
        help_heading = "Sweep"
    )]
    pub vus: Option<String>,

    /// Fit throughputs measured elsewhere instead of sweeping: `VUS:REQ_PER_S` pairs,
    /// comma-separated, e.g. `1:43,2:80.5,4:152,8:264.5,16:422.5`. Sends no request.
    #[arg(long, value_name = "LIST", conflicts_with_all = ["target", "vus", "out"], help_heading = "Sweep")]
    pub points: Option<String>,

    /// How long each level is measured.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "10s", help_heading = "Sweep")]
    pub step_duration: Duration,

    /// Warm-up before each level's measured window [default: a fifth of --step-duration, at most 2s].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, help_heading = "Sweep")]
    pub warmup: Option<Duration>,

    /// Scenario files: send to this base URL instead of the file's `target:`.
    #[arg(long, value_name = "URL", help_heading = "Load")]
    pub base_url: Option<String>,

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

    /// Write the measured points, the fit, the fitted curve and the efficiency table as JSON.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub json: Option<PathBuf>,

    /// Results folder for summary.json and the reports, rewritten after every level
    /// [default: a new folder under ./loadcell-results/].
    #[arg(long, value_name = "DIR", help_heading = "Output")]
    pub out: Option<PathBuf>,

    /// Write no results folder.
    #[arg(long, conflicts_with = "out", help_heading = "Output")]
    pub no_out: bool,

    /// No per-level progress lines on stderr.
    #[arg(short = 'q', long, help_heading = "Output")]
    pub quiet: bool,
}

/// Grace for in-flight requests at the end of a level.
const STEP_GRACE: Duration = Duration::from_secs(2);
/// Longest default warm-up before a level's measured window.
const MAX_STEP_WARMUP: Duration = Duration::from_secs(2);
/// Points of the fitted curve in the JSON output (for plotting).
const CURVE_POINTS: usize = 64;

/// What each level sends.
enum Work {
    Url { request: Request },
    Scenario { scenario: Box<Scenario> },
}

/// One measured level.
#[derive(Debug, Clone, Serialize)]
pub struct Level {
    pub vus: u64,
    /// Completed requests in the measured window.
    pub requests: u64,
    /// Of which failed (error responses or transport errors).
    pub failed: u64,
    pub seconds: f64,
    /// Requests per second: `requests / seconds`.
    pub throughput: f64,
    pub mean_ms: Option<f64>,
    pub p95_ms: Option<f64>,
}

/// The whole result, as written by `--json`.
#[derive(Debug, Serialize)]
struct Report<'a> {
    target: &'a str,
    step_duration_s: f64,
    step_warmup_s: f64,
    points: &'a [Level],
    /// `null` when the points cannot be fitted (see `error`).
    fit: Option<FitReport>,
    error: Option<String>,
    efficiency: Vec<Efficiency>,
    /// The fitted `X(N)` from 1 to the largest level (or past the peak), for plotting.
    curve: Vec<Point>,
}

impl<'a> Report<'a> {
    /// The document for `points` and their fit (or why there is none); `timing` is the
    /// measured and warm-up seconds of each level; the curve runs to `max_n` VUs.
    fn new(
        target: &'a str,
        timing: (f64, f64),
        points: &'a [Level],
        fitted: Result<&Fit, String>,
        efficiency: Vec<Efficiency>,
        max_n: f64,
    ) -> Report<'a> {
        Report {
            target,
            step_duration_s: timing.0,
            step_warmup_s: timing.1,
            points,
            fit: fitted.as_ref().ok().map(|fit| FitReport {
                fit: **fit,
                peak_vus: fit.peak_concurrency(),
                peak_throughput: fit.peak_throughput(),
                ceiling: fit.ceiling(),
            }),
            curve: fitted.as_ref().map_or_else(|_| Vec::new(), |fit| curve(fit, max_n)),
            error: fitted.err(),
            efficiency,
        }
    }
}

/// Writes `--json FILE`.
fn write_json(path: &std::path::Path, report: &Report<'_>) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(report).map_err(|e| CliError::Output(e.to_string()))?;
    std::fs::write(path, text + "\n")
        .map_err(|e| CliError::Output(format!("cannot write --json '{}': {e}", path.display())))
}

#[derive(Debug, Serialize)]
struct FitReport {
    #[serde(flatten)]
    fit: Fit,
    /// `√((1−σ)/κ)`; `null` when κ = 0 (throughput never falls).
    peak_vus: Option<f64>,
    /// `X(N*)`; `null` with `peak_vus`.
    peak_throughput: Option<f64>,
    /// `λ/σ`, the limit of throughput when κ = 0 and σ > 0.
    ceiling: Option<f64>,
}

/// Runs the command; returns the exit code (0 fitted, 1 no fit, 2 bad input).
pub fn run(args: &ScaleArgs, interrupts: Arc<AtomicUsize>) -> Result<i32, CliError> {
    if let Some(list) = &args.points {
        return points::run(list, args.json.as_deref());
    }
    let (Some(target), Some(vus)) = (args.target.as_deref(), args.vus.as_deref()) else {
        return Err(CliError::Usage(
            "scale needs a URL or scenario file and --vus (or --points)".into(),
        ));
    };
    let levels = parse_levels(vus)?;
    if args.step_duration.is_zero() {
        return Err(CliError::Usage("--step-duration must be above 0".into()));
    }
    let warmup = args.warmup.unwrap_or((args.step_duration / 5).min(MAX_STEP_WARMUP));
    let (work, origin, timeout, label, scenario_text) = prepare(args, target)?;
    let transport = transport(&origin, args, timeout)?;
    // Check the load flags of every level before any request.
    for &vus in &levels {
        step_settings(args, vus, warmup, &transport)?;
    }
    let out_dir = folder::claim(
        args.out.as_deref(),
        args.no_out,
        &format!("scale-{}", loadcell_results::slug(target)),
    )?;
    let mut combined = Combined::new(
        &label,
        crate::metadata::collect(scenario_text.as_deref()),
        warmup,
        "vus",
    );
    let sweep = Sweep {
        planned: &levels,
        step_duration_s: args.step_duration.as_secs_f64(),
        step_warmup_s: warmup.as_secs_f64(),
    };
    if !args.quiet {
        eprintln!(
            "scale: {} at {} VUs — {:?} per level (+{:?} warm-up)",
            target,
            levels.iter().map(u64::to_string).collect::<Vec<_>>().join(", "),
            args.step_duration,
            warmup
        );
    }
    let mut measured = Vec::with_capacity(levels.len());
    for &vus in &levels {
        let settings = step_settings(args, vus, warmup, &transport)?;
        let (level, outcome) = match &work {
            Work::Url { request } => {
                run_level(vus, SingleRequest::new(request.clone(), &origin), settings, &interrupts)
            }
            Work::Scenario { scenario } => run_level(
                vus,
                JourneyWorkload::new((**scenario).clone(), origin.clone(), args.http2),
                settings,
                &interrupts,
            ),
        };
        if interrupts.load(Ordering::Relaxed) > 0 {
            eprintln!("scale: interrupted at {vus} VUs; fitting the levels measured so far");
            // Not a point of the fit, but what it sent was measured.
            let name = format!("{} (interrupted)", vus_name(vus));
            combined.add(
                outcome,
                Mark {
                    name,
                    level: vus as f64,
                },
                None,
            );
            break;
        }
        if !args.quiet {
            eprintln!(
                "  {vus} VUs: {:.1} req/s, mean {} ms, p95 {} ms, {} failed",
                level.throughput,
                ms(level.mean_ms),
                ms(level.p95_ms),
                level.failed
            );
        }
        combined.add(
            outcome,
            Mark {
                name: vus_name(vus),
                level: vus as f64,
            },
            None,
        );
        measured.push(level);
        if let Some(dir) = &out_dir {
            // A failed rewrite must not end the sweep; the final write reports errors.
            let fitted = fit_levels(&measured);
            let doc = sweep.summary(&combined, &measured, &fitted, false);
            if let Some(Err(e)) = doc.map(|d| folder::write(dir, &d)) {
                eprintln!("warning: results folder: {e}");
            }
        }
    }
    let fitted = fit_levels(&measured);
    let points = points_of(&measured);
    let efficiency = match &fitted {
        Ok(fit) => loadcell_usl::efficiency_table(&points, fit),
        Err(_) => Vec::new(),
    };
    print!("{}", render(target, &measured, fitted.as_ref().ok(), &efficiency));
    if let Err(e) = &fitted {
        println!("  no fit: {e}");
    }
    if let Some(dir) = &out_dir {
        match sweep.summary(&combined, &measured, &fitted, true) {
            Some(doc) => {
                folder::write(dir, &doc)?;
                println!(
                    "  results: {}  (report: {})",
                    dir.display(),
                    dir.join("report.html").display()
                );
            }
            None => println!("  results: none (no level ran)"),
        }
    }
    if let Some(path) = &args.json {
        let timing = (args.step_duration.as_secs_f64(), warmup.as_secs_f64());
        let fit = fitted.as_ref().map_err(ToString::to_string);
        write_json(
            path,
            &Report::new(target, timing, &measured, fit, efficiency, max_level(&levels)),
        )?;
    }
    Ok(if fitted.is_ok() {
        exit::OK
    } else {
        exit::THRESHOLD_FAILED
    })
}

/// `1 VU`, `16 VUs`: how a level is named in the summary's stages and phases.
fn vus_name(vus: u64) -> String {
    if vus == 1 {
        "1 VU".to_string()
    } else {
        format!("{vus} VUs")
    }
}

fn max_level(levels: &[u64]) -> f64 {
    levels.last().copied().unwrap_or(1) as f64
}

fn points_of(measured: &[Level]) -> Vec<Point> {
    measured
        .iter()
        .map(|l| Point {
            n: l.vus as f64,
            throughput: l.throughput,
        })
        .collect()
}

/// The USL fit of the levels measured, or why there is none.
fn fit_levels(measured: &[Level]) -> Result<Fit, NoFit> {
    if !measured.is_empty() && measured.iter().all(|l| l.failed == l.requests) {
        return Err(NoFit::AllFailed);
    }
    loadcell_usl::fit(&points_of(measured)).map_err(NoFit::Usl)
}

/// What the sweep was asked, for its summary.
struct Sweep<'a> {
    planned: &'a [u64],
    step_duration_s: f64,
    step_warmup_s: f64,
}

impl Sweep<'_> {
    /// The summary of every level so far with the `scale` section; `None` before any level.
    /// While the sweep runs, a fit of the levels so far stands (or why there is none yet).
    fn summary(
        &self,
        combined: &Combined,
        measured: &[Level],
        fitted: &Result<Fit, NoFit>,
        finished: bool,
    ) -> Option<loadcell_schema::Summary> {
        let mut doc = combined.summary(Vec::new(), finished)?;
        let fit = match fitted {
            Ok(fit) => Ok(fit),
            Err(_) if !finished && measured.len() < 3 => Err(format!(
                "not fitted yet: {} of {} levels measured",
                measured.len(),
                self.planned.len()
            )),
            Err(e) => Err(e.to_string()),
        };
        let curve = fitted
            .as_ref()
            .map_or_else(|_| Vec::new(), |fit| curve(fit, max_level(self.planned)));
        doc.scale = Some(section::scale(
            measured,
            self.planned,
            fit,
            &curve,
            self.step_duration_s,
            self.step_warmup_s,
        ));
        Some(doc)
    }
}

/// Why a sweep has no fit.
#[derive(Debug, thiserror::Error)]
enum NoFit {
    #[error("every request failed; is the target up?")]
    AllFailed,
    #[error(transparent)]
    Usl(#[from] loadcell_usl::UslError),
}

/// `"1,2,4,8"` → sorted distinct levels, each at least 1, at least 3 of them.
pub fn parse_levels(text: &str) -> Result<Vec<u64>, CliError> {
    let mut levels = Vec::new();
    for part in text.split(',') {
        let part = part.trim();
        let n: u64 = part.parse().map_err(|_| {
            CliError::Usage(format!(
                "invalid --vus '{text}': '{part}' is not a whole number (e.g. --vus 1,2,4,8,16)"
            ))
        })?;
        if n == 0 {
            return Err(CliError::Usage(format!(
                "invalid --vus '{text}': levels must be at least 1"
            )));
        }
        levels.push(n);
    }
    levels.sort_unstable();
    levels.dedup();
    if levels.len() < 3 {
        return Err(CliError::Usage(format!(
            "invalid --vus '{text}': the fit needs at least 3 distinct levels (e.g. --vus 1,2,4,8,16)"
        )));
    }
    Ok(levels)
}

/// What every level sends, where, its timeout, and how the summary names the target
/// (with the scenario file's text for the metadata).
type Prepared = (Work, Origin, Duration, String, Option<String>);

/// Checks the input and builds what every level sends, where.
fn prepare(args: &ScaleArgs, target: &str) -> Result<Prepared, CliError> {
    if target.contains("://") {
        if args.base_url.is_some() {
            return Err(CliError::Usage(
                "--base-url applies to scenario files; the URL already names the target".into(),
            ));
        }
        let origin = Origin::parse(target).map_err(|e| CliError::Usage(e.to_string()))?;
        let request = build_request(args, &origin)?;
        let timeout = args.timeout.unwrap_or(DEFAULT_TIMEOUT);
        return Ok((Work::Url { request }, origin, timeout, target.to_string(), None));
    }
    if !args.headers.is_empty() || args.body.is_some() || args.method != "GET" {
        return Err(CliError::Usage(
            "-m, -H and -b describe a URL-mode request; a scenario sets them per step".into(),
        ));
    }
    let scenario = scenario_cmd::load_file(std::path::Path::new(target))?;
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
    let (label, text) = crate::sweep::scenario_label(&scenario);
    let work = Work::Scenario {
        scenario: Box::new(scenario),
    };
    Ok((work, origin, timeout, label, text))
}

fn build_request(args: &ScaleArgs, origin: &Origin) -> Result<Request, CliError> {
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

fn transport(origin: &Origin, args: &ScaleArgs, timeout: Duration) -> Result<Transport, CliError> {
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

/// Engine settings of one level: `vus` closed-model VUs for warm-up plus the step.
fn step_settings(args: &ScaleArgs, vus: u64, warmup: Duration, transport: &Transport) -> Result<Settings, CliError> {
    let load = plan(&LoadInputs {
        concurrency: Some(vus),
        duration: Some(args.step_duration),
        warmup,
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

/// Sees nothing: a level's progress is one line once it ends.
struct Silent;

impl Observer for Silent {
    fn on_interval(&mut self, _: &IntervalEvent<'_>) -> Control {
        Control::Continue
    }
}

/// Runs one level and measures its throughput; also returns what the engine measured.
fn run_level<W: Workload>(
    vus: u64,
    workload: W,
    settings: Settings,
    interrupts: &Arc<AtomicUsize>,
) -> (Level, Outcome) {
    let outcome = loadcell_engine::run(workload, settings, interrupts.clone(), &mut Silent);
    let seconds = outcome.measured.as_secs_f64();
    let overall = outcome.total.overall();
    let requests = overall.requests();
    let latency = |f: &dyn Fn() -> f64| (!overall.latency.is_empty()).then(|| f() / 1000.0);
    let level = Level {
        vus,
        requests,
        failed: overall.failed,
        seconds,
        throughput: if seconds > 0.0 { requests as f64 / seconds } else { 0.0 },
        mean_ms: latency(&|| overall.latency.mean()),
        p95_ms: latency(&|| overall.latency.value_at_quantile(0.95) as f64),
    };
    (level, outcome)
}

/// The fitted curve at `CURVE_POINTS` concurrencies from 1 to the largest level, or to
/// 1.5 × the peak when that lies beyond it.
fn curve(fit: &Fit, max_n: f64) -> Vec<Point> {
    let end = fit
        .peak_concurrency()
        .map_or(max_n, |p| max_n.max((p * 1.5).min(4.0 * max_n)));
    (0..CURVE_POINTS)
        .map(|i| {
            let n = 1.0 + (end - 1.0) * i as f64 / (CURVE_POINTS - 1) as f64;
            Point {
                n,
                throughput: fit.throughput(n),
            }
        })
        .collect()
}

fn ms(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{v:.1}"))
}

/// A number for the table: significant digits for small values, none for large ones.
fn num(v: f64) -> String {
    if v == 0.0 {
        "0".to_string()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 0.01 {
        format!("{v:.4}")
    } else {
        format!("{v:.3e}")
    }
}

/// The readable result: one row per level, then the fit and what it predicts.
pub fn render(target: &str, levels: &[Level], fit: Option<&Fit>, efficiency: &[Efficiency]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "scalability of {target} (closed model, Universal Scalability Law)");
    let _ = writeln!(
        out,
        "  {:>6} {:>10} {:>10} {:>9} {:>9} {:>8} {:>10} {:>10}",
        "VUs", "req/s", "fit req/s", "mean ms", "p95 ms", "failed", "efficiency", "fit eff."
    );
    for (i, l) in levels.iter().enumerate() {
        let fitted = fit.map_or_else(|| "-".to_string(), |f| format!("{:.1}", f.throughput(l.vus as f64)));
        let (eff, fit_eff) = efficiency.get(i).map_or_else(
            || ("-".to_string(), "-".to_string()),
            |e| {
                (
                    format!("{:.1}%", e.efficiency * 100.0),
                    format!("{:.1}%", e.fitted_efficiency * 100.0),
                )
            },
        );
        let _ = writeln!(
            out,
            "  {:>6} {:>10.1} {:>10} {:>9} {:>9} {:>8} {:>10} {:>10}",
            l.vus,
            l.throughput,
            fitted,
            ms(l.mean_ms),
            ms(l.p95_ms),
            l.failed,
            eff,
            fit_eff
        );
    }
    let Some(f) = fit else {
        return out;
    };
    let _ = writeln!(
        out,
        "  fit: λ = {} req/s per VU, σ (contention) = {}, κ (coherency) = {}, R² = {:.4}",
        num(f.lambda),
        num(f.sigma),
        num(f.kappa),
        f.r_squared
    );
    match (f.peak_concurrency(), f.peak_throughput()) {
        (Some(n), Some(x)) => {
            let _ = writeln!(out, "  peak: N* = {n:.1} VUs, predicted X(N*) = {x:.1} req/s");
        }
        _ => {
            let _ = match f.ceiling() {
                Some(c) => writeln!(out, "  peak: none (κ = 0); throughput approaches λ/σ = {c:.1} req/s"),
                None => writeln!(out, "  peak: none (κ = 0, σ = 0): throughput scales linearly"),
            };
        }
    }
    if levels.iter().any(|l| l.failed > 0) {
        let _ = writeln!(
            out,
            "  warning: some requests failed; failures count as throughput here"
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_sorted_distinct_and_checked() {
        assert_eq!(parse_levels("8, 1,2,4,2").ok(), Some(vec![1, 2, 4, 8]));
        for bad in ["1,2", "1,1,2", "0,1,2", "1,x,3", "", "1,-2,3"] {
            assert!(parse_levels(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn render_shows_fit_and_peak() {
        let levels: Vec<Level> = [1u64, 2, 4]
            .iter()
            .map(|&vus| Level {
                vus,
                requests: 100 * vus,
                failed: 0,
                seconds: 1.0,
                throughput: 100.0 * vus as f64,
                mean_ms: Some(10.0),
                p95_ms: Some(12.0),
            })
            .collect();
        let fit = Fit {
            lambda: 100.0,
            sigma: 0.1,
            kappa: 0.001,
            r_squared: 0.99,
            rmse: 1.0,
        };
        let text = render("http://x/", &levels, Some(&fit), &[]);
        assert!(text.contains("σ (contention) = 0.1000"), "{text}");
        assert!(text.contains("N* = 30.0 VUs"), "{text}");
        let linear = Fit {
            sigma: 0.0,
            kappa: 0.0,
            ..fit
        };
        assert!(render("u", &levels, Some(&linear), &[]).contains("scales linearly"));
    }
}
