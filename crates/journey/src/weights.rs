//! Picking a journey by weight for each new iteration.

/// Cumulative weights for O(log n) picks.
#[derive(Debug, Clone)]
pub struct WeightedPick {
    cumulative: Vec<u64>,
}

impl WeightedPick {
    /// From the weights in journey order (zero weights are never picked).
    pub fn new(weights: impl IntoIterator<Item = u32>) -> WeightedPick {
        let mut total = 0u64;
        let cumulative = weights
            .into_iter()
            .map(|w| {
                total += u64::from(w);
                total
            })
            .collect();
        WeightedPick { cumulative }
    }

    pub fn total(&self) -> u64 {
        self.cumulative.last().copied().unwrap_or(0)
    }

    /// The index picked by `r` uniform in `0..total()`.
    pub fn pick(&self, r: u64) -> usize {
        self.cumulative
            .partition_point(|&c| c <= r)
            .min(self.cumulative.len().saturating_sub(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn shares_follow_weights() {
        let w = WeightedPick::new([20, 40, 30, 10]);
        assert_eq!(w.total(), 100);
        assert_eq!((w.pick(0), w.pick(19), w.pick(20), w.pick(99)), (0, 0, 1, 3));
        let mut rng = Rng::new(3);
        let mut counts = [0u32; 4];
        for _ in 0..100_000 {
            counts[w.pick(rng.below(w.total()))] += 1;
        }
        for (c, expected) in counts.iter().zip([20_000, 40_000, 30_000, 10_000]) {
            assert!((*c as i64 - expected).abs() < 1_000, "{counts:?}");
        }
    }

    #[test]
    fn zero_weights_are_skipped() {
        let w = WeightedPick::new([0, 5, 0]);
        assert!((0..5).all(|r| w.pick(r) == 1));
    }
}
