//! A closed port is a setup error (exit 2, one line, within two seconds), and a run where
//! most requests failed says so first. Transport failures are classified, counted and
//! survived: each purpose-built server
//! produces exactly one error kind in `errors`, every request counts as failed, the run
//! still exits 0 (without thresholds an error is a measurement, not a failure of
//! loadcell) and nothing panics. TLS: a self-signed certificate fails as `tls` unless
//! `-k` is given, and then the requests succeed. Over HTTP/2 the same failures must
//! get the same kinds.

use serde_json::Value;

use crate::support::{
    Finished, HttpServer, RawServer, RefusingPort, TempDir, at, counts_at, f64_at, run, str_at, target, u64_at, url_of,
};
use loadcell_target::Config;

/// Every request failed with `kind` and only `kind`; returns how many there were.
fn assert_only_error(run: &Finished, kind: &str) -> u64 {
    run.assert_exit(0);
    let s: &Value = run.summary();
    let total = u64_at(s, "requests.total");
    assert!(total > 0, "{}", run.output());
    assert_eq!(
        counts_at(s, "errors"),
        vec![(kind.to_string(), total)],
        "expected every request to fail as {kind}\n{}",
        run.output()
    );
    assert_eq!(u64_at(s, "requests.failed"), total, "{}", run.output());
    assert_eq!(u64_at(s, "requests.ok"), 0);
    assert!(counts_at(s, "status_codes").is_empty(), "{}", run.output());
    let endpoint_errors = counts_at(s, "endpoints.0.errors");
    assert_eq!(endpoint_errors, vec![(kind.to_string(), total)]);
    total
}

#[test]
fn a_target_nobody_listens_on_is_a_setup_error_within_two_seconds() {
    let port = RefusingPort::new();
    let run = run(&port.url(), &["-c", "2", "-d", "30s"]);
    run.assert_exit(2);
    // From the process's own start: before it, the test may wait for the machine lock while
    // another test's 10 s run holds it.
    assert!(
        run.elapsed < std::time::Duration::from_secs(4),
        "a 30 s run against a closed port took {:?}\n{}",
        run.elapsed,
        run.output()
    );
    let lines = run.stderr_lines();
    assert_eq!(lines.len(), 1, "{}", run.output());
    let want = format!("nothing listens on 127.0.0.1:{} — is the service running?", port.port);
    assert!(lines[0].contains(&want), "{}", run.output());
    // A run shorter than one interval is judged at its end the same way.
    let run = crate::support::run(&port.url(), &["-c", "2", "-n", "20"]);
    run.assert_exit(2);
    assert!(run.stderr.contains("nothing listens on"), "{}", run.output());
}

/// A sweep against a closed port ends at its first step with the same one line (it took
/// 65 s and exit 0, "no sustainable rate", before), and a run that measured nothing leaves
/// no results folder of loadcell's naming behind.
#[test]
fn sweeps_and_scenarios_against_a_closed_port_are_setup_errors_that_leave_no_folder() {
    let port = RefusingPort::new();
    let want = format!("nothing listens on 127.0.0.1:{} — is the service running?", port.port);
    let dir = TempDir::new();
    let scenario = dir.path().join("closed.yaml");
    std::fs::write(
        &scenario,
        format!(
            "target: {}\njourneys:\n  - name: browse\n    steps:\n      - get: /\n",
            port.url()
        ),
    )
    .expect("write scenario");
    let scenario = scenario.to_string_lossy().into_owned();
    let url = port.url();
    let commands: [&[&str]; 3] = [
        &["capacity", &url, "--slo", "p95<100ms", "--step-duration", "3s"],
        &["scale", &url, "--vus", "1,2,4", "--step-duration", "3s"],
        &["run", &scenario, "-d", "30s"],
    ];
    for args in commands {
        let run = crate::support::Loadcell::new(args).current_dir(dir.path()).run();
        run.assert_exit(2);
        assert!(
            run.elapsed < std::time::Duration::from_secs(8),
            "{args:?} took {:?}\n{}",
            run.elapsed,
            run.output()
        );
        let lines = run.stderr_lines();
        assert!(lines.iter().any(|l| l.contains(&want)), "{args:?}\n{}", run.output());
        assert!(!run.stderr.contains("panicked"), "{}", run.output());
        let results = dir.path().join("loadcell-results");
        let left: Vec<_> = std::fs::read_dir(&results)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        assert!(left.is_empty(), "{args:?} left {left:?}\n{}", run.output());
    }
}

