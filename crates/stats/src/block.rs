//! The circular block bootstrap (Politis and Romano, 1992) and the rule that picks its block
//! length from the data.
//!
//! Seconds of a load test are not independent: a slow second tends to follow a slow second
//! (a GC pause, a queue draining). Resampling single seconds would treat them as independent
//! and give intervals that are too narrow. The circular block bootstrap resamples runs of
//! `L` consecutive seconds (wrapping around the end so every second is drawn equally often),
//! which keeps the dependence inside each block.
//!
//! Block length: the automatic rule of Politis and White (2004), with the correction of
//! Patton, Politis and White (2009), as the `arch` package implements it
//! (`arch.bootstrap.optimal_block_length`): find the lag `m` after which `K_N` consecutive
//! autocorrelations are insignificant, estimate the spectral quantities `G` and `D` with the
//! flat-top lag window up to `M = 2m`, then `b = (2 G² / D)^(1/3) · n^(1/3)` with
//! `D = 4/3 · g(0)²` for the circular bootstrap. Small runs hide their autocorrelation in
//! noise, so the length used is never below `n^(1/3)` (the rate-optimal order of Hall,
//! Horowitz and Jing, 1995) and never above `min(3√n, n/3)`.

use crate::rng::Rng;

/// The block length for the circular block bootstrap of `series` (one value per second,
/// e.g. its mean latency): the Politis–White estimate, at least `⌈n^(1/3)⌉`, at most
/// `⌈min(3√n, n/3)⌉`, and 1 for series shorter than 4.
pub fn block_length(series: &[f64]) -> usize {
    let n = series.len();
    if n < 4 {
        return 1;
    }
    let nf = n as f64;
    let floor = nf.cbrt().ceil();
    let ceiling = (3.0 * nf.sqrt()).min(nf / 3.0).ceil().max(1.0);
    let estimate = politis_white(series).unwrap_or(floor);
    estimate.ceil().clamp(floor.min(ceiling), ceiling) as usize
}

/// The Politis–White optimal block length for the circular bootstrap, unclamped; `None`
/// for a constant series (no dependence to keep).
pub fn politis_white(series: &[f64]) -> Option<f64> {
    let n = series.len();
    let nf = n as f64;
    let mean = series.iter().sum::<f64>() / nf;
    let eps: Vec<f64> = series.iter().map(|x| x - mean).collect();
    let k_n = 5usize.max(nf.log10().sqrt().ceil() as usize);
    let m_max = (nf.sqrt().ceil() as usize + k_n).min(n - 2);
    let critical = 2.0 * (nf.log10() / nf).sqrt();
    let acv: Vec<f64> = (0..=m_max).map(|k| autocovariance(&eps, k)).collect();
    if acv[0] <= 0.0 {
        return None;
    }
    let rho: Vec<f64> = acv.iter().map(|c| (c / acv[0]).abs()).collect();
    // The first lag m after which K_N autocorrelations in a row are insignificant.
    let m_hat = (m_max > k_n)
        .then(|| (0..=m_max - k_n).find(|&m| rho[m + 1..=m + k_n].iter().all(|&r| r < critical)))
        .flatten();
    let big_m = m_hat.map_or(m_max, |m| (2 * m.max(1)).min(m_max));
    let (mut g, mut long_run) = (0.0, acv[0]);
    for (k, c) in acv.iter().enumerate().take(big_m + 1).skip(1) {
        let x = k as f64 / big_m as f64;
        let lambda = if x <= 0.5 { 1.0 } else { 2.0 * (1.0 - x) };
        g += 2.0 * lambda * k as f64 * c;
        long_run += 2.0 * lambda * c;
    }
    let d_cb = 4.0 / 3.0 * long_run * long_run;
    if d_cb <= 0.0 || !g.is_finite() {
        return None;
    }
    Some((2.0 * g * g / d_cb).cbrt() * nf.cbrt())
}

