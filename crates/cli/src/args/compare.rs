//! `loadcell compare`, `baseline …`, `bench` and `ingest`, and the `--baseline` flags of
//! `run`: how a change is judged and where the runs and benchmarks come from.

use clap::{Args, Subcommand};
use loadcell_baselines::{DEFAULT_FILE, DEFAULT_HISTORY};
use loadcell_bench::Format;
use loadcell_compare::Settings;
use loadcell_schema::MetricKind;
use loadcell_units::parse_duration;
use std::path::PathBuf;
use std::time::Duration;

/// How a change is judged: the flags `compare`, `baseline check` and `run --baseline` share.
#[derive(Debug, Clone, Args)]
pub struct JudgeFlags {
    /// Relative changes smaller than this are `unchanged` (5%, or 0.05).
    #[arg(long, value_name = "PCT", value_parser = parse_fraction, default_value = "5%")]
    pub noise: f64,

    /// Error-rate differences smaller than this many points are `unchanged` (0.1%).
    #[arg(long, value_name = "PCT", value_parser = parse_fraction, default_value = "0.1%")]
    pub error_noise: f64,

    /// A change counts only when its whole confidence interval lies beyond the noise threshold (criterion's rule).
    #[arg(long)]
    pub strict: bool,

    /// Only these metrics decide the verdict and exit code: p50,p95,p99,throughput,error_rate,median,mean
    /// [default: all].
    #[arg(long, value_name = "LIST", value_parser = parse_gate)]
    pub gate: Option<Gate>,
}

impl JudgeFlags {
    /// The comparison settings these flags give (the rest at their defaults).
    pub fn settings(&self) -> Settings {
        Settings {
            noise: self.noise,
            error_noise: self.error_noise,
            rule: if self.strict {
                loadcell_compare::Rule::Strict
            } else {
                loadcell_compare::Rule::Significant
            },
            gate: self.gate.clone().map_or_else(|| Settings::default().gate, |g| g.0),
            ..Settings::default()
        }
    }
}

/// The metrics that decide a verdict (one clap value, a comma-separated list).
#[derive(Debug, Clone, PartialEq)]
pub struct Gate(pub Vec<MetricKind>);

/// `p50,throughput` → the metrics that decide a verdict.
pub fn parse_gate(text: &str) -> Result<Gate, String> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            serde_json::from_value(serde_json::Value::String(t.replace(' ', "_"))).map_err(|_| {
                format!("unknown metric '{t}' (expected p50, p95, p99, throughput, error_rate, median or mean)")
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .and_then(|g| {
            if g.is_empty() {
                Err("no metric given".to_string())
            } else {
                Ok(Gate(g))
            }
        })
}

/// `loadcell compare BASE NEW`
#[derive(Debug, Args)]
#[command(
    after_help = "BASE and NEW are results folders (run --out), summary.json files, or benchmark results (bench.json).\nExit codes: 0 nothing regressed, 1 something regressed, 2 bad input.\n\nExamples:\n  loadcell compare results/main results/branch\n  loadcell compare main/summary.json branch/summary.json --noise 10% --markdown >> \"$GITHUB_STEP_SUMMARY\""
)]
pub struct CompareArgs {
    /// The run to compare against.
    #[arg(value_name = "BASE")]
    pub base: PathBuf,

    /// The run to judge.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,

    #[command(flatten)]
    pub judge: JudgeFlags,

    /// Confidence level of the intervals (95%, or 0.95).
    #[arg(long, value_name = "PCT", value_parser = parse_fraction, default_value = "95%")]
    pub confidence: f64,

    /// Bootstrap resamples per side.
    #[arg(long, value_name = "N", default_value_t = loadcell_compare::DEFAULT_RESAMPLES)]
    pub resamples: u32,

    /// Seed of the resampling (the same seed gives the same document).
    #[arg(long, value_name = "N", default_value_t = loadcell_compare::DEFAULT_SEED)]
    pub seed: u64,

    /// Print the comparison as JSON (docs/comparison-format.md).
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,

    /// Print the comparison as Markdown (for a PR comment or $GITHUB_STEP_SUMMARY).
    #[arg(long)]
    pub markdown: bool,

