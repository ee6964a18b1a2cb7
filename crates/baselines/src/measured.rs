//! What a run contributes to the baselines file: per endpoint (or benchmark) its p95, p99,
//! throughput and error rate (or mean time per iteration), its SLO, and when it ran.

use loadcell_compare::{Input, LoadRun};
use loadcell_schema::{BenchResults, Benchmark, rfc3339_utc};

use crate::slo::{p95_limits, slo_for};

/// One endpoint's numbers from one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub name: String,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub throughput_rps: f64,
    pub error_rate: Option<f64>,
    /// Benchmarks: mean time per iteration.
    pub mean_ms: Option<f64>,
    pub slo_p95_ms: Option<f64>,
}

/// A run's endpoints, when it ran, and where it was read from.
#[derive(Debug, Clone)]
pub struct RunNumbers {
    pub endpoints: Vec<Measured>,
    pub tested_at: String,
    pub source: String,
    pub is_bench: bool,
}

/// The numbers of `input`.
pub fn numbers(input: &Input) -> RunNumbers {
    match input {
        Input::Load(run) => load_numbers(run),
        Input::Bench(b) => bench_numbers(&b.results, &b.path),
    }
}

fn load_numbers(run: &LoadRun) -> RunNumbers {
    let limits = p95_limits(&run.thresholds);
    let endpoints = run
        .endpoints()
        .iter()
        .map(|row| {
            let p = row.side.exact;
            Measured {
                name: row.name.clone(),
                p95_ms: p.p95,
                p99_ms: p.p99,
                throughput_rps: p.throughput,
                error_rate: Some(p.error_rate),
                mean_ms: None,
                slo_p95_ms: slo_for(&limits, &row.name),
            }
        })
        .collect();
    RunNumbers {
        endpoints,
        tested_at: run.run.started_at.clone().unwrap_or_else(now),
        source: run.run.path.clone(),
        is_bench: false,
    }
}

fn bench_numbers(results: &BenchResults, path: &str) -> RunNumbers {
    RunNumbers {
        endpoints: results.benchmarks.iter().map(bench_row).collect(),
        tested_at: results.created_at.clone().unwrap_or_else(now),
        source: path.to_string(),
        is_bench: true,
    }
}

/// A benchmark as an endpoint: p95/p99 of its per-iteration times (its mean when it has no
/// samples), iterations per second as throughput.
fn bench_row(b: &Benchmark) -> Measured {
    let mut sorted = b.samples.clone();
    sorted.sort_by(f64::total_cmp);
    let q = |p: f64| {
        if sorted.is_empty() {
            b.stats.mean
        } else {
            let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
            sorted[rank - 1]
        }
    };
    Measured {
        name: b.name.clone(),
        p95_ms: q(0.95) * 1e3,
        p99_ms: q(0.99) * 1e3,
        throughput_rps: if b.stats.mean > 0.0 { 1.0 / b.stats.mean } else { 0.0 },
        error_rate: None,
        mean_ms: Some(b.stats.mean * 1e3),
        slo_p95_ms: None,
    }
}

fn now() -> String {
    rfc3339_utc(std::time::SystemTime::now())
}
