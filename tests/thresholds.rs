//! Thresholds decide the exit code: 0 when every threshold holds, 1 when one fails, with
//! each verdict and its numeric actual in the JSON. `--abort-on-fail` ends a long run as
//! soon as a threshold fails, with stop_reason `threshold_aborted`.

use std::time::Duration;

use loadcell_target::Config;

use crate::support::{Finished, at, f64_at, fast_target, run, str_at, target, u64_at, url_of};

/// The verdict object for the threshold written as `expr`.
fn verdict<'a>(run: &'a Finished, expr: &str) -> &'a serde_json::Value {
    let list = at(run.summary(), "thresholds")
        .as_array()
        .unwrap_or_else(|| panic!("thresholds is not an array\n{}", run.output()));
    list.iter()
        .find(|t| t.get("expr").and_then(|e| e.as_str()) == Some(expr))
        .unwrap_or_else(|| panic!("no verdict for {expr:?}\n{}", run.output()))
}

fn passed(v: &serde_json::Value) -> bool {
    at(v, "passed").as_bool().expect("passed is a bool")
}

#[test]
fn healthy_target_passes_latency_and_error_thresholds() {
    let server = fast_target();
    let run = run(
        &url_of(&server),
        &[
            "-c",
            "2",
            "-n",
            "500",
            "--threshold",
            "p95<5s",
            "--threshold",
            "error_rate<1%",
        ],
    );
    run.assert_exit(0);
    assert_eq!(at(run.summary(), "thresholds").as_array().map(Vec::len), Some(2));
    let p95 = verdict(&run, "p95<5s");
    assert!(passed(p95), "{}", run.output());
    let actual = f64_at(p95, "actual");
    assert!(actual > 0.0 && actual < 5000.0, "p95 actual {actual}");
    assert!(
        (actual - f64_at(run.summary(), "latency_ms.p95")).abs() < 1e-9,
        "the verdict judges the reported p95"
    );
    let errors = verdict(&run, "error_rate<1%");
    assert!(passed(errors), "{}", run.output());
    assert_eq!(f64_at(errors, "actual"), 0.0);
    assert!(run.stdout.contains("thresholds"), "{}", run.output());
}

#[test]
fn impossible_latency_threshold_fails_with_exit_1() {
    let server = fast_target();
    let expr = "http_req_duration: p(95)<0.001";
    let run = run(&url_of(&server), &["-c", "2", "-n", "200", "--threshold", expr]);
    run.assert_exit(1);
    let v = verdict(&run, expr);
    assert!(!passed(v), "{}", run.output());
    let actual = f64_at(v, "actual");
    assert!(actual > 0.001, "actual {actual} ms");
    // A failed threshold is still a complete run with a summary.
    assert_eq!(u64_at(run.summary(), "requests.total"), 200);
    assert!(run.stdout.contains("FAIL"), "{}", run.output());
}

#[test]
fn error_rate_threshold_fails_against_half_failing_target() {
    let server = target(Config {
        error_rate: 0.5,
        ..Config::default()
    });
    let expr = "http_req_failed: rate<0.01";
    let by_status = "http_reqs{status:500}: count<10";
    let run = run(
        &url_of(&server),
        &["-c", "2", "-n", "400", "--threshold", expr, "--threshold", by_status],
    );
    run.assert_exit(1);
    let s = run.summary();
    let v = verdict(&run, expr);
    assert!(!passed(v), "{}", run.output());
    let actual = f64_at(v, "actual");
    // 400 coin flips: 0.5 ± 0.025 (1 sd); allow 5 sd (a false alarm in about 3·10⁻⁷ runs;
    // 4 sd was 5·10⁻⁵, docs/testing.md).
    assert!(
        (0.375..=0.625).contains(&actual),
        "failed share {actual}\n{}",
        run.output()
    );
    let failed = u64_at(s, "requests.failed");
    assert_eq!(
        u64_at(s, "status_codes.500"),
        failed,
        "every failure is an injected 500"
    );
    assert_eq!(u64_at(s, "status_codes.200"), u64_at(s, "requests.ok"));
    assert!((actual - failed as f64 / 400.0).abs() < 1e-9);
    let v = verdict(&run, by_status);
    assert!(!passed(v));
    assert_eq!(f64_at(v, "actual"), failed as f64, "the status filter counts the 500s");
}

#[test]
fn abort_on_fail_ends_the_run_early() {
    let server = fast_target();
    let run = run(
        &url_of(&server),
        &[
            "-c",
            "2",
            "-d",
            "10s",
            "--abort-on-fail",
            "--threshold",
            "http_req_duration: p(95)<0.001",
        ],
    );
    run.assert_exit(1);
    let s = run.summary();
    assert_eq!(str_at(s, "stop_reason"), "threshold_aborted", "{}", run.output());
    assert!(
        run.elapsed < Duration::from_secs(6),
        "the 10 s run took {:?} despite --abort-on-fail\n{}",
        run.elapsed,
        run.output()
    );
    let measured = f64_at(s, "duration_s");
    assert!(measured < 5.0, "measured {measured} s");
    assert!(!passed(verdict(&run, "http_req_duration: p(95)<0.001")));
    assert!(
        run.stdout.contains("aborted by a failing threshold"),
        "{}",
        run.output()
    );
    assert_eq!(u64_at(s, "requests.total"), server.stats().requests_total);
}

#[test]
fn throughput_threshold_passes() {
    let server = fast_target();
    let run = run(&url_of(&server), &["-c", "2", "-d", "1s", "--threshold", "rps>=1"]);
    run.assert_exit(0);
    let v = verdict(&run, "rps>=1");
    assert!(passed(v), "{}", run.output());
    let actual = f64_at(v, "actual");
    let reported = f64_at(run.summary(), "requests.rate_per_s");
    assert!(actual >= 1.0, "rps {actual}");
    assert!(
        (actual - reported).abs() <= reported * 1e-6,
        "threshold rps {actual} vs reported rate {reported}"
    );
}
