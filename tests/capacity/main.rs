//! `loadcell capacity` end to end: the real binary searches the highest sustainable rate of
//! the built-in target (in-process, on 127.0.0.1) whose capacity is known by construction
//! (`workers / service_time`), and must find it within ±10%; plus the exit codes for a
//! target that fails even the lowest rate and for bad input, the time budget, and a
//! scenario file. Every search also writes a results folder: its `summary.json` must be a
//! `Summary` whose `capacity` section says what `--json` says, whose request count is the
//! target's, which a killed search leaves behind, and which `loadcell report DIR` renders.
#![cfg(test)]

use loadcell_report::Summary;
use loadcell_schema::{CapacitySummary, SearchStop};
use loadcell_target::{Config, Latency, TargetHandle};
use loadcell_testkit::{Finished, Loadcell, wait_until};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A search of up to a few dozen steps may take this long; a hang fails the test instead of CI.
const CHILD_GUARD: Duration = Duration::from_secs(80);

/// A fresh path under the system temp dir for this test's files.
fn temp_path(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    std::env::temp_dir().join(format!("loadcell-cap-{}-{nanos}-{name}", std::process::id()))
}

/// Runs `loadcell ARGS` under the wall-clock guard, alone: a search's verdict is timing.
fn loadcell(args: &[&str]) -> Finished {
    Loadcell::new(args).guard(CHILD_GUARD).alone().run()
}

fn json_of(path: &PathBuf) -> Value {
    let text = std::fs::read_to_string(path).expect("read --json");
    let _ = std::fs::remove_file(path);
    serde_json::from_str(&text).expect("valid JSON")
}

/// The results folder's `summary.json`, as the schema type.
fn summary_in(dir: &Path) -> Summary {
    let text = std::fs::read_to_string(dir.join("summary.json")).expect("summary.json in the folder");
    serde_json::from_str(&text).expect("summary.json parses as loadcell_schema::Summary")
}

/// The folder's `capacity` section must be what `--json` wrote, exactly.
fn assert_section_matches_json(summary: &Summary, v: &Value) {
    let c = summary.capacity.as_ref().expect("a capacity section");
    let written: CapacitySummary =
        serde_json::from_value(v["capacity"].clone()).expect("--json has the capacity section");
    assert_eq!(c, &written);
    let steps = &c.steps;
    // One stage and one phase per step, named after it, on one clock.
    assert_eq!(summary.phases.len(), steps.len());
    assert_eq!(summary.stages.len(), steps.len());
    assert_eq!(summary.stages[0].name.as_deref(), Some("step 1 · 10/s"));
    assert!(
        summary.stages.windows(2).all(|w| w[0].end_s <= w[1].start_s),
        "{:?}",
        summary.stages
    );
    assert!(summary.timeseries.windows(2).all(|w| w[0].t_s <= w[1].t_s));
    let phase_requests: u64 = summary.phases.iter().map(|p| p.requests).sum();
    assert_eq!(phase_requests, summary.requests.total, "the steps add up to the total");
    assert_eq!(summary.model.as_str(), "open");
}

/// A target whose capacity is `workers / service` req/s.
fn target(workers: usize, service: Duration) -> TargetHandle {
    TargetHandle::spawn(Config {
        workers: Some(workers),
        service_time: service,
        ..Config::default()
    })
    .expect("start the target")
}

