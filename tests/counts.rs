//! Request counts are exact: what loadcell reports as `requests.total` is what the
//! server received, in the closed model with a request budget (`-n`) or a duration
//! (`-d`, where nothing may be cut in flight against a fast server) and in the open
//! model (`-r`), where the count also follows the schedule. Requests still in flight
//! when `--grace` runs out are cut and count as failed requests (`unfinished`, in `total`),
//! their age at the cut as their latency.

use std::time::Duration;

use loadcell_target::{Config, Latency};

use crate::support::{
    TempDir, assert_every_arrival_accounted, at, f64_at, fast_target, run, str_at, target, u64_at, url_of,
};

#[test]
fn closed_model_request_budget_is_exact() {
    let server = fast_target();
    let run = run(&url_of(&server), &["-c", "8", "-n", "5000"]);
    run.assert_exit(0);
    let s = run.summary();
    let served = server.stats().requests_total;
    assert_eq!(u64_at(s, "requests.total"), 5000, "{}", run.output());
    assert_eq!(served, 5000, "the server received {served} requests\n{}", run.output());
    assert_eq!(u64_at(s, "requests.ok"), 5000);
    assert_eq!(u64_at(s, "requests.failed"), 0);
    assert_eq!(u64_at(s, "requests.interrupted"), 0);
    assert_eq!(str_at(s, "stop_reason"), "requests");
    assert_eq!(str_at(s, "model"), "closed");
}

#[test]
fn closed_model_duration_total_matches_server() {
    let server = fast_target();
    let run = run(&url_of(&server), &["-c", "8", "-d", "2s"]);
    run.assert_exit(0);
    let s = run.summary();
    let total = u64_at(s, "requests.total");
    let served = server.stats().requests_total;
    assert!(total > 0, "{}", run.output());
    assert_eq!(
        total,
        served,
        "loadcell counted {total}, the server received {served}\n{}",
        run.output()
    );
    // Against a fast server every in-flight request finishes within the grace period.
    assert_eq!(u64_at(s, "requests.interrupted"), 0, "{}", run.output());
    assert_eq!(u64_at(s, "requests.failed"), 0);
    assert_eq!(str_at(s, "stop_reason"), "duration");
}

#[test]
fn open_model_total_matches_server_and_schedule() {
    let server = fast_target();
    let run = run(&url_of(&server), &["-r", "300", "-d", "3s"]);
    run.assert_exit(0);
    let s = run.summary();
    let total = u64_at(s, "requests.total");
    let served = server.stats().requests_total;
    assert_eq!(
        total,
        served,
        "loadcell counted {total}, the server received {served}\n{}",
        run.output()
    );
    // 300/s for 3 s is 900 arrivals; allow 1%.
    assert!(
        (891..=909).contains(&total),
        "total {total}, expected 900 ±1%\n{}",
        run.output()
    );
    assert_eq!(str_at(s, "model"), "open");
    assert_eq!(u64_at(s, "dropped_iterations"), 0);
}

#[test]
fn requests_cut_after_grace_are_failed_requests() {
    // Every response takes 300 ms, so at the end of the run each of the 4 VUs has one
    // request in flight that cannot finish within a 50 ms grace period.
    let server = target(Config {
        latency: Some(Latency::Fixed(Duration::from_millis(300))),
        ..Config::default()
    });
    let dir = TempDir::new();
    let samples = dir.path().join("samples.csv");
    let samples_arg = samples.to_string_lossy().into_owned();
    let run = run(
        &url_of(&server),
        &["-c", "4", "-d", "1s", "--grace", "50ms", "--samples", &samples_arg],
    );
    run.assert_exit(0);
    let s = run.summary();
    let total = u64_at(s, "requests.total");
    let interrupted = u64_at(s, "requests.interrupted");
    // The raw records have them too.
    let csv = std::fs::read_to_string(&samples).unwrap_or_default();
    assert_eq!(csv.lines().filter(|l| l.contains("unfinished")).count(), 4, "{csv}");
    let served = server.stats().requests_total;
    assert_eq!(interrupted, 4, "one request per VU was in flight\n{}", run.output());
    assert_eq!(
        total,
        served,
        "the cut requests reached the server: they count\n{}",
        run.output()
    );
    assert_eq!(u64_at(s, "requests.failed"), 4, "a hung request is a failed request");
    assert_eq!(u64_at(s, "errors.unfinished"), 4, "{}", run.output());
    // Their age at the cut (at least the 50 ms grace) is in the latency, a lower bound.
    assert_eq!(u64_at(s, "latency_ms.count"), total, "{}", run.output());
    assert!(f64_at(s, "latency_ms.max") >= 50.0, "{}", run.output());
    let warnings = at(s, "generator.warnings").to_string();
    assert!(
        warnings.contains("unanswered"),
        "no warning about cut requests: {warnings}"
    );
    assert!(warnings.contains("lower bound"), "{warnings}");
}

/// Open model: iterations still under way when the grace period ends are counted as cut,
/// and the terminal says how many, so that completed, dropped and cut add up to what it says
/// was scheduled.
#[test]
fn open_model_iterations_cut_at_the_end_are_said() {
    let server = target(Config {
        latency: Some(Latency::Fixed(Duration::from_millis(300))),
        ..Config::default()
    });
    let run = run(&url_of(&server), &["-r", "20", "-d", "1s", "--grace", "50ms"]);
    run.assert_exit(0);
    let s = run.summary();
    assert_every_arrival_accounted(s, &run);
    // The arrivals of the last 300 ms (about 6 at 20/s) were still waiting on the target.
    let cut = u64_at(s, "iterations.cut");
    assert!((4..=8).contains(&cut), "{cut} cut\n{}", run.output());
    assert_eq!(u64_at(s, "requests.interrupted"), cut, "{}", run.output());
    assert!(
        run.stdout.contains(&format!("0 dropped, {cut} cut at the end;")),
        "{}",
        run.output()
    );
    assert_eq!(u64_at(s, "requests.total"), server.stats().requests_total);
}
