//! `loadcell suite PLAN` end to end: the real binary runs small plans written by each test
//! against the built-in target (in-process, on a free port of 127.0.0.1) and must give one
//! verdict with CI's exit codes — 0 every test passed, 1 a test failed its SLO or warned
//! (unless `--allow-warnings`), 2 a plan mistake or an unreachable target before any load —
//! with one results folder per test and `suite.json`, `junit.xml` and `suite.md`.
//!
//! The plans keep every verdict far from its limit so that a loaded machine and a quiet one
//! judge alike: SLOs of seconds against a target that answers in 10 ms, an error rate of 5%
//! against a 1% SLO over hundreds of requests, an open model that must drop most of its
//! arrivals because 2 VUs cannot serve 40/s of 200 ms requests. A passing plan runs with
//! `--allow-warnings`: a loaded machine makes loadcell itself late (a true warning), which
//! must not fail a test of the verdict's logic; the warning path has its own test.
#![cfg(test)]

use loadcell_target::{Config, Latency, TargetHandle};
use loadcell_testkit::{Finished, Loadcell, RefusingPort, TempDir, target};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

mod baseline;
mod bench;
mod init;

/// A plan of a few short tests takes well under a minute; a hang fails instead of CI.
const GUARD: Duration = Duration::from_secs(150);

/// A target that answers every request after `latency`, failing `error_rate` of them.
fn slow_target(latency: Duration, error_rate: f64) -> TargetHandle {
    target(Config {
        latency: Some(Latency::Fixed(latency)),
        error_rate,
        ..Config::default()
    })
}

/// Writes `plan.yaml` (the target's URL in place of `URL`) into `dir`.
fn write_plan(dir: &TempDir, handle_url: &str, body: &str) -> std::path::PathBuf {
    let path = dir.path().join("plan.yaml");
    std::fs::write(&path, body.replace("URL", handle_url)).expect("write the plan");
    path
}

/// Runs `loadcell suite PLAN --out DIR/out ARGS`, alone: verdicts rest on timing.
fn suite(plan: &Path, out: &Path, args: &[&str]) -> Finished {
    suite_command(plan, out, args).alone().run()
}

/// `loadcell suite PLAN --out DIR/out -q ARGS` under the wall-clock guard.
fn suite_command(plan: &Path, out: &Path, args: &[&str]) -> Loadcell {
    let mut argv = vec![
        "suite".to_string(),
        plan.display().to_string(),
        "--out".to_string(),
        out.display().to_string(),
        "-q".to_string(),
    ];
    argv.extend(args.iter().map(|a| a.to_string()));
    Loadcell::new(&argv).guard(GUARD)
}

fn suite_json(out: &Path) -> Value {
    let text = std::fs::read_to_string(out.join("suite.json")).expect("suite.json in the suite folder");
    serde_json::from_str(&text).expect("suite.json is JSON")
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
        .unwrap_or_default()
}