/// The lag-`k` autocovariance of centred values (divided by n, as the estimator requires).
fn autocovariance(eps: &[f64], k: usize) -> f64 {
    let n = eps.len();
    eps[k..].iter().zip(&eps[..n - k]).map(|(a, b)| a * b).sum::<f64>() / n as f64
}

/// Draws circular-block-bootstrap index sequences: blocks of `len` consecutive positions
/// starting at uniform positions of `0..n`, wrapping at `n`, concatenated and cut at `n`.
#[derive(Debug, Clone, Copy)]
pub struct BlockSampler {
    n: usize,
    len: usize,
}

impl BlockSampler {
    /// A sampler over `n` units with blocks of `len` (clamped to `1..=n`).
    pub fn new(n: usize, len: usize) -> BlockSampler {
        BlockSampler {
            n,
            len: len.clamp(1, n.max(1)),
        }
    }

    pub fn block_len(&self) -> usize {
        self.len
    }

    /// Fills `out` with one resample's `n` indexes.
    pub fn draw(&self, rng: &mut Rng, out: &mut Vec<usize>) {
        out.clear();
        if self.n == 0 {
            return;
        }
        while out.len() < self.n {
            let start = rng.below(self.n);
            let take = self.len.min(self.n - out.len());
            out.extend((0..take).map(|j| (start + j) % self.n));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An AR(1) series x_t = φ x_{t−1} + e_t.
    fn ar1(phi: f64, n: usize, seed: u64) -> Vec<f64> {
        let mut rng = Rng::new(seed);
        let mut x = 0.0;
        (0..n)
            .map(|_| {
                x = phi * x + rng.normal();
                x
            })
            .collect()
    }

    #[test]
    fn white_noise_gets_the_floor() {
        let n = 1000;
        assert_eq!(block_length(&ar1(0.0, n, 3)), 10, "⌈1000^(1/3)⌉");
    }

    #[test]
    fn dependence_lengthens_blocks() {
        // AR(1): G/g(0) = 2φ/(1−φ²), so the optimal length is (3/2)^(1/3)·(G/g)^(2/3)·n^(1/3):
        // 6.4 for φ = 0.2 and 31 for φ = 0.8 at n = 1000.
        let weak = politis_white(&ar1(0.2, 1000, 5)).unwrap_or_default();
        let strong = politis_white(&ar1(0.8, 1000, 5)).unwrap_or_default();
        assert!((2.0..=14.0).contains(&weak), "{weak}");
        assert!((18.0..=50.0).contains(&strong), "{strong}");
        let b = block_length(&ar1(0.8, 1000, 5));
        assert!((18..=50).contains(&b), "{b}");
    }

    #[test]
    fn short_and_constant_series() {
        assert_eq!(block_length(&[1.0, 2.0, 3.0]), 1);
        assert_eq!(block_length(&[5.0; 10]), 3, "constant: the n^(1/3) floor");
        assert!(politis_white(&[5.0; 10]).is_none());
        assert_eq!(block_length(&ar1(0.99, 10, 1)), 4, "capped at ⌈min(3√10, 10/3)⌉");
    }

    #[test]
    fn sampler_draws_wrapped_blocks_of_the_length() {
        let s = BlockSampler::new(10, 3);
        let mut rng = Rng::new(9);
        let mut idx = Vec::new();
        let mut seen = [0u32; 10];
        for _ in 0..2000 {
            s.draw(&mut rng, &mut idx);
            assert_eq!(idx.len(), 10);
            for w in idx.chunks(3) {
                for pair in w.windows(2) {
                    assert_eq!(pair[1], (pair[0] + 1) % 10, "{idx:?}");
                }
            }
            idx.iter().for_each(|&i| seen[i] += 1);
        }
        // Circular: every position is drawn equally often (2000 × 10 / 10 each).
        assert!(seen.iter().all(|&c| (1800..2200).contains(&c)), "{seen:?}");
    }
}
