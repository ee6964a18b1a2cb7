//! The comparison of two runs (`loadcell compare BASE NEW`, `run --baseline`): for the whole
//! run and each endpoint (or benchmark), every metric's base and new value, the change with
//! its confidence interval, and a verdict — `regressed`, `unchanged` or `improved`.
//!
//! This is a stable JSON document like `summary.json` (fields are only ever added; see
//! `docs/comparison-format.md`). `loadcell-compare` computes it; `loadcell-report` renders it.

use serde::{Deserialize, Serialize};

use crate::{Model, PercentilePoint};

/// The value of `format` in a comparison document.
pub const COMPARISON_FORMAT: &str = "loadcell-comparison";
/// Version of the comparison document's layout.
pub const COMPARISON_FORMAT_VERSION: u32 = 1;

/// Whether a change is real and large enough to matter, and which way it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Significantly worse, by more than the noise threshold.
    Regressed,
    /// No significant change beyond the noise threshold either way.
    Unchanged,
    /// Significantly better, by more than the noise threshold.
    Improved,
}

impl Verdict {
    /// The lower-case word used in JSON, tables and exit messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Regressed => "regressed",
            Verdict::Unchanged => "unchanged",
            Verdict::Improved => "improved",
        }
    }

    /// The verdict of several together: regressed if any regressed, else improved if any
    /// improved, else unchanged.
    pub fn combine(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
        let mut out = Verdict::Unchanged;
        for v in verdicts {
            match v {
                Verdict::Regressed => return Verdict::Regressed,
                Verdict::Improved => out = Verdict::Improved,
                Verdict::Unchanged => {}
            }
        }
        out
    }
}

/// What a compared path held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A results folder with its per-second interval log (HDR histograms).
    ResultsFolder,
    /// A bare `summary.json` (no histograms: a reduced method).
    SummaryJson,
    /// Normalized benchmark results (`loadcell bench`, `loadcell ingest`).
    Bench,
    /// A `performance-baselines.json` file (`loadcell baseline check`).
    Baselines,
}

/// One of the two compared runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparedRun {
    /// The path as given.
    pub path: String,
    pub kind: SourceKind,
    /// The URL or scenario name of a load run; the tool or command of benchmarks.
    pub target: String,
    pub label: String,
    /// RFC 3339 UTC, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// Load runs: how load was generated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<Model>,
    /// Load runs: measured seconds (warm-up excluded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
}

/// How a row's intervals were computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Circular block bootstrap over the per-second HDR histograms of a results folder:
    /// blocks of consecutive seconds are resampled and their histograms merged.
    BlockBootstrap,
    /// Reduced: `summary.json` has no histograms, so the block bootstrap resamples its
    /// per-second percentiles (weighted by requests) to size the interval around the exact
    /// change of the merged percentiles.
    SecondsSummary,
    /// Reduced: no per-second data or only one sample; the verdict rests on the point
    /// change against the noise threshold alone.
    PointOnly,
    /// Benchmarks with per-run samples: a percentile bootstrap of the ratio of the medians
    /// (samples resampled independently) and a Welch interval on the log ratio of the means.
    RunSamples,
    /// Benchmarks without samples: the interval from the standard errors the tool reported.
    ReportedErrors,
    /// `baseline check`: the interval is the range the baseline's history predicts for a new
    /// run (a prediction interval from the runs since its last change point), and the change
    /// is significant when the new run falls outside it.
    History,
}

impl Method {
    /// Whether the method is one of the reduced ones, which a note must explain.
    pub fn is_reduced(self) -> bool {
        matches!(
            self,
            Method::SecondsSummary | Method::PointOnly | Method::ReportedErrors
        )
    }
}

/// A compared metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricKind {
    /// Latency percentiles of the merged histogram, ms.
    P50,
    P95,
    P99,
    /// Requests per second.
    Throughput,
    /// Failed requests / requests, 0 to 1; compared as a difference in points.
    ErrorRate,
    /// Benchmarks: median time per iteration, seconds (robust to the odd slow sample).
    Median,
    /// Benchmarks: mean time per iteration, seconds.
    Mean,
}

impl MetricKind {
    /// The metric's name in tables.
    pub fn label(self) -> &'static str {
        match self {
            MetricKind::P50 => "p50",
            MetricKind::P95 => "p95",
            MetricKind::P99 => "p99",
            MetricKind::Throughput => "throughput",
            MetricKind::ErrorRate => "error rate",
            MetricKind::Median => "median",
            MetricKind::Mean => "mean",
        }
    }

    /// Whether a larger value is worse (latency, errors, time) or better (throughput).
    pub fn higher_is_worse(self) -> bool {
        !matches!(self, MetricKind::Throughput)
    }

    /// Whether the change is a difference (`new − base`) rather than a ratio.
    pub fn absolute_change(self) -> bool {
        matches!(self, MetricKind::ErrorRate)
    }
}

