//! Synthetic staged runs for unit tests: a stress run whose thresholds break at `step 150%`,
//! a spike run with its recovery, and a soak run with its trend. Each starts from
//! [`super::summary`] and fills in the stages, `phases[]` and the stability sections.
#![allow(clippy::needless_update)]

use std::collections::BTreeMap;

use loadcell_schema::*;

fn stage(start_s: f64, end_s: f64, from: f64, to: f64, name: &str) -> StageMark {
    StageMark {
        start_s,
        end_s,
        from,
        to,
        unit: "iterations/s".to_string(),
        name: Some(name.to_string()),
    }
}

/// A phase with a latency of `p95` ms (p50 and p99 derived), `rate` req/s and `errors` kinds.
fn phase(s: &StageMark, p95: f64, rate: f64, errors: &[(&str, u64)], failed: &[&str]) -> PhaseSummary {
    let seconds = s.end_s - s.start_s;
    let requests = (rate * seconds) as u64;
    let failures: u64 = errors.iter().map(|(_, n)| n).sum();
    PhaseSummary {
        name: s.name.clone().unwrap_or_default(),
        start_s: s.start_s,
        end_s: s.end_s,
        level: s.to,
        seconds,
        requests,
        rate_per_s: rate,
        latency_ms: LatencyStats {
            count: requests,
            p50: p95 / 2.0,
            p95,
            p99: p95 * 1.5,
            max: p95 * 3.0,
            ..Default::default()
        },
        error_rate: if requests > 0 {
            failures as f64 / requests as f64
        } else {
            0.0
        },
        errors: errors
            .iter()
            .map(|(k, n)| (k.to_string(), *n))
            .collect::<BTreeMap<_, _>>(),
        dropped_iterations: 0,
        thresholds_passed: Some(failed.is_empty()),
        failed_thresholds: failed.iter().map(|f| f.to_string()).collect(),
        ..Default::default()
    }
}

/// A 60-second stress run at a 100/s target: ramp up, steps at 100%, 150% and 200%; the
/// thresholds break at `step 150%` (latency climbed, errors appeared).
pub fn stress() -> Summary {
    let mut summary = super::summary(60);
    summary.warmup_s = 0.0;
    summary.stages = vec![
        stage(0.0, 10.0, 0.0, 100.0, "ramp up"),
        stage(10.0, 30.0, 100.0, 100.0, "step 100%"),
        stage(30.0, 45.0, 150.0, 150.0, "step 150%"),
        stage(45.0, 60.0, 200.0, 200.0, "step 200%"),
    ];
    let s = &summary.stages;
    summary.phases = vec![
        phase(&s[0], 40.0, 50.0, &[], &[]),
        phase(&s[1], 100.0, 100.0, &[], &[]),
        phase(&s[2], 412.0, 142.5, &[("reset", 12)], &["p95<200ms", "error_rate<1%"]),
        phase(
            &s[3],
            1500.0,
            120.0,
            &[("reset", 80), ("request_timeout", 9)],
            &["p95<200ms", "error_rate<1%"],
        ),
    ];
    summary.phases[3].dropped_iterations = 42;
    summary.breaking_point = Some(BreakingPoint {
        phase: 2,
        name: "step 150%".to_string(),
        level: 150.0,
        rate_per_s: 142.5,
        last_good: Some("step 100%".to_string()),
        how: vec!["latency climbed".to_string(), "errors appeared".to_string()],
        detail: vec![
            "p95 412.0 ms, 4.1× the previous stage's 100.0 ms".to_string(),
            "0.56% of requests failed (reset: 12)".to_string(),
        ],
        behaviour: Some(loadcell_schema::Behaviour::Graceful),
        behaviour_detail: Some(
            "kept 139.2 ok requests/s at worst (step 150%; best before: 100.0/s), p95 up to 1500.0 ms, up to 8.00% failed"
                .to_string(),
        ),
    });
    summary
}

