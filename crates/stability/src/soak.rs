//! The trend of a soak test's hold: a line through the per-second p95 and the per-second
//! error rate (see [`crate::trend`]), expressed per hour with its significance and a
//! sentence for people.

use crate::StabilityError;
use crate::trend::{LineFit, fit};
use loadcell_schema::{SoakTrend, Trend};

/// A trend is called significant below this p-value.
pub const SIGNIFICANCE: f64 = 0.05;
const SECONDS_PER_HOUR: f64 = 3600.0;
/// Fitted starts at or below this count as 0: no relative change is given.
const MIN_START: f64 = 1e-9;

/// What a series measures, for the verdict sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Measure {
    P95Ms,
    ErrorRate,
}

/// The trend of the stage `phase` (`from_s`..`to_s`, seconds since the start of the run)
/// from its per-second points `(t_s, value)`: p95 in milliseconds and error rate (0 to 1),
/// each over the seconds that had requests. Lines are fitted against time since `from_s`,
/// so `start` is the fitted value when the stage began.
pub fn soak_trend(
    phase: &str,
    from_s: f64,
    to_s: f64,
    p95_ms: &[(f64, f64)],
    error_rate: &[(f64, f64)],
) -> Result<SoakTrend, StabilityError> {
    let shift = |points: &[(f64, f64)]| -> Vec<(f64, f64)> { points.iter().map(|&(t, v)| (t - from_s, v)).collect() };
    let p95 = fit(&shift(p95_ms))?;
    let errors = fit(&shift(error_rate))?;
    let mut error_trend = trend(&errors, Measure::ErrorRate);
    if error_rate.iter().all(|&(_, v)| v == 0.0) {
        // A flat zero has no trend to test; say what happened instead of "p = 1.000".
        error_trend.verdict = "no failed requests during the hold".to_string();
    }
    Ok(SoakTrend {
        phase: phase.to_string(),
        from_s,
        to_s,
        points: p95_ms.len() as u64,
        p95_ms: trend(&p95, Measure::P95Ms),
        error_rate: error_trend,
    })
}

fn trend(f: &LineFit, measure: Measure) -> Trend {
    let mut t = per_hour(f);
    t.verdict = verdict(
        measure,
        t.slope_per_hour,
        t.change_pct_per_hour,
        t.p_value,
        t.significant,
    );
    t
}

/// A line fitted against seconds, expressed per hour: the fitted start, the slope and its
/// 95% interval per hour, the p-value, significance at [`SIGNIFICANCE`] and the change
/// relative to the start. The verdict sentence is left empty for the caller to word.
pub fn per_hour(f: &LineFit) -> Trend {
    let per_hour = f.slope * SECONDS_PER_HOUR;
    let start = f.intercept;
    // Relative change only makes sense against a positive start: an error rate fitted
    // from 0 has none (rounding leaves ~1e-18 there, hence the floor).
    let change_pct_per_hour = (start > MIN_START).then(|| 100.0 * per_hour / start);
    Trend {
        start,
        slope_per_hour: per_hour,
        slope_ci95: [f.slope_ci95[0] * SECONDS_PER_HOUR, f.slope_ci95[1] * SECONDS_PER_HOUR],
        p_value: f.p_value,
        significant: f.p_value < SIGNIFICANCE,
        change_pct_per_hour,
        verdict: String::new(),
    }
}

/// A p-value for a sentence: `p < 0.001` or `p = 0.042`.
pub fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".to_string()
    } else {
        format!("p = {p:.3}")
    }
}

fn verdict(measure: Measure, per_hour: f64, change_pct: Option<f64>, p: f64, significant: bool) -> String {
    let (name, amount) = match measure {
        Measure::P95Ms => ("p95", format!("{} ms", sig3(per_hour.abs()))),
        Measure::ErrorRate => (
            "error rate",
            format!("{} percentage points", sig3(100.0 * per_hour.abs())),
        ),
    };
    let p_text = p_text(p);
    if !significant {
        let signed = match measure {
            Measure::P95Ms => format!("{}{} ms", sign(per_hour), sig3(per_hour.abs())),
            Measure::ErrorRate => format!("{}{} percentage points", sign(per_hour), sig3(100.0 * per_hour.abs())),
        };
        return format!("no significant {name} trend ({signed} per hour, {p_text})");
    }
    let direction = if per_hour > 0.0 { "rises" } else { "falls" };
    let relative = change_pct
        .map(|c| format!(", {}{}% of the start", sign(c), sig3(c.abs())))
        .unwrap_or_default();
    format!("{name} {direction} {amount} per hour ({p_text}{relative})")
}

