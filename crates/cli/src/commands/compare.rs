//! `loadcell compare BASE NEW` and `loadcell run … --baseline DIR|FILE`: two runs compared by
//! `loadcell-compare`, shown as text, JSON, Markdown or an HTML page (`loadcell-report`).
//! Exit 0 when nothing regressed, 1 when something did, 2 when an input cannot be read.

use std::io::Write;
use std::path::{Path, PathBuf};

use loadcell_compare::{BenchRun, Input, Settings};
use loadcell_schema::{BenchResults, Comparison, Summary};
use loadcell_suite::COMPARISON_FILE;

use crate::args::compare::{BaselineFlags, CompareArgs, JudgeFlags};
use crate::error::CliError;

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
        Shown::Json => serde_json::to_string_pretty(cmp)? + "\n",
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

/// The baseline of a run or a benchmark, read before any load is sent so a bad path stops
/// the run early: an earlier run (results folder, `summary.json` or `bench.json`), or a
/// `performance-baselines.json`, which the run is checked against as `loadcell baseline
/// check` does (its history's prediction interval and each endpoint's SLO).
pub struct Baseline {
    reference: Reference,
    settings: Settings,
}

enum Reference {
    Run(Input),
    File(PathBuf),
}

/// A finished comparison: what `comparison.json` holds, how it reads, its exit code.
struct Judged {
    comparison: Comparison,
    json: serde_json::Value,
    text: String,
    exit_code: i32,
}

impl BaselineFlags {
    /// Reads the baseline of a load run, if one was given; a missing or unreadable one,
    /// or benchmark results, is a usage error.
    pub fn open(&self) -> Result<Option<Baseline>, CliError> {
        self.open_for(false)
    }

    /// Reads the baseline of benchmarks (`loadcell bench --baseline`): benchmark results or
    /// a baselines file.
    pub fn open_bench(&self) -> Result<Option<Baseline>, CliError> {
        self.open_for(true)
    }

    fn open_for(&self, bench: bool) -> Result<Option<Baseline>, CliError> {
        let Some(path) = &self.baseline else {
            return Ok(None);
        };
        let reference = match loadcell_compare::open(path) {
            Ok(input) => Reference::Run(input),
            Err(e) => match path.is_file().then(|| loadcell_baselines::BaselinesFile::read(path)) {
                Some(Ok(Some(_))) => Reference::File(path.clone()),
                Some(Err(file_error)) if looks_like_baselines(path) => {
                    return Err(CliError::Usage(format!("--baseline: {file_error}")));
                }
                _ => return Err(CliError::Usage(format!("--baseline: {e}"))),
            },
        };
        match (&reference, bench) {
            (Reference::Run(Input::Bench(_)), false) => {
                return Err(CliError::Usage(format!(
                    "--baseline: {} holds benchmark results, not a load run",
                    path.display()
                )));
            }
            (Reference::Run(Input::Load(_)), true) => {
                return Err(CliError::Usage(format!(
                    "--baseline: {} holds a load run, not benchmark results",
                    path.display()
                )));
            }
            _ => {}
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
        Ok(Some(Baseline { reference, settings }))
    }
}

/// A JSON file with `endpoints` and no summary's `schema_version`: meant as a baselines
/// file, so its own error (with line and column) says more than "unrecognized".
fn looks_like_baselines(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|v| v.get("endpoints").is_some() && v.get("schema_version").is_none())
}

impl Baseline {
    /// The new run or benchmarks against the baseline.
    fn judge(&self, new: &Input) -> Result<Judged, CliError> {
        match &self.reference {
            Reference::Run(base) => {
                let comparison = loadcell_compare::compare(base, new, &self.settings).map_err(usage)?;
                Ok(Judged {
                    json: serde_json::to_value(&comparison)?,
                    text: loadcell_report::comparison_text(&comparison),
                    exit_code: comparison.exit_code(),
                    comparison,
                })
            }
            Reference::File(file) => {
                let check = loadcell_baselines::check_input(file, new, &self.settings).map_err(usage)?;
                Ok(Judged {
                    json: loadcell_baselines::check_json(&check)?,
                    text: loadcell_report::comparison_text(&check.comparison) + &loadcell_baselines::slo_text(&check),
                    exit_code: check.exit_code(),
                    comparison: check.comparison,
                })
            }
        }
    }

    /// Compares the finished run with the baseline: from its results folder when it wrote
    /// one (the per-second histograms), else from its summary (a reduced method, noted).
    /// Prints the comparison, adds it to the folder (`comparison.json`, a section in
    /// `report.html`) and returns the exit code with a regression counted as a failure.
    pub fn finish(&self, out_dir: Option<&Path>, summary: &Summary, code: i32) -> Result<i32, CliError> {
        let new = match out_dir {
            Some(dir) => loadcell_compare::open(dir).map_err(|e| CliError::Output(e.to_string()))?,
            None => Input::Load(loadcell_compare::from_summary(summary, "this run")),
        };
        let judged = self.judge(&new)?;
        println!();
        print_out(&judged.text);
        if let Some(dir) = out_dir {
            write_comparison(dir, &judged)?;
            write_file(
                &dir.join("report.html"),
                loadcell_report::html_with_comparison(summary, &judged.comparison).as_bytes(),
            )?;
        }
        Ok(code.max(judged.exit_code))
    }

    /// [`Baseline::finish`] for benchmark results (`loadcell bench --baseline`).
    pub fn finish_bench(&self, out_dir: Option<&Path>, results: &BenchResults, code: i32) -> Result<i32, CliError> {
        let new = Input::Bench(BenchRun {
            path: out_dir.map_or("this run".to_string(), |d| d.display().to_string()),
            results: results.clone(),
        });
        let judged = self.judge(&new)?;
        println!();
        print_out(&judged.text);
        if let Some(dir) = out_dir {
            write_comparison(dir, &judged)?;
        }
        Ok(code.max(judged.exit_code))
    }
}

/// `loadcell report DIR` of a run that had a `--baseline`: the comparison it wrote
/// (`comparison.json`) is shown again and put back into the rewritten `report.html`, and
/// its verdict counts in the exit code as it did in the run (a regression, or an SLO of a
/// baselines file that failed). `None` when the run had no baseline.
pub fn restore_comparison(dir: &Path, summary: &Summary) -> Result<Option<i32>, CliError> {
    let file = dir.join(COMPARISON_FILE);
    let Ok(text) = std::fs::read_to_string(&file) else {
        return Ok(None);
    };
    let bad = |e: serde_json::Error| CliError::Output(format!("{}: {e}", file.display()));
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(bad)?;
    let comparison: Comparison = serde_json::from_value(doc.clone()).map_err(bad)?;
    let slo_failed = doc["slo"]
        .as_array()
        .is_some_and(|slo| slo.iter().any(|s| s["status"] == "fail"));
    println!();
    print_out(&loadcell_report::comparison_text(&comparison));
    write_file(
        &dir.join("report.html"),
        loadcell_report::html_with_comparison(summary, &comparison).as_bytes(),
    )?;
    let slo_code = if slo_failed {
        loadcell_schema::exit::REGRESSED
    } else {
        loadcell_schema::exit::OK
    };
    Ok(Some(comparison.exit_code().max(slo_code)))
}

/// `comparison.json` in a results folder (a suite reads it back to judge the test).
fn write_comparison(dir: &Path, judged: &Judged) -> Result<(), CliError> {
    let json = serde_json::to_string_pretty(&judged.json)? + "\n";
    write_file(&dir.join(COMPARISON_FILE), json.as_bytes())
}
