//! Unit tests of the search against synthetic systems with a known capacity.

use super::*;

/// A system that keeps up below `capacity` with p95 rising towards the limit and, above
/// it, queues (latency over the SLO, achieved rate capped).
fn fake_step(capacity: f64, rate: f64, step: Duration) -> StepResult {
    let load = rate / capacity;
    let p95 = if load < 1.0 {
        10.0 + 5.0 * load / (1.0 - load).max(0.05)
    } else {
        2000.0
    };
    let limit = 200.0;
    StepResult {
        offered: rate,
        achieved: rate.min(capacity),
        p50_ms: Some(p95 / 2.0),
        p95_ms: Some(p95),
        p99_ms: Some(p95 * 1.5),
        error_rate: 0.0,
        scheduled: (rate * step.as_secs_f64()) as u64,
        dropped: 0,
        interrupted: 0,
        slo_failures: if p95 < limit {
            vec![]
        } else {
            vec![format!("p95<{limit}ms")]
        },
        elapsed: step,
    }
}

fn run(capacity: f64, config: Config) -> SearchResult {
    let mut search = Search::new(config).unwrap();
    let step = search.config().step_duration;
    let mut guard = 0;
    while let Some(rate) = search.next_rate() {
        search.record(fake_step(capacity, rate, step));
        guard += 1;
        assert!(guard < 100, "the search does not end");
    }
    search.result()
}

#[test]
fn finds_capacities_within_five_percent_in_few_steps() {
    for capacity in [3.0, 40.0, 150.0, 400.0, 2_500.0, 37_000.0] {
        let r = run(capacity, Config::default());
        assert_eq!(r.stop, StopReason::Converged, "C={capacity}: {r:?}");
        let found = r.capacity.unwrap();
        assert!(
            (found - capacity).abs() <= 0.05 * capacity,
            "C={capacity}: found {found}"
        );
        assert!(found <= capacity, "the answer passed, so it is at most C");
        let (hp, lf) = (r.highest_pass.unwrap(), r.lowest_fail.unwrap());
        assert!(hp < lf && lf - hp <= 0.05 * hp);
        assert!(r.steps.len() <= 20, "C={capacity}: {} steps", r.steps.len());
        assert!(r.knee.is_some());
        assert_eq!(r.chart.len(), r.steps.len());
        assert!(r.chart.windows(2).all(|w| w[0].offered_rate <= w[1].offered_rate));
    }
}

#[test]
fn always_failing_reports_lowest_failed() {
    let r = run(0.1, Config::default());
    assert_eq!(r.stop, StopReason::MinRate);
    assert_eq!(r.capacity, None);
    assert!(r.steps.iter().all(|s| !s.passed));
    let lowest = r.steps.iter().map(|s| s.offered_rate).fold(f64::INFINITY, f64::min);
    assert_eq!(lowest, 1.0, "went down to the minimum rate");
}

#[test]
fn start_failing_goes_down_and_then_bisects() {
    let r = run(3.5, Config::default());
    assert_eq!(r.stop, StopReason::Converged);
    let found = r.capacity.unwrap();
    assert!((found - 3.5).abs() <= 0.05 * 3.5, "{found}");
}

#[test]
fn budget_is_never_exceeded() {
    let config = Config {
        step_duration: Duration::from_secs(10),
        max_time: Duration::from_secs(45),
        ..Config::default()
    };
    let r = run(400.0, config);
    assert_eq!(r.stop, StopReason::Budget);
    assert_eq!(r.steps.len(), 4);
    assert!(r.elapsed_s <= 45.0);
    // Steps that take longer than planned shrink what is left of the budget.
    let mut search = Search::new(Config {
        step_duration: Duration::from_secs(2),
        max_time: Duration::from_secs(10),
        ..Config::default()
    })
    .unwrap();
    let mut used = Duration::ZERO;
    while let Some(rate) = search.next_rate() {
        let mut step = fake_step(1000.0, rate, Duration::from_secs(2));
        step.elapsed = Duration::from_secs(3);
        used += step.elapsed;
        search.record(step);
    }
    assert!(used <= Duration::from_secs(10), "{used:?}");
    assert_eq!(search.result().stop, StopReason::Budget);
}

#[test]
fn max_rate_passing_ends_the_search() {
    let r = run(
        1e9,
        Config {
            max_rate: 100.0,
            ..Config::default()
        },
    );
    assert_eq!(r.stop, StopReason::MaxRate);
    assert_eq!(r.capacity, Some(100.0));
    assert_eq!(r.lowest_fail, None);
}

#[test]
fn not_keeping_the_rate_fails_a_step() {
    let ok = StepResult {
        offered: 100.0,
        achieved: 99.0,
        scheduled: 1000,
        ..StepResult::default()
    };
    assert!(Step::judge(ok.clone()).passed);
    let slow = StepResult {
        achieved: 90.0,
        ..ok.clone()
    };
    let s = Step::judge(slow);
    assert!(!s.passed);
    assert!(s.failed[0].contains("achieved"), "{:?}", s.failed);
    let dropped = StepResult {
        dropped: 15,
        ..ok.clone()
    };
    assert!(!Step::judge(dropped).passed);
    let cut = StepResult { interrupted: 11, ..ok };
    assert!(!Step::judge(cut).passed);
}

#[test]
fn a_noisy_pass_above_a_failure_moves_the_bracket() {
    let mut s = Search::new(Config::default()).unwrap();
    let step = |rate: f64, pass: bool| StepResult {
        offered: rate,
        achieved: rate,
        scheduled: 100,
        slo_failures: if pass { vec![] } else { vec!["p95".into()] },
        elapsed: Duration::from_secs(1),
        ..StepResult::default()
    };
    s.record(step(10.0, true));
    s.record(step(20.0, false));
    s.record(step(15.0, true));
    s.record(step(25.0, true));
    let r = s.result();
    assert_eq!(r.highest_pass, Some(25.0));
    assert_eq!(r.lowest_fail, None);
    assert_eq!(s.next_rate(), Some(50.0));
}

#[test]
fn bad_configs_are_rejected() {
    let bad = [
        Config {
            start_rate: 0.0,
            ..Config::default()
        },
        Config {
            min_rate: 20.0,
            ..Config::default()
        },
        Config {
            growth: 1.0,
            ..Config::default()
        },
        Config {
            precision: 0.0,
            ..Config::default()
        },
        Config {
            step_duration: Duration::ZERO,
            ..Config::default()
        },
        Config {
            max_time: Duration::from_secs(5),
            ..Config::default()
        },
    ];
    for c in bad {
        assert!(Search::new(c.clone()).is_err(), "{c:?}");
    }
}

#[test]
fn knee_of_a_hockey_stick() {
    let pts = [
        (10.0, 5.0),
        (20.0, 5.2),
        (40.0, 5.5),
        (80.0, 6.0),
        (160.0, 40.0),
        (320.0, 900.0),
    ];
    assert_eq!(knee(&pts), Some((160.0, 40.0)));
    assert_eq!(knee(&pts[..2]), None);
    assert_eq!(knee(&[(1.0, 5.0), (2.0, 5.0), (3.0, 5.0)]), None, "flat: no knee");
}

#[test]
fn result_serializes() {
    let r = run(40.0, Config::default());
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["stop"], "converged");
    assert!(json["steps"].as_array().is_some_and(|s| !s.is_empty()));
}
