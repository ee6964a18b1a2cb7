//! The sweep as `summary.json` says it: the `scale` section with the measured points, the
//! fitted Universal Scalability Law and the fitted curve.

use super::Level;
use loadcell_schema::{ScaleCurvePoint, ScalePoint, ScaleSummary, UslFit};
use loadcell_usl::{Fit, Point};

/// The `scale` section. `fit` is the fit or why there is none; `curve` the fitted points.
pub fn scale(
    levels: &[Level],
    planned: &[u64],
    fit: Result<&Fit, String>,
    curve: &[Point],
    step_duration_s: f64,
    step_warmup_s: f64,
) -> ScaleSummary {
    let fit: Result<Fit, String> = fit.copied();
    // Measured efficiency needs a measured X(1); without a 1-VU level it stays empty
    // rather than borrowing the fitted λ.
    let x1 = levels
        .iter()
        .find(|l| l.vus == 1 && l.throughput > 0.0)
        .map(|l| l.throughput);
    let f = fit.as_ref().ok();
    ScaleSummary {
        step_duration_s,
        step_warmup_s,
        points: levels
            .iter()
            .map(|l| ScalePoint {
                vus: l.vus,
                requests: l.requests,
                failed: l.failed,
                seconds: l.seconds,
                throughput: l.throughput,
                mean_ms: l.mean_ms,
                p95_ms: l.p95_ms,
                efficiency: x1.map(|x1| l.throughput / (l.vus as f64 * x1)),
                fitted_throughput: f.map(|f| f.throughput(l.vus as f64)),
                fitted_efficiency: f.map(|f| f.efficiency(l.vus as f64)),
            })
            .collect(),
        fit: f.map(|f| UslFit {
            lambda: f.lambda,
            sigma: f.sigma,
            kappa: f.kappa,
            r_squared: f.r_squared,
            peak_vus: f.peak_concurrency(),
            peak_throughput: f.peak_throughput(),
            ceiling: f.ceiling(),
            rmse: f.rmse,
        }),
        error: fit.err(),
        curve: curve
            .iter()
            .map(|p| ScaleCurvePoint {
                vus: p.n,
                throughput: p.throughput,
            })
            .collect(),
        planned_vus: planned.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(vus: u64, throughput: f64) -> Level {
        Level {
            vus,
            requests: (throughput * 2.0) as u64,
            failed: 0,
            seconds: 2.0,
            throughput,
            mean_ms: Some(10.0),
            p95_ms: Some(12.0),
        }
    }

    #[test]
    fn points_carry_measured_and_fitted_efficiency() {
        let fit = Fit {
            lambda: 100.0,
            sigma: 0.1,
            kappa: 0.0,
            r_squared: 0.99,
            rmse: 1.0,
        };
        let levels = [level(1, 100.0), level(2, 180.0), level(4, 300.0)];
        let s = scale(&levels, &[1, 2, 4, 8], Ok(&fit), &[], 2.0, 0.4);
        assert_eq!(s.points[1].efficiency, Some(0.9));
        let fitted = s.points[2].fitted_efficiency.unwrap_or_default();
        assert!((fitted - 1.0 / 1.3).abs() < 1e-12, "{fitted}");
        let ceiling = s.fit.as_ref().and_then(|f| f.ceiling).unwrap_or_default();
        assert!((ceiling - 1000.0).abs() < 1e-9, "λ/σ = {ceiling}");
        assert_eq!(s.planned_vus, [1, 2, 4, 8]);
        assert!(s.error.is_none());

        let without_one = scale(&levels[1..], &[2, 4], Err("no fit".into()), &[], 2.0, 0.4);
        assert_eq!(without_one.points[0].efficiency, None);
        assert_eq!(without_one.error.as_deref(), Some("no fit"));
        assert!(without_one.fit.is_none() && without_one.points[0].fitted_throughput.is_none());
    }
}
