//! Levenberg–Marquardt for the three USL parameters with the bounds `λ > 0`, `σ ≥ 0`,
//! `κ ≥ 0`. The bounded optimum lies either inside the feasible region or on one of its
//! faces (`σ = 0`, `κ = 0`, or both), so the solver runs once per face with the pinned
//! parameters held at 0, from a linearised first guess, and keeps the best.

// Fixed 3×3 linear algebra reads clearest with indices.
#![allow(clippy::needless_range_loop)]

use crate::{Point, model};

const MAX_ITERATIONS: usize = 500;

/// Which parameters move: `[λ, σ, κ]`.
type Mask = [bool; 3];

/// The best bounded least-squares `(λ, σ, κ)` for `points` (already checked).
pub(crate) fn fit(points: &[Point]) -> (f64, f64, f64) {
    let (lambda0, sigma0, kappa0) = initial(points);
    let starts = [
        ([lambda0, sigma0, kappa0], [true, true, true]),
        ([lambda0, sigma0.max(0.01), kappa0.max(1e-4)], [true, true, true]),
        ([lambda0, 0.0, kappa0.max(1e-4)], [true, false, true]),
        ([lambda0, sigma0.max(0.01), 0.0], [true, true, false]),
        ([lambda0, 0.0, 0.0], [true, false, false]),
    ];
    let mut best = ([lambda0, 0.0, 0.0], f64::INFINITY);
    for (start, mask) in starts {
        let p = solve(points, start, mask);
        let cost = sse(points, &p);
        if cost < best.1 {
            best = (p, cost);
        }
    }
    let [lambda, sigma, kappa] = best.0;
    (lambda, sigma, kappa)
}

/// λ from the smallest level; σ and κ from the linearised law
/// `λN/X − 1 = (σ+κ)(N−1) + κ(N−1)²` by least squares through the origin.
fn initial(points: &[Point]) -> (f64, f64, f64) {
    let n_min = points.iter().map(|p| p.n).fold(f64::INFINITY, f64::min);
    let at_min: Vec<f64> = points
        .iter()
        .filter(|p| p.n == n_min)
        .map(|p| p.throughput / p.n)
        .collect();
    let mut lambda = at_min.iter().sum::<f64>() / at_min.len().max(1) as f64;
    if lambda <= 0.0 {
        lambda = points.iter().map(|p| p.throughput / p.n).fold(0.0, f64::max);
    }
    let (mut sxx, mut sxx2, mut sx2x2, mut sxy, mut sx2y) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for p in points.iter().filter(|p| p.throughput > 0.0) {
        let x = p.n - 1.0;
        let y = lambda * p.n / p.throughput - 1.0;
        sxx += x * x;
        sxx2 += x * x * x;
        sx2x2 += x * x * x * x;
        sxy += x * y;
        sx2y += x * x * y;
    }
    let det = sxx * sx2x2 - sxx2 * sxx2;
    let (a, b) = if det.abs() > f64::EPSILON * sxx * sx2x2 && det != 0.0 {
        ((sxy * sx2x2 - sx2y * sxx2) / det, (sxx * sx2y - sxx2 * sxy) / det)
    } else {
        (0.0, 0.0)
    };
    let kappa = b.max(0.0);
    let sigma = (a - kappa).max(0.0);
    (lambda, sigma, kappa)
}

fn sse(points: &[Point], p: &[f64; 3]) -> f64 {
    points
        .iter()
        .map(|q| (q.throughput - model(p[0], p[1], p[2], q.n)).powi(2))
        .sum()
}

/// Keeps λ positive and σ, κ non-negative.
fn project(p: [f64; 3]) -> [f64; 3] {
    [p[0].max(f64::MIN_POSITIVE), p[1].max(0.0), p[2].max(0.0)]
}

// Kept out of line: inlined into `fit`, the release build (rustc 1.95, LTO) returned the
// solution with σ zeroed while the cost had been computed on the real σ, so `loadcell
// scale` reported σ = 0 for targets with real contention. scripts/test.sh checks the
// release binary on such points (`loadcell scale --points`).
#[inline(never)]
fn solve(points: &[Point], start: [f64; 3], mask: Mask) -> [f64; 3] {
    let mut p = project(start);
    let mut cost = sse(points, &p);
    let mut mu = 1e-3;
    for _ in 0..MAX_ITERATIONS {
        let (jtj, jtr) = normal_equations(points, &p, mask);
        let mut improved = false;
        while mu < 1e16 {
            let mut a = jtj;
            for (i, row) in a.iter_mut().enumerate() {
                row[i] += mu * jtj[i][i].max(1e-30);
            }
            let Some(step) = solve3(a, jtr) else {
                mu *= 10.0;
                continue;
            };
            let mut trial = p;
            for i in 0..3 {
                if mask[i] {
                    trial[i] += step[i];
                }
            }
            let trial = project(trial);
            let trial_cost = sse(points, &trial);
            if trial_cost.is_finite() && trial_cost < cost {
                let converged = (cost - trial_cost) <= 1e-15 * cost.max(f64::MIN_POSITIVE)
                    || (0..3).all(|i| (trial[i] - p[i]).abs() <= 1e-12 * p[i].abs().max(1e-12));
                p = trial;
                cost = trial_cost;
                mu = (mu / 3.0).max(1e-12);
                improved = true;
                if converged {
                    return p;
                }
                break;
            }
            mu *= 4.0;
        }
        if !improved {
            break;
        }
    }
    p
}

/// `JᵀJ` and `Jᵀr` for residuals `r = X − model`; pinned parameters get an identity row.
fn normal_equations(points: &[Point], p: &[f64; 3], mask: Mask) -> ([[f64; 3]; 3], [f64; 3]) {
    let [lambda, sigma, kappa] = *p;
    let mut jtj = [[0.0; 3]; 3];
    let mut jtr = [0.0; 3];
    for q in points {
        let n = q.n;
        let c = 1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0);
        let f = lambda * n / c;
        let mut j = [n / c, -f * (n - 1.0) / c, -f * n * (n - 1.0) / c];
        for i in 0..3 {
            if !mask[i] {
                j[i] = 0.0;
            }
        }
        let r = q.throughput - f;
        for a in 0..3 {
            jtr[a] += j[a] * r;
            for b in 0..3 {
                jtj[a][b] += j[a] * j[b];
            }
        }
    }
    for i in 0..3 {
        if !mask[i] {
            jtj[i] = [0.0; 3];
            jtj[i][i] = 1.0;
            jtr[i] = 0.0;
        }
    }
    (jtj, jtr)
}

/// Gaussian elimination with partial pivoting; `None` for a singular system.
fn solve3(mut a: [[f64; 3]; 3], mut b: [f64; 3]) -> Option<[f64; 3]> {
    for col in 0..3 {
        let pivot = (col..3).max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))?;
        if a[pivot][col].abs() < 1e-300 || !a[pivot][col].is_finite() {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..3 {
            let factor = a[row][col] / a[col][col];
            for k in col..3 {
                a[row][k] -= factor * a[col][k];
            }
            b[row] -= factor * b[col];
        }
    }
    let mut x = [0.0; 3];
    for row in (0..3).rev() {
        let tail: f64 = (row + 1..3).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - tail) / a[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}
