//! `loadcell compare BASE NEW` and `loadcell run … --baseline DIR|FILE`: two runs compared by
//! `loadcell-compare`, shown as text, JSON, Markdown or an HTML page (`loadcell-report`).
//! Exit 0 when nothing regressed, 1 when something did, 2 when an input cannot be read.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use loadcell_compare::{Input, Settings};
use loadcell_schema::{Comparison, MetricKind, Summary};

use crate::error::CliError;

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

/// Output formats of a comparison on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Text,
    Json,
    Markdown,
}

impl Shown {
    pub fn of(json: bool, markdown: bool) -> Shown {
        match (json, markdown) {
            (true, _) => Shown::Json,
            (false, true) => Shown::Markdown,
            _ => Shown::Text,
        }
    }
}

/// Runs `loadcell compare`.
pub fn run(args: &CompareArgs) -> Result<i32, CliError> {
    let settings = Settings {
        confidence: args.confidence,
        resamples: args.resamples,
        seed: args.seed,
        ..args.judge.settings()
    };
    let cmp = loadcell_compare::compare_paths(&args.base, &args.new, &settings).map_err(usage)?;
    if let Some(file) = &args.html {
        write_file(file, loadcell_report::comparison_html(&cmp).as_bytes())?;
    }
    show(&cmp, Shown::of(args.json, args.markdown))?;
    Ok(cmp.exit_code())
}

/// Prints `cmp` in the format asked for.
pub fn show(cmp: &Comparison, shown: Shown) -> Result<(), CliError> {
    let text = match shown {
        Shown::Json => serde_json::to_string_pretty(cmp).map_err(|e| CliError::Output(e.to_string()))? + "\n",
        Shown::Markdown => loadcell_report::comparison_markdown(cmp),
        Shown::Text => loadcell_report::comparison_text(cmp),
    };
    print_out(&text);
    Ok(())
}

/// Writes to stdout; a closed pipe (`| head`) ends the output, not the process.
pub fn print_out(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Writes `bytes` to `file`, naming it on failure.
pub fn write_file(file: &Path, bytes: &[u8]) -> Result<(), CliError> {
    std::fs::write(file, bytes).map_err(|e| CliError::Output(format!("cannot write {}: {e}", file.display())))
}

/// A library error as a usage error (exit 2): the message already names the path.
pub fn usage(e: impl std::fmt::Display) -> CliError {
    CliError::Usage(e.to_string())
}

/// `run … --baseline DIR|FILE`: what the end of a run compares with.
#[derive(Debug, Clone, Args)]
pub struct BaselineFlags {
    /// Compare the run with this earlier one (results folder or summary.json); a regression
    /// fails the run like a threshold (exit 1).
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

/// The baseline of a run, read before any load is sent so a bad path stops the run early.
pub struct Baseline {
    input: Input,
    settings: Settings,
}

impl BaselineFlags {
    /// Reads the baseline, if one was given; a missing or unreadable one is a usage error.
    pub fn open(&self) -> Result<Option<Baseline>, CliError> {
        let Some(path) = &self.baseline else {
            return Ok(None);
        };
        let input = loadcell_compare::open(path).map_err(|e| CliError::Usage(format!("--baseline: {e}")))?;
        if matches!(input, Input::Bench(_)) {
            return Err(CliError::Usage(format!(
                "--baseline: {} holds benchmark results, not a load run",
                path.display()
            )));
        }
        let settings = JudgeFlags {
            noise: self.noise,
            error_noise: loadcell_compare::DEFAULT_ERROR_NOISE,
            strict: self.strict,
            gate: self.gate.clone(),
        }
        .settings();
        settings
            .validate()
            .map_err(|e| CliError::Usage(format!("--baseline-noise: {e}")))?;
        Ok(Some(Baseline { input, settings }))
    }
}

impl Baseline {
    /// Compares the finished run with the baseline: from its results folder when it wrote
    /// one (the per-second histograms), else from its summary (a reduced method, noted).
    /// Prints the comparison, adds it to the folder (`comparison.json`, a section in
    /// `report.html`) and returns the exit code with a regression counted as a failure.
    pub fn finish(&self, out_dir: Option<&Path>, summary: &Summary, code: i32) -> Result<i32, CliError> {
        let new = match out_dir {
            Some(dir) => loadcell_compare::open(dir).map_err(|e| CliError::Output(e.to_string()))?,
            None => Input::Load(loadcell_compare::from_summary(summary, "this run")),
        };
        let cmp = loadcell_compare::compare(&self.input, &new, &self.settings).map_err(usage)?;
        println!();
        print_out(&loadcell_report::comparison_text(&cmp));
        if let Some(dir) = out_dir {
            let json = serde_json::to_string_pretty(&cmp).map_err(|e| CliError::Output(e.to_string()))? + "\n";
            write_file(&dir.join("comparison.json"), json.as_bytes())?;
            write_file(
                &dir.join("report.html"),
                loadcell_report::html_with_comparison(summary, &cmp).as_bytes(),
            )?;
        }
        Ok(code.max(cmp.exit_code()))
    }
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
