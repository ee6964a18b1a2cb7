//! The latency histogram type and its conversion to summary statistics.

use hdrhistogram::Histogram;
use loadcell_schema::LatencyStats;

/// Latencies in microseconds, 3 significant digits, growing as larger values arrive
/// (never capped at the timeout, so a 30 s stall is recorded as 30 s).
pub type LatencyHistogram = Histogram<u64>;

/// A fresh, empty latency histogram.
pub fn new_histogram() -> LatencyHistogram {
    let mut h = Histogram::new(3).unwrap_or_else(|_| unreachable_histogram());
    h.auto(true);
    h
}

/// `Histogram::new(3)` only fails for sigfig > 5; keep a total fallback rather than panic.
fn unreachable_histogram() -> LatencyHistogram {
    Histogram::new_with_bounds(1, 3_600_000_000, 2).unwrap_or_else(|_| unreachable_histogram())
}

/// Records `us`, growing the histogram if needed. (`saturating_record` would clamp to the
/// current range of an auto-resizing histogram, silently turning a 1 s stall into 2 µs.)
#[inline]
pub fn record_us(h: &mut LatencyHistogram, us: u64) {
    record_us_n(h, us, 1);
}

/// Records `n` samples of `us`, growing the histogram if needed.
#[inline]
pub fn record_us_n(h: &mut LatencyHistogram, us: u64, n: u64) {
    if h.record_n(us, n).is_err() {
        h.saturating_record_n(us, n);
    }
}

/// Summary statistics of a histogram of microseconds, in milliseconds.
pub fn latency_stats(h: &LatencyHistogram) -> LatencyStats {
    if h.is_empty() {
        return LatencyStats::default();
    }
    let ms = |us: u64| us as f64 / 1000.0;
    LatencyStats {
        count: h.len(),
        min: ms(h.min()),
        mean: h.mean() / 1000.0,
        stdev: h.stdev() / 1000.0,
        p50: ms(h.value_at_quantile(0.50)),
        p90: ms(h.value_at_quantile(0.90)),
        p95: ms(h.value_at_quantile(0.95)),
        p99: ms(h.value_at_quantile(0.99)),
        p999: ms(h.value_at_quantile(0.999)),
        max: ms(h.max()),
    }
}

/// The percentile spectrum of a histogram in milliseconds: every 10% up to 90%, then
/// log-spaced towards 100% (90, 94.4, 96.8, 98.2, 99, … 99.999) and the maximum, as
/// HdrHistogram's percentile plots show it.
pub fn percentile_spectrum(h: &LatencyHistogram) -> Vec<(f64, f64)> {
    if h.is_empty() {
        return Vec::new();
    }
    let mut points: Vec<f64> = (0..9).map(|i| f64::from(i) * 10.0).collect();
    let mut x = 1.0;
    while x <= 5.0 + 1e-9 {
        points.push(100.0 * (1.0 - 10f64.powf(-x)));
        x += 0.25;
    }
    let mut out: Vec<(f64, f64)> = points
        .into_iter()
        .map(|p| (p, h.value_at_quantile(p / 100.0) as f64 / 1000.0))
        .collect();
    out.push((100.0, h.max() as f64 / 1000.0));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_of_a_known_distribution() {
        let mut h = new_histogram();
        for v in 1..=1000u64 {
            h.record(v * 1000).ok();
        }
        let s = latency_stats(&h);
        assert_eq!(s.count, 1000);
        assert!((s.p50 - 500.0).abs() <= 0.5, "{s:?}");
        assert!((s.p99 - 990.0).abs() <= 1.0, "{s:?}");
        assert!((s.max - 1000.0).abs() <= 1.0, "{s:?}");
        assert!((s.min - 1.0).abs() < 0.01);
    }

    #[test]
    fn grows_beyond_any_timeout() {
        let mut h = new_histogram();
        record_us(&mut h, 150);
        record_us(&mut h, 30_000_000);
        let s = latency_stats(&h);
        assert!((s.max - 30_000.0).abs() < 30.0, "{s:?}");
        assert!((s.min - 0.150).abs() < 0.001, "{s:?}");
    }

    #[test]
    fn empty_histogram_gives_zeroes() {
        assert_eq!(latency_stats(&new_histogram()), LatencyStats::default());
    }
}
