//! Spike recovery: how long after a spike the target was back to its baseline.
//!
//! The input is a rolling-window series: for each interval end `t`, the p95 and the error
//! rate of **all requests completed in the window `(t − W, t]`** (exact, from merged
//! histograms; not an average of per-second figures). A window is *within the tolerance*
//! when it had requests, its p95 is at most `max(1.5 × baseline p95, baseline p95 + 5 ms)`
//! and its error rate at most the baseline's plus 1 percentage point.
//!
//! The recovery time is `t* − spike end`, where the spike ends when its level starts
//! falling and `t*` is the end of the first window from which **every** later window up to
//! the end of the recovery stage is within the tolerance. It is read at window ends, so it
//! includes the window: the backlog a spike leaves must have drained *and* slid (almost)
//! out of the window before `t*`, i.e. `t* ≈ drain time + W` when the drain leaves many
//! slow requests. A window that dips back in and then out again does not count: the
//! target recovered only once it stayed recovered. Windows after the recovery stage (the
//! ramp down) are not judged, since a falling load would flatter the target.

/// The rolling window's default length, seconds.
pub const DEFAULT_WINDOW_S: f64 = 5.0;
/// The p95 limit is the larger of this multiple of the baseline's p95 ...
pub const P95_FACTOR: f64 = 1.5;
/// ... and the baseline's p95 plus this many milliseconds (so a 1 ms baseline does not
/// demand sub-2 ms windows).
pub const P95_SLACK_MS: f64 = 5.0;
/// The error rate limit is the baseline's plus this (1 percentage point).
pub const ERROR_SLACK: f64 = 0.01;
/// Window ends and stage boundaries are compared with this much slack (seconds).
const EPS: f64 = 1e-6;

/// One rolling window, identified by its end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowPoint {
    /// End of the window, seconds since the start of the run.
    pub t_s: f64,
    /// p95 of the requests completed in the window, ms (0 without requests).
    pub p95_ms: f64,
    /// Failed / completed requests in the window (0 without requests).
    pub error_rate: f64,
    pub requests: u64,
}

/// What the recovery is judged on.
#[derive(Debug, Clone, Copy)]
pub struct RecoveryInput<'a> {
    /// Rolling windows in time order (the whole run; only some are judged).
    pub windows: &'a [WindowPoint],
    /// Their length, seconds.
    pub window_s: f64,
    /// The baseline stage's own p95 (ms) and error rate (0 to 1).
    pub baseline_p95_ms: f64,
    pub baseline_error_rate: f64,
    /// When the level started rising to the spike (the worst window is sought from here).
    pub spike_start_s: f64,
    /// When the spike's level started falling: recovery is counted from here.
    pub spike_end_s: f64,
    /// End of the recovery stage (back at the baseline level): the last window judged.
    pub observe_until_s: f64,
}

/// The verdict on a spike's recovery.
#[derive(Debug, Clone, PartialEq)]
pub struct Recovery {
    pub p95_limit_ms: f64,
    pub error_rate_limit: f64,
    /// Seconds from the spike's end to the first window end from which every judged
    /// window was within the tolerance; `None` if the last judged window was not.
    pub recovery_s: Option<f64>,
    /// Seconds from the spike's end to the last judged window end.
    pub observed_s: f64,
    /// The worst window p95 from the spike's start to the end of the run, ms.
    pub worst_p95_ms: f64,
    pub verdict: String,
}

/// The tolerance around a baseline: (p95 limit in ms, error rate limit).
pub fn limits(baseline_p95_ms: f64, baseline_error_rate: f64) -> (f64, f64) {
    (
        (P95_FACTOR * baseline_p95_ms).max(baseline_p95_ms + P95_SLACK_MS),
        baseline_error_rate + ERROR_SLACK,
    )
}

