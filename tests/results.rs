//! The results folder (`--out DIR`) and `loadcell report DIR`: every file written, the
//! interval log written as the run goes so that a `kill -9` loses at most the last second
//! (proved against the target's own count), and rebuilding old runs.

use crate::support::{Loadcell, TempDir, fast_target, run, run_raw, spawn, u64_at, url_of, wait_until};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn out_writes_every_file_and_they_agree_with_the_summary() {
    let server = fast_target();
    let dir = TempDir::new();
    let out = dir.path().join("run");
    let out_arg = out.display().to_string();
    let finished = run(
        &url_of(&server),
        &["-r", "100", "-d", "3s", "--out", &out_arg, "--threshold", "p95<5s"],
    );
    finished.assert_exit(0);
    for file in [
        "meta.json",
        "intervals.ndjson",
        "end.json",
        "summary.json",
        "report.html",
        "junit.xml",
        "summary.md",
        "timeseries.csv",
    ] {
        assert!(out.join(file).is_file(), "{file} missing in {}", out.display());
    }
    let summary = read_json(&out.join("summary.json"));
    let total = u64_at(&summary, "requests.total");
    assert_eq!(total, u64_at(finished.summary(), "requests.total"));
    assert_eq!(total, server.stats().requests_total);
    let intervals = std::fs::read_to_string(out.join("intervals.ndjson")).unwrap_or_default();
    assert!(intervals.lines().count() >= 3, "one line per second");
    let csv = std::fs::read_to_string(out.join("timeseries.csv")).unwrap_or_default();
    let rows = csv.lines().count() - 1;
    assert_eq!(
        rows,
        summary["timeseries"].as_array().map_or(0, Vec::len),
        "one CSV row per interval"
    );
    let junit = std::fs::read_to_string(out.join("junit.xml")).unwrap_or_default();
    assert!(
        junit.contains("p95&lt;5s") || junit.contains("p95<5s") || junit.contains("p95&lt;5s"),
        "{junit}"
    );
    assert!(junit.contains("<testcase"), "{junit}");
    let md = std::fs::read_to_string(out.join("summary.md")).unwrap_or_default();
    assert!(md.contains("p95"), "{md}");
    assert!(
        finished.stdout.contains("results: "),
        "the summary says where the results are"
    );
}

#[test]
fn kill_9_loses_at_most_the_last_second() {
    let server = fast_target();
    let dir = TempDir::new();
    let out = dir.path().join("killed");
    let out_arg = out.display().to_string();
    let rate = 200.0;
    let running = spawn(&[
        "run",
        &url_of(&server),
        "-r",
        "200",
        "-d",
        "30s",
        "-q",
        "--out",
        &out_arg,
    ]);
    // Kill it once three whole seconds are on disk.
    let intervals = out.join("intervals.ndjson");
    let flushed = || std::fs::read_to_string(&intervals).map_or(0, |t| t.lines().count());
    assert!(
        wait_until(Duration::from_secs(20), || flushed() >= 3),
        "three intervals were not flushed within 20 s"
    );
    running.signal(libc::SIGKILL);
    let _ = running.wait();
    let served = server.stats().requests_total as f64;
    assert!(!out.join("end.json").exists(), "a killed run wrote no end.json");

    let rebuilt = run_raw(&["report".as_ref(), out.as_os_str()]);
    rebuilt.assert_exit(1);
    rebuilt.assert_no_panic();
    assert!(rebuilt.stdout.contains("did not finish"), "{}", rebuilt.output());
    assert!(
        rebuilt.stdout.contains("CPU and memory unknown"),
        "not 0% CPU: {}",
        rebuilt.output()
    );
    let summary = read_json(&out.join("summary.json"));
    let total = u64_at(&summary, "requests.total") as f64;
    assert!(total <= served, "rebuilt {total} > served {served}");
    assert!(
        served - total <= rate * 1.0 + 20.0,
        "lost more than the last second: rebuilt {total} of {served} served"
    );
    assert!(total >= 3.0 * rate * 0.95, "the flushed seconds are all there: {total}");
    assert_eq!(summary["stop_reason"], "interrupted");
    for file in ["report.html", "junit.xml", "summary.md", "timeseries.csv"] {
        assert!(out.join(file).is_file(), "{file} rebuilt");
    }
    assert_eq!(summary["generator"]["usage_unknown"], true);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap_or_default();
    assert!(html.contains("CPU and memory unknown"), "report.html says 0% CPU");
}

#[test]
fn report_rebuilds_an_old_run_identically() {
    let server = fast_target();
    let dir = TempDir::new();
    let out = dir.path().join("old");
    let out_arg = out.display().to_string();
    let finished = run(
        &url_of(&server),
        &[
            "-c",
            "2",
            "-n",
            "500",
            "--out",
            &out_arg,
            "--threshold",
            "error_rate<1%",
        ],
    );
    finished.assert_exit(0);
    let before = read_json(&out.join("summary.json"));
    std::fs::remove_file(out.join("summary.json")).unwrap_or_default();
    let rebuilt = run_raw(&["report".as_ref(), out.as_os_str()]);
    rebuilt.assert_exit(0);
    let after = read_json(&out.join("summary.json"));
    for path in [
        "requests.total",
        "requests.ok",
        "latency_ms.p99",
        "latency_ms.max",
        "thresholds.0.passed",
    ] {
        assert_eq!(
            crate::support::at(&before, path),
            crate::support::at(&after, path),
            "{path}"
        );
    }
    assert_eq!(u64_at(&after, "requests.total"), 500);
}

#[test]
fn report_of_a_folder_that_is_not_results_is_a_usage_error() {
    let dir = TempDir::new();
    let finished = run_raw(&["report".as_ref(), dir.path().as_os_str()]);
    finished.assert_exit(2);
    finished.assert_no_panic();
    assert_eq!(finished.stderr.trim().lines().count(), 1, "{}", finished.stderr);
    let missing = run_raw(&["report", "/nonexistent/loadcell-results"]);
    missing.assert_exit(2);
}

#[test]
fn scenario_runs_write_a_default_folder_unless_told_not_to() {
    let server = fast_target();
    let dir = TempDir::new();
    let file = dir.path().join("s.yaml");
    std::fs::write(
        &file,
        format!("name: tiny\ntarget: {}\nload: {{ vus: 1, iterations: 5 }}\njourneys:\n  - name: home\n    steps:\n      - get: /\n", url_of(&server)),
    )
    .unwrap_or_default();
    Loadcell::new(&["run", "s.yaml", "-q"])
        .current_dir(dir.path())
        .run()
        .assert_exit(0);
    let root = dir.path().join("loadcell-results");
    let runs: Vec<_> = std::fs::read_dir(&root)
        .map(|d| d.flatten().collect())
        .unwrap_or_default();
    assert_eq!(runs.len(), 1, "one folder under {}", root.display());
    assert!(runs[0].path().join("report.html").is_file());
    Loadcell::new(&["run", "s.yaml", "-q", "--no-out"])
        .current_dir(dir.path())
        .run()
        .assert_exit(0);
    assert_eq!(
        std::fs::read_dir(&root).map(|d| d.count()).unwrap_or(0),
        1,
        "--no-out writes nothing"
    );
}
