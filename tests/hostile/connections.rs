//! Faults in reaching the target at all: a full listen backlog, a server that dies and
//! comes back on the same port.

use std::time::Duration;

use crate::harness::run;
use crate::server::{Flapping, FullBacklog};

#[test]
fn a_full_backlog_is_connect_timeout_not_a_hang() {
    let server = FullBacklog::start();
    let run = run(
        &server.url(),
        &[
            "-c",
            "4",
            "-d",
            "2s",
            "--connect-timeout",
            "500ms",
            "--timeout",
            "500ms",
            "--grace",
            "1s",
            "--threshold",
            "error_rate<1%",
        ],
    );
    run.assert_sane(1, Duration::from_secs(3));
    let errors = run.errors();
    assert!(
        errors.get("connect_timeout").is_some_and(|n| *n > 0),
        "{}",
        run.output()
    );
    assert!(
        errors.keys().all(|k| k == "connect_timeout" || k == "request_timeout"),
        "queued connections time out waiting for a response, the rest connecting\n{}",
        run.output()
    );
    assert_eq!(run.count(&["requests", "ok"]), 0);
}

#[test]
fn a_server_that_dies_and_comes_back_is_measured_through_it() {
    let server = Flapping::start(Duration::from_millis(700), Duration::from_millis(500));
    let run = run(
        &server.url(),
        &[
            "-c",
            "2",
            "-d",
            "3s",
            "--timeout",
            "1s",
            "--connect-timeout",
            "500ms",
            "--grace",
            "1s",
        ],
    );
    run.assert_sane(0, Duration::from_secs(4));
    let errors = run.errors();
    assert!(
        errors.get("connect_refused").is_some_and(|n| *n > 0),
        "{}",
        run.output()
    );
    assert!(
        errors
            .keys()
            .all(|k| ["connect_refused", "reset", "connection_closed"].contains(&k.as_str())),
        "{}",
        run.output()
    );
    assert_eq!(
        run.count(&["requests", "ok"]),
        server.answered(),
        "every response the server wrote was counted, and nothing else\n{}",
        run.output()
    );
    // Successes again after failures: loadcell reconnected once the port was back.
    let series = run.summary()["timeseries"].as_array().cloned().unwrap_or_default();
    let first_failure = series.iter().position(|i| i["failed"].as_u64().unwrap_or(0) > 0);
    let recovered = first_failure.is_some_and(|f| series[f + 1..].iter().any(|i| i["ok"].as_u64().unwrap_or(0) > 0));
    assert!(recovered, "no success after the first failures\n{}", run.output());
}