/// Judges the recovery; see the module documentation for the definitions.
pub fn assess(input: &RecoveryInput<'_>) -> Recovery {
    let (p95_limit_ms, error_rate_limit) = limits(input.baseline_p95_ms, input.baseline_error_rate);
    let within = |w: &WindowPoint| w.requests > 0 && w.p95_ms <= p95_limit_ms && w.error_rate <= error_rate_limit;
    let judged: Vec<&WindowPoint> = input
        .windows
        .iter()
        .filter(|w| w.t_s >= input.spike_end_s - EPS && w.t_s <= input.observe_until_s + EPS)
        .collect();
    let observed_s = judged.last().map_or(0.0, |w| (w.t_s - input.spike_end_s).max(0.0));
    let worst_p95_ms = input
        .windows
        .iter()
        .filter(|w| w.t_s > input.spike_start_s + EPS)
        .map(|w| w.p95_ms)
        .fold(0.0, f64::max);
    // The longest run of windows within the tolerance that lasts to the last judged one.
    let bad_before = judged.iter().rposition(|w| !within(w));
    let first_good = match bad_before {
        None if judged.is_empty() => None,
        None => Some(0),
        Some(i) if i + 1 < judged.len() => Some(i + 1),
        Some(_) => None,
    };
    let recovery_s = first_good.map(|i| (judged[i].t_s - input.spike_end_s).max(0.0));
    let verdict = match (recovery_s, bad_before) {
        _ if judged.is_empty() => "not judged: the run ended before the spike did".to_string(),
        (Some(_), None) => "stayed within the tolerance: no window after the spike broke it".to_string(),
        (Some(r), Some(_)) => format!("recovered {} s after the spike", seconds(r)),
        (None, _) => format!(
            "did not recover within the {} s observed after the spike",
            seconds(observed_s)
        ),
    };
    Recovery {
        p95_limit_ms,
        error_rate_limit,
        recovery_s,
        observed_s,
        worst_p95_ms,
        verdict,
    }
}

/// Whole seconds without decimals, others with one.
fn seconds(s: f64) -> String {
    if (s - s.round()).abs() < 1e-6 {
        format!("{s:.0}")
    } else {
        format!("{s:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One window per second ending at 1..=n, with p95 from `p95(t)`, no errors.
    fn series(n: u32, p95: impl Fn(f64) -> f64) -> Vec<WindowPoint> {
        (1..=n)
            .map(|t| {
                let t = f64::from(t);
                WindowPoint {
                    t_s: t,
                    p95_ms: p95(t),
                    error_rate: 0.0,
                    requests: 100,
                }
            })
            .collect()
    }

    fn input(windows: &[WindowPoint]) -> RecoveryInput<'_> {
        RecoveryInput {
            windows,
            window_s: 5.0,
            baseline_p95_ms: 20.0,
            baseline_error_rate: 0.0,
            spike_start_s: 10.0,
            spike_end_s: 15.0,
            observe_until_s: 35.0,
        }
    }

    #[test]
    fn limits_take_the_larger_of_ratio_and_slack() {
        assert_eq!(limits(20.0, 0.0), (30.0, 0.01));
        let (p95, errors) = limits(2.0, 0.05);
        assert!(p95 == 7.0 && (errors - 0.06).abs() < 1e-12);
    }

    #[test]
    fn recovery_is_counted_from_the_spike_end_to_the_first_window_that_stays_good() {
        // Slow from 11 s to 22 s; every window from 23 s on is at the baseline.
        let w = series(40, |t| if (11.0..23.0).contains(&t) { 500.0 } else { 20.0 });
        let r = assess(&input(&w));
        assert_eq!(r.recovery_s, Some(8.0));
        assert_eq!(r.observed_s, 20.0);
        assert_eq!(r.worst_p95_ms, 500.0);
        assert_eq!(r.verdict, "recovered 8 s after the spike");
    }

    #[test]
    fn a_window_that_relapses_does_not_count() {
        let w = series(40, |t| if t <= 18.0 || t == 25.0 { 100.0 } else { 20.0 });
        assert_eq!(assess(&input(&w)).recovery_s, Some(11.0));
    }

    #[test]
    fn errors_and_empty_windows_are_not_recovered() {
        let mut w = series(40, |_| 20.0);
        for p in w.iter_mut().filter(|p| p.t_s >= 15.0 && p.t_s <= 20.0) {
            p.error_rate = 0.02;
        }
        w[25].requests = 0; // t = 26
        assert_eq!(assess(&input(&w)).recovery_s, Some(12.0));
    }

    #[test]
    fn the_ramp_down_is_not_judged() {
        // Still slow at 35 s (the end of the recovery stage); fine in the ramp down after it.
        let w = series(40, |t| if t <= 35.0 && t > 10.0 { 100.0 } else { 20.0 });
        let r = assess(&input(&w));
        assert_eq!(r.recovery_s, None);
        assert_eq!(r.verdict, "did not recover within the 20 s observed after the spike");
    }

    #[test]
    fn an_unharmed_target_recovers_at_once() {
        let w = series(40, |_| 21.0);
        let r = assess(&input(&w));
        assert_eq!(r.recovery_s, Some(0.0));
        assert!(r.verdict.starts_with("stayed within the tolerance"), "{}", r.verdict);
    }

    #[test]
    fn a_run_cut_during_the_spike_is_not_judged() {
        let w = series(12, |_| 500.0);
        let r = assess(&input(&w));
        assert_eq!((r.recovery_s, r.observed_s), (None, 0.0));
        assert!(r.verdict.starts_with("not judged"), "{}", r.verdict);
    }
}
