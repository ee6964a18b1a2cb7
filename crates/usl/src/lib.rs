//! The Universal Scalability Law (Gunther): throughput at concurrency `N` is
//!
//! ```text
//! X(N) = λN / (1 + σ(N−1) + κN(N−1))
//! ```
//!
//! with `λ` the throughput of one user, `σ` contention (the serialized share of the
//! work, Amdahl's law) and `κ` coherency (pairwise crosstalk, which makes throughput
//! fall past a peak). [`fit`] estimates the three parameters from measured points by
//! bounded nonlinear least squares (Levenberg–Marquardt with `σ, κ ≥ 0`), and
//! [`Fit`] answers the questions a sweep asks: where throughput peaks, what it peaks
//! at, and how efficiently each level uses its users.
//!
//! This crate knows nothing about HTTP or load generation; `loadcell scale` feeds it.

mod error;
mod lm;

pub use error::UslError;

use serde::Serialize;

/// One measured level: `n` concurrent users produced `throughput` per second.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    pub n: f64,
    pub throughput: f64,
}

/// The fitted law and how well it fits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Fit {
    /// Throughput of a single user (per second).
    pub lambda: f64,
    /// Contention: the serialized share of the work.
    pub sigma: f64,
    /// Coherency: the cost of pairwise crosstalk.
    pub kappa: f64,
    /// Coefficient of determination of the fit over the measured points (1 is perfect).
    pub r_squared: f64,
    /// Root mean square of the residuals, in throughput units.
    pub rmse: f64,
}

/// One row of the efficiency table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Efficiency {
    pub n: f64,
    /// Measured throughput at `n`.
    pub throughput: f64,
    /// Measured throughput per user relative to one user: `X(N) / (N · X(1))`.
    pub efficiency: f64,
    /// The same ratio predicted by the fit: `1 / (1 + σ(N−1) + κN(N−1))`.
    pub fitted_efficiency: f64,
}

impl Fit {
    /// The fitted throughput at concurrency `n`.
    pub fn throughput(&self, n: f64) -> f64 {
        model(self.lambda, self.sigma, self.kappa, n)
    }

    /// The concurrency of peak throughput `N* = √((1−σ)/κ)`; `None` when `κ = 0` (throughput
    /// never falls) or `σ ≥ 1` (it never rises).
    pub fn peak_concurrency(&self) -> Option<f64> {
        if self.kappa > 0.0 && self.sigma < 1.0 {
            Some(((1.0 - self.sigma) / self.kappa).sqrt())
        } else {
            None
        }
    }

    /// The predicted throughput at [`Fit::peak_concurrency`].
    pub fn peak_throughput(&self) -> Option<f64> {
        self.peak_concurrency().map(|n| self.throughput(n))
    }

    /// The limit of throughput as `N → ∞` when `κ = 0` and `σ > 0`: `λ / σ`.
    pub fn ceiling(&self) -> Option<f64> {
        (self.kappa == 0.0 && self.sigma > 0.0).then(|| self.lambda / self.sigma)
    }

    /// Throughput per user relative to one user, as the fit predicts it.
    pub fn efficiency(&self, n: f64) -> f64 {
        1.0 / denominator(self.sigma, self.kappa, n)
    }
}

/// `X(N)` for the given parameters.
pub fn model(lambda: f64, sigma: f64, kappa: f64, n: f64) -> f64 {
    lambda * n / denominator(sigma, kappa, n)
}

fn denominator(sigma: f64, kappa: f64, n: f64) -> f64 {
    1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0)
}

/// Fits the law to `points` (at least three distinct concurrency levels, every `n ≥ 1`,
/// every throughput finite and ≥ 0, some above 0).
pub fn fit(points: &[Point]) -> Result<Fit, UslError> {
    check(points)?;
    let (lambda, sigma, kappa) = lm::fit(points);
    let sse: f64 = points
        .iter()
        .map(|p| (p.throughput - model(lambda, sigma, kappa, p.n)).powi(2))
        .sum();
    let mean = points.iter().map(|p| p.throughput).sum::<f64>() / points.len() as f64;
    let sst: f64 = points.iter().map(|p| (p.throughput - mean).powi(2)).sum();
    let r_squared = if sst > 0.0 {
        1.0 - sse / sst
    } else if sse <= f64::EPSILON * mean * mean {
        1.0
    } else {
        0.0
    };
    Ok(Fit {
        lambda,
        sigma,
        kappa,
        r_squared,
        rmse: (sse / points.len() as f64).sqrt(),
    })
}

/// The efficiency table: each point's throughput per user relative to one user. The
/// reference `X(1)` is the measured point at `n = 1` when there is one, else the fitted `λ`.
pub fn efficiency_table(points: &[Point], fit: &Fit) -> Vec<Efficiency> {
    let x1 = points
        .iter()
        .find(|p| p.n == 1.0 && p.throughput > 0.0)
        .map_or(fit.lambda, |p| p.throughput);
    points
        .iter()
        .map(|p| Efficiency {
            n: p.n,
            throughput: p.throughput,
            efficiency: if x1 > 0.0 { p.throughput / (p.n * x1) } else { 0.0 },
            fitted_efficiency: fit.efficiency(p.n),
        })
        .collect()
}

fn check(points: &[Point]) -> Result<(), UslError> {
    for p in points {
        if !p.n.is_finite() || p.n < 1.0 {
            return Err(UslError::BadConcurrency(p.n));
        }
        if !p.throughput.is_finite() || p.throughput < 0.0 {
            return Err(UslError::BadThroughput {
                n: p.n,
                x: p.throughput,
            });
        }
    }
    let mut levels: Vec<f64> = points.iter().map(|p| p.n).collect();
    levels.sort_by(f64::total_cmp);
    levels.dedup();
    if levels.len() < 3 {
        return Err(UslError::TooFewLevels(levels.len()));
    }
    if points.iter().all(|p| p.throughput == 0.0) {
        return Err(UslError::NoThroughput);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