/// A 40-second spike run at 100/s with a ×5 spike from 15 s to 20 s, recovered 4 s after it.
pub fn spike() -> Summary {
    let mut summary = super::summary(40);
    summary.warmup_s = 0.0;
    summary.stages = vec![
        stage(0.0, 5.0, 0.0, 100.0, "ramp up"),
        stage(5.0, 14.0, 100.0, 100.0, "baseline"),
        stage(14.0, 15.0, 100.0, 500.0, "jump to ×5"),
        stage(15.0, 20.0, 500.0, 500.0, "spike ×5"),
        stage(20.0, 21.0, 500.0, 100.0, "drop to baseline"),
        stage(21.0, 35.0, 100.0, 100.0, "recovery"),
        stage(35.0, 40.0, 100.0, 0.0, "ramp down"),
    ];
    let s = &summary.stages;
    summary.phases = vec![
        phase(&s[0], 20.0, 50.0, &[], &[]),
        phase(&s[1], 20.0, 100.0, &[], &[]),
        phase(&s[2], 30.0, 300.0, &[], &[]),
        phase(&s[3], 240.0, 480.0, &[("reset", 24)], &["p95<200ms"]),
        phase(&s[4], 90.0, 300.0, &[], &[]),
        phase(&s[5], 25.0, 100.0, &[], &[]),
        phase(&s[6], 18.0, 50.0, &[], &[]),
    ];
    // The per-second latency climbs during the spike and settles 4 s after it.
    for iv in &mut summary.timeseries {
        let p95 = if (15.0..24.0).contains(&iv.t_s) { 240.0 } else { 20.0 };
        iv.latency_ms.p95 = p95;
        iv.latency_ms.p99 = p95 * 1.5;
    }
    summary.spike_recovery = Some(SpikeRecovery {
        baseline_phase: "baseline".to_string(),
        spike_phase: "spike ×5".to_string(),
        spike_end_s: 20.0,
        baseline_p95_ms: 20.0,
        baseline_error_rate: 0.0,
        spike_p95_ms: 240.0,
        spike_p99_ms: 360.0,
        spike_error_rate: 0.01,
        worst_p95_ms: 255.0,
        window_s: 5.0,
        p95_limit_ms: 30.0,
        error_rate_limit: 0.001,
        recovery_s: Some(4.0),
        observed_s: 20.0,
        verdict: "recovered 4 s after the spike".to_string(),
    });
    summary
}

/// A 120-second soak run whose 100-second hold has a p95 rising 36 ms per hour.
pub fn soak() -> Summary {
    let mut summary = super::summary(120);
    summary.warmup_s = 0.0;
    summary.stages = vec![
        stage(0.0, 10.0, 0.0, 100.0, "ramp up"),
        stage(10.0, 110.0, 100.0, 100.0, "hold 100%"),
        stage(110.0, 120.0, 100.0, 0.0, "ramp down"),
    ];
    let s = &summary.stages;
    summary.phases = vec![
        phase(&s[0], 20.0, 50.0, &[], &[]),
        phase(&s[1], 21.0, 100.0, &[("reset", 3)], &[]),
        phase(&s[2], 20.0, 50.0, &[], &[]),
    ];
    summary.soak_trend = Some(SoakTrend {
        phase: "hold 100%".to_string(),
        from_s: 10.0,
        to_s: 110.0,
        points: 100,
        p95_ms: Trend {
            start: 20.0,
            slope_per_hour: 36.0,
            slope_ci95: [30.5, 41.5],
            p_value: 0.0004,
            significant: true,
            change_pct_per_hour: Some(180.0),
            verdict: "p95 rises 36.0 ms per hour (p < 0.001)".to_string(),
        },
        error_rate: Trend {
            start: 0.0003,
            slope_per_hour: -0.0001,
            slope_ci95: [-0.0009, 0.0007],
            p_value: 0.62,
            significant: false,
            change_pct_per_hour: Some(-33.3),
            verdict: "no significant error-rate trend (p = 0.62)".to_string(),
        },
    });
    summary
}
