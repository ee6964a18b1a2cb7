//! A scenario's own metrics (k6's `Counter`, `Trend`, `Rate`, `Gauge`): one slot per step and
//! metric it adds to in every recorder (so results split by journey, step and scenario, as
//! checks do), written by that step; a metric's value is its slots merged. A slot keeps what every kind
//! needs (count, sum, min, max, last value, non-zero values, values that were not numbers) and,
//! for trends, an HDR histogram of the values in thousandths (3 significant digits, like the
//! latency histograms), so percentiles merge exactly across workers and intervals.

use crate::endpoint::merge_histogram;
use crate::histogram::{LatencyHistogram, new_histogram, record_us};

/// Trend values are kept in the histogram as `value × SCALE` rounded: a resolution of 0.001
/// (of a millisecond, a byte or a plain number), with 3 significant digits above that.
pub const CUSTOM_SCALE: f64 = 1000.0;

/// The values one custom metric received (in one worker and interval, or merged).
#[derive(Debug, Clone)]
pub struct CustomValues {
    /// Values added (for a rate: samples, true or false).
    pub count: u64,
    /// Their sum (a counter's total).
    pub sum: f64,
    pub min: f64,
    pub max: f64,
    /// The most recent value (a gauge's value). Across workers of one interval, the merge
    /// keeps the value of the recorder merged last.
    pub last: f64,
    /// Values that were not zero (a rate's passes).
    pub nonzero: u64,
    /// Adds that had no number to add: a template that did not render to one, or a negative
    /// value for a trend. Not in `count`.
    pub invalid: u64,
    /// Trend values × [`CUSTOM_SCALE`]; empty for the other kinds.
    pub histogram: LatencyHistogram,
}

impl Default for CustomValues {
    fn default() -> Self {
        CustomValues {
            count: 0,
            sum: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            last: 0.0,
            nonzero: 0,
            invalid: 0,
            histogram: new_histogram(),
        }
    }
}

impl CustomValues {
    /// Adds one value; `trend` also records it in the histogram (a negative or non-finite
    /// value cannot be, and counts as invalid instead). No allocation unless the histogram
    /// must grow to a new order of magnitude.
    #[inline]
    pub fn add(&mut self, value: f64, trend: bool) {
        if !value.is_finite() || (trend && value < 0.0) {
            self.invalid += 1;
            return;
        }
        self.count += 1;
        self.sum += value;
        self.min = self.min.min(value);
        self.max = self.max.max(value);
        self.last = value;
        self.nonzero += u64::from(value != 0.0);
        if trend {
            record_us(&mut self.histogram, (value * CUSTOM_SCALE).round() as u64);
        }
    }

    /// Counts an add that had no number.
    #[inline]
    pub fn add_invalid(&mut self) {
        self.invalid += 1;
    }

    /// Adds `other` into `self`; `other`'s last value wins when it has one.
    pub fn merge(&mut self, other: &CustomValues) {
        if other.count > 0 {
            self.last = other.last;
        }
        self.count += other.count;
        self.sum += other.sum;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.nonzero += other.nonzero;
        self.invalid += other.invalid;
        merge_histogram(&mut self.histogram, &other.histogram);
    }

    /// The trend's value at quantile `q` (0..=1), in the metric's own unit.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        (!self.histogram.is_empty()).then(|| self.histogram.value_at_quantile(q) as f64 / CUSTOM_SCALE)
    }

    /// The mean of the values added.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / self.count as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_each_kind_needs_and_merges() {
        let mut a = CustomValues::default();
        for v in 1..=100 {
            a.add(f64::from(v), true);
        }
        a.add(f64::NAN, true);
        a.add(-1.0, true);
        let mut b = CustomValues::default();
        b.add(0.0, false);
        b.add(7.5, false);
        let mut sum = CustomValues::default();
        sum.merge(&a);
        sum.merge(&b);
        assert_eq!((sum.count, sum.invalid, sum.nonzero), (102, 2, 101));
        assert!((sum.sum - 5057.5).abs() < 1e-9);
        assert_eq!((sum.min, sum.max, sum.last), (0.0, 100.0, 7.5));
        // The histogram holds only the trend's values: 1..=100, to 3 significant digits.
        let p95 = a.quantile(0.95).unwrap_or_default();
        assert!((p95 - 95.0).abs() <= 0.1, "{p95}");
        assert_eq!(sum.quantile(0.5), a.quantile(0.5));
        assert_eq!(b.quantile(0.5), None);
    }

    #[test]
    fn fractions_keep_a_thousandth() {
        let mut t = CustomValues::default();
        t.add(0.125, true);
        assert_eq!(t.quantile(1.0), Some(0.125));
        assert_eq!(t.mean(), Some(0.125));
        assert_eq!(CustomValues::default().mean(), None);
    }
}
