//! A least-squares line through a per-second series and the significance of its slope.
//!
//! Per-second latency is autocorrelated (a slow second is usually followed by another), so
//! the textbook OLS standard error, which assumes independent residuals, would call noise a
//! trend far too often. The slope's variance is estimated instead with Newey–West's
//! heteroskedasticity- and autocorrelation-consistent (HAC) estimator: Bartlett weights
//! `1 − l/(L+1)` up to lag `L = ⌊4·(n/100)^(2/9)⌋` (Newey & West 1994's rule of thumb),
//! scaled by `n/(n−2)` for the two fitted parameters. The t statistic is referred to
//! Student's t with `n − 2` degrees of freedom.

use crate::StabilityError;
use crate::student;

/// A fitted line `y = intercept + slope·x` with the slope's HAC standard error.
#[derive(Debug, Clone, PartialEq)]
pub struct LineFit {
    pub n: usize,
    pub intercept: f64,
    /// Change of y per unit of x.
    pub slope: f64,
    /// Newey–West standard error of `slope`.
    pub slope_se: f64,
    /// The Newey–West lag used.
    pub lag: usize,
    /// Degrees of freedom, `n − 2`.
    pub df: f64,
    /// `slope / slope_se` (±∞ when the points lie exactly on a sloped line).
    pub t: f64,
    /// Two-sided p-value of slope = 0.
    pub p_value: f64,
    /// 95% confidence interval of `slope`.
    pub slope_ci95: [f64; 2],
}

impl LineFit {
    /// The fitted value at `x`.
    pub fn at(&self, x: f64) -> f64 {
        self.intercept + self.slope * x
    }
}

/// Newey–West's automatic lag for `n` points: `⌊4·(n/100)^(2/9)⌋`, at most `n − 1`.
pub fn newey_west_lag(n: usize) -> usize {
    let lag = (4.0 * (n as f64 / 100.0).powf(2.0 / 9.0)).floor() as usize;
    lag.min(n.saturating_sub(1))
}