    /// Also write the comparison as a self-contained HTML page to this file.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

/// `run … --baseline DIR|FILE`: what the end of a run compares with.
#[derive(Debug, Clone, Args)]
pub struct BaselineFlags {
    /// Compare the run with this earlier one (results folder, summary.json; bench.json for
    /// `bench`) or check it against a performance-baselines.json as `baseline check` does;
    /// a regression fails the run like a threshold (exit 1).
    #[arg(long, value_name = "DIR|FILE", help_heading = "Verdict")]
    pub baseline: Option<PathBuf>,

    /// With --baseline: relative changes smaller than this are `unchanged`.
    #[arg(long = "baseline-noise", value_name = "PCT", value_parser = parse_fraction, default_value = "5%", help_heading = "Verdict")]
    pub noise: f64,

    /// With --baseline: a change counts only when its whole interval lies beyond the noise threshold.
    #[arg(long = "baseline-strict", help_heading = "Verdict")]
    pub strict: bool,

    /// With --baseline: only these metrics decide (p50,p95,p99,throughput,error_rate) [default: all].
    #[arg(long = "baseline-gate", value_name = "LIST", value_parser = parse_gate, help_heading = "Verdict")]
    pub gate: Option<Gate>,
}

/// `5%` → 0.05, `0.05` → 0.05: a percentage or a fraction.
pub fn parse_fraction(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let (number, scale) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), 100.0),
        None => (t, 1.0),
    };
    match number.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v / scale),
        _ => Err(format!(
            "'{text}' is not a percentage (e.g. 5%) or a fraction (e.g. 0.05)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_and_fractions() {
        assert_eq!(parse_fraction("5%"), Ok(0.05));
        assert_eq!(parse_fraction("0.05"), Ok(0.05));
        assert_eq!(parse_fraction(" 95 %"), Ok(0.95));
        assert!(parse_fraction("five").is_err());
        assert!(parse_fraction("-1%").is_err());
        assert!(parse_fraction("nan").is_err());
    }

    #[test]
    fn gates_name_metrics() {
        assert_eq!(
            parse_gate("p50, throughput"),
            Ok(Gate(vec![MetricKind::P50, MetricKind::Throughput]))
        );
        assert_eq!(parse_gate("error rate"), Ok(Gate(vec![MetricKind::ErrorRate])));
        assert!(parse_gate("p42").is_err_and(|e| e.contains("unknown metric 'p42'")));
        assert!(parse_gate(",").is_err());
    }
}

/// `loadcell baseline …`
#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Write a run (results folder, summary.json or bench.json) into the baselines file: current numbers, SLO status, history.
    Save(SaveArgs),
    /// Judge a new run against the baselines file's history and SLOs (exit 1 when something regressed or an SLO failed).
    Check(CheckArgs),
    /// Find change points in each endpoint's history (E-divisive means, as Apache Otava does).
    Trend(TrendArgs),
}

/// `loadcell baseline save RESULTS`
#[derive(Debug, Args)]
pub struct SaveArgs {
    /// The run: a results folder, a summary.json or benchmark results (bench.json).
    #[arg(value_name = "RESULTS")]
    pub results: PathBuf,

    /// The baselines file (created when missing).
    #[arg(long, value_name = "FILE", default_value = DEFAULT_FILE)]
    pub file: PathBuf,

    /// Runs kept in each endpoint's history.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_HISTORY)]
    pub history: usize,
}

/// `loadcell baseline check RESULTS`
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The new run: a results folder, a summary.json or benchmark results (bench.json).
    #[arg(value_name = "RESULTS")]
    pub results: PathBuf,

    /// The baselines file.
    #[arg(long, value_name = "FILE", default_value = DEFAULT_FILE)]
    pub file: PathBuf,

    #[command(flatten)]
    pub judge: JudgeFlags,

    /// Confidence level of the prediction intervals (95%, or 0.95).
    #[arg(long, value_name = "PCT", value_parser = parse_fraction, default_value = "95%")]
    pub confidence: f64,

    /// Print the check as JSON (the comparison document plus `slo`).
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,

    /// Print the check as Markdown.
    #[arg(long)]
    pub markdown: bool,
}

/// `loadcell baseline trend`
#[derive(Debug, Args)]
pub struct TrendArgs {
    /// The baselines file.
    #[arg(long, value_name = "FILE", default_value = DEFAULT_FILE)]
    pub file: PathBuf,

