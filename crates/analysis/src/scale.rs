//! A concurrency sweep as `summary.json` says it: what one level measured ([`Level`]), the
//! Universal Scalability Law fitted to the levels ([`fit_levels`]), and the `scale` section
//! with the measured points, the fit and the fitted curve.

use crate::sweep::Combined;
use loadcell_engine::Outcome;
use loadcell_schema::{ScaleCurvePoint, ScalePoint, ScaleSummary, Summary, TargetUse, UslFit};
use loadcell_usl::{Fit, Point};

/// Points of the fitted curve (for plotting).
const CURVE_POINTS: usize = 64;

/// One measured level (or one given with `--points`).
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    pub vus: u64,
    /// Completed requests in the measured window.
    pub requests: u64,
    /// Of which failed (error responses or transport errors).
    pub failed: u64,
    pub seconds: f64,
    /// Requests per second: `requests / seconds`.
    pub throughput: f64,
    pub mean_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    /// `--monitor`: the target's resources at this level (set by the sweep).
    pub target: Option<TargetUse>,
}

impl Level {
    /// What a run at `vus` VUs measured.
    pub fn of(vus: u64, outcome: &Outcome) -> Level {
        let seconds = outcome.measured.as_secs_f64();
        let overall = outcome.total.overall();
        let requests = overall.requests();
        let latency = |f: &dyn Fn() -> f64| (!overall.latency.is_empty()).then(|| f() / 1000.0);
        Level {
            vus,
            requests,
            failed: overall.failed,
            seconds,
            throughput: if seconds > 0.0 { requests as f64 / seconds } else { 0.0 },
            mean_ms: latency(&|| overall.latency.mean()),
            p95_ms: latency(&|| overall.latency.value_at_quantile(0.95) as f64),
            target: None,
        }
    }

    /// A throughput measured elsewhere (`--points`): no requests, no latency.
    pub fn given(vus: u64, throughput: f64) -> Level {
        Level {
            vus,
            requests: 0,
            failed: 0,
            seconds: 0.0,
            throughput,
            mean_ms: None,
            p95_ms: None,
            target: None,
        }
    }
}

/// `1 VU`, `16 VUs`: how a level is named in the summary's stages and phases.
pub fn vus_name(vus: u64) -> String {
    if vus == 1 {
        "1 VU".to_string()
    } else {
        format!("{vus} VUs")
    }
}

/// Why a sweep has no fit.
#[derive(Debug, thiserror::Error)]
pub enum NoFit {
    #[error("every request failed; is the target up?")]
    AllFailed,
    #[error(transparent)]
    Usl(#[from] loadcell_usl::UslError),
}

/// The levels as points of the fit.
pub fn points_of(levels: &[Level]) -> Vec<Point> {
    levels
        .iter()
        .map(|l| Point {
            n: l.vus as f64,
            throughput: l.throughput,
        })
        .collect()
}

/// The USL fit of the levels measured, or why there is none.
pub fn fit_levels(measured: &[Level]) -> Result<Fit, NoFit> {
    if !measured.is_empty() && measured.iter().all(|l| l.failed == l.requests) {
        return Err(NoFit::AllFailed);
    }
    loadcell_usl::fit(&points_of(measured)).map_err(NoFit::Usl)
}

/// The USL fit of throughputs measured elsewhere (`--points`), or why there is none.
pub fn fit_given(levels: &[Level]) -> Result<Fit, NoFit> {
    loadcell_usl::fit(&points_of(levels)).map_err(NoFit::Usl)
}

/// The fitted curve at `CURVE_POINTS` concurrencies from 1 to the largest level, or to
/// 1.5 × the peak when that lies beyond it.
pub fn curve(fit: &Fit, max_n: f64) -> Vec<Point> {
    let end = fit
        .peak_concurrency()
        .map_or(max_n, |p| max_n.max((p * 1.5).min(4.0 * max_n)));
    (0..CURVE_POINTS)
        .map(|i| {
            let n = 1.0 + (end - 1.0) * i as f64 / (CURVE_POINTS - 1) as f64;
            Point {
                n,
                throughput: fit.throughput(n),
            }
        })
        .collect()
}

/// What the sweep was asked, for its summary.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The levels asked for, sorted.
    pub planned: Vec<u64>,
    pub step_duration_s: f64,
    pub step_warmup_s: f64,
}

impl Sweep {
    /// The `scale` section for `measured` and their fit. While the sweep runs (`finished`
    /// false) with fewer than 3 levels, the section says the fit is still to come.
    pub fn section(&self, measured: &[Level], fitted: &Result<Fit, NoFit>, finished: bool) -> ScaleSummary {
        let fit = match fitted {
            Ok(fit) => Ok(fit),
            Err(_) if !finished && measured.len() < 3 => Err(format!(
                "not fitted yet: {} of {} levels measured",
                measured.len(),
                self.planned.len()
            )),
            Err(e) => Err(e.to_string()),
        };
        let max_n = self.planned.last().copied().unwrap_or(1) as f64;
        let curve = fitted.as_ref().map_or_else(|_| Vec::new(), |fit| curve(fit, max_n));
        scale(
            measured,
            &self.planned,
            fit,
            &curve,
            self.step_duration_s,
            self.step_warmup_s,
        )
    }

    /// The summary of every level so far with the `scale` section; `None` before any level.
    pub fn summary(
        &self,
        combined: &Combined,
        measured: &[Level],
        fitted: &Result<Fit, NoFit>,
        finished: bool,
    ) -> Option<Summary> {
        let mut doc = combined.summary(Vec::new(), finished)?;
        doc.scale = Some(self.section(measured, fitted, finished));
        Some(doc)
    }
}

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
                target: l.target.clone(),
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
            target: None,
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
