//! The scenario commands around `run`: `loadcell schema` prints a JSON Schema, a missing
//! file is one usage line with exit 2, and command-line flags override the file's load:
//! `-n` bounds the iterations, `-c`/`-d` replace an open-model `load:` with a closed one,
//! and `--base-url` replaces `target:`.

use crate::support::*;

#[test]
fn schema_is_json_with_a_schema_key() {
    let run = loadcell(&["schema"]);
    run.assert_exit(0);
    let schema: serde_json::Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("schema is not JSON: {e}\n{}", run.output()));
    let dialect = str_at(&schema, "$schema");
    assert!(dialect.contains("json-schema.org"), "{dialect}");
    assert!(dialect.contains("2020-12"), "README promises draft 2020-12: {dialect}");
    let props = at(&schema, "properties");
    for key in ["name", "target", "load", "defaults", "data", "journeys", "thresholds"] {
        assert!(props.get(key).is_some(), "schema has no property '{key}'");
    }
    let required = schema["required"].as_array().expect("required list");
    assert!(
        required.iter().any(|r| r == "journeys"),
        "journeys is required: {required:?}"
    );
    assert!(run.stderr.trim().is_empty(), "{}", run.output());
}

#[test]
fn run_and_validate_on_a_missing_file_are_one_usage_line() {
    let dir = TempDir::new();
    let missing = dir.path().join("nope.yaml");
    for args in [
        vec!["run".as_ref(), missing.as_os_str()],
        vec!["validate".as_ref(), missing.as_os_str()],
    ] {
        let run = loadcell(&args);
        run.assert_exit(2);
        let lines = run.stderr_lines();
        assert_eq!(lines.len(), 1, "{}", run.output());
        assert!(lines[0].contains("nope.yaml"), "{}", run.output());
        assert!(lines[0].contains("no such file"), "{}", run.output());
        assert!(run.stdout.trim().is_empty(), "{}", run.output());
    }
}

#[test]
fn dash_n_ends_a_one_minute_scenario_after_that_many_iterations() {
    let server = shop();
    let dir = TempDir::new();
    let file = dir.write(
        "minute.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 3, duration: 1m }}
journeys:
  - name: two steps
    steps: [ {{ get: / }}, {{ get: /api/products/1 }} ]
"#,
            url = server.url()
        ),
    );
    let run = run_file(&file, &["-n", "20"]);
    run.assert_exit(0);
    assert!(
        run.elapsed.as_secs() < 20,
        "-n 20 should end long before 1m\n{}",
        run.output()
    );
    let s = run.summary();
    let stats = server.stats();
    assert_eq!(str_at(s, "stop_reason"), "requests");
    assert_eq!(u64_at(s, "iterations.total"), 20);
    assert_eq!(u64_at(journey(s, "two steps"), "iterations"), 20);
    assert_eq!(stats.requests_total, 40, "20 iterations of 2 requests: {stats:?}");
    assert_eq!(u64_at(s, "requests.total"), 40);
}

#[test]
fn dash_n_overrides_the_files_iterations() {
    let server = shop();
    let dir = TempDir::new();
    let file = dir.write(
        "iters.yaml",
        &format!(
            "target: {url}\nload: {{ vus: 2, duration: 1m, iterations: 500 }}\njourneys:\n  - name: a\n    steps: [ {{ get: / }} ]\n",
            url = server.url()
        ),
    );
    let run = run_file(&file, &["-n", "7"]);
    run.assert_exit(0);
    assert_eq!(u64_at(run.summary(), "iterations.total"), 7);
    assert_eq!(server.stats().requests_total, 7);
}