    /// Significance level a change point must reach.
    #[arg(long, value_name = "P", default_value_t = 0.001)]
    pub max_pvalue: f64,

    /// Smallest relative change kept as a change point (0%: significance alone decides).
    #[arg(long, value_name = "PCT", value_parser = parse_fraction, default_value = "0%")]
    pub min_change: f64,

    /// Print the change points as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `loadcell bench`
#[derive(Debug, Args)]
#[command(
    after_help = "Each CMD is one command line (quote it); without --shell it runs directly, split into words.\n\nExamples:\n  loadcell bench --warmup 3 -- 'sleep 0.010' 'sleep 0.011'\n  loadcell bench --shell sh --export-json b.json -- 'ls | wc -l'\n  loadcell bench --detect . --out bench-results\n  loadcell bench --out new --baseline old -- 'sleep 0.01'\n\nA first word `loadcell` runs this loadcell binary itself, not one on PATH.\nExit codes: 0 measured (and nothing regressed against --baseline); 1 a regression; 2 bad usage, a command that cannot run or fails (unless --ignore-failure)."
)]
pub struct BenchArgs {
    /// The commands to time, each one argument: 'CMD' ['CMD' …].
    #[arg(value_name = "CMD", conflicts_with = "detect")]
    pub commands: Vec<String>,

    /// Find the benchmark framework in DIR (criterion, libtest, Go, pytest-benchmark) and run it.
    #[arg(long, value_name = "DIR", num_args = 0..=1, default_missing_value = ".")]
    pub detect: Option<PathBuf>,

    /// With --detect and several frameworks found: which one to run.
    #[arg(long, value_name = "NAME", requires = "detect")]
    pub framework: Option<String>,

    /// With --detect: pass --locked to cargo (the project's Cargo.lock must be up to date).
    #[arg(long, requires = "detect")]
    pub locked: bool,

    /// Runs before the measured ones, not counted.
    #[arg(short = 'w', long, value_name = "N", default_value_t = 0)]
    pub warmup: u32,

    /// Exactly this many measured runs (with --detect: Go's -count, criterion's sample size, pytest's min rounds).
    #[arg(short = 'r', long, value_name = "N")]
    pub runs: Option<u32>,

    /// Without --runs: measure at least this long (at least 10 runs) [default: 3s]
    /// (with --detect: criterion's measurement time, Go's -benchtime, pytest's max time).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub min_time: Option<Duration>,

    /// Without --runs: at most this many runs.
    #[arg(long, value_name = "N")]
    pub max_runs: Option<u32>,

    /// Run before every run, untimed (e.g. to clear caches).
    #[arg(short = 'p', long, value_name = "CMD")]
    pub prepare: Option<String>,

    /// Run the commands (and --prepare) in this folder [default: the current one].
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// Run the commands through this shell (`SH -c CMD`); its start-up is measured and subtracted.
    #[arg(short = 'S', long, value_name = "SH")]
    pub shell: Option<String>,

    /// Measure a process's start-up on this do-nothing command (e.g. `true`) and subtract it from every run.
    #[arg(long, value_name = "CMD", conflicts_with = "shell")]
    pub subtract_startup: Option<String>,

    /// Keep going when a command exits unsuccessfully.
    #[arg(short = 'i', long)]
    pub ignore_failure: bool,

    /// Write hyperfine's JSON export to FILE.
    #[arg(long, value_name = "FILE")]
    pub export_json: Option<PathBuf>,

    /// Write hyperfine's Markdown table to FILE.
    #[arg(long, value_name = "FILE")]
    pub export_markdown: Option<PathBuf>,

    /// Write the normalized results to DIR/bench.json (for compare and baseline).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    #[command(flatten)]
    pub baseline: BaselineFlags,

    /// No progress on stderr.
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// `loadcell ingest FILE --format …`
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// The results file (criterion: its target/criterion folder or one estimates.json).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// criterion, go, pytest-benchmark, hyperfine, google-benchmark or libtest.
    #[arg(long, value_name = "FORMAT", value_parser = clap::builder::ValueParser::new(|s: &str| s.parse::<Format>()))]
    pub format: Format,

    /// Write the normalized results to DIR/bench.json (for compare and baseline).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}
