//! Ctrl-C (SIGINT) ends a run gracefully: loadcell stops within a few seconds, still
//! prints the summary and writes the JSON with stop_reason `interrupted`, exits 1 (an
//! incomplete test is not a pass, whatever its thresholds; `loadcell report` on its folder
//! says the same), and every request it counted reached the server. A second
//! SIGINT cuts the requests still in flight instead of waiting out the grace period.

use std::time::{Duration, Instant};

use loadcell_target::{Config, Latency};

use crate::support::{
    TempDir, f64_at, fast_target, read_summary, run_raw, spawn, str_at, target, u64_at, url_of, wait_until,
};

#[test]
fn sigint_stops_gracefully_with_a_summary() {
    let server = fast_target();
    let dir = TempDir::new();
    let json = dir.path().join("summary.json");
    let out = dir.path().join("out");
    let url = url_of(&server);
    let json_arg = json.to_string_lossy().into_owned();
    let out_arg = out.to_string_lossy().into_owned();
    let running = spawn(&[
        "run",
        &url,
        "-c",
        "4",
        "-d",
        "30s",
        "--summary-json",
        &json_arg,
        "--out",
        &out_arg,
    ]);
    // Signal handlers are installed before the first request; let the run measure two
    // whole seconds first (their intervals are on disk).
    let intervals = out.join("intervals.ndjson");
    let measured = wait_until(Duration::from_secs(20), || {
        std::fs::read_to_string(&intervals).is_ok_and(|t| t.lines().count() >= 2)
    });
    assert!(measured, "two seconds were not measured within 20 s");
    running.signal(libc::SIGINT);
    let signalled = Instant::now();
    let run = running.wait();
    let stop_time = signalled.elapsed();
    run.assert_exit(1);
    assert!(
        stop_time < Duration::from_secs(5),
        "loadcell took {stop_time:?} to stop after SIGINT\n{}",
        run.output()
    );
    assert!(
        run.stdout.contains("INCOMPLETE: the run was interrupted"),
        "{}",
        run.output()
    );
    assert!(
        run.stdout.contains("requests"),
        "no summary on stdout\n{}",
        run.output()
    );
    let s = read_summary(&json).unwrap_or_else(|| panic!("no summary JSON\n{}", run.output()));
    assert_eq!(str_at(&s, "stop_reason"), "interrupted");
    let total = u64_at(&s, "requests.total");
    assert!(total > 0);
    assert_eq!(total, server.stats().requests_total, "{}", run.output());
    assert_eq!(u64_at(&s, "requests.interrupted"), 0);
    let measured = f64_at(&s, "duration_s");
    assert!((1.0..10.0).contains(&measured), "measured {measured} s of a 30 s run");
    let again = run_raw(&["report", &out_arg]);
    again.assert_exit(1);
    assert!(again.stdout.contains("INCOMPLETE"), "{}", again.output());
}

#[test]
fn second_sigint_cuts_in_flight_requests() {
    // Responses take 2 s and the grace period is 30 s: after the first SIGINT loadcell
    // would wait for the 4 in-flight requests; the second one cuts them at once.
    let server = target(Config {
        latency: Some(Latency::Fixed(Duration::from_secs(2))),
        ..Config::default()
    });
    let dir = TempDir::new();
    let json = dir.path().join("summary.json");
    let url = url_of(&server);
    let json_arg = json.to_string_lossy().into_owned();
    let running = spawn(&[
        "run",
        &url,
        "-c",
        "4",
        "-d",
        "30s",
        "--grace",
        "30s",
        "-q",
        "--summary-json",
        &json_arg,
    ]);
    // The 4 requests are in flight once the server has them (it answers after 2 s).
    let started = wait_until(Duration::from_secs(20), || server.stats().requests_total >= 4);
    assert!(started, "the 4 VUs did not start within 20 s");
    running.signal(libc::SIGINT);
    // Two signals pending at once would be delivered as one: send the second once the
    // first was handled.
    let handled = wait_until(Duration::from_secs(5), || !running.signal_pending(libc::SIGINT));
    assert!(handled, "the first SIGINT was not handled within 5 s");
    running.signal(libc::SIGINT);
    let signalled = Instant::now();
    let run = running.wait();
    let stop_time = signalled.elapsed();
    run.assert_exit(1);
    // That the requests were cut, not answered, is proven below (4 interrupted, though the
    // server answers at 2 s); the time only bounds the exit, which a busy machine slows.
    assert!(
        stop_time < Duration::from_secs(5),
        "a second SIGINT should cut in-flight requests; loadcell took {stop_time:?}\n{}",
        run.output()
    );
    let s = read_summary(&json).unwrap_or_else(|| panic!("no summary JSON\n{}", run.output()));
    assert_eq!(str_at(&s, "stop_reason"), "interrupted");
    let total = u64_at(&s, "requests.total");
    let interrupted = u64_at(&s, "requests.interrupted");
    assert_eq!(interrupted, 4, "{}", run.output());
    // The cut requests are failed requests, in the total like every request the server got.
    assert_eq!(total, server.stats().requests_total, "{}", run.output());
    assert_eq!(u64_at(&s, "errors.unfinished"), 4, "{}", run.output());
}
