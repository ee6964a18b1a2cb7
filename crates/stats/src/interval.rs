//! Confidence intervals for a change: the percentile interval of bootstrap replicates, the
//! Welch interval on the log ratio of two means (for independent per-run samples, where a
//! t-based interval holds its coverage with few samples better than a bootstrap does), and
//! the bootstrap interval of the ratio of two medians (robust to the odd slow sample that a
//! busy machine throws into a benchmark).

use loadcell_schema::Interval;
use loadcell_stability::student;

use crate::rng::Rng;

/// The `confidence` percentile interval of `replicates` (sorted here; non-finite values are
/// dropped). `None` when nothing finite is left.
pub fn percentile_interval(replicates: &mut Vec<f64>, confidence: f64) -> Option<Interval> {
    replicates.retain(|x| x.is_finite());
    if replicates.is_empty() {
        return None;
    }
    replicates.sort_by(f64::total_cmp);
    let alpha = (1.0 - confidence).clamp(0.0, 1.0);
    Some(Interval {
        low: quantile_of_sorted(replicates, alpha / 2.0),
        high: quantile_of_sorted(replicates, 1.0 - alpha / 2.0),
    })
}

/// The `q` quantile of sorted values, interpolating linearly between order statistics.
pub fn quantile_of_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let below = pos.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    sorted[below] + (sorted[above] - sorted[below]) * (pos - below as f64)
}

/// A mean with its standard error and the degrees of freedom behind it (`n − 1` for
/// samples; infinite for an error a tool reported from many resamples).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub mean: f64,
    pub standard_error: f64,
    pub df: f64,
}

impl Estimate {
    /// The mean of `samples` and its standard error; `None` with fewer than two.
    pub fn of_samples(samples: &[f64]) -> Option<Estimate> {
        let n = samples.len();
        if n < 2 {
            return None;
        }
        let nf = n as f64;
        let mean = samples.iter().sum::<f64>() / nf;
        let var = samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (nf - 1.0);
        Some(Estimate {
            mean,
            standard_error: (var / nf).sqrt(),
            df: nf - 1.0,
        })
    }
}

/// The `confidence` interval for `new.mean / base.mean − 1`: Welch's interval on
/// `ln(new/base)` with the delta-method variance `(se_b/m_b)² + (se_n/m_n)²` and
/// Welch–Satterthwaite degrees of freedom, mapped back. `None` for non-positive means.
pub fn welch_log_ratio(base: Estimate, new: Estimate, confidence: f64) -> Option<Interval> {
    if base.mean <= 0.0 || new.mean <= 0.0 {
        return None;
    }
    let vb = (base.standard_error / base.mean).powi(2);
    let vn = (new.standard_error / new.mean).powi(2);
    let var = vb + vn;
    let centre = (new.mean / base.mean).ln();
    if var <= 0.0 {
        let change = centre.exp() - 1.0;
        return Some(Interval {
            low: change,
            high: change,
        });
    }
    let df_part = |v: f64, df: f64| if df.is_finite() && df > 0.0 { v * v / df } else { 0.0 };
    let denom = df_part(vb, base.df) + df_part(vn, new.df);
    let df = if denom > 0.0 { var * var / denom } else { 1e9 };
    let t = student::quantile(0.5 + confidence / 2.0, df.min(1e9));
    let half = t * var.sqrt();
    Some(Interval {
        low: (centre - half).exp() - 1.0,
        high: (centre + half).exp() - 1.0,
    })
}

/// The median of `xs` (sorted in place).
pub fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    loadcell_schema::median_of_sorted(xs)
}

