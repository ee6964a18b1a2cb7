//! `batch:` steps (k6's `http.batch()`) against a server that answers each request after
//! 300 ms and counts the most requests it held at once: a batch of 4 takes one delay, not
//! four, and the server saw 4 at once (2 with `parallel: 2`); every request is counted
//! under its own endpoint, equal to the server's count; a failing check fails only its
//! request; a value extracted in the batch reaches the next step; `on_fail:
//! abort_iteration` ends the iteration after the batch; a cookie one request gets goes
//! with the next step; the open model measures the batch from the scheduled start;
//! requests of a batch cut at the end are counted `unfinished`; HTTP/2 runs send them too.

use crate::slow_server::SlowServer;
use crate::support::*;
use std::time::Duration;

const DELAY: Duration = Duration::from_millis(300);
const N: u64 = 3;

/// A one-journey scenario against `url` whose steps are `steps` (YAML, indented by 6).
fn scenario(dir: &TempDir, url: &str, load: &str, steps: &str) -> std::path::PathBuf {
    dir.write(
        "batch.yaml",
        &format!("target: {url}\nload: {load}\njourneys:\n  - name: page\n    steps:\n{steps}"),
    )
}

/// Runs `file` with no other loadcell of this test binary beside it (its verdict depends on
/// timing); exit 0 and the summary.
fn run_alone(dir: &TempDir, file: &std::path::Path) -> (Finished, serde_json::Value) {
    let summary = dir.path().join("s.json");
    let run = Loadcell::new(&[
        "run".as_ref(),
        file.as_os_str(),
        "-q".as_ref(),
        "--summary-json".as_ref(),
        summary.as_os_str(),
    ])
    .alone()
    .run();
    run.assert_exit(0);
    let s = read_summary(&summary).unwrap_or_else(|| panic!("no summary\n{}", run.output()));
    (run, s)
}

const FOUR: &str = r#"      - name: home page
        batch:
          - { name: css, get: /a, check: { status: 200 } }
          - { name: products, get: /products, extract: { product_id: { json: "$.items[0].id" } } }
          - { name: banner, get: /c }
          - { name: news, get: /d }
      - name: product
        get: /item/{{ product_id }}
"#;

#[test]
fn a_batch_of_four_goes_out_at_once_and_each_request_counts() {
    let server = SlowServer::start(DELAY);
    let dir = TempDir::new();
    let file = scenario(
        &dir,
        &server.url(),
        &format!("{{ vus: 1, duration: 30s, iterations: {N} }}"),
        FOUR,
    );
    let (_, s) = run_alone(&dir, &file);
    assert_eq!(server.most_at_once(), 4, "the server never held the batch's 4 at once");
    for path in ["/a", "/products", "/c", "/d", "/item/42"] {
        let e = endpoint(
            &s,
            &format!(
                "GET {}",
                if path == "/item/42" {
                    "/item/{{ product_id }}"
                } else {
                    path
                }
            ),
        );
        assert_eq!(u64_at(e, "requests"), N, "{path}: {}", short(e));
        assert_eq!(server.count(path), N, "{path} at the server");
    }
    assert_eq!(u64_at(&s, "requests.total"), server.total());
    // The batch takes one delay (~300 ms), the product another: ~600 ms, not ~1,500.
    let j = journey(&s, "page");
    assert!(f64_at(j, "duration_ms.min") >= 600.0, "{}", short(&j["duration_ms"]));
    assert!(f64_at(j, "duration_ms.max") < 1_100.0, "{}", short(&j["duration_ms"]));
    assert!(f64_at(&s, "iteration_duration_ms.max") < 1_100.0);
    assert_eq!(check_counts(&s, "page", "css", "status is 200"), (N, 0));
    assert_eq!(check_counts(&s, "page", "products", "extract product_id"), (N, 0));
}

#[test]
fn parallel_caps_the_requests_in_flight() {
    let server = SlowServer::start(DELAY);
    let dir = TempDir::new();
    let steps = r#"      - name: four on two
        parallel: 2
        batch:
          - get: /a
          - get: /b
          - get: /c
          - get: /d
"#;
    let file = scenario(&dir, &server.url(), "{ vus: 1, duration: 30s, iterations: 2 }", steps);
    let (_, s) = run_alone(&dir, &file);
    let s = &s;
    assert_eq!(server.most_at_once(), 2, "parallel: 2 let more through");
    for path in ["/a", "/b", "/c", "/d"] {
        assert_eq!(u64_at(endpoint(s, &format!("GET {path}")), "requests"), 2);
        assert_eq!(server.count(path), 2);
    }
    // Two rounds of two: ~600 ms.
    let j = journey(s, "page");
    assert!(f64_at(j, "duration_ms.min") >= 600.0, "{}", short(&j["duration_ms"]));
    assert!(f64_at(j, "duration_ms.max") < 1_100.0, "{}", short(&j["duration_ms"]));
}