/// Searches the capacity of a target built for `truth` req/s; returns (found, stdout).
fn search(workers: usize, service: Duration, slo: &str) -> (f64, f64, String, Value) {
    let truth = workers as f64 / service.as_secs_f64();
    let server = target(workers, service);
    let url = format!("{}/", server.url());
    let json = temp_path(&format!("{workers}.json"));
    let dir = temp_path(&format!("{workers}-out"));
    let out = loadcell(&[
        "capacity",
        &url,
        "--slo",
        slo,
        "--step-duration",
        "2s",
        "--threads",
        "1",
        "--json",
        json.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    let stdout = out.stdout.clone();
    assert_eq!(
        out.code,
        Some(0),
        "capacity {truth}/s:\n{stdout}\n{}",
        out.stderr.clone()
    );
    let v = json_of(&json);
    let found = v["capacity"]["capacity_per_s"].as_f64().expect("a capacity");
    let summary = summary_in(&dir);
    assert_section_matches_json(&summary, &v);
    // The document's verdict: the SLO judged on the highest passing step, which held.
    assert_eq!(summary.thresholds.len(), 1);
    assert!(summary.thresholds[0].passed && summary.thresholds[0].expr == slo);
    assert_eq!(serde_json::to_value(summary.stop_reason).unwrap(), "duration");
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
    assert!(html.contains("<section id=\"capacity\">") && html.contains("Sustainable rate"));
    let _ = std::fs::remove_dir_all(&dir);
    (truth, found, stdout, v)
}

#[test]
fn finds_known_capacities_within_ten_percent() {
    // Service times of 100 ms keep tokio's timer rounding (~1 ms) small against them, and
    // the target spends almost no CPU (the service time is an async sleep).
    // Each search takes the machine alone (the searches run one after another), but the
    // machine may still be shared with other work: one step starved of CPU fails far
    // below capacity (it shows as a rate not kept at a load the target's workers barely
    // notice) and pins the bracket there. A search whose answer is off is run once more;
    // both answers are in the log.
    let cases = [(4usize, 100u64), (15, 100), (40, 100)];
    let mut report = String::new();
    let mut failures = Vec::new();
    for (workers, ms) in cases {
        let mut attempt = search(workers, Duration::from_millis(ms), "p95<200ms");
        let off = |found: f64, truth: f64| (found - truth).abs() > 0.10 * truth;
        if off(attempt.1, attempt.0) {
            report.push_str(&format!(
                "truth {}/s found {}/s; searching again\n{}\n",
                attempt.0, attempt.1, attempt.2
            ));
            attempt = search(workers, Duration::from_millis(ms), "p95<200ms");
        }
        let (truth, found, stdout, v) = attempt;
        let result = &v["capacity"];
        report.push_str(&format!("truth {truth}/s found {found}/s\n{stdout}\n"));
        if off(found, truth) {
            failures.push(format!("truth {truth}/s, found {found}/s"));
        }
        assert_eq!(result["stop"], "converged", "{stdout}");
        let (hp, lf) = (
            result["highest_pass_per_s"].as_f64().unwrap(),
            result["lowest_fail_per_s"].as_f64().unwrap(),
        );
        assert!(hp < lf && hp == found, "{stdout}");
        let steps = result["steps"].as_array().unwrap();
        assert!(steps.iter().any(|s| s["passed"] == false));
        assert!(
            steps
                .iter()
                .all(|s| s["p95_ms"].is_number() && s["achieved_rate"].is_number())
        );
        assert!(stdout.contains("sustainable rate:"), "{stdout}");
    }
    eprintln!("{report}");
    assert!(failures.is_empty(), "{failures:?}\n{report}");
}

#[test]
fn a_target_failing_even_the_lowest_rate_exits_1() {
    let server = TargetHandle::spawn(Config {
        latency: Some(Latency::Fixed(Duration::from_millis(50))),
        ..Config::default()
    })
    .expect("start the target");
    let url = format!("{}/", server.url());
    let json = temp_path("fail.json");
    let dir = temp_path("fail-out");
    let out = loadcell(&[
        "capacity",
        &url,
        "--slo",
        "p95<10ms",
        "--start-rate",
        "8",
        "--min-rate",
        "4",
        "--step-duration",
        "1s",
        "-q",
        "--json",
        json.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    let stdout = out.stdout.clone();
    assert_eq!(out.code, Some(1), "{stdout}");
    assert!(stdout.contains("no sustainable rate"), "{stdout}");
    assert!(out.stderr.is_empty(), "-q prints no progress");
    let v = json_of(&json);
    assert_eq!(v["capacity"]["stop"], "min_rate");
    assert!(v["capacity"]["capacity_per_s"].is_null());
    let rates: Vec<f64> = v["capacity"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["offered_rate"].as_f64().unwrap())
        .collect();
    assert_eq!(rates, [8.0, 4.0]);
    let summary = summary_in(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    let c = summary.capacity.as_ref().unwrap();
    assert_eq!((c.capacity_per_s, c.stop), (None, SearchStop::MinRate));
    // No step passed: the verdict is the SLO on the lowest rate tried, which failed.
    assert_eq!(summary.thresholds.len(), 1);
    assert!(!summary.thresholds[0].passed);
    assert_eq!(summary.exit_code(), 1, "the document agrees with the exit code");
}

#[test]
fn bad_input_exits_2_before_any_request() {
    let server = target(4, Duration::from_millis(1));
    let url = format!("{}/", server.url());
    let cases: [&[&str]; 5] = [
        &["capacity", &url],
        &["capacity", &url, "--slo", "p95<<3"],
        &[
            "capacity",
            &url,
            "--slo",
            "p95<100ms",
            "--max-time",
            "5s",
            "--step-duration",
            "10s",
        ],
        &["capacity", &url, "--slo", "p95<100ms", "--precision", "0"],
        &["capacity", "missing.yaml", "--slo", "p95<100ms"],
    ];
    for args in cases {
        let out = loadcell(args);
        assert_eq!(out.code, Some(2), "{args:?}");
        let stderr = out.stderr.clone();
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    }
    assert_eq!(server.stats().requests_total, 0);
}

#[test]
fn the_time_budget_is_never_exceeded() {
    let server = target(1000, Duration::from_millis(1));
    let url = format!("{}/", server.url());
    let json = temp_path("budget.json");
    let dir = temp_path("budget-out");
    let out = loadcell(&[
        "capacity",
        &url,
        "--slo",
        "p95<500ms",
        "--step-duration",
        "1s",
        "--max-time",
        "9s",
        "--json",
        json.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    // From its start, not from the test's: the run may have waited for the machine.
    let took = out.elapsed;
    assert_eq!(out.code, Some(0), "{}", out.stdout.clone());
    let v = json_of(&json);
    assert_eq!(v["capacity"]["stop"], "budget");
    assert!(v["capacity"]["elapsed_s"].as_f64().unwrap() <= 9.0);
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert!(v["capacity"]["steps"].as_array().unwrap().len() >= 2);

    // summary.json counts what the target served: measured plus warm-up requests (no step
    // here is overloaded, so none was cut).
    let summary = summary_in(&dir);
    assert_section_matches_json(&summary, &v);
    let served = server.stats().requests_total;
    eprintln!(
        "served {served}, summary: {} measured + {} warm-up, {} cut",
        summary.requests.total, summary.requests.warmup, summary.requests.interrupted
    );
    assert_eq!(summary.requests.interrupted, 0);
    assert_eq!(summary.requests.total + summary.requests.warmup, served);
    // The per-second series holds every measured request. A warm-up entry holds the warm-up
    // requests that ended before it was cut; the few whose iteration began in a step's
    // warm-up and ended after it (at most one per VU) are warm-up requests in no entry, as
    // in a run (tests/summary_json.rs). Asserting the whole series equal to `served` failed
    // once on a busy machine (371 of 372).
    let sum = |warmup: bool| -> u64 {
        summary
            .timeseries
            .iter()
            .filter(|iv| iv.warmup == warmup)
            .map(|iv| iv.requests)
            .sum()
    };
    assert_eq!(
        sum(false),
        summary.requests.total,
        "the measured entries hold every measured request"
    );
    let steps = v["capacity"]["steps"].as_array().unwrap().len() as u64;
    let stragglers = summary.requests.warmup - sum(true).min(summary.requests.warmup);
    assert!(
        sum(true) <= summary.requests.warmup && stragglers <= steps * summary.vus.max.max(1),
        "warm-up entries {} of {} warm-up requests ({steps} steps, at most {} VUs)",
        sum(true),
        summary.requests.warmup,
        summary.vus.max
    );

    // `loadcell report DIR` renders the reports again from summary.json.
    std::fs::remove_file(dir.join("report.html")).unwrap();
    let out = loadcell(&["report", dir.to_str().unwrap()]);
    let stdout = out.stdout.clone();
    assert_eq!(out.code, Some(0), "{stdout}{}", out.stderr.clone());
    assert!(stdout.contains("a capacity search"), "{stdout}");
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html rendered again");
    assert!(html.contains("<section id=\"capacity\">"));
    assert_eq!(summary_in(&dir), summary, "summary.json is left as it was");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_killed_search_leaves_its_finished_steps() {
    let server = target(1000, Duration::from_millis(1));
    let url = format!("{}/", server.url());
    let dir = temp_path("killed-out");
    let running = Loadcell::new(&[
        "capacity",
        &url,
        "--slo",
        "p95<500ms",
        "--step-duration",
        "1s",
        "-q",
        "--out",
        dir.to_str().unwrap(),
    ])
    .spawn();
    // Kill it (SIGKILL, no chance to clean up) once the first step is on disk.
    let written = wait_until(Duration::from_secs(15), || dir.join("summary.json").exists());
    assert!(written, "no step was written within 15 s");
    running.signal(libc::SIGKILL);
    let _ = running.wait();
    let summary = summary_in(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    let c = summary.capacity.as_ref().unwrap();
    assert_eq!(c.stop, SearchStop::Running, "the search never finished");
    assert_eq!(serde_json::to_value(summary.stop_reason).unwrap(), "interrupted");
    assert!(!c.steps.is_empty() && summary.requests.total > 0);
    assert_eq!(summary.phases.len(), c.steps.len());
}

#[test]
fn a_scenario_file_uses_its_thresholds_as_slos() {
    let server = target(2, Duration::from_millis(50));
    let file = temp_path("shop.yaml");
    std::fs::write(
        &file,
        format!(
            "name: cap\ntarget: {}\nload: {{ rate: 1, duration: 1s }}\njourneys:\n  - name: home\n    steps:\n      - get: /\n        check: {{ status: 200 }}\nthresholds:\n  http_req_duration: [\"p(95)<150\"]\n",
            server.url()
        ),
    )
    .unwrap();
    let json = temp_path("scen.json");
    let out = loadcell(&[
        "capacity",
        file.to_str().unwrap(),
        "--step-duration",
        "1s",
        "--max-time",
        "40s",
        "--json",
        json.to_str().unwrap(),
        "--no-out",
    ]);
    let _ = std::fs::remove_file(&file);
    let stdout = out.stdout.clone();
    assert_eq!(out.code, Some(0), "{stdout}");
    let v = json_of(&json);
    assert_eq!(v["capacity"]["slos"][0], "http_req_duration: p(95)<150");
    let found = v["capacity"]["capacity_per_s"].as_f64().unwrap();
    // 2 workers × 50 ms = 40/s; short steps and the budget only bound it loosely here.
    assert!((20.0..=48.0).contains(&found), "{found}\n{stdout}");
}