const PASSING: &str = "\
target: URL
slo: [\"p95<3s\", \"error_rate<1%\"]
tests:
  - smoke: { target_vus: 2, hold: 2s }
  - load: { target_rate: 20, ramp: 1s, hold: 2s }
  - capacity: { start_rate: 20, max_rate: 40, step_duration: 1s, max_time: 20s }
  - scale: { vus: [1, 2, 4], step_duration: 1s }
";

#[test]
fn a_passing_plan_writes_every_test_and_one_verdict() {
    let handle = slow_target(Duration::from_millis(10), 0.0);
    let dir = TempDir::new();
    let plan = write_plan(&dir, &handle.url(), PASSING);
    let out = dir.path().join("out");
    let run = suite(&plan, &out, &["--allow-warnings"]);
    run.assert_exit(0);
    let doc = suite_json(&out);
    assert_eq!(doc["verdict"]["passed"], true, "{}", run.output());
    assert_eq!(doc["verdict"]["allow_warnings"], true);
    let tests = doc["tests"].as_array().expect("tests[]");
    let got: Vec<(&str, &str)> = tests
        .iter()
        .map(|t| (t["name"].as_str().unwrap_or(""), t["folder"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        got,
        [
            ("smoke", "01-smoke"),
            ("load", "02-load"),
            ("capacity", "03-capacity"),
            ("scale", "04-scale")
        ]
    );
    let mut requests = 0;
    for t in tests {
        assert_eq!(t["passed"], true, "{t}");
        let folder = out.join(t["folder"].as_str().unwrap_or(""));
        let summary: loadcell_schema::Summary = serde_json::from_str(
            &std::fs::read_to_string(folder.join("summary.json")).expect("each test's summary.json"),
        )
        .expect("a Summary");
        assert_eq!(t["headline"]["requests"], summary.requests.total, "{t}");
        assert!(summary.requests.total > 0, "{t}");
        requests += summary.requests.total + summary.requests.warmup;
    }
    assert!(
        requests <= handle.stats().requests_total,
        "loadcell counted more than the target saw"
    );
    assert!(tests[0]["thresholds"].as_array().is_some_and(|a| a.len() == 2));
    assert!(
        tests[2]["capacity"]["capacity_per_s"]
            .as_f64()
            .is_some_and(|c| c >= 20.0),
        "{}",
        tests[2]
    );
    assert!(tests[3]["scale"]["fit"].is_object(), "{}", tests[3]);
    let junit = std::fs::read_to_string(out.join("junit.xml")).expect("junit.xml");
    // A case per test and per SLO it was judged by (scale has none): 3 + 3 + 3 + 1, and one
    // for the warnings of a test that had any (allowed here, so not failed).
    let cases = junit.matches("<testcase ").count() - junit.matches("<testcase name=\"warnings\"").count();
    assert_eq!(cases, 10, "{junit}");
    assert!(junit.contains(" failures=\"0\" errors=\"0\">"), "{junit}");
    assert!(
        out.join("index.html").is_file(),
        "index.html (opened in Chromium by tests/report/suite.rs)"
    );
    let md = std::fs::read_to_string(out.join("suite.md")).expect("suite.md");
    assert!(md.starts_with("## ✅ loadcell suite: all 4 tests passed"), "{md}");
    assert!(run.stdout.contains("verdict: PASSED"), "{}", run.output());

    // `loadcell report SUITE_DIR` rebuilds every test's folder and the suite's files.
    std::fs::remove_file(out.join("suite.md")).expect("remove suite.md");
    std::fs::remove_file(out.join("02-load").join("report.html")).expect("remove a test's report");
    let again = Loadcell::new(&["report".to_string(), out.display().to_string()])
        .guard(GUARD)
        .run();
    again.assert_exit(0);
    assert!(out.join("suite.md").exists() && out.join("02-load").join("report.html").exists());
    let rebuilt = suite_json(&out);
    assert_eq!(rebuilt["verdict"], doc["verdict"], "{}", again.output());
    for (a, b) in rebuilt["tests"].as_array().into_iter().flatten().zip(tests) {
        for field in [
            "name",
            "folder",
            "passed",
            "command",
            "exit_code",
            "headline",
            "thresholds",
        ] {
            assert_eq!(a[field], b[field], "{field}");
        }
    }
}

const TWO_TESTS: &str = "\
target: URL
slo: [\"p95<3s\", \"error_rate<1%\"]
tests:
  - smoke: { target_vus: 2, hold: 2s }
  - load: { target_rate: 20, ramp: 1s, hold: 2s }
";

/// Enough requests in each test that 5% of failures cannot pass a 1% SLO by chance: smoke
/// sends ~1,900 (8 VUs, 3 s, 10 ms each), hundreds even on a machine five times slower;
/// load ~450. With 380 requests at 5% the 1% SLO holds (3 failures or fewer) with a
/// probability near 1e-5.
const FAILING: &str = "\
target: URL
slo: [\"p95<3s\", \"error_rate<1%\"]
tests:
  - smoke: { target_vus: 8, hold: 3s }
  - load: { target_rate: 150, ramp: 1s, hold: 2s }
";

#[test]
fn a_failing_slo_exits_1_naming_the_test_and_stops_the_plan() {
    let handle = slow_target(Duration::from_millis(10), 0.05);
    let dir = TempDir::new();
    let plan = write_plan(&dir, &handle.url(), FAILING);
    let out = dir.path().join("stop");
    let run = suite(&plan, &out, &[]);
    run.assert_exit(1);
    assert!(run.stdout.contains("SLO 'error_rate<1%' failed"), "{}", run.output());
    let doc = suite_json(&out);
    assert_eq!(names(&doc["verdict"]["failed_tests"]), ["smoke"]);
    assert_eq!(names(&doc["not_run"]), ["load"], "--stop-on-fail is the default");
    assert!(!out.join("02-load").exists(), "the test after the failure never ran");
    let junit = std::fs::read_to_string(out.join("junit.xml")).expect("junit.xml");
    assert!(
        junit.contains(
            "<testcase name=\"slo error_rate&lt;1%\" classname=\"loadcell.suite.smoke\" time=\"0\">\n      <failure"
        ),
        "{junit}"
    );
    let again = Loadcell::new(&["report".to_string(), out.display().to_string()])
        .guard(GUARD)
        .run();
    again.assert_exit(1);
    assert_eq!(suite_json(&out)["not_run"], doc["not_run"], "{}", again.output());

    let out = dir.path().join("keep");
    let run = suite(&plan, &out, &["--keep-going"]);
    run.assert_exit(1);
    let doc = suite_json(&out);
    assert_eq!(
        names(&doc["verdict"]["failed_tests"]),
        ["smoke", "load"],
        "{}",
        run.output()
    );
    assert!(names(&doc["not_run"]).is_empty());
}

#[test]
fn plan_mistakes_exit_2_at_their_line_before_any_request() {
    let handle = slow_target(Duration::from_millis(1), 0.0);
    let dir = TempDir::new();
    let cases = [
        (
            "  - load: { target_rat: 20 }\n",
            "plan.yaml:5:13: unknown option 'target_rat' of a load test; did you mean 'target_rate'?",
        ),
        (
            "  - lod: { target_rate: 20 }\n",
            "plan.yaml:5:5: unknown test type 'lod'; did you mean 'load'?",
        ),
        (
            "  - load: { target_rate: fast }\n",
            "plan.yaml:5:13: test 'load': invalid value 'fast' for '--target-rate <RATE>'",
        ),
    ];
    for (line, expected) in cases {
        let body = format!("target: URL\nslo: [\"p95<3s\"]\ntests:\n  - smoke: {{ target_vus: 1, hold: 1s }}\n{line}");
        let plan = write_plan(&dir, &handle.url(), &body);
        let out = dir.path().join("never");
        let run = suite(&plan, &out, &[]);
        run.assert_exit(2);
        assert!(run.stderr.contains(expected), "{expected}\n{}", run.output());
        assert_eq!(run.stderr.lines().count(), 1, "one line: {}", run.output());
        assert!(!out.exists(), "no suite folder for an invalid plan");
        let validate = Loadcell::new(&["validate".to_string(), plan.display().to_string()]).run();
        validate.assert_exit(2);
        assert!(validate.stderr.contains(expected), "{}", validate.output());
    }
    let plan = write_plan(&dir, &handle.url(), TWO_TESTS);
    let run = suite(&plan, &dir.path().join("never"), &["--only", "lod"]);
    run.assert_exit(2);
    assert!(
        run.stderr
            .contains("--only: the plan has no test 'lod'; did you mean 'load'?"),
        "{}",
        run.output()
    );
    assert_eq!(handle.stats().requests_total, 0, "nothing was sent");
    let validate = Loadcell::new(&["validate".to_string(), plan.display().to_string()]).run();
    validate.assert_exit(0);
    assert!(validate.stdout.contains("ok — plan against"), "{}", validate.output());
}

#[test]
fn an_unreachable_target_exits_2_at_the_first_test() {
    let refusing = RefusingPort::new();
    let dir = TempDir::new();
    let plan = write_plan(&dir, &format!("http://127.0.0.1:{}", refusing.port), TWO_TESTS);
    let out = dir.path().join("out");
    let run = suite(&plan, &out, &[]);
    run.assert_exit(2);
    let doc = suite_json(&out);
    assert_eq!(names(&doc["verdict"]["failed_tests"]), ["smoke"], "{}", run.output());
    assert_eq!(names(&doc["not_run"]), ["load"]);
}

#[test]
fn dropped_iterations_are_a_warning_fatal_unless_allowed() {
    // 2 VUs serve at most 10 requests/s of 200 ms; the plan offers 40/s, so most arrivals
    // are dropped however fast the machine is, while the loose SLOs hold.
    let handle = slow_target(Duration::from_millis(200), 0.0);
    let dir = TempDir::new();
    let body = "target: URL\nslo: [\"p95<5s\", \"error_rate<1%\"]\ntests:\n  - load: { target_rate: 40, ramp: 1s, hold: 2s, max_vus: 2 }\n";
    let plan = write_plan(&dir, &handle.url(), body);
    let out = dir.path().join("strict");
    let run = suite(&plan, &out, &[]);
    run.assert_exit(1);
    let doc = suite_json(&out);
    let test = &doc["tests"][0];
    assert_eq!(test["passed"], true, "its SLOs held: {}", run.output());
    assert!(
        names(&test["warnings"]).iter().any(|w| w.contains("dropped")),
        "{}",
        run.output()
    );
    assert_eq!(names(&doc["verdict"]["warned_tests"]), ["load"]);
    assert!(
        doc["verdict"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("warnings (fatal) in load"))
    );

    let out = dir.path().join("allowed");
    let run = suite(&plan, &out, &["--allow-warnings"]);
    run.assert_exit(0);
    assert!(
        run.stdout.contains("dropped"),
        "warnings are still listed: {}",
        run.output()
    );
}

#[test]
fn only_runs_the_named_tests_into_their_plan_folders() {
    let handle = slow_target(Duration::from_millis(10), 0.0);
    let dir = TempDir::new();
    let plan = write_plan(&dir, &handle.url(), TWO_TESTS);
    let out = dir.path().join("out");
    let run = suite(&plan, &out, &["--only", "load", "--allow-warnings"]);
    run.assert_exit(0);
    let doc = suite_json(&out);
    let ran: Vec<&str> = doc["tests"]
        .as_array()
        .map_or(Vec::new(), |a| a.iter().filter_map(|t| t["name"].as_str()).collect());
    assert_eq!(ran, ["load"]);
    assert!(out.join("02-load").join("summary.json").exists());
    assert!(!out.join("01-smoke").exists());
    let again = suite(&plan, &out, &[]);
    again.assert_exit(2);
    assert!(again.stderr.contains("already holds a suite"), "{}", again.output());
}

#[test]
fn the_example_plan_is_valid_and_has_every_test_type() {
    let plan = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/plan.yaml");
    let run = Loadcell::new(&["validate".to_string(), plan.display().to_string()]).run();
    run.assert_exit(0);
    assert!(
        run.stdout
            .contains("9 tests (smoke, load, stress, spike, soak, breakpoint, capacity, scale, bench)"),
        "{}",
        run.output()
    );
}

#[test]
fn ctrl_c_ends_the_test_in_hand_and_starts_no_other() {
    let handle = slow_target(Duration::from_millis(10), 0.0);
    let dir = TempDir::new();
    let body = "target: URL\nslo: [\"p95<3s\"]\ntests:\n  - smoke: { target_vus: 2, hold: 60s }\n  - load: { target_rate: 20, hold: 60s }\n";
    let plan = write_plan(&dir, &handle.url(), body);
    let out = dir.path().join("out");
    let (plan_arg, out_arg) = (plan.display().to_string(), out.display().to_string());
    let running = Loadcell::new(&["suite", &plan_arg, "--out", &out_arg, "-q"])
        .guard(GUARD)
        .spawn();
    let started = loadcell_testkit::wait_until(Duration::from_secs(60), || {
        out.join("01-smoke").join("meta.json").exists() && handle.stats().requests_total > 0
    });
    assert!(started, "the smoke test never started sending");
    running.signal(libc::SIGINT);
    let run = running.wait();
    run.assert_exit(1);
    let doc = suite_json(&out);
    let smoke = &doc["tests"][0];
    assert!(
        names(&smoke["warnings"]).iter().any(|w| w.contains("interrupted")),
        "{}",
        run.output()
    );
    assert_eq!(names(&doc["not_run"]), ["load"]);
    assert!(!out.join("02-load").exists(), "no test starts after Ctrl-C");
    assert!(
        out.join("01-smoke").join("summary.json").exists(),
        "the interrupted test's results are kept"
    );
}

#[test]
fn a_scenario_plan_sends_to_its_base_url_and_counts_what_the_target_saw() {
    let handle = slow_target(Duration::from_millis(1), 0.0);
    let dir = TempDir::new();
    let shop = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/shop.yaml");
    let body = format!(
        "scenario: {}\nbase_url: URL\nslo: [\"p95<3s\"]\ntests:\n  - smoke: {{ hold: 2s }}\n",
        shop.display()
    );
    let plan = write_plan(&dir, &handle.url(), &body);
    let out = dir.path().join("out");
    let run = suite(&plan, &out, &["--allow-warnings"]);
    run.assert_exit(0);
    let doc = suite_json(&out);
    let smoke = &doc["tests"][0];
    assert_eq!(smoke["passed"], true, "{}", run.output());
    assert!(
        smoke["command"].as_str().is_some_and(|c| c.contains("--base-url")),
        "{smoke}"
    );
    let summary: loadcell_schema::Summary = serde_json::from_str(
        &std::fs::read_to_string(out.join("01-smoke").join("summary.json")).expect("summary.json"),
    )
    .expect("a Summary");
    let sent = summary.requests.total + summary.requests.warmup;
    assert!(sent > 0);
    assert_eq!(sent, handle.stats().requests_total, "loadcell's count is the target's");
}
