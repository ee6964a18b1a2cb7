//! Verdicts on a real load run's `summary.json` (`load-summary.json`: 1,000 requests at
//! 83/s, no failures, trimmed of its series), changed the way each case needs.

use super::*;
use crate::model::Opt;
use loadcell_schema::Summary;
use serde_json::json;

fn summary() -> Summary {
    serde_json::from_str(include_str!("load-summary.json")).unwrap()
}

fn test(kind: Kind, options: &[(&str, &str)]) -> Test {
    Test {
        name: kind.as_str().into(),
        kind,
        pos: Default::default(),
        options: options
            .iter()
            .map(|(flag, value)| Opt {
                key: flag.replace('-', "_"),
                pos: Default::default(),
                flag: (*flag).into(),
                values: vec![(*value).into()],
            })
            .collect(),
        slo: vec![],
        commands: vec![],
    }
}

fn verdict(test: &Test, exit_code: i32, summary: &Summary) -> TestResult {
    judge(test, "loadcell run".into(), "01-x".into(), exit_code, summary, None)
}

fn threshold(expr: &str, passed: bool) -> ThresholdResult {
    ThresholdResult {
        expr: expr.into(),
        passed,
        actual: Some(312.0),
        actual_text: "312 ms".into(),
        limit: "< 200 ms".into(),
    }
}

#[test]
fn a_clean_run_passes_with_its_headline() {
    let r = verdict(&test(Kind::Run(Profile::Load), &[]), 0, &summary());
    assert!(r.passed && r.failures.is_empty() && r.warnings.is_empty(), "{r:?}");
    let h = r.headline.unwrap();
    assert_eq!((h.requests, h.failed, h.error_rate), (1000, 0, 0.0));
}

#[test]
fn a_failed_slo_fails_with_its_numbers() {
    let mut s = summary();
    s.thresholds = vec![threshold("p95<200ms", false), threshold("error_rate<1%", true)];
    let r = verdict(&test(Kind::Run(Profile::Load), &[]), 1, &s);
    assert!(!r.passed);
    assert_eq!(r.failures, ["SLO 'p95<200ms' failed: 312 ms (limit < 200 ms)"]);
    let r = verdict(&test(Kind::Run(Profile::Soak), &[]), 1, &summary());
    assert_eq!(
        r.failures,
        ["the test ended with exit code 1"],
        "an exit code is never ignored"
    );
}

#[test]
fn dropped_iterations_and_interruptions_warn_by_kind() {
    let mut s = summary();
    s.dropped_iterations = 12;
    let r = verdict(&test(Kind::Run(Profile::Load), &[]), 0, &s);
    assert!(r.passed);
    assert_eq!(
        r.warnings,
        ["12 iterations were dropped: no VU was free when they were due"]
    );
    s.generator.warnings = vec!["3 of 12 dropped arrivals came while …".into()];
    assert_eq!(
        verdict(&test(Kind::Run(Profile::Load), &[]), 0, &s).warnings.len(),
        1,
        "not said twice"
    );
    assert!(
        verdict(&test(Kind::Capacity, &[]), 0, &s).warnings.is_empty(),
        "a search overshoots"
    );
    s.stop_reason = StopReason::Interrupted;
    let r = verdict(&test(Kind::Run(Profile::Breakpoint), &[]), 0, &s);
    assert_eq!(r.warnings, ["the test was interrupted before its end"]);
}

#[test]
fn a_breakpoint_fails_only_below_the_expected_traffic() {
    let mut s = summary();
    s.thresholds = vec![threshold("p95<200ms", false)];
    s.breaking_point = Some(
        serde_json::from_value(json!({
            "phase": 0, "name": "ramp to ×10", "level": 450.0, "rate_per_s": 430.0,
            "last_good": null, "how": ["latency climbed"], "detail": [],
            "behaviour": null, "behaviour_detail": null
        }))
        .unwrap(),
    );
    let above = verdict(&test(Kind::Run(Profile::Breakpoint), &[("target-rate", "100")]), 1, &s);
    assert!(above.passed, "breaking above the target is the finding: {above:?}");
    let below = verdict(
        &test(Kind::Run(Profile::Breakpoint), &[("target-rate", "30000/m")]),
        1,
        &s,
    );
    assert_eq!(
        below.failures,
        ["broke at 450/s (latency climbed), below the expected traffic of 500/s"]
    );
}

