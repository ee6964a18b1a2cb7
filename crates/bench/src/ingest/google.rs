//! google-benchmark JSON (`--benchmark_format=json` / `--benchmark_out`): `{"context": …,
//! "benchmarks": [{"name", "run_name", "run_type": "iteration" | "aggregate",
//! "aggregate_name", "repetitions", "iterations", "real_time", "cpu_time", "time_unit"}]}`
//! (its `src/json_reporter.cc`). Iteration entries of one `run_name` (repetitions) are the
//! samples, `real_time` per iteration in `time_unit`; when only aggregates were reported,
//! `mean`, `median` and `stddev` over `repetitions`. Entries with `error_occurred` or
//! `skipped` are left out, and said so in a note.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use loadcell_schema::{BenchResults, BenchSource, Benchmark, SampleStats};

use super::{json, seconds_per};
use crate::BenchError;

#[derive(Deserialize)]
struct Doc {
    benchmarks: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    name: String,
    run_name: Option<String>,
    run_type: Option<String>,
    aggregate_name: Option<String>,
    repetitions: Option<u64>,
    iterations: Option<f64>,
    real_time: Option<f64>,
    cpu_time: Option<f64>,
    time_unit: Option<String>,
    #[serde(default)]
    error_occurred: bool,
    #[serde(default)]
    skipped: bool,
}

/// Parses google-benchmark JSON.
pub fn parse(text: &str, path: &Path) -> Result<BenchResults, BenchError> {
    let doc: Doc = json(text, path)?;
    let mut results = BenchResults::new(BenchSource::GoogleBenchmark, path.display().to_string());
    let mut order: Vec<String> = Vec::new();
    let mut iterations: BTreeMap<String, Vec<&Entry>> = BTreeMap::new();
    let mut aggregates: BTreeMap<String, Vec<&Entry>> = BTreeMap::new();
    let mut dropped = Vec::new();
    for e in &doc.benchmarks {
        let key = e.run_name.clone().unwrap_or_else(|| e.name.clone());
        if e.error_occurred || e.skipped {
            dropped.push(e.name.clone());
            continue;
        }
        if !order.contains(&key) {
            order.push(key.clone());
        }
        match e.run_type.as_deref() {
            Some("aggregate") => aggregates.entry(key).or_default().push(e),
            _ => iterations.entry(key).or_default().push(e),
        }
    }
    for key in order {
        let b = match iterations.get(&key) {
            Some(runs) => from_runs(&key, runs, path)?,
            None => from_aggregates(&key, aggregates.get(&key).map(Vec::as_slice).unwrap_or_default(), path)?,
        };
        results.benchmarks.push(b);
    }
    if !dropped.is_empty() {
        results
            .notes
            .push(format!("left out (error or skipped): {}", dropped.join(", ")));
    }
    Ok(results)
}

fn seconds(e: &Entry, value: Option<f64>, path: &Path) -> Result<f64, BenchError> {
    let unit = e.time_unit.as_deref().unwrap_or("ns");
    let factor = seconds_per(unit)
        .ok_or_else(|| BenchError::invalid(path, format!("{}: unknown time_unit '{unit}'", e.name)))?;
    let v = value.ok_or_else(|| BenchError::invalid(path, format!("{}: no real_time", e.name)))?;
    Ok(v * factor)
}

fn from_runs(name: &str, runs: &[&Entry], path: &Path) -> Result<Benchmark, BenchError> {
    let samples = runs
        .iter()
        .map(|e| seconds(e, e.real_time, path))
        .collect::<Result<Vec<f64>, _>>()?;
    let mut b = Benchmark::from_samples(name, samples);
    b.iterations = runs.iter().map(|e| e.iterations.unwrap_or(0.0)).collect();
    if let Ok(cpu) = runs
        .iter()
        .map(|e| seconds(e, e.cpu_time, path))
        .collect::<Result<Vec<f64>, _>>()
    {
        b.extra
            .insert("cpu_time_s".into(), cpu.iter().sum::<f64>() / cpu.len().max(1) as f64);
    }
    Ok(b)
}

fn from_aggregates(name: &str, aggs: &[&Entry], path: &Path) -> Result<Benchmark, BenchError> {
    let get = |which: &str| aggs.iter().find(|e| e.aggregate_name.as_deref() == Some(which));
    let mean = get("mean").ok_or_else(|| BenchError::invalid(path, format!("{name}: no runs and no mean")))?;
    let value = |e: Option<&&Entry>| e.map(|e| seconds(e, e.real_time, path)).transpose();
    let m = seconds(mean, mean.real_time, path)?;
    Ok(Benchmark {
        name: name.to_string(),
        stats: SampleStats {
            n: mean.repetitions.unwrap_or(1),
            mean: m,
            stddev: value(get("stddev"))?,
            median: value(get("median"))?.unwrap_or(m),
            min: m,
            max: m,
        },
        ..Benchmark::default()
    })
}