#[test]
fn a_failing_check_fails_only_its_request_and_abort_ends_the_iteration_after_the_batch() {
    let server = SlowServer::start(Duration::from_millis(20));
    let dir = TempDir::new();
    let steps = r#"      - batch:
          - { name: good, get: /a, check: { status: 200 } }
          - { name: bad, get: /b, check: { status: 201 }, on_fail: abort_iteration }
          - { name: also good, get: /c, check: { body_contains: "/c" } }
      - name: never
        get: /after
"#;
    let file = scenario(
        &dir,
        &server.url(),
        &format!("{{ vus: 2, duration: 30s, iterations: {N} }}"),
        steps,
    );
    let run = run_file(&file, &[]);
    let s = run.summary();
    assert_eq!(check_counts(s, "page", "good", "status is 200"), (N, 0));
    assert_eq!(check_counts(s, "page", "bad", "status is 201"), (0, N));
    assert_eq!(check_counts(s, "page", "also good", "body contains \"/c\""), (N, 0));
    // Every request of the batch went out; the step after it never did.
    for path in ["/a", "/b", "/c"] {
        assert_eq!(server.count(path), N, "{path}");
    }
    assert_eq!(server.count("/after"), 0);
    assert_eq!(u64_at(journey(s, "page"), "failed"), N);
}

