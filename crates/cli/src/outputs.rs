//! The results folder of a run (`--out DIR`): the interval log written as the run goes
//! (`loadcell-results`), then `summary.json` and the reports (`loadcell-report`) at the end;
//! and `loadcell report DIR`, which rebuilds all of them from what was flushed.

use crate::error::CliError;
use crate::verdict::{Measured, evaluate};
use crate::{print, summary};
use loadcell_engine::{CheckName, EndpointName, Settings};
use loadcell_results::{ResultsWriter, RunEnd, RunMeta};
use loadcell_schema::{RunMetadata, Summary};
use loadcell_threshold::Threshold;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// What identifies a run in its results folder.
pub struct RunIdentity<'a> {
    pub target: &'a str,
    pub label: &'a str,
    pub endpoints: &'a [EndpointName],
    pub journeys: &'a [String],
    pub checks: &'a [CheckName],
    pub thresholds: &'a [Threshold],
    pub metadata: &'a RunMetadata,
    /// The test-type profile and its stages' phase names, so `loadcell report` analyses
    /// the folder as the run did.
    pub profile: Option<&'a str>,
    pub stage_names: &'a [String],
    /// `--abort-delay` when the run had `--abort-on-fail`.
    pub abort_delay: Option<std::time::Duration>,
    /// `--profile spike`: the recovery's rolling window, seconds.
    pub recovery_window_s: Option<f64>,
}

/// Where the results go: `--out`, or a fresh default folder (scenario runs).
pub enum OutDir {
    Given(PathBuf),
    Default(String),
}

/// Creates the folder and writes `meta.json` before the first request. A default folder
/// that another run claimed in the same second is replaced by the next free name.
pub fn create(out: &OutDir, id: &RunIdentity<'_>, settings: &Settings) -> Result<(PathBuf, ResultsWriter), CliError> {
    match out {
        OutDir::Given(dir) => Ok((dir.clone(), create_in(dir, id, settings)?)),
        OutDir::Default(label) => {
            let mut last = None;
            for _ in 0..8 {
                let dir = loadcell_results::default_dir(label);
                match create_in(&dir, id, settings) {
                    Ok(writer) => return Ok((dir, writer)),
                    Err(e) => last = Some(e),
                }
            }
            Err(last.unwrap_or_else(|| CliError::Output("cannot create a results folder".into())))
        }
    }
}

fn create_in(dir: &Path, id: &RunIdentity<'_>, settings: &Settings) -> Result<ResultsWriter, CliError> {
    let mut meta = RunMeta::new(
        id.target,
        SystemTime::now(),
        &settings.model,
        settings.warmup,
        settings.threads,
    )
    .with_slots(id.endpoints, id.journeys, id.checks);
    meta.label = id.label.to_string();
    meta.thresholds = id.thresholds.iter().map(|t| t.expr.clone()).collect();
    meta.metadata = id.metadata.clone();
    meta.profile = id.profile.map(str::to_string);
    meta.stage_names = id.stage_names.to_vec();
    meta.abort_delay_s = id.abort_delay.map(|d| d.as_secs_f64());
    meta.recovery_window_s = id.recovery_window_s;
    ResultsWriter::create(dir, &meta).map_err(|e| CliError::Usage(format!("--out: {e}")))
}

/// Writes `summary.json`, `report.html`, `junit.xml`, `summary.md` and `timeseries.csv`.
pub fn write_all(dir: &Path, summary: &Summary) -> Result<Vec<PathBuf>, CliError> {
    let json = serde_json::to_string_pretty(summary).map_err(|e| CliError::Output(e.to_string()))?;
    let summary_path = dir.join("summary.json");
    std::fs::write(&summary_path, json + "\n")
        .map_err(|e| CliError::Output(format!("cannot write {}: {e}", summary_path.display())))?;
    let mut written = vec![summary_path];
    written.extend(loadcell_report::write_reports(dir, summary).map_err(|e| CliError::Output(e.to_string()))?);
    Ok(written)
}

/// `loadcell report DIR`: rebuilds the summary and every report from the results folder,
/// also after the run was killed (then at most its last, unflushed second is missing).
pub fn rebuild(dir: &Path) -> Result<i32, CliError> {
    // `capacity` and `scale` folders hold a summary but no interval log.
    if crate::sweep::folder::is_summary_only(dir) {
        return crate::sweep::folder::rerender(dir);
    }
    // Spike and breakpoint runs replay what the live run tracked as the intervals stream past.
    let (recorded, tracks) = crate::stability::read(dir)?;
    let outcome = &recorded.outcome;
    let names = &recorded.meta.stage_names;
    let profile = crate::stability::profile_of(&recorded.meta);
    let thresholds: Vec<Threshold> = recorded
        .meta
        .thresholds
        .iter()
        .filter_map(|expr| loadcell_threshold::parse(expr).ok())
        .collect();
    let source = Measured {
        total: &outcome.total,
        endpoints: &outcome.endpoints,
        checks: &outcome.checks,
        seconds: outcome.measured.as_secs_f64(),
        vus_limit: outcome.model.vus_limit(),
    };
    let verdicts = evaluate(&thresholds, &source);
    let mut summary = summary::build(
        outcome,
        &recorded.meta.label,
        verdicts,
        recorded.meta.metadata.clone(),
        names,
    );
    crate::phases::attach(&mut summary, outcome, &thresholds, names);
    crate::stability::attach(&mut summary, outcome, profile, tracks.as_ref());
    print!("{}", print::render(&summary));
    let written = write_all(dir, &summary)?;
    println!();
    println!(
        "  rebuilt from {} intervals in {}{}",
        recorded.intervals,
        dir.display(),
        if recorded.finished() {
            String::new()
        } else {
            format!(
                "; the run did not finish (no end.json): results end at {:.1}s, at most the last second is missing",
                recorded.last_t_s
            )
        }
    );
    for path in written {
        println!("  wrote {}", path.display());
    }
    Ok(loadcell_schema::exit::OK)
}

/// Finishes the interval log with what is known at the end.
pub fn finish(writer: ResultsWriter, outcome: &loadcell_engine::Outcome) -> Result<(), CliError> {
    writer
        .finish(&RunEnd::from_outcome(outcome))
        .map_err(|e| CliError::Output(e.to_string()))
}
