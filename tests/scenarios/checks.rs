//! Checks on responses: every kind of check (status value, list and class, body_contains,
//! JSON exists / absent / equals / matches, header matches, duration bound) passes when it
//! should and fails when it should, with its count and pass rate in `checks[]`;
//! `on_fail: abort_iteration` skips the rest of the iteration (the next step's endpoint
//! gets exactly as many requests as the first step had successes), and an extraction that
//! finds nothing is a failed check labelled `extract VAR`.

use crate::support::*;

const N: u64 = 60;

#[test]
fn every_kind_of_check_passes_on_a_matching_response() {
    let server = shop();
    let dir = TempDir::new();
    let file = dir.write(
        "pass.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 2, duration: 30s, iterations: {N} }}
journeys:
  - name: good
    steps:
      - name: list
        get: /api/products
        query: {{ limit: 3 }}
        check:
          status: 200
          body_contains: ["items", "\"total\":50"]
          json:
            "$.total": {{ equals: 50 }}
            "$.limit": 3.0
            "$.items[*].id": exists
            "$.items[0].name": {{ matches: "^.+$" }}
            "$.error": {{ exists: false }}
          header: {{ content-type: {{ matches: "^application/json" }}, x-nothing: {{ exists: false }} }}
          duration: "<5s"
      - name: missing
        get: /api/products/999
        check: {{ status: [404, 410], json: {{ "$.error": exists }} }}
      - name: class
        get: /
        check: {{ status: 2xx, body_contains: hello, duration: ">=0ms" }}
      - name: client error class
        get: /nowhere
        check: {{ status: 4xx }}
thresholds:
  checks: ["rate==1"]
"#,
            url = server.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let s = run.summary();
    let labels = [
        ("list", "status is 200"),
        ("list", "body contains \"items\""),
        ("list", "body contains \"\\\"total\\\":50\""),
        ("list", "$.total equals 50"),
        ("list", "$.limit equals 3.0"),
        ("list", "$.items[*].id exists"),
        ("list", "$.items[0].name matches \"^.+$\""),
        ("list", "$.error is absent"),
        ("list", "header content-type matches \"^application/json\""),
        ("list", "header x-nothing is absent"),
        ("list", "duration < 5s"),
        ("missing", "status is 404 or 410"),
        ("missing", "$.error exists"),
        ("class", "status is 2xx"),
        ("class", "body contains \"hello\""),
        ("class", "duration >= 0ms"),
        ("client error class", "status is 4xx"),
    ];
    let listed: Vec<String> = at(s, "checks")
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("{} / {}", str_at(c, "step"), str_at(c, "name")))
        .collect();
    for (step, label) in labels {
        let c = check(s, "good", step, label);
        assert_eq!(
            (u64_at(c, "passed"), u64_at(c, "failed")),
            (N, 0),
            "check '{label}' of '{step}': {}",
            short(c)
        );
        assert_eq!(f64_at(c, "pass_rate"), 1.0);
    }
    assert_eq!(listed.len(), labels.len(), "checks listed: {listed:?}");
    let stats = server.stats();
    assert_eq!(stats.requests_total, 4 * N, "{stats:?}");
    assert_eq!(u64_at(s, "requests.total"), stats.requests_total);
}

