//! `scenarios:` — several load models in one file, at once: the example's constant arrival
//! rate of browsers and ramping VUs of buyers who log in once per VU run together against
//! the shop target; the target's count equals loadcell's total, each scenario's numbers add
//! up to it, and thresholds filtered by scenario and by the file's own tag hold or fail.

use crate::support::*;
use std::path::PathBuf;

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/two-scenarios.yaml")
}

fn items<'a>(s: &'a serde_json::Value, key: &str) -> &'a Vec<serde_json::Value> {
    s[key]
        .as_array()
        .unwrap_or_else(|| panic!("no '{key}' list in the summary"))
}

fn bool_at(v: &serde_json::Value, key: &str) -> bool {
    v[key]
        .as_bool()
        .unwrap_or_else(|| panic!("'{key}' is not a boolean: {v}"))
}

fn scenario<'a>(s: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    items(s, "scenarios")
        .iter()
        .find(|x| x["name"] == name)
        .unwrap_or_else(|| panic!("no scenario '{name}' in {}", short(&s["scenarios"])))
}

#[test]
fn two_scenarios_run_at_once_and_thresholds_filter_by_scenario_and_tag() {
    let server = shop();
    let base = server.url();
    let fails = "http_req_duration{scenario:browsers}: p(95)<0.001";
    let holds = "http_reqs{kind:checkout}: count>0";
    let run = run_file(
        &example(),
        &[
            "--base-url",
            &base,
            "--no-out",
            "--threshold",
            fails,
            "--threshold",
            holds,
        ],
    );
    // One filtered threshold cannot hold (1 µs): the run fails, exit 1, and says which.
    run.assert_exit(1);
    let s = run.summary();
    assert!(!bool_at(threshold(s, fails), "passed"), "{}", short(&s["thresholds"]));
    assert!(bool_at(threshold(s, holds), "passed"), "{}", short(&s["thresholds"]));
    for expr in [
        "http_req_duration{scenario:browsers}: p(95)<500",
        "http_req_failed{scenario:buyers}: rate<0.01",
        "http_req_duration{kind:checkout}: p(95)<500",
        "iterations{scenario:browsers}: count>60",
        "checks{scenario:buyers}: rate>0.99",
    ] {
        assert!(
            bool_at(threshold(s, expr), "passed"),
            "{expr}: {}",
            short(&s["thresholds"])
        );
    }

    // The target's own count is loadcell's, and the scenarios split it exactly.
    let stats = server.stats();
    assert_eq!(u64_at(s, "requests.total"), stats.requests_total, "{stats:?}");
    let (browsers, buyers) = (scenario(s, "browsers"), scenario(s, "buyers"));
    assert_eq!(
        u64_at(browsers, "requests") + u64_at(buyers, "requests"),
        stats.requests_total
    );
    assert_eq!(browsers["executor"], "constant-arrival-rate");
    assert_eq!(buyers["executor"], "ramping-vus");
    // k6's vus_max: the browsers' max_vus (50, fixed) and the buyers' peak (4) together.
    assert_eq!(u64_at(s, "vus.limit"), 54, "{}", short(&s["vus"]));
    // Browsers: 20/s for 6 s is 120 scheduled arrivals; each one ran or was counted dropped.
    assert_eq!(
        u64_at(browsers, "iterations") + u64_at(s, "iterations.dropped") + u64_at(s, "iterations.cut"),
        120,
        "{}",
        short(browsers)
    );
    assert_eq!(
        route(&stats, "GET /api/products"),
        u64_at(journey(s, "browse"), "iterations")
    );
    // Buyers log in once per VU (at most 4 VUs) and keep the token for every later iteration.
    let logins = route(&stats, "POST /api/auth/login");
    let checkouts = route(&stats, "POST /api/checkout");
    assert!((1..=4).contains(&logins), "{logins} logins: {stats:?}");
    assert!(checkouts > 4 * logins, "{checkouts} checkouts after {logins} logins");
    assert_eq!(
        stats.correlation_failures.auth, 0,
        "a kept token was refused: {stats:?}"
    );
    assert_eq!(checkouts, u64_at(journey(s, "buy"), "iterations"));
}

#[test]
fn a_filter_naming_no_scenario_or_tag_is_refused_before_any_request() {
    let server = shop();
    let base = server.url();
    for (expr, says) in [
        ("http_reqs{scenario:buyer}: count>1", "did you mean 'buyers'?"),
        ("http_reqs{kinds:checkout}: count>1", "did you mean 'kind'?"),
        ("http_reqs{kind:chekout}: count>1", "did you mean 'checkout'?"),
        (
            "vus{scenario:buyers}: value<9",
            "vus is measured for the whole run, not per scenario",
        ),
    ] {
        let run = loadcell(&[
            "run",
            example().to_str().unwrap_or_default(),
            "--base-url",
            &base,
            "--no-out",
            "-q",
            "--threshold",
            expr,
        ]);
        run.assert_exit(2);
        assert!(run.stderr.contains(says), "{expr}: {}", run.stderr);
        assert_eq!(run.stderr_lines().len(), 1, "{}", run.stderr);
    }
    assert_eq!(server.stats().requests_total, 0);
}

