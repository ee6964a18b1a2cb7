//! `loadcell compare BASE NEW` and `loadcell run … --baseline DIR|FILE`: two runs compared by
//! `loadcell-compare`, shown as text, JSON, Markdown or an HTML page (`loadcell-report`).
//! Exit 0 when nothing regressed, 1 when something did, 2 when an input cannot be read.

use std::io::Write;
use std::path::Path;

use loadcell_compare::{Input, Settings};
use loadcell_schema::{Comparison, Summary};

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
            let json = serde_json::to_string_pretty(&cmp)? + "\n";
            write_file(&dir.join("comparison.json"), json.as_bytes())?;
            write_file(
                &dir.join("report.html"),
                loadcell_report::html_with_comparison(summary, &cmp).as_bytes(),
            )?;
        }
        Ok(code.max(cmp.exit_code()))
    }
}