#[test]
fn a_cookie_set_in_a_batch_goes_with_the_next_step() {
    let server = SlowServer::start(Duration::from_millis(20));
    let dir = TempDir::new();
    let steps = r#"      - batch:
          - get: /login
          - get: /a
      - get: /after
"#;
    let file = scenario(
        &dir,
        &server.url(),
        &format!("{{ vus: 1, duration: 30s, iterations: {N} }}"),
        steps,
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    assert_eq!(server.count("/after"), N);
    // The jar is the VU's: the first iteration's batch had no cookie yet, later ones do.
    assert_eq!(server.with_cookie("/after"), N);
    assert_eq!(server.with_cookie("/login"), N - 1);
}

#[test]
fn a_batch_in_the_open_model_is_measured_from_the_scheduled_start() {
    let server = SlowServer::start(DELAY);
    let dir = TempDir::new();
    let file = scenario(&dir, &server.url(), "{ rate: 4, duration: 2s, max_vus: 20 }", FOUR);
    let (run, s) = run_alone(&dir, &file);
    assert_every_arrival_accounted(&s, &run);
    let iterations = u64_at(&s, "iterations.total");
    assert!(iterations >= 6, "{iterations} iterations");
    for path in ["/a", "/products", "/c", "/d"] {
        assert_eq!(
            u64_at(endpoint(&s, &format!("GET {path}")), "requests"),
            server.count(path),
            "{path}"
        );
    }
    assert_eq!(u64_at(&s, "requests.total"), server.total());
    assert!(server.most_at_once() >= 4);
    // Every request of the batch took at least the delay, from the scheduled start or not.
    let css = endpoint(&s, "GET /a");
    assert!(f64_at(css, "latency_ms.min") >= 300.0, "{}", short(&css["latency_ms"]));
    let j = journey(&s, "page");
    assert!(f64_at(j, "duration_ms.max") < 1_100.0, "{}", short(&j["duration_ms"]));
}

#[test]
fn a_batch_over_http2_counts_every_request_as_the_server_saw_it() {
    let server = loadcell_testkit::servers::HttpServer::plain();
    let dir = TempDir::new();
    let steps = r#"      - batch:
          - get: /a
          - get: /b
          - get: /c
"#;
    let url = server.url();
    let file = scenario(
        &dir,
        url.trim_end_matches('/'),
        "{ vus: 2, duration: 30s, iterations: 5 }",
        steps,
    );
    let run = run_file(&file, &["--http2"]);
    run.assert_exit(0);
    let s = run.summary();
    assert_eq!(server.http2_requests(), 15, "{}", run.output());
    assert_eq!(u64_at(s, "requests.total"), 15);
    for path in ["/a", "/b", "/c"] {
        assert_eq!(u64_at(endpoint(s, &format!("GET {path}")), "requests"), 5, "{path}");
    }
}

#[test]
fn batch_requests_in_flight_at_the_end_are_counted_unfinished() {
    let server = SlowServer::start(Duration::from_secs(20));
    let dir = TempDir::new();
    let steps = r#"      - batch:
          - get: /a
          - get: /b
          - get: /c
"#;
    let file = scenario(&dir, &server.url(), "{ vus: 1, duration: 1s }", steps);
    let run = run_file(&file, &["--grace", "300ms"]);
    let s = run.summary();
    assert_eq!(server.total(), 3, "{}", run.output());
    assert_eq!(u64_at(s, "errors.unfinished"), 3, "{}", short(&s["errors"]));
    for path in ["/a", "/b", "/c"] {
        assert_eq!(u64_at(endpoint(s, &format!("GET {path}")), "requests"), 1, "{path}");
    }
}

#[test]
fn a_bad_batch_is_refused_at_its_place() {
    let dir = TempDir::new();
    let cases = [
        ("      - batch: []\n", "batch.yaml:6:16", "empty 'batch'"),
        (
            "      - batch:\n          - sleep: 1s\n",
            "batch.yaml:7:13",
            "requests only",
        ),
        (
            "      - batch:\n          - batch: [{ get: /a }]\n",
            "batch.yaml:7:13",
            "cannot hold another batch",
        ),
        (
            "      - parallel: 0\n        batch: [{ get: /a }]\n",
            "batch.yaml:6:19",
            "'parallel'",
        ),
        (
            "      - batch: [{ get: /a }]\n        paralel: 2\n",
            "batch.yaml:7:9",
            "did you mean 'parallel'",
        ),
    ];
    for (steps, at, says) in cases {
        let file = scenario(&dir, "http://127.0.0.1:9", "{ vus: 1, duration: 1s }", steps);
        let run = loadcell(&["validate".as_ref(), file.as_os_str()]);
        run.assert_exit(2);
        let out = run.output();
        assert!(out.contains(at) && out.contains(says), "{steps}: {out}");
        run.assert_no_panic();
    }
}

#[test]
fn a_batch_cut_by_a_ramp_down_counts_its_requests_at_the_cut() {
    let server = SlowServer::start(Duration::from_secs(20));
    let dir = TempDir::new();
    let file = dir.write(
        "ramp.yaml",
        &format!(
            "target: {}
scenarios:
  rampers:
    executor: ramping-vus
    start_vus: 1
    stages: [{{ duration: 1s, target: 1 }}, {{ duration: 500ms, target: 0 }}, {{ duration: 2500ms, target: 0 }}]
    graceful_ramp_down: 500ms
journeys:
  - name: long
    steps:
      - batch: [{{ get: /a }}, {{ get: /b }}, {{ get: /c }}]
",
            server.url()
        ),
    );
    let out = dir.path().join("out");
    let run = run_file(&file, &["--out", &out.to_string_lossy()]);
    run.assert_exit(0);
    let s = run.summary();
    assert_eq!(server.total(), 3, "{}", run.output());
    assert_eq!(u64_at(s, "iterations.cut"), 1, "{}", run.output());
    assert_eq!(u64_at(s, "errors.unfinished"), 3, "{}", short(&s["errors"]));
    // Cut at the ramp-down's limit (~2 s), each of the three: the run's own end (4 s) would
    // only have found those still in the VU's table.
    let log = std::fs::read_to_string(out.join("intervals.ndjson")).unwrap_or_default();
    let early: u64 = log
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap_or_default())
        .filter(|v| v["t_s"].as_f64().is_some_and(|t| t < 3.5))
        .map(|v| v["measured"]["interrupted"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(early, 3, "{log}");
}

#[test]
fn vus_whose_batches_the_descriptor_limit_cannot_hold_are_refused() {
    let server = SlowServer::start(Duration::from_millis(1));
    let dir = TempDir::new();
    let steps = "      - batch: [{ get: /a }, { get: /b }, { get: /c }, { get: /d }]\n";
    // 300 VUs fit a limit of 1024 one connection each, not four.
    let file = scenario(&dir, &server.url(), "{ vus: 300, duration: 2s }", steps);
    let run = Loadcell::new(&["run".as_ref(), file.as_os_str(), "-q".as_ref(), "--no-out".as_ref()])
        .nofile(1024, 1024)
        .run();
    run.assert_exit(2);
    assert!(
        run.stderr
            .contains("300 VUs need 1200 connections (batches of up to 4 requests at once)"),
        "{}",
        run.output()
    );
    assert_eq!(run.stderr.trim().lines().count(), 1, "one line\n{}", run.output());
    assert_eq!(server.total(), 0, "nothing may be sent");
}
