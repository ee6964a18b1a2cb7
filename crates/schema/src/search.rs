//! Results of the commands that run many steps and summarise them: `loadcell capacity`
//! (the highest rate held under the SLO) and `loadcell scale` (the Universal Scalability
//! Law fitted to a concurrency sweep).

use serde::{Deserialize, Serialize};

/// `loadcell capacity`: the search and its answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CapacitySummary {
    /// The SLO every step had to hold, as written.
    pub slos: Vec<String>,
    /// The sustainable rate (iterations/s): the highest passing step; `None`: none passed.
    pub capacity_per_s: Option<f64>,
    /// The highest passing and the lowest failing offered rate.
    pub highest_pass_per_s: Option<f64>,
    pub lowest_fail_per_s: Option<f64>,
    /// Why the search stopped.
    pub stop: SearchStop,
    /// Where p95 starts climbing steeply (offered rate and p95), if the steps show one.
    pub knee: Option<CapacityKnee>,
    /// Measured seconds of each step, and the search's time budget and time used.
    pub step_duration_s: f64,
    pub max_time_s: f64,
    pub elapsed_s: f64,
    /// The steps in the order they ran.
    pub steps: Vec<CapacityStep>,
    /// Warm-up seconds before each step's measured window (left out of its results).
    #[serde(default)]
    pub step_warmup_s: f64,
    /// Bracket width at which bisection stops, as a fraction of the highest passing rate.
    #[serde(default)]
    pub precision: f64,
    /// The SLOs that limit a latency percentile of all requests (`p95<200ms`), so that a
    /// chart of latency against rate can draw each limit as a line.
    #[serde(default)]
    pub latency_limits: Vec<LatencyLimit>,
}

/// Why a capacity search stopped, as `summary.json` spells it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchStop {
    /// The bracket narrowed to the precision.
    Converged,
    /// The time budget ran out first.
    Budget,
    /// The maximum rate passed; the capacity may be higher.
    MaxRate,
    /// Even the minimum rate failed.
    MinRate,
    /// Ctrl-C ended it.
    Interrupted,
    /// Not finished yet (what a results folder says while the search goes on).
    #[default]
    Running,
}

impl SearchStop {
    /// The word as `summary.json` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            SearchStop::Converged => "converged",
            SearchStop::Budget => "budget",
            SearchStop::MaxRate => "max_rate",
            SearchStop::MinRate => "min_rate",
            SearchStop::Interrupted => "interrupted",
            SearchStop::Running => "running",
        }
    }
}

/// An SLO of the form `pN < limit` (or `<=`) on the latency of every request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencyLimit {
    /// The SLO as written.
    pub slo: String,
    /// 0 to 100.
    pub percentile: f64,
    pub limit_ms: f64,
}

/// The knee of the p95-against-rate curve.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CapacityKnee {
    pub offered_rate: f64,
    pub p95_ms: f64,
}

/// One constant-rate step of the capacity search.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CapacityStep {
    pub offered_rate: f64,
    pub achieved_rate: f64,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    /// Percent of requests that failed.
    pub error_pct: f64,
    pub scheduled: u64,
    pub dropped: u64,
    pub interrupted: u64,
    pub passed: bool,
    /// Why it failed: the failed SLOs and "rate not kept" reasons.
    pub failed: Vec<String>,
    pub elapsed_s: f64,
    /// `--monitor`: the target's CPU, memory and descriptors during the step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<crate::TargetUse>,
}

/// `loadcell scale`: the sweep and the fitted Universal Scalability Law.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScaleSummary {
    pub step_duration_s: f64,
    pub step_warmup_s: f64,
    /// One measured point per concurrency level.
    pub points: Vec<ScalePoint>,
    /// `None` when the points cannot be fitted (see `error`).
    pub fit: Option<UslFit>,
    pub error: Option<String>,
    /// The fitted X(N) from 1 to the largest level (or past the peak), for plotting.
    pub curve: Vec<ScaleCurvePoint>,
    /// The levels asked for (`--vus`), sorted; `points` has fewer when the sweep was cut short.
    #[serde(default)]
    pub planned_vus: Vec<u64>,
}

/// One concurrency level of the sweep.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScalePoint {
    pub vus: u64,
    pub requests: u64,
    pub failed: u64,
    pub seconds: f64,
    /// Requests per second.
    pub throughput: f64,
    pub mean_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    /// Throughput per VU relative to N = 1 (measured; `None` without a 1-VU level).
    pub efficiency: Option<f64>,
    /// The fitted model's throughput at this level.
    pub fitted_throughput: Option<f64>,
    /// The fitted model's efficiency at this level: `1 / (1 + σ(N−1) + κN(N−1))`.
    #[serde(default)]
    pub fitted_efficiency: Option<f64>,
    /// `--monitor`: the target's CPU, memory and descriptors at this level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<crate::TargetUse>,
}

/// X(N) = λN / (1 + σ(N−1) + κN(N−1)).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UslFit {
    pub lambda: f64,
    pub sigma: f64,
    pub kappa: f64,
    pub r_squared: f64,
    /// N* = √((1−σ)/κ); `None` when κ = 0.
    pub peak_vus: Option<f64>,
    /// X(N*).
    pub peak_throughput: Option<f64>,
    /// λ/σ, the limit of throughput when κ = 0 and σ > 0.
    pub ceiling: Option<f64>,
    /// Root mean square of the throughput residuals (req/s).
    #[serde(default)]
    pub rmse: f64,
}

/// A point of the fitted curve.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScaleCurvePoint {
    pub vus: f64,
    pub throughput: f64,
}
