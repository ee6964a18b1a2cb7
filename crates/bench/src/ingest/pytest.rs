//! `pytest --benchmark-json` output: `{"benchmarks": [{"fullname", "stats": {"min", "max",
//! "mean", "stddev", "rounds", "median", …, "data": [...]}}]}` (pytest-benchmark's
//! `Metadata.as_dict`; `data` holds each round's seconds per iteration and is written for
//! `--benchmark-json`). Without `data`, the statistics are used.

use std::path::Path;

use serde::Deserialize;

use loadcell_schema::{BenchResults, BenchSource, Benchmark, SampleStats};

use super::json;
use crate::BenchError;

#[derive(Deserialize)]
struct Doc {
    benchmarks: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    name: String,
    fullname: Option<String>,
    stats: Stats,
}

#[derive(Deserialize)]
struct Stats {
    min: f64,
    max: f64,
    mean: f64,
    stddev: Option<f64>,
    median: f64,
    rounds: u64,
    #[serde(default)]
    data: Vec<f64>,
    iterations: Option<f64>,
}

/// Parses pytest-benchmark JSON.
pub fn parse(text: &str, path: &Path) -> Result<BenchResults, BenchError> {
    let doc: Doc = json(text, path)?;
    let mut results = BenchResults::new(BenchSource::PytestBenchmark, path.display().to_string());
    for e in doc.benchmarks {
        let name = e.fullname.unwrap_or(e.name);
        let mut b = if e.stats.data.is_empty() {
            Benchmark {
                name,
                stats: SampleStats {
                    n: e.stats.rounds,
                    mean: e.stats.mean,
                    stddev: e.stats.stddev.filter(|_| e.stats.rounds > 1),
                    median: e.stats.median,
                    min: e.stats.min,
                    max: e.stats.max,
                },
                ..Benchmark::default()
            }
        } else {
            Benchmark::from_samples(name, e.stats.data)
        };
        if let Some(i) = e.stats.iterations {
            b.iterations = vec![i; b.samples.len()];
        }
        results.benchmarks.push(b);
    }
    Ok(results)
}
