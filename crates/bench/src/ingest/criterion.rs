//! criterion.rs results: every `new/estimates.json` under a directory (criterion writes
//! `target/criterion/<benchmark>/new/{benchmark,estimates,sample}.json`). The benchmark's
//! name is `full_id` from `benchmark.json`; the samples are `times[i] / iters[i]` from
//! `sample.json` (nanoseconds per iteration of each of criterion's samples); without
//! `sample.json`, the mean's standard error and interval from `estimates.json` (criterion's
//! `Estimates` with `mean.{point_estimate, standard_error, confidence_interval}`).

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Deserialize;

use loadcell_schema::{BenchResults, BenchSource, Benchmark, ReportedError, SampleStats};

use super::{json, read_text};
use crate::BenchError;

#[derive(Deserialize)]
struct Estimates {
    mean: Estimate,
    median: Estimate,
    std_dev: Option<Estimate>,
}

#[derive(Deserialize)]
struct Estimate {
    confidence_interval: Interval,
    point_estimate: f64,
    standard_error: f64,
}

#[derive(Deserialize)]
struct Interval {
    confidence_level: f64,
    lower_bound: f64,
    upper_bound: f64,
}

#[derive(Deserialize)]
struct Sample {
    iters: Vec<f64>,
    times: Vec<f64>,
}

#[derive(Deserialize)]
struct BenchmarkId {
    full_id: String,
}

/// Every benchmark under `path` (a directory, or one `estimates.json`), only those written
/// at or after `since` when given (a fresh run's, not an older one's).
pub fn read(path: &Path, since: Option<SystemTime>) -> Result<BenchResults, BenchError> {
    let mut files = Vec::new();
    if path.is_file() {
        files.push(path.to_path_buf());
    } else {
        find_estimates(path, &mut files)?;
    }
    files.sort();
    let mut results = BenchResults::new(BenchSource::Criterion, path.display().to_string());
    for file in files {
        if let Some(since) = since {
            let modified = std::fs::metadata(&file).and_then(|m| m.modified()).ok();
            if modified.is_some_and(|m| m < since) {
                continue;
            }
        }
        results.benchmarks.push(benchmark(&file, path)?);
    }
    Ok(results)
}

/// `…/new/estimates.json` files under `dir`.
fn find_estimates(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), BenchError> {
    let entries = std::fs::read_dir(dir).map_err(|e| BenchError::io(dir, &e))?;
    for entry in entries.flatten() {
        let p = entry.path();
        if p.is_dir() {
            find_estimates(&p, out)?;
        } else if p.file_name().is_some_and(|n| n == "estimates.json")
            && p.parent().and_then(|d| d.file_name()).is_some_and(|n| n == "new")
        {
            out.push(p);
        }
    }
    Ok(())
}

fn benchmark(estimates_file: &Path, root: &Path) -> Result<Benchmark, BenchError> {
    let dir = estimates_file.parent().unwrap_or(root);
    let est: Estimates = json(&read_text(estimates_file)?, estimates_file)?;
    let name = match read_text(&dir.join("benchmark.json")) {
        Ok(text) => json::<BenchmarkId>(&text, &dir.join("benchmark.json"))?.full_id,
        Err(_) => name_from_path(dir, root),
    };
    let sample_file = dir.join("sample.json");
    let samples: Vec<f64> = match read_text(&sample_file) {
        Ok(text) => {
            let s: Sample = json(&text, &sample_file)?;
            s.times
                .iter()
                .zip(&s.iters)
                .filter(|(_, i)| **i > 0.0)
                .map(|(t, i)| t / i * 1e-9)
                .collect()
        }
        Err(_) => Vec::new(),
    };
    let mut b = if samples.is_empty() {
        Benchmark {
            name,
            stats: SampleStats {
                n: 0,
                mean: est.mean.point_estimate * 1e-9,
                stddev: est.std_dev.map(|s| s.point_estimate * 1e-9),
                median: est.median.point_estimate * 1e-9,
                min: est.mean.confidence_interval.lower_bound * 1e-9,
                max: est.mean.confidence_interval.upper_bound * 1e-9,
            },
            ..Benchmark::default()
        }
    } else {
        Benchmark::from_samples(name, samples)
    };
    let ci = &est.mean.confidence_interval;
    b.reported = Some(ReportedError {
        standard_error: est.mean.standard_error * 1e-9,
        interval: Some([ci.lower_bound * 1e-9, ci.upper_bound * 1e-9]),
        confidence_level: Some(ci.confidence_level),
    });
    Ok(b)
}

/// `group/function` from `<root>/group/function/new`.
fn name_from_path(dir: &Path, root: &Path) -> String {
    let bench_dir = dir.parent().unwrap_or(dir);
    bench_dir
        .strip_prefix(root)
        .unwrap_or(bench_dir)
        .to_string_lossy()
        .into_owned()
}