#[test]
fn every_kind_of_check_fails_on_a_mismatching_response() {
    let server = shop();
    let dir = TempDir::new();
    let file = dir.write(
        "fail.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 2, duration: 30s, iterations: {N} }}
journeys:
  - name: bad
    steps:
      - name: list
        get: /api/products
        check:
          status: [201, 204]
          body_contains: "no such text"
          json:
            "$.total": 51
            "$.nothing": exists
            "$.items[0].name": {{ matches: "^zzz" }}
            "$.items": {{ exists: false }}
          header: {{ content-type: {{ equals: text/html }}, x-missing: exists }}
          duration: ">1h"
      - name: text body
        get: /
        check: {{ status: 5xx, json: {{ "$": exists }} }}
thresholds:
  checks: ["rate>0.5"]
"#,
            url = server.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(1);
    let s = run.summary();
    let labels = [
        ("list", "status is 201 or 204"),
        ("list", "body contains \"no such text\""),
        ("list", "$.total equals 51"),
        ("list", "$.nothing exists"),
        ("list", "$.items[0].name matches \"^zzz\""),
        ("list", "$.items is absent"),
        ("list", "header content-type equals \"text/html\""),
        ("list", "header x-missing exists"),
        ("list", "duration > 1h"),
        ("text body", "status is 5xx"),
        ("text body", "$ exists"),
    ];
    for (step, label) in labels {
        let c = check(s, "bad", step, label);
        assert_eq!(
            (u64_at(c, "passed"), u64_at(c, "failed")),
            (0, N),
            "check '{label}' of '{step}': {}",
            short(c)
        );
        assert_eq!(f64_at(c, "pass_rate"), 0.0);
    }
    assert_eq!(failed_checks(s), labels.len() as u64 * N);
    assert_eq!(passed_checks(s), 0);
    // Failed checks do not make the requests failed: every response was a 200.
    assert_eq!(u64_at(s, "requests.failed"), 0);
    assert_eq!(
        u64_at(journey(s, "bad"), "failed"),
        N,
        "every iteration had a failed check"
    );
    assert!(!at(s, "thresholds.0.passed").as_bool().unwrap());
    let stats = server.stats();
    assert_eq!(stats.requests_total, 2 * N, "{stats:?}");
}

#[test]
fn abort_iteration_skips_the_following_steps() {
    let server = shop();
    let dir = TempDir::new();
    let file = dir.write(
        "abort.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 2, duration: 30s, iterations: 300 }}
journeys:
  - name: abort
    steps:
      - name: maybe
        get: "/api/products/{{{{ random_int(1, 100) }}}}"
        check: {{ status: 200 }}
        on_fail: abort_iteration
      - name: after
        get: /
  - name: continue
    steps:
      - name: maybe
        get: "/api/products/{{{{ random_int(1, 100) }}}}/reviews"
        check: {{ status: 200 }}
      - name: after
        get: /api/products
"#,
            url = server.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let s = run.summary();
    let stats = server.stats();

    let first = endpoint(s, "GET /api/products/{{ random_int(1, 100) }}");
    let ok = u64_at(first, "status_codes.200");
    let missing = u64_at(first, "status_codes.404");
    let abort_iterations = u64_at(journey(s, "abort"), "iterations");
    assert_eq!(u64_at(first, "requests"), abort_iterations);
    assert_eq!(ok + missing, abort_iterations);
    assert!(ok > 0 && missing > 0, "ids 1..100 hit 50 products: {}", short(first));
    let after = endpoint(s, "GET /");
    assert_eq!(
        u64_at(after, "requests"),
        ok,
        "only iterations whose first step passed may reach the second"
    );
    assert_eq!(route(&stats, "GET /"), ok, "{stats:?}");
    assert_eq!(check_counts(s, "abort", "maybe", "status is 200"), (ok, missing));
    assert_eq!(u64_at(journey(s, "abort"), "failed"), missing);

    // Without abort_iteration the second step runs every time.
    let cont = u64_at(journey(s, "continue"), "iterations");
    assert_eq!(u64_at(endpoint(s, "GET /api/products"), "requests"), cont);
    assert_eq!(route(&stats, "GET /api/products"), cont, "{stats:?}");
    assert_eq!(abort_iterations + cont, 300);
    assert_eq!(
        stats.correlation_failures.unknown_product,
        missing
            + u64_at(
                endpoint(s, "GET /api/products/{{ random_int(1, 100) }}/reviews"),
                "status_codes.404"
            ),
        "{stats:?}"
    );
    assert_eq!(u64_at(s, "requests.total"), stats.requests_total);
}

#[test]
fn failed_extraction_is_a_failed_check_and_ends_the_iteration() {
    let server = shop();
    let dir = TempDir::new();
    let file = dir.write(
        "extract.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 2, duration: 30s, iterations: {N} }}
journeys:
  - name: extract
    steps:
      - name: text
        get: /
        extract:
          token: {{ json: "$.token" }}
          greeting: {{ regex: "(hel+o)" }}
          ctype: {{ header: content-type }}
          nothing: {{ header: x-not-there }}
      - name: uses token
        get: "/api/products/{{{{ token }}}}"
"#,
            url = server.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let s = run.summary();
    assert_eq!(check_counts(s, "extract", "text", "extract token"), (0, N));
    assert_eq!(check_counts(s, "extract", "text", "extract nothing"), (0, N));
    assert_eq!(check_counts(s, "extract", "text", "extract greeting"), (N, 0));
    assert_eq!(check_counts(s, "extract", "text", "extract ctype"), (N, 0));
    assert_eq!(u64_at(journey(s, "extract"), "failed"), N);
    // `token` never had a value, so the second step could not be sent.
    let stats = server.stats();
    assert_eq!(stats.requests_total, N, "{stats:?}");
    assert_eq!(route(&stats, "GET /"), N, "{stats:?}");
    assert_eq!(u64_at(s, "requests.total"), N);
    assert_eq!(u64_at(endpoint(s, "GET /api/products/{{ token }}"), "requests"), 0);
}

#[test]
fn extraction_with_abort_iteration_skips_the_rest() {
    let server = shop();
    let dir = TempDir::new();
    let file = dir.write(
        "extract-abort.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 1, duration: 30s, iterations: {N} }}
journeys:
  - name: extract
    steps:
      - name: text
        get: /
        extract: {{ token: "$.token" }}
        on_fail: abort_iteration
      - name: unrelated
        get: /api/products
"#,
            url = server.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let s = run.summary();
    assert_eq!(check_counts(s, "extract", "text", "extract token"), (0, N));
    let stats = server.stats();
    assert_eq!(route(&stats, "GET /api/products"), 0, "{stats:?}");
    assert_eq!(stats.requests_total, N, "{stats:?}");
}

/// README: extraction "sets variables for the following steps of the same iteration", and
/// "an extraction that finds nothing fails … and the variable keeps no value". A value
/// extracted in an earlier iteration must therefore not be used after a failed extraction.
/// loadcell keeps a VU's variables from one iteration to the next (`VuState::vars` is
/// never cleared), so after a 404 the next step goes out with the previous iteration's
/// id: a correlation failure (think: a failed login followed by calls with the last
/// iteration's token) is hidden instead of shown.
#[test]
fn a_failed_extraction_does_not_reuse_the_previous_iterations_value() {
    let server = shop();
    let dir = TempDir::new();
    let file = dir.write(
        "stale.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 1, duration: 30s, iterations: 200 }}
journeys:
  - name: stale
    steps:
      - name: product
        get: "/api/products/{{{{ random_int(1, 100) }}}}"
        extract: {{ pid: "$.id" }}
      - name: reviews
        get: "/api/products/{{{{ pid }}}}/reviews"
"#,
            url = server.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let s = run.summary();
    let (extracted, not_found) = check_counts(s, "stale", "product", "extract pid");
    assert_eq!(extracted + not_found, 200);
    assert!(extracted > 0 && not_found > 0, "ids 1..100 hit 50 products");
    let stats = server.stats();
    assert_eq!(
        route(&stats, "GET /api/products/{id}/reviews"),
        extracted,
        "the reviews step ran in iterations whose extraction failed, with an earlier iteration's pid: {stats:?}"
    );
}

#[test]
fn extractions_by_json_regex_and_header_feed_later_steps() {
    let rec = Recorder::start();
    let dir = TempDir::new();
    let file = dir.write(
        "extract-kinds.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 1, duration: 30s, iterations: 20 }}
journeys:
  - name: kinds
    steps:
      - name: list
        get: /list
        extract:
          all_ids: {{ json: "$.items[*].id", pick: all }}
          first_id: "$.items[*].id"
          last_name: {{ json: "$.items[-1].name" }}
          any_id: {{ json: "$..id", pick: random }}
          name_group: {{ regex: '"name":"(p[0-9]+)"' }}
          whole: {{ regex: 'total":[0-9]+' }}
          second_group: {{ regex: '"id":([0-9]+),"name":"(p[0-9]+)"', group: 2 }}
          ctype: {{ header: Content-Type }}
          total: "$.total"
      - name: echo
        post: "/echo/{{{{ first_id }}}}"
        query: {{ any: "{{{{ any_id }}}}" }}
        json:
          all: "{{{{ all_ids }}}}"
          last: "{{{{ last_name }}}}"
          group: "{{{{ name_group }}}}"
          whole: "{{{{ whole }}}}"
          second: "{{{{ second_group }}}}"
          ctype: "{{{{ ctype }}}}"
          total: "{{{{ total }}}}"
          text: "{{{{ total }}}} items"
"#,
            url = rec.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let s = run.summary();
    assert_eq!(failed_checks(s), 0, "{}", short(&s["checks"]));
    let seen = rec.seen();
    assert_eq!(seen.len(), 40);
    let all: Vec<u64> = (1..=50).collect();
    let mut any = std::collections::BTreeSet::new();
    for echo in seen.iter().filter(|r| r.method == "POST") {
        assert!(echo.path.starts_with("/echo/1?any="), "{}", echo.path);
        let id: u64 = echo.query("any").unwrap().parse().unwrap();
        assert!((1..=50).contains(&id));
        any.insert(id);
        assert_eq!(
            echo.json(),
            serde_json::json!({
                "all": all,
                "last": "p50",
                "group": "p1",
                "whole": "total\":50",
                "second": "p1",
                "ctype": "application/json",
                "total": 50,
                "text": "50 items",
            })
        );
    }
    assert!(any.len() > 1, "pick: random picked {any:?} in 20 iterations");
}

#[test]
fn request_timeout_fails_checks_and_extractions_and_the_flag_overrides_it() {
    let server = loadcell_target::TargetHandle::spawn(loadcell_target::Config {
        latency: Some(loadcell_target::Latency::Fixed(std::time::Duration::from_millis(300))),
        ..loadcell_target::Config::default()
    })
    .expect("start slow target");
    let dir = TempDir::new();
    let file = dir.write(
        "timeout.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 2, duration: 30s, iterations: 6 }}
defaults:
  timeout: 100ms
journeys:
  - name: slow
    steps:
      - name: product
        get: /api/products/1
        check: {{ status: 2xx }}
        extract: {{ id: "$.id" }}
      - name: reviews
        get: /api/products/{{{{ id }}}}/reviews
"#,
            url = server.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let s = run.summary();
    assert_eq!(u64_at(s, "requests.total"), 6);
    assert_eq!(u64_at(s, "requests.failed"), 6);
    assert_eq!(u64_at(s, "errors.request_timeout"), 6, "{}", short(&s["errors"]));
    assert_eq!(check_counts(s, "slow", "product", "status is 2xx"), (0, 6));
    assert_eq!(check_counts(s, "slow", "product", "extract id"), (0, 6));
    assert_eq!(u64_at(journey(s, "slow"), "failed"), 6);
    assert_eq!(server.stats().requests_total, 6, "the reviews step had no id to send");

    let run = run_file(&file, &["--timeout", "5s"]);
    run.assert_exit(0);
    let s = run.summary();
    assert_eq!(u64_at(s, "requests.ok"), 12, "{}", short(&s["requests"]));
    assert_eq!(failed_checks(s), 0);
    assert_eq!(server.stats().requests_total, 18);
}
