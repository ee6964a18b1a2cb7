//! How a comparison judges: the noise thresholds, the confidence level, the bootstrap's
//! size and seed, and which metrics count towards a verdict.

use loadcell_schema::{ComparisonSettings, MetricKind};
pub use loadcell_stats::Rule;

use crate::CompareError;

/// The default relative noise threshold: 5%, criterion's `noise_threshold` default.
pub const DEFAULT_NOISE: f64 = 0.05;
/// The default noise threshold of the error rate: 0.1 percentage point.
pub const DEFAULT_ERROR_NOISE: f64 = 0.001;
/// The default confidence level of the intervals.
pub const DEFAULT_CONFIDENCE: f64 = 0.95;
/// The default number of bootstrap resamples per side.
pub const DEFAULT_RESAMPLES: u32 = 2000;
/// The default seed: comparisons are deterministic unless a seed is given.
pub const DEFAULT_SEED: u64 = 1;

/// The settings of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Relative changes smaller than this are `unchanged` (0.05 = 5%).
    pub noise: f64,
    /// Error-rate differences smaller than this are `unchanged` (0.001 = 0.1 point).
    pub error_noise: f64,
    /// Confidence level of the intervals, in (0, 1).
    pub confidence: f64,
    /// Bootstrap resamples per side.
    pub resamples: u32,
    pub seed: u64,
    /// Metrics whose verdict counts towards a row's verdict (and the exit code).
    pub gate: Vec<MetricKind>,
    /// How a change is held against the noise threshold.
    pub rule: Rule,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            noise: DEFAULT_NOISE,
            error_noise: DEFAULT_ERROR_NOISE,
            confidence: DEFAULT_CONFIDENCE,
            resamples: DEFAULT_RESAMPLES,
            seed: DEFAULT_SEED,
            gate: vec![
                MetricKind::P50,
                MetricKind::P95,
                MetricKind::P99,
                MetricKind::Throughput,
                MetricKind::ErrorRate,
                MetricKind::Median,
                MetricKind::Mean,
            ],
            rule: Rule::Significant,
        }
    }
}

impl Settings {
    /// Checks every setting's range.
    pub fn validate(&self) -> Result<(), CompareError> {
        let bad = |name, message: &str| {
            Err(CompareError::Setting {
                name,
                message: message.to_string(),
            })
        };
        if !(0.0..1.0).contains(&self.noise) {
            return bad("noise threshold", "must be at least 0% and below 100%");
        }
        if !(0.0..1.0).contains(&self.error_noise) {
            return bad("error-rate noise threshold", "must be at least 0 and below 100 points");
        }
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return bad("confidence level", "must be between 0 and 1 (e.g. 0.95)");
        }
        if self.resamples < 100 {
            return bad("number of resamples", "must be at least 100");
        }
        Ok(())
    }

    /// The settings as the comparison document records them.
    pub fn record(&self) -> ComparisonSettings {
        ComparisonSettings {
            noise: self.noise,
            error_noise: self.error_noise,
            confidence: self.confidence,
            resamples: self.resamples,
            seed: self.seed,
            gate: self.gate.clone(),
            strict: self.rule == Rule::Strict,
        }
    }

    /// The noise threshold that applies to `metric`.
    pub fn noise_of(&self, metric: MetricKind) -> f64 {
        if metric.absolute_change() {
            self.error_noise
        } else {
            self.noise
        }
    }
}
