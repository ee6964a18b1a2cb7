//! Several commands compared, as hyperfine's summary does (`src/benchmark/relative_speed.rs`):
//! each command's mean relative to the fastest — with hyperfine's ± (the standard deviations
//! propagated, the spread of one run's ratio) and a 95% confidence interval for the ratio of
//! the means (Welch on the log ratio, [`loadcell_stats::welch_log_ratio`]), which says how
//! sure the comparison is.

use loadcell_schema::Interval;
use loadcell_stats::{Estimate, welch_log_ratio};

use crate::runner::CommandResult;

/// One command against the fastest.
#[derive(Debug, Clone, PartialEq)]
pub struct Relative {
    pub command: String,
    /// `mean / fastest mean` (1 for the fastest itself).
    pub ratio: f64,
    /// hyperfine's ±: `ratio · √((σ/μ)² + (σ_f/μ_f)²)`.
    pub ratio_stddev: Option<f64>,
    /// The confidence interval of the ratio of the means; `None` for the fastest itself or
    /// with fewer than two runs.
    pub interval: Option<Interval>,
    pub is_fastest: bool,
}

/// Every result against the fastest (by mean), in the given order.
pub fn relative_to_fastest(results: &[CommandResult], confidence: f64) -> Vec<Relative> {
    let Some(fastest) = results.iter().min_by(|a, b| a.stats.mean.total_cmp(&b.stats.mean)) else {
        return Vec::new();
    };
    results
        .iter()
        .map(|r| {
            let is_fastest = std::ptr::eq(r, fastest);
            let ratio = if fastest.stats.mean > 0.0 {
                r.stats.mean / fastest.stats.mean
            } else {
                f64::INFINITY
            };
            let ratio_stddev = match (r.stats.stddev, fastest.stats.stddev) {
                (Some(s), Some(f)) if r.stats.mean > 0.0 && fastest.stats.mean > 0.0 => {
                    Some(ratio * ((s / r.stats.mean).powi(2) + (f / fastest.stats.mean).powi(2)).sqrt())
                }
                _ => None,
            };
            let interval = if is_fastest {
                None
            } else {
                match (Estimate::of_samples(&fastest.times), Estimate::of_samples(&r.times)) {
                    (Some(f), Some(s)) => welch_log_ratio(f, s, confidence).map(|i| Interval {
                        low: 1.0 + i.low,
                        high: 1.0 + i.high,
                    }),
                    _ => None,
                }
            };
            Relative {
                command: r.command.clone(),
                ratio,
                ratio_stddev,
                interval,
                is_fastest,
            }
        })
        .collect()
}