#[test]
fn most_requests_failing_is_a_prominent_warning_whatever_the_thresholds() {
    let server = target(Config {
        error_rate: 1.0,
        ..Config::default()
    });
    let dir = TempDir::new();
    let out = dir.path().join("out");
    let out_arg = out.to_string_lossy().into_owned();
    let run = run(&url_of(&server), &["-c", "2", "-n", "50", "--out", &out_arg]);
    run.assert_exit(0);
    let header = run.stdout.split("\n  requests ").next().unwrap_or_default();
    assert!(
        header.contains("WARNING: most requests failed: 50 of 50 (100%)"),
        "the warning opens the summary:\n{}",
        run.output()
    );
    let warnings = at(run.summary(), "generator.warnings");
    assert!(
        str_at(warnings, "0").starts_with("most requests failed: 50 of 50"),
        "{}",
        run.output()
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap_or_default();
    assert!(
        html.contains("<p class=\"alarm\">⚠ most requests failed: 50 of 50"),
        "report.html"
    );
}

#[test]
fn server_that_never_answers_is_request_timeout() {
    let server = RawServer::silent();
    let run = run(&server.url(), &["-c", "2", "-n", "4", "--timeout", "300ms"]);
    let total = assert_only_error(&run, "request_timeout");
    assert_eq!(total, 4, "{}", run.output());
    assert_eq!(server.requests(), 4, "each timed-out request reached the server");
    assert_eq!(server.connections(), 4, "a timed-out connection is not reused");
    // A timeout is a real wait, so it is a latency: about the timeout itself.
    assert_eq!(u64_at(run.summary(), "latency_ms.count"), 4);
    let max = f64_at(run.summary(), "latency_ms.max");
    assert!((290.0..2000.0).contains(&max), "max latency {max} ms\n{}", run.output());
}

#[test]
fn connection_reset_is_reset() {
    let server = RawServer::reset();
    let run = run(&server.url(), &["-c", "2", "-n", "20", "--timeout", "2s"]);
    let total = assert_only_error(&run, "reset");
    assert_eq!(total, 20, "{}", run.output());
    assert_eq!(
        server.requests(),
        20,
        "every request reached the server before the reset"
    );
    assert_eq!(server.connections(), 20, "a reset connection is not reused");
    // No response at all: no latency to show, said as such, and null in JSON.
    assert!(
        run.stdout.contains("latency     no successful responses"),
        "{}",
        run.output()
    );
    assert!(!run.stdout.contains("min 0.00ms"), "{}", run.output());
    assert!(run.summary()["latency_ms"]["p95"].is_null(), "{}", run.output());
    assert_eq!(u64_at(run.summary(), "latency_ms.count"), 0);
}

#[test]
fn garbage_response_is_malformed_response() {
    let server = RawServer::garbage();
    let run = run(&server.url(), &["-c", "2", "-n", "20", "--timeout", "2s"]);
    let total = assert_only_error(&run, "malformed_response");
    assert_eq!(total, 20, "{}", run.output());
    assert_eq!(server.requests(), 20);
}

#[test]
fn untrusted_certificate_is_tls_error_without_k() {
    let server = HttpServer::tls();
    let run = run(&server.url(), &["-c", "2", "-n", "10", "--timeout", "2s"]);
    let total = assert_only_error(&run, "tls");
    assert_eq!(total, 10, "{}", run.output());
    assert_eq!(
        server.requests(),
        0,
        "no request may be sent over an untrusted connection"
    );
    assert_eq!(server.tls_handshakes(), 0);
}

#[test]
fn untrusted_certificate_is_accepted_with_k() {
    let server = HttpServer::tls();
    let run = run(&server.url(), &["-k", "-c", "2", "-n", "50", "--timeout", "2s"]);
    run.assert_exit(0);
    let s = run.summary();
    assert_eq!(
        counts_at(s, "status_codes"),
        vec![("200".to_string(), 50)],
        "{}",
        run.output()
    );
    assert!(counts_at(s, "errors").is_empty(), "{}", run.output());
    assert_eq!(u64_at(s, "requests.ok"), 50);
    assert_eq!(server.requests(), 50);
    assert_eq!(server.http1_requests(), 50, "without --http2 loadcell speaks HTTP/1.1");
    // Keep-alive over TLS: each of the 2 VUs reuses its one connection.
    assert_eq!(server.tls_handshakes(), 2, "{}", run.output());
    assert_eq!(u64_at(s, "connections_opened"), 2);
}

/// The same failures over HTTP/2 (h2c prior knowledge) must be classified the same way.

#[test]
fn connection_reset_is_reset_over_http2() {
    let server = RawServer::reset();
    let run = run(&server.url(), &["--http2", "-c", "1", "-n", "20", "--timeout", "2s"]);
    let total = assert_only_error(&run, "reset");
    assert_eq!(total, 20, "{}", run.output());
}

#[test]
fn garbage_response_is_malformed_response_over_http2() {
    let server = RawServer::garbage();
    let run = run(&server.url(), &["--http2", "-c", "1", "-n", "20", "--timeout", "2s"]);
    let total = assert_only_error(&run, "malformed_response");
    assert_eq!(total, 20, "{}", run.output());
}
