//! A `bench` test's verdict from the `bench.json` it wrote: its benchmarks' headline numbers
//! (mean, median, standard deviation, runs), and a failure for each regression its
//! comparison with the baseline found. A command that failed left no results: that test is
//! judged by `unfinished` with the command's own words.

use super::{BaselineBrief, TestResult, add_comparison};
use crate::baseline::Compared;
use crate::model::Test;
use loadcell_schema::BenchResults;
use serde::Serialize;

/// What a bench test measured, in brief.
#[derive(Debug, Clone, Serialize)]
pub struct BenchBrief {
    /// What made the results: `command`, `criterion`, `go`, `pytest-benchmark`, ….
    pub source: &'static str,
    pub benchmarks: Vec<BenchLine>,
}

/// One benchmark's headline numbers, milliseconds per iteration.
#[derive(Debug, Clone, Serialize)]
pub struct BenchLine {
    pub name: String,
    pub mean_ms: f64,
    pub median_ms: f64,
    /// `null` with fewer than two samples.
    pub stddev_ms: Option<f64>,
    /// Samples behind the numbers (runs, criterion samples, rounds).
    pub runs: u64,
}

/// Judges a bench test that ran: `exit_code` is `loadcell bench`'s (1 when its comparison
/// with the baseline found a regression).
pub fn judge_bench(
    test: &Test,
    command: String,
    folder: String,
    exit_code: i32,
    results: &BenchResults,
    comparison: Option<&Compared>,
) -> TestResult {
    let mut failures = Vec::new();
    if results.benchmarks.is_empty() {
        failures.push("no benchmark results: the run measured nothing".to_string());
    }
    match comparison {
        Some(compared) => add_comparison(&mut failures, compared, exit_code, true),
        None if exit_code != loadcell_schema::exit::OK => {
            failures.push(format!("the test ended with exit code {exit_code}"));
        }
        None => {}
    }
    let mut result = super::unfinished(test, command, folder, Some(exit_code), String::new());
    result.failures = failures;
    result.passed = result.failures.is_empty();
    result.baseline = comparison.map(BaselineBrief::of);
    result.bench = Some(brief(results));
    result
}

fn brief(results: &BenchResults) -> BenchBrief {
    let ms = |s: f64| s * 1e3;
    BenchBrief {
        source: results.source.as_str(),
        benchmarks: results
            .benchmarks
            .iter()
            .map(|b| BenchLine {
                name: b.name.clone(),
                mean_ms: ms(b.stats.mean),
                median_ms: ms(b.stats.median),
                stddev_ms: b.stats.stddev.map(ms),
                runs: b.stats.n,
            })
            .collect(),
    }
}

/// `sleep 0.01: mean 10.3 ms ± 0.2 ms, median 10.2 ms (10 runs)`.
pub(crate) fn line(b: &BenchLine) -> String {
    let f = loadcell_units::format::ms;
    let sd = b.stddev_ms.map(|s| format!(" ± {}", f(s))).unwrap_or_default();
    format!(
        "{}: mean {}{sd}, median {} ({} run{})",
        b.name,
        f(b.mean_ms),
        f(b.median_ms),
        b.runs,
        if b.runs == 1 { "" } else { "s" }
    )
}
