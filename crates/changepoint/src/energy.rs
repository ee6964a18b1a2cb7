//! The energy statistic of E-divisive means, with all interval sums read off a 2-D prefix
//! sum of the pairwise distances (the same quantities Otava's `PairDistanceCalculator`
//! accumulates with numpy cumulative sums).

/// Pairwise distances `|x_i − x_j|` summed over rectangles in O(1).
pub(crate) struct Distances {
    n: usize,
    /// `prefix[i * (n + 1) + j]` = Σ_{a < i, b < j} |x_a − x_b|.
    prefix: Vec<f64>,
}

impl Distances {
    pub(crate) fn new(series: &[f64]) -> Distances {
        let n = series.len();
        let w = n + 1;
        let mut prefix = vec![0.0; w * w];
        for i in 0..n {
            let mut row = 0.0;
            for j in 0..n {
                row += (series[i] - series[j]).abs();
                prefix[(i + 1) * w + j + 1] = prefix[i * w + j + 1] + row;
            }
        }
        Distances { n, prefix }
    }

    /// Σ |x_a − x_b| for a in `a0..a1`, b in `b0..b1`.
    fn rect(&self, a0: usize, a1: usize, b0: usize, b1: usize) -> f64 {
        let w = self.n + 1;
        let p = |i: usize, j: usize| self.prefix[i * w + j];
        p(a1, b1) - p(a0, b1) - p(a1, b0) + p(a0, b0)
    }

    /// `Q̂(x[s..t], x[t..k])`, see [`qhat`].
    fn q(&self, s: usize, t: usize, k: usize) -> f64 {
        let (n, m) = ((t - s) as f64, (k - t) as f64);
        let cross = self.rect(s, t, t, k);
        // Sums over unordered pairs: half the square.
        let within_x = self.rect(s, t, s, t) / 2.0;
        let within_y = self.rect(t, k, t, k) / 2.0;
        let mut q = 2.0 / (m + n) * cross;
        if n > 1.0 {
            q -= 2.0 * m / ((m + n) * (n - 1.0)) * within_x;
        }
        if m > 1.0 {
            q -= 2.0 * n / ((m + n) * (m - 1.0)) * within_y;
        }
        q
    }

    /// The best split of `start..end`: the `τ` (with some `κ ≤ end`) maximising `Q̂`, and
    /// that maximum; `None` for fewer than two points.
    pub(crate) fn best_split(&self, start: usize, end: usize) -> Option<(usize, f64)> {
        let mut best: Option<(usize, f64)> = None;
        for t in start + 1..end {
            for k in t + 1..=end {
                let q = self.q(start, t, k);
                if best.is_none_or(|(_, b)| q > b) {
                    best = Some((t, q));
                }
            }
        }
        best
    }
}

/// The E-divisive energy statistic between `x` and `y` (Matteson and James, eq. 3, with
/// α = 1): `2/(m+n) ΣΣ|x_i − y_j| − 2m/((m+n)(n−1)) Σ_{i<k}|x_i − x_k| − 2n/((m+n)(m−1))
/// Σ_{j<k}|y_j − y_k|`, large when the two samples come from different distributions.
pub fn qhat(x: &[f64], y: &[f64]) -> f64 {
    let joined: Vec<f64> = x.iter().chain(y).copied().collect();
    Distances::new(&joined).q(0, x.len(), joined.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The formula written out directly, to check the prefix sums against.
    fn naive(x: &[f64], y: &[f64]) -> f64 {
        let (n, m) = (x.len() as f64, y.len() as f64);
        let cross: f64 = x.iter().flat_map(|a| y.iter().map(move |b| (a - b).abs())).sum();
        let pairs = |v: &[f64]| -> f64 {
            (0..v.len())
                .flat_map(|i| (i + 1..v.len()).map(move |k| (i, k)))
                .map(|(i, k)| (v[i] - v[k]).abs())
                .sum()
        };
        let mut q = 2.0 / (m + n) * cross;
        if n > 1.0 {
            q -= 2.0 * m / ((m + n) * (n - 1.0)) * pairs(x);
        }
        if m > 1.0 {
            q -= 2.0 * n / ((m + n) * (m - 1.0)) * pairs(y);
        }
        q
    }

    #[test]
    fn prefix_sums_match_the_formula() {
        let x = [1.0, 3.0, 2.0, 8.0];
        let y = [10.0, 11.0, 9.5];
        assert!((qhat(&x, &y) - naive(&x, &y)).abs() < 1e-9);
        assert!((qhat(&[1.0], &[5.0]) - naive(&[1.0], &[5.0])).abs() < 1e-12);
    }

    #[test]
    fn the_best_split_is_at_the_shift() {
        let series = [1.0, 1.1, 0.9, 1.0, 5.0, 5.1, 4.9, 5.0];
        let d = Distances::new(&series);
        assert_eq!(d.best_split(0, series.len()).map(|(t, _)| t), Some(4));
        assert_eq!(d.best_split(0, 1), None);
    }
}