/// The `confidence` percentile-bootstrap interval of `median(new) / median(base) − 1`, each
/// side resampled independently with replacement `resamples` times from `rng`. `None` with
/// fewer than two samples on a side or a non-positive median.
pub fn median_ratio_interval(
    base: &[f64],
    new: &[f64],
    resamples: u32,
    confidence: f64,
    rng: &mut Rng,
) -> Option<Interval> {
    if base.len() < 2 || new.len() < 2 {
        return None;
    }
    let (mut rb, mut rn) = (vec![0.0; base.len()], vec![0.0; new.len()]);
    let mut reps = Vec::with_capacity(resamples as usize);
    for _ in 0..resamples {
        rb.iter_mut().for_each(|x| *x = base[rng.below(base.len())]);
        rn.iter_mut().for_each(|x| *x = new[rng.below(new.len())]);
        let (mb, mn) = (median(&mut rb), median(&mut rn));
        reps.push(if mb > 0.0 { mn / mb - 1.0 } else { f64::NAN });
    }
    percentile_interval(&mut reps, confidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_interval_of_a_uniform_grid() {
        let mut xs: Vec<f64> = (0..=1000).rev().map(f64::from).collect();
        xs.push(f64::NAN);
        let i = percentile_interval(&mut xs, 0.95).unwrap_or(Interval { low: 0.0, high: 0.0 });
        assert!((i.low - 25.0).abs() < 1e-9 && (i.high - 975.0).abs() < 1e-9, "{i:?}");
        assert!(percentile_interval(&mut vec![f64::NAN], 0.95).is_none());
    }

    #[test]
    fn welch_interval_covers_the_true_ratio_about_95_percent_of_the_time() {
        // Two normal samples of 8 with means 10 and 11 (ratio 1.1) and sd 1.
        let mut rng = Rng::new(11);
        let trials = 2000;
        let mut covered = 0;
        for _ in 0..trials {
            let a: Vec<f64> = (0..8).map(|_| 10.0 + rng.normal()).collect();
            let b: Vec<f64> = (0..8).map(|_| 11.0 + rng.normal()).collect();
            let (Some(ea), Some(eb)) = (Estimate::of_samples(&a), Estimate::of_samples(&b)) else {
                continue;
            };
            if let Some(i) = welch_log_ratio(ea, eb, 0.95)
                && i.low <= 0.1
                && 0.1 <= i.high
            {
                covered += 1;
            }
        }
        let rate = f64::from(covered) / f64::from(trials);
        assert!((0.93..=0.97).contains(&rate), "coverage {rate}");
    }

    #[test]
    fn median_ratio_shrugs_off_a_few_wild_samples() {
        let mut rng = Rng::new(3);
        let mut base: Vec<f64> = (0..40).map(|_| 1.0 + 0.02 * rng.normal()).collect();
        let mut new: Vec<f64> = (0..40).map(|_| 2.0 + 0.04 * rng.normal()).collect();
        base[3] = 50.0; // a stall in the base run
        new[7] = 0.1;
        let i = median_ratio_interval(&base, &new, 2000, 0.95, &mut Rng::new(1))
            .unwrap_or(Interval { low: 0.0, high: 0.0 });
        assert!(i.low > 0.9 && i.high < 1.1, "{i:?}");
        assert!(median_ratio_interval(&[1.0], &new, 100, 0.95, &mut rng).is_none());
    }

    #[test]
    fn reported_errors_use_the_normal_quantile() {
        let e = |mean| Estimate {
            mean,
            standard_error: 0.0,
            df: f64::INFINITY,
        };
        let i = welch_log_ratio(e(1.0), e(2.0), 0.95).unwrap_or(Interval { low: 0.0, high: 0.0 });
        assert!((i.low - 1.0).abs() < 1e-12 && (i.high - 1.0).abs() < 1e-12);
        let with_se = |mean| Estimate {
            mean,
            standard_error: 0.01,
            df: f64::INFINITY,
        };
        let i = welch_log_ratio(with_se(1.0), with_se(1.0), 0.95).unwrap_or(Interval { low: 0.0, high: 0.0 });
        let half = 1.959964 * (2.0f64 * 0.0001).sqrt();
        assert!((i.high - (half.exp() - 1.0)).abs() < 1e-5, "{i:?}");
        assert!(welch_log_ratio(e(0.0), e(1.0), 0.95).is_none());
    }
}