/// A confidence interval for a change.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

/// One metric of one row: base, new, change and verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricChange {
    pub metric: MetricKind,
    /// In the metric's unit: ms for percentiles, per second for throughput, a fraction for
    /// the error rate, seconds for benchmarks.
    pub base: f64,
    pub new: f64,
    /// `new / base − 1` (a fraction: 0.1 is +10%), or `new − base` for the error rate;
    /// `null` when the base is 0 and the change is a ratio.
    pub change: Option<f64>,
    /// The confidence interval for `change`; `null` under [`Method::PointOnly`].
    pub interval: Option<Interval>,
    /// Whether the interval excludes no change.
    pub significant: bool,
    pub verdict: Verdict,
}

/// What a row stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Every endpoint of the run together.
    Overall,
    Endpoint,
    Benchmark,
}

/// The comparison of one endpoint, one benchmark, or the whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowComparison {
    /// `overall`, an endpoint (`GET /api/products`), or a benchmark's name.
    pub name: String,
    pub scope: Scope,
    pub method: Method,
    /// Units resampled on each side: seconds (load) or runs/samples (benchmarks).
    pub base_samples: u64,
    pub new_samples: u64,
    /// Block bootstrap: the block length used on each side, in resampled units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_len: Option<[u64; 2]>,
    pub metrics: Vec<MetricChange>,
    /// [`Verdict::combine`] of the judged metrics.
    pub verdict: Verdict,
}

/// How the verdicts were reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonSettings {
    /// Relative noise threshold (0.05 = 5%): smaller changes are `unchanged`.
    pub noise: f64,
    /// Noise threshold of the error rate, in points (0.001 = 0.1 percentage point).
    pub error_noise: f64,
    /// Confidence level of the intervals (0.95).
    pub confidence: f64,
    /// Bootstrap resamples per side.
    pub resamples: u32,
    /// Seed of the resampling: the same inputs and seed give the same document.
    pub seed: u64,
    /// The metrics whose verdicts count towards a row's verdict.
    pub gate: Vec<MetricKind>,
    /// `false`: a change is regressed (improved) when significant and its point change is
    /// beyond the noise threshold. `true` (criterion's rule): when its whole interval is.
    #[serde(default)]
    pub strict: bool,
}

/// Latency by percentile of both runs, for one chart.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencyDistributions {
    pub base: Vec<PercentilePoint>,
    pub new: Vec<PercentilePoint>,
}

/// The whole comparison document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Always [`COMPARISON_FORMAT`].
    pub format: String,
    pub format_version: u32,
    pub loadcell_version: String,
    pub base: ComparedRun,
    pub new: ComparedRun,
    pub settings: ComparisonSettings,
    /// [`Verdict::combine`] of every row.
    pub verdict: Verdict,
    /// The whole run first (load runs), then endpoints or benchmarks in the base's order.
    pub rows: Vec<RowComparison>,
    /// Endpoints or benchmarks present in only one run (reported, not compared).
    pub only_in_base: Vec<String>,
    pub only_in_new: Vec<String>,
    /// What a reader must know: different targets or models, reduced methods, short runs.
    pub notes: Vec<String>,
    /// Load runs: the overall latency spectrum of each run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distributions: Option<LatencyDistributions>,
}

impl Comparison {
    /// The exit code this comparison calls for: [`crate::exit::REGRESSED`] when something
    /// regressed, [`crate::exit::OK`] otherwise.
    pub fn exit_code(&self) -> i32 {
        if self.verdict == Verdict::Regressed {
            crate::exit::REGRESSED
        } else {
            crate::exit::OK
        }
    }

    /// The rows that regressed.
    pub fn regressions(&self) -> impl Iterator<Item = &RowComparison> {
        self.rows.iter().filter(|r| r.verdict == Verdict::Regressed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combine_puts_regressions_first() {
        use Verdict::*;
        assert_eq!(Verdict::combine([]), Unchanged);
        assert_eq!(Verdict::combine([Unchanged, Improved]), Improved);
        assert_eq!(Verdict::combine([Improved, Regressed, Unchanged]), Regressed);
    }

    #[test]
    fn names_are_snake_case() {
        let json = serde_json::to_string(&(MetricKind::ErrorRate, Method::BlockBootstrap, Verdict::Improved))
            .unwrap_or_default();
        assert_eq!(json, r#"["error_rate","block_bootstrap","improved"]"#);
    }
}
