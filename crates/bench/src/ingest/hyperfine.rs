//! `hyperfine --export-json` output: `{"results": [{"command", "mean", "stddev", "median",
//! "user", "system", "min", "max", "times", …}]}` in seconds (hyperfine's `BenchmarkResult`).

use std::path::Path;

use serde::Deserialize;

use loadcell_schema::{BenchResults, BenchSource, Benchmark, SampleStats};

use super::json;
use crate::BenchError;

#[derive(Deserialize)]
struct Doc {
    results: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    command: String,
    mean: f64,
    stddev: Option<f64>,
    median: f64,
    #[serde(default)]
    user: Option<f64>,
    #[serde(default)]
    system: Option<f64>,
    min: f64,
    max: f64,
    #[serde(default)]
    times: Option<Vec<f64>>,
}

/// Parses hyperfine JSON.
pub fn parse(text: &str, path: &Path) -> Result<BenchResults, BenchError> {
    let doc: Doc = json(text, path)?;
    let mut results = BenchResults::new(BenchSource::Hyperfine, path.display().to_string());
    for e in doc.results {
        let mut b = match e.times.filter(|t| !t.is_empty()) {
            Some(times) => Benchmark::from_samples(&e.command, times),
            None => Benchmark {
                name: e.command.clone(),
                stats: SampleStats {
                    n: 1 + u64::from(e.stddev.is_some()),
                    mean: e.mean,
                    stddev: e.stddev,
                    median: e.median,
                    min: e.min,
                    max: e.max,
                },
                ..Benchmark::default()
            },
        };
        if let Some(u) = e.user {
            b.extra.insert("user_s".into(), u);
        }
        if let Some(s) = e.system {
            b.extra.insert("system_s".into(), s);
        }
        results.benchmarks.push(b);
    }
    Ok(results)
}
