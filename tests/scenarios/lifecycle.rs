//! `setup:` and `teardown:` (k6's setup() and teardown()) against the shop target: the
//! setup logs in once and every VU's journeys use its token (the target refuses a bad
//! one), the teardown runs once after the load — also after Ctrl-C —, their requests are
//! counted (the target's count equals loadcell's, setup and teardown included) and tagged
//! group `::setup` / `::teardown`, and a failing setup is a setup error: exit 2, no load.
//! A `batch:` works in either phase: its requests are counted there, its extractions reach
//! the VUs, and a failing request in a setup batch is a setup error naming it.

use crate::support::*;
use std::path::PathBuf;
use std::time::Duration;

const N: u64 = 12;

/// The journey of both scenarios here: it adds to the cart with the setup's token and product.
const BUY: &str = r#"journeys:
  - name: buy
    steps:
      - name: add
        post: /api/cart/add
        headers: { authorization: "Bearer {{ token }}" }
        json: { product_id: "{{ product_id }}", qty: 1 }
        check: { status: 200 }
"#;

fn file(dir: &TempDir, password: &str, load: &str) -> PathBuf {
    let path = dir.path().join("lifecycle.yaml");
    let text = format!(
        r#"
name: lifecycle
setup:
  - name: admin login
    post: /api/auth/login
    json: {{ user: "user1", password: "{password}" }}
    check: {{ status: 200 }}
    extract: {{ token: {{ json: "$.token" }} }}
  - name: first product
    get: /api/products
    extract: {{ product_id: {{ json: "$.items[0].id" }} }}
teardown:
  - name: last look
    get: /api/products/{{{{ product_id }}}}
    check: {{ status: 200 }}
load: {load}
{BUY}thresholds:
  "http_reqs{{group:::setup}}": ["count==2"]
  "http_reqs{{group:::teardown}}": ["count==1"]
  "checks{{journey:buy}}": ["rate==1"]
"#
    );
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write the scenario: {e}"));
    path
}

/// Exit 2 with one line on stderr that says `message`.
fn assert_setup_error(run: &Finished, message: &str) {
    run.assert_exit(2);
    let lines = run.stderr_lines();
    assert_eq!(lines.len(), 1, "{}", run.output());
    assert!(lines[0].contains(message), "{}", run.output());
}

fn phase<'a>(s: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    s["lifecycle"]
        .as_array()
        .and_then(|l| l.iter().find(|p| p["phase"] == name))
        .unwrap_or_else(|| panic!("no '{name}' in lifecycle: {}", short(&s["lifecycle"])))
}

#[test]
fn setup_values_reach_every_vu_and_both_phases_are_counted() {
    let server = shop();
    let dir = TempDir::new();
    let scenario = file(&dir, "pass1", &format!("{{ vus: 3, iterations: {N} }}"));
    let run = run_file(&scenario, &["--base-url", &server.url(), "--no-out"]);
    run.assert_exit(0);
    let s = run.summary();
    let stats = server.stats();
    // 2 setup requests, N journeys (each accepted with the setup's token), 1 teardown.
    assert_eq!(stats.requests_total, 2 + N + 1, "{stats:?}");
    assert_eq!(u64_at(s, "requests.total"), stats.requests_total);
    assert_eq!(
        route(&stats, "POST /api/auth/login"),
        1,
        "one login, by the setup: {stats:?}"
    );
    assert_eq!(u64_at(s, "iterations.total"), N, "setup and teardown are no iterations");
    assert_eq!(u64_at(phase(s, "setup"), "requests"), 2);
    assert_eq!(u64_at(phase(s, "teardown"), "requests"), 1);
    assert!(phase(s, "setup").get("error").is_none(), "{}", short(s));
    for t in s["thresholds"].as_array().into_iter().flatten() {
        assert_eq!(t["passed"], true, "{}", short(t));
    }
    assert!(
        run.stdout.contains("setup:    2 requests (0 failed)"),
        "{}",
        run.output()
    );
}