#[test]
fn dash_c_and_dash_d_replace_an_open_model_load() {
    let server = shop();
    let dir = TempDir::new();
    let file = dir.write(
        "open.yaml",
        &format!(
            r#"
target: {url}
load: {{ rate: 50, duration: 1m, max_vus: 100 }}
journeys:
  - name: home
    steps: [ {{ get: / }} ]
"#,
            url = server.url()
        ),
    );
    let run = run_file(&file, &["-c", "2", "-d", "1s"]);
    run.assert_exit(0);
    assert!(
        run.elapsed.as_secs() < 15,
        "-d 1s should end long before 1m\n{}",
        run.output()
    );
    let s = run.summary();
    assert_eq!(str_at(s, "model"), "closed");
    assert_eq!(str_at(s, "latency_measured_from"), "request sent");
    assert_eq!(u64_at(s, "vus.limit"), 2);
    assert!(u64_at(s, "vus.max") <= 2, "{}", short(&s["vus"]));
    assert!(s["arrival_rate"].is_null(), "closed model has no arrival rate");
    assert_eq!(str_at(s, "stop_reason"), "duration");
    let measured = f64_at(s, "duration_s");
    assert!((0.9..=1.5).contains(&measured), "measured {measured} s for -d 1s");
    // Closed model, 2 VUs looping on a fast target: far more than the file's 50/s.
    let stats = server.stats();
    assert!(stats.requests_total > 100, "{stats:?}");
    assert_eq!(u64_at(s, "requests.total"), stats.requests_total);

    // Without the flags the file's open model applies (checked briefly with -d).
    let run = run_file(&file, &["-d", "1s"]);
    run.assert_exit(0);
    let s = run.summary();
    assert_eq!(str_at(s, "model"), "open");
    assert_eq!(u64_at(s, "vus.limit"), 100);
    let scheduled = u64_at(s, "iterations.scheduled");
    assert!(
        (45..=55).contains(&scheduled),
        "rate 50/s for 1 s scheduled {scheduled}"
    );
}

#[test]
fn base_url_replaces_the_files_target() {
    let server = shop();
    let dir = TempDir::new();
    // Port 9 on loopback: nothing listens there (and the run must not go there anyway).
    let file = dir.write(
        "elsewhere.yaml",
        "target: http://127.0.0.1:9\nload: { vus: 1, duration: 1m, iterations: 5 }\njourneys:\n  - name: a\n    steps: [ { get: /, check: { status: 200 } } ]\n",
    );
    let run = run_file(&file, &["--base-url", &server.url()]);
    run.assert_exit(0);
    let s = run.summary();
    assert_eq!(u64_at(s, "requests.ok"), 5);
    assert_eq!(server.stats().requests_total, 5);
    assert_eq!(check_counts(s, "a", "GET /", "status is 200"), (5, 0));
}

#[test]
fn a_scenario_without_target_needs_base_url() {
    let dir = TempDir::new();
    let file = dir.write(
        "no-target.yaml",
        "load: { vus: 1, duration: 1s }\njourneys:\n  - name: a\n    steps: [ { get: / } ]\n",
    );
    let run = run_file(&file, &[]);
    run.assert_exit(2);
    let lines = run.stderr_lines();
    assert_eq!(lines.len(), 1, "{}", run.output());
    assert!(lines[0].contains("--base-url"), "{}", run.output());
}

#[test]
fn warmup_is_counted_apart_and_checks_follow_the_measured_iterations() {
    let server = shop();
    let dir = TempDir::new();
    let file = dir.write(
        "warmup.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 2, duration: 1s, warmup: 1s }}
journeys:
  - name: warm
    steps:
      - get: "/api/products/{{{{ random_int(1, 50) }}}}"
        check: {{ status: 200 }}
        extract: {{ id: "$.id" }}
      - get: /
"#,
            url = server.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let s = run.summary();
    let stats = server.stats();
    let measured = u64_at(s, "requests.total");
    let warmup = u64_at(s, "requests.warmup");
    assert!(measured > 0 && warmup > 0, "{}", short(&s["requests"]));
    assert_eq!(measured + warmup, stats.requests_total, "{stats:?}");
    assert_eq!(f64_at(s, "warmup_s"), 1.0);
    let iterations = u64_at(journey(s, "warm"), "iterations");
    assert_eq!(u64_at(s, "iterations.total"), iterations);
    // An iteration belongs to the phase it started in, with its requests and checks.
    assert_eq!(measured, 2 * iterations, "two requests per measured iteration");
    assert_eq!(
        check_counts(s, "warm", "GET /api/products/{{ random_int(1, 50) }}", "status is 200"),
        (iterations, 0)
    );
    assert_eq!(
        check_counts(s, "warm", "GET /api/products/{{ random_int(1, 50) }}", "extract id"),
        (iterations, 0)
    );
}
