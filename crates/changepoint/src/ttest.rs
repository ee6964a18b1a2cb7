//! Student's two-sample t-test with pooled variance (scipy's `ttest_ind_from_stats` with its
//! default `equal_var=True`, which Otava's `TTestSignificanceTester` calls).

use loadcell_stability::student;

/// Mean and sample standard deviation of one side of a split.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Side {
    pub mean: f64,
    pub std: f64,
    pub n: usize,
}

impl Side {
    pub(crate) fn of(xs: &[f64]) -> Side {
        let n = xs.len();
        let mean = xs.iter().sum::<f64>() / n.max(1) as f64;
        let std = if n > 1 {
            (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        Side { mean, std, n }
    }
}

/// The two-sided p-value that `left` and `right` have the same mean: 1 with fewer than
/// three points in all (nothing to estimate a variance from), 0 for a difference between
/// two constant sides.
pub(crate) fn p_value(left: Side, right: Side) -> f64 {
    let n = left.n + right.n;
    if n <= 2 || left.n == 0 || right.n == 0 {
        return 1.0;
    }
    let df = (n - 2) as f64;
    let pooled = ((left.n as f64 - 1.0) * left.std.powi(2) + (right.n as f64 - 1.0) * right.std.powi(2)) / df;
    let se = (pooled * (1.0 / left.n as f64 + 1.0 / right.n as f64)).sqrt();
    let diff = right.mean - left.mean;
    if se == 0.0 {
        return if diff == 0.0 { 1.0 } else { 0.0 };
    }
    student::two_sided_p(diff / se, df)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_scipy() {
        // t = 2.5459 with 7 degrees of freedom: two-sided p = 0.03833 (numerical integration of
        // the t density; what scipy.stats.ttest_ind gives for these samples).
        let p = p_value(Side::of(&[1.0, 2.0, 3.0, 4.0]), Side::of(&[3.0, 4.0, 5.0, 6.0, 7.0]));
        assert!((p - 0.038334).abs() < 1e-5, "{p}");
        assert_eq!(p_value(Side::of(&[1.0]), Side::of(&[2.0])), 1.0);
        assert_eq!(p_value(Side::of(&[1.0, 1.0]), Side::of(&[2.0, 2.0])), 0.0);
    }
}
