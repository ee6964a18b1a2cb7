//! How a staged run's target behaved over time: the recovery after a spike (`--profile
//! spike`) and the latency and error trend of a long hold (`--profile soak`).

use serde::{Deserialize, Serialize};

/// The degradation during a spike and the time the target took to recover from it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SpikeRecovery {
    /// The stage measured as the baseline (the steady stage before the spike).
    pub baseline_phase: String,
    /// The spike stage.
    pub spike_phase: String,
    /// Seconds since the start of the run at which the spike's level started falling.
    pub spike_end_s: f64,
    /// p95 and error rate (0 to 1) of the baseline stage.
    pub baseline_p95_ms: f64,
    pub baseline_error_rate: f64,
    /// The spike stage's own p95, p99 and error rate: the degradation.
    pub spike_p95_ms: f64,
    pub spike_p99_ms: f64,
    pub spike_error_rate: f64,
    /// The worst rolling-window p95 from the start of the spike to the end of the run.
    pub worst_p95_ms: f64,
    /// Length of the rolling window, in seconds.
    pub window_s: f64,
    /// Recovered means the rolling p95 is at most this and ...
    pub p95_limit_ms: f64,
    /// ... the rolling error rate at most this (0 to 1).
    pub error_rate_limit: f64,
    /// Seconds from `spike_end_s` until the rolling window was back within both limits and
    /// stayed there; `None`: it did not recover within the test.
    pub recovery_s: Option<f64>,
    /// Seconds of the run observed after the spike ended (the most `recovery_s` could be).
    pub observed_s: f64,
    /// The answer in one sentence, e.g. `recovered 4 s after the spike` or
    /// `did not recover within the 60 s observed after the spike`.
    pub verdict: String,
}

/// The latency and error trend of a soak test's hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SoakTrend {
    /// The stage the trend was fitted on.
    pub phase: String,
    pub from_s: f64,
    pub to_s: f64,
    /// One point per measured second of the stage.
    pub points: u64,
    /// p95 latency per second, in milliseconds.
    pub p95_ms: Trend,
    /// Error rate per second, 0 to 1.
    pub error_rate: Trend,
}

/// A least-squares line through a per-second series, with its significance.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    /// The fitted value at the start of the stage.
    pub start: f64,
    /// Change per hour, in the series' unit.
    pub slope_per_hour: f64,
    /// 95% confidence interval of `slope_per_hour`.
    pub slope_ci95: [f64; 2],
    /// Two-sided p-value of "no trend" (slope 0).
    pub p_value: f64,
    /// `p_value < 0.05`.
    pub significant: bool,
    /// `slope_per_hour` relative to `start`, in percent (`None` when `start` is 0).
    pub change_pct_per_hour: Option<f64>,
    /// The answer in one sentence, e.g. `p95 rises 12.0 ms per hour (p < 0.001)`.
    pub verdict: String,
}