#[test]
fn scenario_mistakes_are_one_line_with_a_position() {
    let dir = TempDir::new();
    let cases = [
        (
            "executor: constant-vu\n    vus: 1\n    duration: 1s",
            "8:15",
            "did you mean 'constant-vus'?",
        ),
        (
            "executor: ramping-vus\n    startVUs: 1\n    stages: '1s:1'",
            "9:5",
            "loadcell's is start_vus",
        ),
        ("executor: constant-vus\n    vus: 1", "8:5", "needs 'duration'"),
        (
            "executor: constant-vus\n    vus: 1\n    duration: 1s\n    journeys: [brows]",
            "11:16",
            "no journey is named 'brows'; did you mean 'browse'?",
        ),
        (
            "executor: constant-vus\n    vus: 1\n    duration: 1s\n    env: { 1X: a }",
            "11:12",
            "env name '1X' must be letters, digits and '_'",
        ),
        (
            "executor: constant-vus\n    vus: 1\n    duration: 1s\n    env: { X: [1] }",
            "11:15",
            "env 'X' must be a word or number, found a list",
        ),
    ];
    for (body, at, says) in cases {
        let file = dir.write(
            "bad.yaml",
            &format!(
                "name: bad\ntarget: http://127.0.0.1:9\njourneys:\n  - name: browse\n    steps: [ {{ get: / }} ]\n\
                 scenarios:\n  two:\n    {body}\n"
            ),
        );
        let run = loadcell(&["validate", file.to_str().unwrap_or_default()]);
        run.assert_exit(2);
        assert!(
            run.stderr.contains(&format!("bad.yaml:{at}:")),
            "{body}: {}",
            run.stderr
        );
        assert!(run.stderr.contains(says), "{body}: {}", run.stderr);
    }
}

#[test]
fn iteration_executors_run_exactly_their_iterations_beside_a_late_start() {
    let server = shop();
    let dir = TempDir::new();
    let file = dir.write(
        "iterations.yaml",
        &format!(
            r#"
name: iterations
target: {url}
scenarios:
  shared:
    executor: shared-iterations
    vus: 3
    iterations: 50
    journeys: [home]
  each:
    executor: per-vu-iterations
    vus: 2
    iterations: 7
    journeys: [list]
  late:
    executor: constant-vus
    vus: 1
    duration: 1s
    start_time: 1s
    journeys: [product]
journeys:
  - name: home
    steps: [ {{ get: / }} ]
  - name: list
    steps: [ {{ get: "/api/products?limit=1" }} ]
  - name: product
    steps: [ {{ get: /api/products/7 }} ]
"#,
            url = server.url()
        ),
    );
    let out = dir.path().join("out");
    let out_arg = out.to_string_lossy().into_owned();
    let run = run_file(&file, &["--out", &out_arg]);
    run.assert_exit(0);
    let s = run.summary();
    // `loadcell report` rebuilds each scenario as the run summarised it, executor and start
    // time included (they are in meta.json; the slots carry only the name).
    loadcell(&["report", &out_arg]).assert_exit(0);
    let rebuilt = read_summary(&out.join("summary.json")).unwrap_or_else(|| panic!("no rebuilt summary"));
    assert_eq!(rebuilt["scenarios"], s["scenarios"], "rebuilt by loadcell report");
    assert_eq!(scenario(&rebuilt, "each")["executor"], "per-vu-iterations");
    let stats = server.stats();
    assert_eq!(route(&stats, "GET /"), 50, "{stats:?}");
    assert_eq!(route(&stats, "GET /api/products"), 14, "{stats:?}");
    assert!(route(&stats, "GET /api/products/{id}") > 0, "{stats:?}");
    assert_eq!(u64_at(s, "requests.total"), stats.requests_total);
    assert_eq!(u64_at(scenario(s, "shared"), "iterations"), 50);
    assert_eq!(u64_at(scenario(s, "each"), "iterations"), 14);
    assert_eq!(scenario(s, "late")["start_time_s"], 1.0);
}

#[test]
fn each_scenario_reads_its_own_env_before_the_process_environment() {
    let server = Recorder::start();
    let dir = TempDir::new();
    let file = dir.write(
        "env.yaml",
        &format!(
            r#"
name: env
target: {url}
scenarios:
  eu:
    executor: shared-iterations
    vus: 1
    iterations: 3
    journeys: [a]
    env: {{ REGION: eu, TIER: 1 }}
  us:
    executor: per-vu-iterations
    vus: 1
    iterations: 2
    journeys: [b]
journeys:
  - name: a
    steps: [ {{ get: "/a?r={{{{ env.REGION }}}}&t={{{{ env.TIER }}}}" }} ]
  - name: b
    steps: [ {{ get: "/b?r={{{{ env.REGION }}}}" }} ]
"#,
            url = server.url()
        ),
    );
    // The process environment gives REGION to the scenario without an env of its own.
    let run = run_file_env(&file, &["--no-out"], &[("REGION", "process")]);
    run.assert_exit(0);
    let seen = server.seen();
    assert_eq!(seen.len(), 5, "{seen:?}");
    for s in &seen {
        let expected = if s.path.starts_with("/a") {
            ("eu", Some("1"))
        } else {
            ("process", None)
        };
        assert_eq!((s.query("r").unwrap_or(""), s.query("t")), expected, "{}", s.path);
    }
    assert_eq!(u64_at(run.summary(), "requests.total"), 5);
}
