//! Synthetic `loadcell capacity` and `loadcell scale` summaries for unit tests: a search
//! that converged at 150/s under `p95<200ms` with a knee, and a sweep of six levels with a
//! fitted USL that peaks. Each starts from [`super::summary`] and fills in its section.
#![allow(clippy::needless_update)]

use loadcell_schema::*;

fn step(offered: f64, p95: f64, passed: bool) -> CapacityStep {
    CapacityStep {
        offered_rate: offered,
        achieved_rate: if passed { offered } else { offered * 0.9 },
        p50_ms: Some(p95 * 0.8),
        p95_ms: Some(p95),
        p99_ms: Some(p95 * 1.1),
        error_pct: if passed { 0.0 } else { 0.5 },
        scheduled: (offered * 2.0) as u64,
        dropped: if passed { 0 } else { 3 },
        interrupted: 0,
        passed,
        failed: if passed {
            Vec::new()
        } else {
            vec![format!("p95<200ms (actual {p95:.2} ms)")]
        },
        elapsed_s: 2.6,
        ..Default::default()
    }
}

/// A capacity search: steps at 10, 20, 40, 80, 160 (fails), 120, 140, 150, 155 (fails).
pub fn capacity() -> Summary {
    let mut s = super::summary(30);
    let steps = [
        (10.0, 103.0, true),
        (20.0, 103.0, true),
        (40.0, 103.7, true),
        (80.0, 102.7, true),
        (160.0, 279.8, false),
        (120.0, 102.5, true),
        (140.0, 102.5, true),
        (150.0, 130.2, true),
        (155.0, 206.3, false),
    ];
    s.capacity = Some(CapacitySummary {
        slos: vec!["p95<200ms".to_string(), "error_rate<1%".to_string()],
        capacity_per_s: Some(150.0),
        highest_pass_per_s: Some(150.0),
        lowest_fail_per_s: Some(155.0),
        stop: loadcell_schema::SearchStop::Converged,
        knee: Some(CapacityKnee {
            offered_rate: 140.0,
            p95_ms: 102.5,
        }),
        step_duration_s: 2.0,
        max_time_s: 300.0,
        elapsed_s: 24.9,
        steps: steps.iter().map(|&(r, p, ok)| step(r, p, ok)).collect(),
        step_warmup_s: 0.4,
        precision: 0.05,
        latency_limits: vec![LatencyLimit {
            slo: "p95<200ms".to_string(),
            percentile: 95.0,
            limit_ms: 200.0,
        }],
        ..Default::default()
    });
    s
}

/// A scale sweep of 1–32 VUs with λ = 50, σ = 0.02, κ = 0.002 (peak near 22 VUs).
pub fn scale() -> Summary {
    let mut s = super::summary(30);
    s.model = Model::Closed;
    s.thresholds.clear();
    let (lambda, sigma, kappa) = (50.0, 0.02, 0.002);
    let x = |n: f64| lambda * n / (1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0));
    let points = [1u64, 2, 4, 8, 16, 32]
        .iter()
        .map(|&vus| {
            let n = vus as f64;
            let measured = x(n) * if vus % 2 == 0 { 1.01 } else { 0.99 };
            ScalePoint {
                vus,
                requests: (measured * 2.0) as u64,
                failed: 0,
                seconds: 2.0,
                throughput: measured,
                mean_ms: Some(1000.0 * n / measured),
                p95_ms: Some(1200.0 * n / measured),
                efficiency: Some(measured / (n * x(1.0) * 0.99)),
                fitted_throughput: Some(x(n)),
                fitted_efficiency: Some(x(n) / (n * lambda)),
                ..Default::default()
            }
        })
        .collect();
    let peak = ((1.0 - sigma) / kappa).sqrt();
    s.scale = Some(ScaleSummary {
        step_duration_s: 2.0,
        step_warmup_s: 0.4,
        points,
        fit: Some(UslFit {
            lambda,
            sigma,
            kappa,
            r_squared: 0.9991,
            peak_vus: Some(peak),
            peak_throughput: Some(x(peak)),
            ceiling: None,
            rmse: 2.5,
            ..Default::default()
        }),
        error: None,
        curve: (0..64)
            .map(|i| {
                let n = 1.0 + 47.0 * i as f64 / 63.0;
                ScaleCurvePoint {
                    vus: n,
                    throughput: x(n),
                }
            })
            .collect(),
        planned_vus: vec![1, 2, 4, 8, 16, 32],
        ..Default::default()
    });
    s
}