fn sign(v: f64) -> &'static str {
    if v < 0.0 { "−" } else { "+" }
}

/// `v ≥ 0` with three significant digits (no exponent), e.g. 36000, 12.3, 0.0412.
fn sig3(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let magnitude = v.log10().floor() as i32;
    if magnitude >= 3 {
        // 35 998 → 36 000: round the digits a fixed-point format would keep.
        let unit = 10f64.powi(magnitude - 2);
        return format!("{:.0}", (v / unit).round() * unit);
    }
    let digits = (2 - magnitude).max(0) as usize;
    format!("{v:.digits$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rising_p95_is_reported_per_hour() {
        // 10 ms per second from 20 ms over 100 s, with a wobble: 36 000 ms per hour.
        let p95: Vec<(f64, f64)> = (0..100)
            .map(|i| {
                (
                    50.5 + i as f64,
                    20.0 + 10.0 * i as f64 + if i % 2 == 0 { 1.0 } else { -1.0 },
                )
            })
            .collect();
        let errors: Vec<(f64, f64)> = (0..100).map(|i| (50.5 + i as f64, 0.0)).collect();
        let s = soak_trend("hold 100%", 50.0, 150.0, &p95, &errors).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.points, 100);
        let t = &s.p95_ms;
        assert!((t.slope_per_hour - 36_000.0).abs() < 50.0, "{t:?}");
        // 20 ms at 50.5 s is 15 ms at the stage's start (50 s).
        assert!((t.start - 15.0).abs() < 1.0, "fitted at the start of the stage: {t:?}");
        assert!(t.significant && t.p_value < 1e-6);
        assert!(t.slope_ci95[0] < 36_000.0 && 36_000.0 < t.slope_ci95[1] + 1.0);
        assert!(
            t.verdict.starts_with("p95 rises 36000 ms per hour (p < 0.001, +"),
            "{}",
            t.verdict
        );
        let e = &s.error_rate;
        assert_eq!(
            (e.slope_per_hour, e.significant, e.change_pct_per_hour),
            (0.0, false, None)
        );
        assert_eq!(e.verdict, "no failed requests during the hold");
    }

    #[test]
    fn a_rising_error_rate_is_in_percentage_points() {
        let p95: Vec<(f64, f64)> = (0..60).map(|i| (i as f64, 5.0)).collect();
        let errors: Vec<(f64, f64)> = (0..60).map(|i| (i as f64, 0.001 * i as f64)).collect();
        let s = soak_trend("hold 100%", 0.0, 60.0, &p95, &errors).unwrap_or_else(|e| panic!("{e}"));
        assert!((s.error_rate.slope_per_hour - 3.6).abs() < 1e-9);
        assert_eq!(
            s.error_rate.verdict,
            "error rate rises 360 percentage points per hour (p < 0.001)"
        );
    }

    #[test]
    fn numbers_keep_three_significant_digits() {
        assert_eq!(sig3(36_000.0), "36000");
        assert_eq!(sig3(35_998.0), "36000");
        assert_eq!(sig3(1_234.0), "1230");
        assert_eq!(sig3(12.345), "12.3");
        assert_eq!(sig3(0.041_23), "0.0412");
        assert_eq!(sig3(0.0), "0");
    }

    #[test]
    fn too_short_a_hold_is_an_error() {
        let two = [(0.0, 1.0), (1.0, 1.0)];
        assert_eq!(
            soak_trend("hold 100%", 0.0, 2.0, &two, &two),
            Err(StabilityError::TooFewPoints(2))
        );
    }
}
