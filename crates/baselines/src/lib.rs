//! `performance-baselines.json`: what each endpoint's p95 SLO is, what the last run
//! measured, whether it passed, and the last runs — kept in the repository beside the code,
//! in the shape teams already keep by hand (see `docs/baselines.md`).
//!
//! - [`save`] writes a run (results folder, `summary.json` or benchmark results) into the
//!   file: current numbers, SLO status from the run's thresholds, a bounded history.
//! - [`check`] judges a new run against the file: each metric against the range the
//!   endpoint's recent history predicts, and each SLO.
//! - [`trend`] finds change points in the history with E-divisive means
//!   ([`loadcell_changepoint`], as Apache Otava does).

mod check;
mod error;
mod file;
mod measured;
mod save;
mod slo;
mod text;
mod trend;

use std::path::Path;

pub use check::{Check, MIN_HISTORY, SloResult, prediction_interval};
pub use error::BaselinesError;
pub use file::{BaselinesFile, DEFAULT_FILE, DEFAULT_HISTORY, EndpointBaseline, HistoryEntry, Status};
pub use loadcell_changepoint::Options as TrendOptions;
pub use measured::{Measured, RunNumbers, numbers};
pub use slo::{p95_limits, slo_for};
pub use text::{check_json, saved_text, slo_text, status_word};
pub use trend::{MetricTrend, Shift, trend as trend_of, trend_text};

/// Reads the run at `run` and writes it into the baselines file at `file` (created when
/// missing), keeping at most `history_limit` runs per endpoint. Returns the updated file.
pub fn save(file: &Path, run: &Path, history_limit: usize) -> Result<BaselinesFile, BaselinesError> {
    let input = loadcell_compare::open(run)?;
    save_input(file, &input, history_limit)
}

/// [`save`] for a run already read.
pub fn save_input(
    file: &Path,
    input: &loadcell_compare::Input,
    history_limit: usize,
) -> Result<BaselinesFile, BaselinesError> {
    let mut doc = BaselinesFile::read(file)?.unwrap_or_default();
    save::apply(&mut doc, &numbers(input), history_limit);
    doc.write(file)?;
    Ok(doc)
}

/// Reads the run at `run` and checks it against the baselines file at `file`.
pub fn check(file: &Path, run: &Path, settings: &loadcell_compare::Settings) -> Result<Check, BaselinesError> {
    settings.validate()?;
    let input = loadcell_compare::open(run)?;
    check_input(file, &input, settings)
}

/// [`check`] for a run already read.
pub fn check_input(
    file: &Path,
    input: &loadcell_compare::Input,
    settings: &loadcell_compare::Settings,
) -> Result<Check, BaselinesError> {
    let doc = BaselinesFile::read_existing(file)?;
    Ok(check::check(
        &doc,
        &file.display().to_string(),
        &numbers(input),
        input.compared_run(),
        settings,
    ))
}

/// The change points of every endpoint's history in the baselines file at `file`.
pub fn trend(file: &Path, options: &TrendOptions) -> Result<Vec<MetricTrend>, BaselinesError> {
    Ok(trend_of(&BaselinesFile::read_existing(file)?, options))
}
