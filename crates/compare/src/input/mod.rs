//! What can be compared, and recognising it from a path: a results folder (`meta.json` and
//! the interval log), a folder or file holding normalized benchmark results (`bench.json`),
//! or a bare `summary.json`.

mod folder;
mod summary;

use std::path::Path;

use loadcell_schema::{BENCH_FILE, BENCH_FORMAT, BenchResults, ComparedRun, PercentilePoint, Summary};
use serde_json::Value;

pub use folder::MAX_UNITS;
pub use summary::from_summary;

use crate::CompareError;
use crate::series::Side;

/// One side of a comparison.
#[derive(Debug, Clone)]
pub enum Input {
    Load(LoadRun),
    Bench(BenchRun),
}

/// A load run: the whole run and its endpoints.
#[derive(Debug, Clone)]
pub struct LoadRun {
    pub run: ComparedRun,
    /// Threshold expressions as the user wrote them.
    pub thresholds: Vec<String>,
    /// `overall` first, then endpoints in the run's order.
    pub rows: Vec<LoadRow>,
    /// The overall latency spectrum.
    pub spectrum: Vec<PercentilePoint>,
    /// What a reader of a comparison with this run must know.
    pub notes: Vec<String>,
}

/// One row of a load run.
#[derive(Debug, Clone)]
pub struct LoadRow {
    pub name: String,
    pub side: Side,
}

/// Benchmark results and where they were read from.
#[derive(Debug, Clone)]
pub struct BenchRun {
    pub path: String,
    pub results: BenchResults,
}

impl Input {
    /// What was compared, for the document's `base`/`new`.
    pub fn compared_run(&self) -> ComparedRun {
        match self {
            Input::Load(l) => l.run.clone(),
            Input::Bench(b) => ComparedRun {
                path: b.path.clone(),
                kind: loadcell_schema::SourceKind::Bench,
                target: b.results.source.as_str().to_string(),
                label: b.results.origin.clone(),
                started_at: b.results.created_at.clone(),
                model: None,
                seconds: None,
            },
        }
    }
}

impl LoadRun {
    /// The row named `name` (`overall` for the whole run).
    pub fn row(&self, name: &str) -> Option<&LoadRow> {
        self.rows.iter().find(|r| r.name == name)
    }

    /// The endpoint rows (everything but `overall`).
    pub fn endpoints(&self) -> &[LoadRow] {
        self.rows.get(1..).unwrap_or_default()
    }
}

/// Reads whatever `path` holds.
pub fn open(path: &Path) -> Result<Input, CompareError> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|source| CompareError::io(path, source))?;
    if meta.is_dir() {
        if path.join(loadcell_results::META_FILE).is_file() {
            return folder::read(path, &shown).map(Input::Load);
        }
        if path.join(BENCH_FILE).is_file() {
            return open_file(&path.join(BENCH_FILE), &shown);
        }
        if path.join("summary.json").is_file() {
            return open_file(&path.join("summary.json"), &shown);
        }
        return Err(CompareError::Unrecognized {
            path: path.to_path_buf(),
        });
    }
    open_file(path, &shown)
}

/// A `summary.json` or normalized benchmark file, told apart by its fields.
fn open_file(file: &Path, shown: &str) -> Result<Input, CompareError> {
    let text = std::fs::read(file).map_err(|source| CompareError::io(file, source))?;
    let invalid = |message: String| CompareError::Invalid {
        path: file.to_path_buf(),
        message,
    };
    let value: Value = serde_json::from_slice(&text).map_err(|e| invalid(e.to_string()))?;
    if value.get("format").and_then(Value::as_str) == Some(BENCH_FORMAT) {
        let results: BenchResults = serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?;
        return Ok(Input::Bench(BenchRun {
            path: shown.to_string(),
            results,
        }));
    }
    if value.get("schema_version").is_some() && value.get("latency_ms").is_some() {
        let summary: Summary = serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?;
        return Ok(Input::Load(from_summary(&summary, shown)));
    }
    Err(CompareError::Unrecognized {
        path: file.to_path_buf(),
    })
}
