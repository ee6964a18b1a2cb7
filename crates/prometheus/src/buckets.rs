//! The fixed histogram buckets of the latency metrics, and how an HDR histogram of
//! microseconds becomes cumulative Prometheus buckets with `_sum` and `_count`.

use loadcell_metrics::LatencyHistogram;

/// Upper bounds (seconds) of the finite buckets; `+Inf` follows. Fixed so that series from
/// every run and endpoint aggregate, dense where SLOs usually sit (50 ms … 1 s).
pub const BUCKET_BOUNDS_S: [f64; 17] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The same bounds in whole microseconds, the histograms' unit.
const BOUNDS_US: [u64; 17] = [
    500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 200_000, 300_000, 500_000, 750_000, 1_000_000,
    2_500_000, 5_000_000, 10_000_000, 30_000_000,
];

/// The bounds as `le` label values (canonical floats, identical in both formats).
pub(crate) const LE: [&str; 18] = [
    "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.2", "0.3", "0.5", "0.75", "1.0", "2.5",
    "5.0", "10.0", "30.0", "+Inf",
];

/// One histogram as Prometheus sees it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Buckets {
    /// Observations ≤ each finite bound, cumulative (so non-decreasing).
    pub cumulative: [u64; BOUNDS_US.len()],
    /// All observations (the `+Inf` bucket and `_count`).
    pub count: u64,
    /// Sum of observations in seconds.
    pub sum_s: f64,
}

impl Buckets {
    /// Counts of every bucket, `+Inf` last.
    pub fn with_inf(&self) -> impl Iterator<Item = u64> + '_ {
        self.cumulative.iter().copied().chain(std::iter::once(self.count))
    }
}

/// Buckets of `h` (µs). A value counts towards a bound when the lowest value HDR treats as
/// equivalent to it is ≤ the bound: exact below 2 ms, within 0.1% above. The sum adds each
/// value's median equivalent in integers, so it never decreases while counts grow.
pub(crate) fn from_histogram(h: &LatencyHistogram) -> Buckets {
    let mut per_bucket = [0u64; BOUNDS_US.len()];
    let mut sum_us: u128 = 0;
    let mut count: u64 = 0;
    let mut bucket = 0;
    for v in h.iter_recorded() {
        let value = v.value_iterated_to();
        let n = v.count_at_value();
        count += n;
        sum_us += u128::from(h.median_equivalent(value)) * u128::from(n);
        let low = h.lowest_equivalent(value);
        while bucket < BOUNDS_US.len() && low > BOUNDS_US[bucket] {
            bucket += 1;
        }
        if let Some(slot) = per_bucket.get_mut(bucket) {
            *slot += n;
        }
    }
    let mut cumulative = [0u64; BOUNDS_US.len()];
    let mut running = 0;
    for (out, n) in cumulative.iter_mut().zip(per_bucket) {
        running += n;
        *out = running;
    }
    Buckets {
        cumulative,
        count,
        sum_s: sum_us as f64 / 1e6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use loadcell_metrics::{new_histogram, record_us};

    #[test]
    fn bound_tables_agree() {
        for (i, s) in BUCKET_BOUNDS_S.iter().enumerate() {
            assert_eq!((s * 1e6).round() as u64, BOUNDS_US[i]);
            assert_eq!(LE[i].parse::<f64>().unwrap(), *s);
            assert!(LE[i].contains('.'), "canonical float: {}", LE[i]);
        }
        assert!(BOUNDS_US.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(LE[LE.len() - 1], "+Inf");
    }

    #[test]
    fn counts_values_at_or_below_each_bound() {
        let mut h = new_histogram();
        for us in [100, 500, 501, 1_000, 40_000, 1_000_000, 45_000_000] {
            record_us(&mut h, us);
        }
        let b = from_histogram(&h);
        assert_eq!(b.count, 7);
        assert_eq!(b.cumulative[0], 2, "100 and 500 are ≤ 0.5 ms");
        assert_eq!(b.cumulative[1], 4, "501 and 1000 are ≤ 1 ms");
        assert_eq!(b.cumulative[6], 5, "40 ms ≤ 50 ms");
        assert_eq!(b.cumulative[12], 6, "1 s ≤ 1 s");
        assert_eq!(b.cumulative[16], 6, "45 s only in +Inf");
        assert!(b.cumulative.windows(2).all(|w| w[0] <= w[1]));
        let exact = (100 + 500 + 501 + 1_000 + 40_000 + 1_000_000 + 45_000_000) as f64 / 1e6;
        assert!((b.sum_s - exact).abs() / exact < 0.001, "{} vs {exact}", b.sum_s);
        assert_eq!(b.with_inf().last(), Some(7));
    }

    #[test]
    fn empty_histogram_is_all_zero() {
        let b = from_histogram(&new_histogram());
        assert_eq!((b.count, b.sum_s), (0, 0.0));
        assert!(b.with_inf().all(|n| n == 0));
    }
}