/// A setup and a teardown made of `batch:` steps (k6's `http.batch()` in `setup()`).
fn batch_file(dir: &TempDir, password: &str) -> PathBuf {
    let path = dir.path().join("batch-lifecycle.yaml");
    let text = format!(
        r#"
name: batch lifecycle
setup:
  - name: warm
    batch:
      - {{ name: login, post: /api/auth/login, json: {{ user: "user1", password: "{password}" }}, check: {{ status: 200 }}, extract: {{ token: {{ json: "$.token" }} }} }}
      - {{ name: products, get: /api/products, extract: {{ product_id: {{ json: "$.items[0].id" }} }} }}
teardown:
  - name: bye
    batch:
      - {{ name: look, get: "/api/products/{{{{ product_id }}}}", check: {{ status: 200 }} }}
      - {{ name: list, get: /api/products }}
load: {{ vus: 2, iterations: {N} }}
{BUY}"#
    );
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write the scenario: {e}"));
    path
}

#[test]
fn batches_in_setup_and_teardown_are_counted_and_their_values_reach_the_vus() {
    let server = shop();
    let dir = TempDir::new();
    let run = run_file(&batch_file(&dir, "pass1"), &["--base-url", &server.url(), "--no-out"]);
    run.assert_exit(0);
    let s = run.summary();
    let stats = server.stats();
    // 2 setup requests, N journeys (each accepted with the batch's token), 2 teardown.
    assert_eq!(stats.requests_total, 2 + N + 2, "{stats:?}");
    assert_eq!(u64_at(s, "requests.total"), stats.requests_total);
    assert_eq!(route(&stats, "POST /api/auth/login"), 1, "{stats:?}");
    assert_eq!(u64_at(s, "iterations.total"), N);
    assert_eq!(
        u64_at(s, "requests.failed"),
        0,
        "the token reached every VU: {}",
        short(s)
    );
    assert_eq!(u64_at(phase(s, "setup"), "requests"), 2);
    assert_eq!(u64_at(phase(s, "teardown"), "requests"), 2);
    assert_eq!(
        u64_at(phase(s, "teardown"), "failed_requests"),
        0,
        "the product id reached the teardown"
    );
}

#[test]
fn a_failing_request_in_a_setup_batch_is_a_setup_error_naming_it() {
    let server = shop();
    let dir = TempDir::new();
    let run = loadcell(&[
        "run",
        &batch_file(&dir, "wrong").to_string_lossy(),
        "--base-url",
        &server.url(),
        "--no-out",
    ]);
    assert_setup_error(&run, "setup failed: request 'login' of batch 'warm' failed: status 401");
    // The batch went out whole; no load and no teardown followed.
    assert_eq!(server.stats().requests_total, 2, "{:?}", server.stats());
}

#[test]
fn a_failing_setup_is_a_setup_error_and_sends_no_load() {
    let server = shop();
    let dir = TempDir::new();
    let scenario = file(&dir, "wrong", &format!("{{ vus: 3, iterations: {N} }}"));
    let out = dir.path().join("out");
    let out_arg = out.to_string_lossy().into_owned();
    let run = loadcell(&[
        "run",
        &scenario.to_string_lossy(),
        "--base-url",
        &server.url(),
        "--out",
        &out_arg,
    ]);
    assert_setup_error(&run, "setup failed: step 'admin login' failed: status 401");
    // The failed login alone reached the target: no load, no teardown (as k6).
    assert_eq!(server.stats().requests_total, 1, "{:?}", server.stats());
    // The folder keeps the setup's request; its report says the same exit code.
    let again = loadcell(&["report", &out_arg]);
    again.assert_exit(2);
    let s = read_summary(&out.join("summary.json")).unwrap_or_else(|| panic!("{}", again.output()));
    assert_eq!(str_at(&s, "stop_reason"), "setup_failed");
    assert_eq!(u64_at(&s, "requests.total"), 1);
}