/// Fits a line through `(x, y)` points by ordinary least squares, with Newey–West
/// standard errors. Points must be in time order (the autocorrelation is over neighbours).
pub fn fit(points: &[(f64, f64)]) -> Result<LineFit, StabilityError> {
    let n = points.len();
    if n < 3 {
        return Err(StabilityError::TooFewPoints(n));
    }
    if points.iter().any(|(x, y)| !x.is_finite() || !y.is_finite()) {
        return Err(StabilityError::NotFinite);
    }
    let nf = n as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / nf;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / nf;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    if sxx <= 0.0 {
        return Err(StabilityError::NoSpread);
    }
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    let slope = sxy / sxx;
    let intercept = mean_y - slope * mean_x;
    // Score terms u_i = (x_i − x̄)·e_i; the slope's variance is Var(Σu)/Sxx².
    let u: Vec<f64> = points
        .iter()
        .map(|&(x, y)| (x - mean_x) * (y - intercept - slope * x))
        .collect();
    let lag = newey_west_lag(n);
    let mut s = u.iter().map(|v| v * v).sum::<f64>();
    for l in 1..=lag {
        let weight = 1.0 - l as f64 / (lag as f64 + 1.0);
        let cross: f64 = u[l..].iter().zip(&u[..n - l]).map(|(a, b)| a * b).sum();
        s += 2.0 * weight * cross;
    }
    let df = nf - 2.0;
    // Bartlett weights keep `s` non-negative in exact arithmetic; clamp rounding.
    let variance = (nf / df) * s.max(0.0) / (sxx * sxx);
    let slope_se = variance.sqrt();
    let (t, p_value) = if slope_se > 0.0 {
        let t = slope / slope_se;
        (t, student::two_sided_p(t, df))
    } else if slope == 0.0 {
        (0.0, 1.0)
    } else {
        // Points exactly on a sloped line: the slope is certain.
        (slope.signum() * f64::INFINITY, 0.0)
    };
    let half = student::quantile(0.975, df) * slope_se;
    Ok(LineFit {
        n,
        intercept,
        slope,
        slope_se,
        lag,
        df,
        t,
        p_value,
        slope_ci95: [slope - half, slope + half],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic pseudo-random sequence in [−1, 1) (xorshift), for noise.
    fn noise(n: usize, seed: u64) -> Vec<f64> {
        let mut state = seed.max(1);
        (0..n)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 11) as f64 / (1u64 << 52) as f64 - 1.0
            })
            .collect()
    }

    #[test]
    fn lag_follows_the_rule_of_thumb() {
        assert_eq!(newey_west_lag(100), 4);
        assert_eq!(newey_west_lag(10), 2);
        assert_eq!(newey_west_lag(3600), 8);
        assert_eq!(newey_west_lag(3), 1);
        assert_eq!(newey_west_lag(1), 0);
    }

    #[test]
    fn an_exact_line_is_recovered_with_certainty() {
        let points: Vec<(f64, f64)> = (0..20).map(|i| (i as f64, 3.0 + 0.5 * i as f64)).collect();
        let f = fit(&points).unwrap_or_else(|e| panic!("{e}"));
        assert!((f.slope - 0.5).abs() < 1e-12 && (f.intercept - 3.0).abs() < 1e-12);
        assert!(f.slope_se < 1e-9, "{}", f.slope_se);
        assert!(f.p_value < 1e-12);
        assert!((f.at(10.0) - 8.0).abs() < 1e-12);
    }

    #[test]
    fn a_noisy_line_has_its_slope_inside_the_interval() {
        let e = noise(300, 7);
        let points: Vec<(f64, f64)> = (0..300).map(|i| (i as f64, 10.0 + 0.02 * i as f64 + e[i])).collect();
        let f = fit(&points).unwrap_or_else(|e| panic!("{e}"));
        assert!((f.slope - 0.02).abs() < 0.003, "{f:?}");
        assert!(f.slope_ci95[0] < 0.02 && 0.02 < f.slope_ci95[1], "{f:?}");
        assert!(f.p_value < 1e-6, "{f:?}");
        assert_eq!(f.df, 298.0);
    }

    #[test]
    fn noise_alone_is_not_a_trend() {
        let mut significant = 0;
        for seed in 1..=40 {
            let e = noise(200, seed);
            let points: Vec<(f64, f64)> = (0..200).map(|i| (i as f64, 5.0 + e[i])).collect();
            let f = fit(&points).unwrap_or_else(|e| panic!("{e}"));
            if f.p_value < 0.05 {
                significant += 1;
            }
        }
        // About 2 of 40 at the 5% level; 8 would mean the test is far too eager.
        assert!(
            significant <= 8,
            "{significant} of 40 white-noise series called significant"
        );
    }

    #[test]
    fn autocorrelated_noise_widens_the_interval() {
        // A random walk around a flat line: OLS would call it a trend; HAC is more careful.
        let e = noise(400, 3);
        let mut level = 0.0;
        let walk: Vec<(f64, f64)> = (0..400)
            .map(|i| {
                level = 0.9 * level + e[i];
                (i as f64, level)
            })
            .collect();
        let f = fit(&walk).unwrap_or_else(|e| panic!("{e}"));
        let sxx: f64 = (0..400).map(|i| (i as f64 - 199.5).powi(2)).sum();
        let ss_res: f64 = walk.iter().map(|&(x, y)| (y - f.at(x)).powi(2)).sum();
        let ols_se = (ss_res / 398.0 / sxx).sqrt();
        assert!(f.slope_se > 1.5 * ols_se, "HAC {} vs OLS {}", f.slope_se, ols_se);
    }

    #[test]
    fn hac_variance_matches_a_hand_computation() {
        // n = 5 → lag ⌊4·0.05^(2/9)⌋ = 2, weights 2/3 and 1/3.
        let points = [(0.0, 1.0), (1.0, 3.0), (2.0, 2.0), (3.0, 5.0), (4.0, 4.0)];
        let f = fit(&points).unwrap_or_else(|e| panic!("{e}"));
        // slope = Σ(x−2)(y−3)/10 = (4 + 0 + 0 + 2 + 2)/10 = 0.8; intercept 1.4.
        assert!((f.slope - 0.8).abs() < 1e-12 && (f.intercept - 1.4).abs() < 1e-12);
        // Residuals −0.4, 0.8, −1.0, 1.2, −0.6; u = (x−2)·e = 0.8, −0.8, 0, 1.2, −1.2.
        let u = [0.8, -0.8, 0.0, 1.2, -1.2];
        let s0: f64 = u.iter().map(|v| v * v).sum();
        let s1: f64 = (1..5).map(|i| u[i] * u[i - 1]).sum();
        let s2: f64 = (2..5).map(|i| u[i] * u[i - 2]).sum();
        let s = s0 + 2.0 * (2.0 / 3.0) * s1 + 2.0 * (1.0 / 3.0) * s2;
        let expected = ((5.0 / 3.0) * s / 100.0).sqrt();
        assert_eq!(f.lag, 2);
        assert!((f.slope_se - expected).abs() < 1e-12, "{} vs {expected}", f.slope_se);
        let t = 0.8 / expected;
        assert!((f.p_value - 2.0 * (1.0 - student::cdf(t, 3.0))).abs() < 1e-12);
    }

    #[test]
    fn degenerate_series_are_errors() {
        assert_eq!(fit(&[(0.0, 1.0), (1.0, 2.0)]), Err(StabilityError::TooFewPoints(2)));
        assert_eq!(fit(&[(1.0, 1.0); 4]), Err(StabilityError::NoSpread));
        assert_eq!(
            fit(&[(0.0, 1.0), (1.0, f64::NAN), (2.0, 1.0)]),
            Err(StabilityError::NotFinite)
        );
        let flat = fit(&[(0.0, 2.0), (1.0, 2.0), (2.0, 2.0)]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((flat.slope, flat.p_value), (0.0, 1.0));
    }
}
