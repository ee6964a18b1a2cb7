//! Test-type profiles end to end: the real `loadcell` binary runs `--profile` against the
//! built-in shop target on 127.0.0.1 and the summary names the phases of the expanded stages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use loadcell_target::{Config, TargetHandle};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// No loadcell process may live longer than this; a hang fails the test instead of CI.
const CHILD_GUARD: Duration = Duration::from_secs(60);

fn summary_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("loadcell-profiles-{}-{name}.json", std::process::id()))
}

/// Runs `loadcell run URL ARGS -q --summary-json …`; returns the exit code, stderr and summary.
fn run(url: &str, name: &str, args: &[&str]) -> (Option<i32>, String, Option<Value>) {
    let path = summary_path(name);
    let _ = std::fs::remove_file(&path);
    let mut child = Command::new(env!("CARGO_BIN_EXE_loadcell"))
        .args(["run", url, "-q", "--summary-json"])
        .arg(&path)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn loadcell");
    let started = Instant::now();
    let status = loop {
        match child.try_wait().expect("try_wait") {
            Some(status) => break status,
            None if started.elapsed() > CHILD_GUARD => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("loadcell {args:?} still running after {CHILD_GUARD:?}; killed it");
            }
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    };
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
    }
    let summary = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    let _ = std::fs::remove_file(&path);
    (status.code(), stderr, summary)
}

fn names(summary: &Value) -> Vec<String> {
    summary["stages"]
        .as_array()
        .expect("stages[]")
        .iter()
        .map(|s| s["name"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn load_profile_runs_its_phases_and_names_them() {
    let target = TargetHandle::spawn(Config::default()).expect("start loadcell target");
    let url = format!("http://{}/api/products", target.addr);
    let (code, stderr, summary) = run(
        &url,
        "load",
        &[
            "--profile",
            "load",
            "--target-rate",
            "20",
            "--ramp",
            "1s",
            "--hold",
            "1s",
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let summary = summary.expect("summary");
    assert_eq!(names(&summary), ["ramp up", "hold 100%", "ramp down"]);
    assert_eq!(summary["model"], "open");
    assert_eq!(summary["stages"][1]["to"], 20.0);
    assert!(summary["requests"]["total"].as_u64().unwrap_or(0) > 0);
}

#[test]
fn smoke_fails_on_the_first_failed_request() {
    let config = Config {
        error_rate: 1.0,
        ..Config::default()
    };
    let target = TargetHandle::spawn(config).expect("start loadcell target");
    let url = format!("http://{}/api/products", target.addr);
    let (code, stderr, summary) = run(&url, "smoke", &["--profile", "smoke", "--hold", "1s"]);
    assert_eq!(code, Some(1), "{stderr}");
    let summary = summary.expect("summary");
    assert_eq!(names(&summary), ["smoke"]);
    assert_eq!(summary["thresholds"][0]["expr"], "http_req_failed: rate==0");
    assert_eq!(summary["thresholds"][0]["passed"], false);
}

#[test]
fn a_profile_without_a_level_is_a_usage_error() {
    let (code, stderr, summary) = run("http://127.0.0.1:9/", "usage", &["--profile", "stress"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(summary.is_none());
}

/// Stress against a target of known capacity (4 workers × 10 ms ≈ 350–400 requests/s): the
/// per-stage table holds below it, and the breaking point is the first stage at or above it,
/// classified by how the target broke (latency climbed, throughput fell short).
#[test]
fn stress_finds_the_breaking_point_and_says_how() {
    let server = TargetHandle::spawn(Config {
        workers: Some(4),
        service_time: Duration::from_millis(10),
        ..Config::default()
    })
    .expect("target");
    let (code, stderr, summary) = run(
        &server.url(),
        "stress",
        &[
            "--profile",
            "stress",
            "--target-rate",
            "200",
            "--ramp",
            "1s",
            "--hold",
            "2s",
            "--threshold",
            "p95<50ms",
        ],
    );
    assert_eq!(code, Some(1), "the threshold fails overall: {stderr}");
    let summary = summary.expect("summary");
    let phases = summary["phases"].as_array().expect("phases");
    // Stages are measured by whole seconds: every stage of at least a second has its row.
    assert_eq!(phases.len(), 11, "5 ramps, 5 steps and the ramp down");
    let held = |name: &str| {
        phases
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["thresholds_passed"].as_bool())
    };
    assert_eq!(held("step 50%"), Some(Some(true)), "100/s is far below capacity");
    assert_eq!(held("step 100%"), Some(Some(true)), "200/s is below capacity");
    let bp = &summary["breaking_point"];
    let level = bp["level"].as_f64().expect("a breaking point");
    assert!((300.0..=600.0).contains(&level), "breaks at or above capacity: {bp}");
    let how: Vec<&str> = bp["how"]
        .as_array()
        .expect("how")
        .iter()
        .filter_map(|h| h.as_str())
        .collect();
    assert!(
        how.contains(&"latency climbed"),
        "a queueing target breaks by latency: {how:?}"
    );
}

/// A target that fails half its requests breaks at the first stage, by errors.
#[test]
fn errors_are_named_as_how_it_broke() {
    let server = TargetHandle::spawn(Config {
        error_rate: 0.5,
        ..Config::default()
    })
    .expect("target");
    let (code, stderr, summary) = run(
        &server.url(),
        "errors",
        &[
            "--profile",
            "load",
            "--target-rate",
            "50",
            "--ramp",
            "1s",
            "--hold",
            "2s",
            "--threshold",
            "error_rate<1%",
        ],
    );
    assert_eq!(code, Some(1), "{stderr}");
    let summary = summary.expect("summary");
    let bp = &summary["breaking_point"];
    assert_eq!(
        bp["name"], summary["phases"][0]["name"],
        "the first stage already fails: {bp}"
    );
    assert_eq!(bp["last_good"], Value::Null);
    let how: Vec<&str> = bp["how"]
        .as_array()
        .expect("how")
        .iter()
        .filter_map(|h| h.as_str())
        .collect();
    assert!(how.contains(&"errors appeared"), "{how:?}");
}
