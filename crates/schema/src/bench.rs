//! Benchmark results in one normalized form, whatever made them: `loadcell bench` timing
//! commands, or criterion, Go, pytest-benchmark, hyperfine, google-benchmark and libtest
//! results read by `loadcell ingest` / `loadcell bench --detect`. `loadcell compare`,
//! `--baseline` and `performance-baselines.json` handle this like a load run's results.
//!
//! Stable JSON (`bench.json`, see `docs/bench-format.md`): times are seconds per iteration.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The value of `format` in a normalized benchmark file.
pub const BENCH_FORMAT: &str = "loadcell-bench";
/// Version of the normalized benchmark file's layout.
pub const BENCH_FORMAT_VERSION: u32 = 1;
/// The file name of normalized results inside a results folder.
pub const BENCH_FILE: &str = "bench.json";

/// What produced the results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BenchSource {
    /// `loadcell bench -- CMD…`: whole commands timed run by run.
    Command,
    /// criterion.rs (`target/criterion/**/new/{estimates,sample}.json`).
    Criterion,
    /// `cargo bench` with the built-in libtest harness (`bench: N ns/iter (+/- D)`).
    Libtest,
    /// `go test -bench` text output.
    Go,
    /// `pytest --benchmark-json`.
    PytestBenchmark,
    /// `hyperfine --export-json`.
    Hyperfine,
    /// google-benchmark `--benchmark_format=json`.
    GoogleBenchmark,
}

impl BenchSource {
    /// The name used in JSON and on the command line (`--format`).
    pub fn as_str(self) -> &'static str {
        match self {
            BenchSource::Command => "command",
            BenchSource::Criterion => "criterion",
            BenchSource::Libtest => "libtest",
            BenchSource::Go => "go",
            BenchSource::PytestBenchmark => "pytest-benchmark",
            BenchSource::Hyperfine => "hyperfine",
            BenchSource::GoogleBenchmark => "google-benchmark",
        }
    }
}

/// Summary statistics of a benchmark's samples, seconds per iteration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SampleStats {
    /// Samples behind the statistics (runs, criterion samples, repetitions, rounds).
    pub n: u64,
    pub mean: f64,
    /// `null` with fewer than two samples.
    pub stddev: Option<f64>,
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

/// The mean's standard error as the tool reported it, when its samples are not available.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportedError {
    pub standard_error: f64,
    /// The tool's own confidence interval for the mean, when it gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<[f64; 2]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence_level: Option<f64>,
}

/// A sample the outlier check flagged, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outlier {
    /// Index into `samples`.
    pub index: usize,
    /// The modified z-score (deviation from the median in MADs, scaled to σ).
    pub score: f64,
    pub reason: String,
}

/// One benchmark (or one timed command).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Benchmark {
    /// The benchmark's id (`group/function/param`, `BenchmarkFoo-8`, `test_x`, the command).
    pub name: String,
    /// Seconds per iteration, one per sample (run, criterion sample, repetition, round), in
    /// the order they were taken; empty when the tool gave only statistics.
    pub samples: Vec<f64>,
    pub stats: SampleStats,
    /// The tool's standard error of the mean, when there are no samples to compute it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported: Option<ReportedError>,
    /// Iterations behind each sample, when the tool says (Go, google-benchmark, criterion).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub iterations: Vec<f64>,
    /// Samples flagged as outliers, with the reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outliers: Vec<Outlier>,
    /// Other per-iteration figures the tool reported, by name (`bytes_per_op`,
    /// `allocs_per_op`, `user_s`, `system_s`, `cpu_time_s`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, f64>,
}

/// A set of benchmark results: the `bench.json` document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchResults {
    /// Always [`BENCH_FORMAT`].
    pub format: String,
    pub format_version: u32,
    pub source: BenchSource,
    /// Where the results came from: a file, a project directory, or the commands.
    pub origin: String,
    /// RFC 3339 UTC, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    pub benchmarks: Vec<Benchmark>,
    /// What a reader must know (reduced data, skipped entries, subtracted overheads).
    #[serde(default)]
    pub notes: Vec<String>,
}

impl BenchResults {
    /// An empty set from `source`, made from `origin`.
    pub fn new(source: BenchSource, origin: impl Into<String>) -> BenchResults {
        BenchResults {
            format: BENCH_FORMAT.to_string(),
            format_version: BENCH_FORMAT_VERSION,
            source,
            origin: origin.into(),
            created_at: None,
            benchmarks: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The benchmark named `name`.
    pub fn get(&self, name: &str) -> Option<&Benchmark> {
        self.benchmarks.iter().find(|b| b.name == name)
    }
}

impl Benchmark {
    /// A benchmark from its samples (seconds per iteration), with statistics computed.
    pub fn from_samples(name: impl Into<String>, samples: Vec<f64>) -> Benchmark {
        Benchmark {
            name: name.into(),
            stats: SampleStats::of(&samples),
            samples,
            ..Benchmark::default()
        }
    }
}

impl SampleStats {
    /// The statistics of `samples` (all zero when empty); the standard deviation is the
    /// sample one (n − 1), as hyperfine and criterion report it.
    pub fn of(samples: &[f64]) -> SampleStats {
        if samples.is_empty() {
            return SampleStats::default();
        }
        let n = samples.len() as f64;
        let mean = samples.iter().sum::<f64>() / n;
        let stddev =
            (samples.len() > 1).then(|| (samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt());
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        SampleStats {
            n: samples.len() as u64,
            mean,
            stddev,
            median: median_of_sorted(&sorted),
            min: sorted[0],
            max: sorted[sorted.len() - 1],
        }
    }
}

/// The median of sorted values (the mean of the middle two for an even count).
pub fn median_of_sorted(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_of_samples() {
        let s = SampleStats::of(&[3.0, 1.0, 2.0, 4.0]);
        assert_eq!((s.n, s.min, s.max, s.median, s.mean), (4, 1.0, 4.0, 2.5, 2.5));
        let sd = s.stddev.unwrap_or_default();
        assert!((sd - 1.2909944).abs() < 1e-6, "{sd}");
        assert_eq!(SampleStats::of(&[2.0]).stddev, None);
        assert_eq!(SampleStats::of(&[]), SampleStats::default());
    }
}