#[test]
fn the_teardown_runs_after_an_interrupted_load() {
    let server = shop();
    let dir = TempDir::new();
    let scenario = file(&dir, "pass1", "{ vus: 2, duration: 60s }");
    let json = dir.path().join("summary.json");
    let out = dir.path().join("out");
    let (json_arg, out_arg) = (json.to_string_lossy().into_owned(), out.to_string_lossy().into_owned());
    let running = loadcell_testkit::process::spawn(&[
        "run",
        &scenario.to_string_lossy(),
        "--base-url",
        &server.url(),
        "-q",
        "--summary-json",
        &json_arg,
        "--out",
        &out_arg,
    ]);
    let intervals = out.join("intervals.ndjson");
    let measured = loadcell_testkit::wait_until(Duration::from_secs(30), || {
        std::fs::read_to_string(&intervals).is_ok_and(|t| !t.is_empty())
    });
    assert!(measured, "no interval within 30 s");
    running.signal(libc::SIGINT);
    let run = running.wait();
    run.assert_exit(1);
    let s = read_summary(&json).unwrap_or_else(|| panic!("no summary JSON\n{}", run.output()));
    assert_eq!(str_at(&s, "stop_reason"), "interrupted");
    assert_eq!(
        u64_at(phase(&s, "teardown"), "requests"),
        1,
        "{}",
        short(&s["lifecycle"])
    );
    let stats = server.stats();
    assert_eq!(
        route(&stats, "GET /api/products/{id}"),
        1,
        "the teardown's request: {stats:?}"
    );
    assert_eq!(u64_at(&s, "requests.total"), stats.requests_total, "{}", run.output());
}

#[test]
fn setup_timeout_bounds_the_setup_and_its_cut_request_is_counted() {
    // Every response takes 3 s; the setup may take 300 ms.
    let server = loadcell_testkit::target(loadcell_target::Config {
        latency: Some(loadcell_target::Latency::Fixed(Duration::from_secs(3))),
        ..loadcell_target::Config::default()
    });
    let dir = TempDir::new();
    let scenario = file(&dir, "pass1", "{ vus: 1, iterations: 1 }");
    let text = std::fs::read_to_string(&scenario).unwrap_or_default();
    std::fs::write(&scenario, format!("setup_timeout: 300ms\n{text}")).unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("out");
    let out_arg = out.to_string_lossy().into_owned();
    let run = loadcell(&[
        "run",
        &scenario.to_string_lossy(),
        "--base-url",
        &server.url(),
        "--out",
        &out_arg,
    ]);
    run.assert_exit(2);
    assert!(
        run.stderr
            .contains("setup failed: timed out after 300 ms — no load was sent"),
        "{}",
        run.output()
    );
    // The login was cut in flight: one failed (`unfinished`) request, as the target saw one.
    let again = loadcell(&["report", &out_arg]);
    again.assert_exit(2);
    let s = read_summary(&out.join("summary.json")).unwrap_or_else(|| panic!("{}", again.output()));
    assert_eq!(u64_at(&s, "requests.total"), 1, "{}", short(&s["requests"]));
    assert_eq!(u64_at(&s, "errors.unfinished"), 1, "{}", short(&s["errors"]));
    let arrived = loadcell_testkit::wait_until(Duration::from_secs(10), || server.stats().requests_total == 1);
    assert!(arrived, "{:?}", server.stats());
}

#[test]
fn a_failing_teardown_keeps_the_verdict_and_exits_1() {
    let server = shop();
    let dir = TempDir::new();
    let scenario = file(&dir, "pass1", &format!("{{ vus: 2, iterations: {N} }}"));
    let text = std::fs::read_to_string(&scenario).unwrap_or_default();
    let text = text.replace("get: /api/products/{{ product_id }}", "get: /api/no-such-thing");
    std::fs::write(&scenario, text).unwrap_or_else(|e| panic!("{e}"));
    let run = run_file(&scenario, &["--base-url", &server.url(), "--no-out"]);
    run.assert_exit(1);
    let s = run.summary();
    let error = str_at(phase(s, "teardown"), "error");
    assert_eq!(error, "step 'last look' failed: status 404");
    assert!(run.stdout.contains(&format!("FAILED: {error}")), "{}", run.output());
    // Every threshold held: the verdict stands beside the teardown's failure.
    for t in s["thresholds"].as_array().into_iter().flatten() {
        assert_eq!(t["passed"], true, "{}", short(t));
    }
    assert_eq!(u64_at(s, "requests.total"), server.stats().requests_total);
}