#[test]
fn a_spike_that_never_recovered_fails() {
    let mut s = summary();
    s.spike_recovery = Some(
        serde_json::from_value(json!({
            "baseline_phase": "baseline", "spike_phase": "spike ×5", "spike_end_s": 10.0,
            "baseline_p95_ms": 3.0, "baseline_error_rate": 0.0, "spike_p95_ms": 90.0,
            "spike_p99_ms": 120.0, "spike_error_rate": 0.0, "worst_p95_ms": 95.0, "window_s": 5.0,
            "p95_limit_ms": 8.0, "error_rate_limit": 0.01, "recovery_s": null, "observed_s": 20.0,
            "verdict": "did not recover within the 20 s observed after the spike"
        }))
        .unwrap(),
    );
    let r = verdict(&test(Kind::Run(Profile::Spike), &[]), 0, &s);
    assert_eq!(
        r.failures,
        ["spike: did not recover within the 20 s observed after the spike"]
    );
}

#[test]
fn sweeps_pass_on_their_answer() {
    let mut s = summary();
    s.capacity = Some(
        serde_json::from_value(json!({
            "slos": ["p95<200ms"], "capacity_per_s": null, "highest_pass_per_s": null,
            "lowest_fail_per_s": 10.0, "stop": "min_rate", "knee": null, "step_duration_s": 1.0,
            "max_time_s": 10.0, "elapsed_s": 3.0, "steps": [], "step_warmup_s": 0.2, "precision": 0.05,
            "latency_limits": []
        }))
        .unwrap(),
    );
    let r = verdict(&test(Kind::Capacity, &[]), 1, &s);
    assert_eq!(r.failures, ["no rate held the SLOs: even the lowest rate failed"]);
    assert_eq!(r.capacity.map(|c| c.lowest_fail_per_s), Some(Some(10.0)));
}

#[test]
fn a_bench_test_gives_each_benchmark_s_numbers_in_ms() {
    use loadcell_schema::{BenchResults, BenchSource, Benchmark, SampleStats};
    use loadcell_units::format::ms;
    let results = BenchResults {
        benchmarks: vec![Benchmark {
            name: "sleep 0.01".into(),
            samples: vec![0.010, 0.011, 0.012],
            stats: SampleStats {
                n: 3,
                mean: 0.011,
                stddev: Some(0.001),
                median: 0.011,
                min: 0.010,
                max: 0.012,
            },
            ..Benchmark::default()
        }],
        ..BenchResults::new(BenchSource::Command, "loadcell bench")
    };
    let t = test(Kind::Bench, &[]);
    let r = super::judge_bench(&t, "loadcell bench".into(), "01-bench".into(), 0, &results, None);
    assert!(r.passed && r.failures.is_empty(), "{r:?}");
    let b = &r.bench.as_ref().unwrap().benchmarks[0];
    assert!((b.mean_ms - 11.0).abs() < 1e-9 && b.runs == 3 && b.stddev_ms.is_some_and(|s| (s - 1.0).abs() < 1e-9));
    assert_eq!(
        super::bench_line(b),
        format!("sleep 0.01: mean {0} ± {1}, median {0} (3 runs)", ms(11.0), ms(1.0))
    );
    let empty = BenchResults {
        benchmarks: vec![],
        ..results
    };
    let r = super::judge_bench(&t, "loadcell bench".into(), "01-bench".into(), 0, &empty, None);
    assert!(!r.passed, "nothing measured is no pass");
}
