//! Reading benchmark results made elsewhere into [`BenchResults`]: `loadcell ingest FILE
//! --format …`, and the last step of [`crate::detect`]. Times become seconds per iteration;
//! every sample a tool kept becomes a sample (criterion's `sample.json`, Go's `-count`
//! repetitions, pytest-benchmark's rounds, hyperfine's runs, google-benchmark's
//! repetitions); a tool that kept only statistics contributes those.

pub mod criterion;
pub mod go;
pub mod google;
pub mod hyperfine;
pub mod libtest;
pub mod pytest;

use std::path::Path;
use std::str::FromStr;

use loadcell_schema::{BenchResults, BenchSource};

use crate::BenchError;

/// A results format `ingest` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A criterion output directory (`target/criterion`) or one `estimates.json`.
    Criterion,
    /// `go test -bench` output (text).
    Go,
    /// `pytest --benchmark-json` output.
    PytestBenchmark,
    /// `hyperfine --export-json` output.
    Hyperfine,
    /// google-benchmark `--benchmark_format=json` (or `--benchmark_out`) output.
    GoogleBenchmark,
    /// `cargo bench` output of the built-in libtest harness (text).
    Libtest,
}

impl Format {
    /// Every format, in the order `--format` lists them.
    pub const ALL: [Format; 6] = [
        Format::Criterion,
        Format::Go,
        Format::PytestBenchmark,
        Format::Hyperfine,
        Format::GoogleBenchmark,
        Format::Libtest,
    ];

    pub fn as_str(self) -> &'static str {
        self.source().as_str()
    }

    pub fn source(self) -> BenchSource {
        match self {
            Format::Criterion => BenchSource::Criterion,
            Format::Go => BenchSource::Go,
            Format::PytestBenchmark => BenchSource::PytestBenchmark,
            Format::Hyperfine => BenchSource::Hyperfine,
            Format::GoogleBenchmark => BenchSource::GoogleBenchmark,
            Format::Libtest => BenchSource::Libtest,
        }
    }
}

impl FromStr for Format {
    type Err = String;

    /// `criterion`, `go`, `pytest-benchmark`, `hyperfine`, `google-benchmark`, `libtest`.
    fn from_str(s: &str) -> Result<Format, String> {
        Format::ALL.into_iter().find(|f| f.as_str() == s).ok_or_else(|| {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
            format!("unknown format '{s}' (expected one of: {})", names.join(", "))
        })
    }
}

/// Reads `path` as `format`.
pub fn ingest(path: &Path, format: Format) -> Result<BenchResults, BenchError> {
    let mut results = match format {
        Format::Criterion => criterion::read(path, None)?,
        Format::Go => go::parse(&read_text(path)?, path)?,
        Format::PytestBenchmark => pytest::parse(&read_text(path)?, path)?,
        Format::Hyperfine => hyperfine::parse(&read_text(path)?, path)?,
        Format::GoogleBenchmark => google::parse(&read_text(path)?, path)?,
        Format::Libtest => libtest::parse(&read_text(path)?, path)?,
    };
    if results.benchmarks.is_empty() {
        return Err(BenchError::invalid(
            path,
            format!("no {} benchmark results in it", format.as_str()),
        ));
    }
    results.origin = path.display().to_string();
    Ok(results)
}

pub(crate) fn read_text(path: &Path) -> Result<String, BenchError> {
    std::fs::read_to_string(path).map_err(|e| BenchError::io(path, &e))
}

/// Parses JSON text from `path` into `T`, with line:column on error.
pub(crate) fn json<T: serde::de::DeserializeOwned>(text: &str, path: &Path) -> Result<T, BenchError> {
    serde_json::from_str(text).map_err(|e| BenchError::json(path, &e))
}

/// Seconds per unit of a time unit name (`ns`, `us`/`µs`, `ms`, `s`).
pub(crate) fn seconds_per(unit: &str) -> Option<f64> {
    match unit {
        "ns" => Some(1e-9),
        "us" | "µs" => Some(1e-6),
        "ms" => Some(1e-3),
        "s" => Some(1.0),
        _ => None,
    }
}
