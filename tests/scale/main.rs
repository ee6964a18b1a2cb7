//! `loadcell scale` end to end: the real binary sweeps closed-model concurrency levels
//! against the built-in target (in-process, 127.0.0.1) and fits the Universal Scalability
//! Law. A target that is a pure delay must scale linearly (σ ≈ 0, κ ≈ 0); a target with the
//! contention and coherency knobs must give back the σ and κ they impose. Tolerances and
//! the reasoning behind them are in docs/scale.md. Every sweep also writes a results
//! folder: its `summary.json` must be a `Summary` whose `scale` section says what `--json`
//! says and whose request count is the target's, and `loadcell report DIR` renders it.
#![cfg(test)]

use loadcell_report::Summary;
use loadcell_schema::ScaleSummary;
use loadcell_target::{Config, TargetHandle};
use loadcell_testkit::{Finished, Loadcell};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// No sweep may take longer than this; a hang fails the test instead of CI.
const GUARD: Duration = Duration::from_secs(60);
/// Levels of every sweep: up to 32 VUs, a few hundred req/s, easy for a debug build.
const LEVELS: &str = "1,2,4,8,16,32";

fn temp_file(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("loadcell-scale-{}-{name}.json", std::process::id()))
}

/// Runs `loadcell` with `args` under the wall-clock guard, alone: a sweep's fit is timing.
fn loadcell(args: &[&str]) -> Finished {
    Loadcell::new(args).guard(GUARD).alone().run()
}

/// The results folder's `summary.json`, as the schema type.
fn summary_in(dir: &Path) -> Summary {
    let text = std::fs::read_to_string(dir.join("summary.json")).expect("summary.json in the folder");
    serde_json::from_str(&text).expect("summary.json parses as loadcell_schema::Summary")
}

/// The folder's `scale` section must be what `--json` wrote, exactly.
fn assert_section_matches_json(summary: &Summary, v: &Value) {
    let s = summary.scale.as_ref().expect("a scale section");
    let written: ScaleSummary = serde_json::from_value(v.clone()).expect("--json has the scale section");
    assert_eq!(s, &written);
    assert_eq!(summary.phases.len(), s.points.len(), "one phase per level");
    assert_eq!(summary.model.as_str(), "closed");
    assert!(summary.thresholds.is_empty());
}

/// Sweeps `server` with short levels and returns the `--json` report and the results
/// folder's summary.
fn sweep(server: &TargetHandle, name: &str) -> (Value, Summary) {
    let json = temp_file(name);
    let dir = temp_file(&format!("{name}-out"));
    let url = format!("{}/", server.url());
    let out = loadcell(&[
        "scale",
        &url,
        "--vus",
        LEVELS,
        "--step-duration",
        "1500ms",
        "--warmup",
        "300ms",
        "--json",
        json.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    let stdout = out.stdout.clone();
    let stderr = out.stderr.clone();
    assert_eq!(out.code, Some(0), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stdout.contains("σ (contention)"), "{stdout}");
    let text = std::fs::read_to_string(&json).expect("read --json");
    let _ = std::fs::remove_file(&json);
    // The report is part of the test log: measured σ and κ against the imposed values.
    eprintln!("{name}:\n{stdout}");
    let report: Value = serde_json::from_str::<Value>(&text).expect("--json is JSON")["scale"].clone();
    let summary = summary_in(&dir);
    assert_section_matches_json(&summary, &report);
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
    assert!(html.contains("<section id=\"scale\">") && html.contains("σ contention"));
    // `loadcell report DIR` renders the reports again from summary.json.
    std::fs::remove_file(dir.join("report.html")).unwrap();
    let out = loadcell(&["report", dir.to_str().unwrap()]);
    assert_eq!(out.code, Some(0), "{}", out.stderr.clone());
    assert!(out.stdout.clone().contains("a scale sweep"));
    assert!(dir.join("report.html").is_file());
    let _ = std::fs::remove_dir_all(&dir);
    (report, summary)
}

fn number(v: &Value, path: &str) -> f64 {
    v.pointer(path)
        .and_then(Value::as_f64)
        .unwrap_or_else(|| panic!("{path} missing in {v:#}"))
}

fn within(actual: f64, expected: f64, rel: f64) -> bool {
    (actual - expected).abs() <= rel * expected.abs()
}

#[test]
fn a_pure_delay_scales_linearly() {
    let server = TargetHandle::spawn(Config {
        service_time: Duration::from_millis(20),
        ..Config::default()
    })
    .unwrap();
    let (report, summary) = sweep(&server, "linear");
    // summary.json counts what the target served: measured plus warm-up requests (the
    // closed loop's last requests finish within the grace, so none is cut).
    let served = server.stats().requests_total;
    assert_eq!(summary.requests.interrupted, 0);
    assert_eq!(summary.requests.total + summary.requests.warmup, served);
    let (sigma, kappa) = (number(&report, "/fit/sigma"), number(&report, "/fit/kappa"));
    // Tolerance (docs/scale.md): σ ≤ 0.02 and κ ≤ 2·10⁻⁴, together at most a few percent
    // of lost throughput at 32 VUs.
    assert!(sigma <= 0.02, "σ = {sigma}");
    assert!(kappa <= 2e-4, "κ = {kappa}");
    assert!(number(&report, "/fit/r_squared") > 0.99, "{report:#}");
    assert!(report["fit"]["peak_vus"].is_null() || number(&report, "/fit/peak_vus") > 64.0);
    // 1/λ is the service time plus timer rounding and the loop's own overhead.
    let lambda = number(&report, "/fit/lambda");
    assert!((1.0 / lambda) > 0.020 && (1.0 / lambda) < 0.026, "λ = {lambda}");
    let table = report["points"].as_array().unwrap();
    assert_eq!(table.len(), 6);
    let last = number(&table[5], "/efficiency");
    assert!(last > 0.9, "efficiency at 32 VUs: {last}");
    assert_eq!(report["points"].as_array().unwrap().len(), 6);
    assert_eq!(report["curve"].as_array().unwrap().len(), 64);
}

/// Contention alone (no coherency): σ is recovered and κ stays near 0. This is the case a
/// release build once got wrong (σ reported as 0 by a miscompiled fit, see
/// `loadcell-usl`'s lm.rs), which is why scripts/test.sh also runs this file in release.
#[test]
fn contention_alone_is_recovered() {
    let (service, serial) = (0.020, 0.001);
    let server = TargetHandle::spawn(Config {
        service_time: Duration::from_secs_f64(service),
        serial_time: Duration::from_secs_f64(serial),
        ..Config::default()
    })
    .unwrap();
    let (report, _) = sweep(&server, "contention");
    let lambda = number(&report, "/fit/lambda");
    let sigma = number(&report, "/fit/sigma");
    let kappa = number(&report, "/fit/kappa");
    let nominal_sigma = serial / (service + serial);
    assert!(
        within(sigma, nominal_sigma, 0.25),
        "σ = {sigma}, imposed {nominal_sigma}"
    );
    assert!(
        within(sigma / lambda, serial, 0.15),
        "σ/λ = {} s, imposed {serial}",
        sigma / lambda
    );
    assert!(kappa <= 2e-4, "κ = {kappa}");
    // The fitted curve must be the one printed: X(32) from the parameters, not λ·32.
    let fitted = number(&report, "/curve/63/throughput");
    let n = number(&report, "/curve/63/vus");
    let expected = lambda * n / (1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0));
    assert!(within(fitted, expected, 1e-9), "curve {fitted} vs {expected}");
    assert!(
        fitted < 0.75 * lambda * n,
        "contention costs throughput at {n} VUs: {fitted}"
    );
}

/// `--points` fits throughputs measured elsewhere: no request, the same `--json`.
#[test]
fn given_points_are_fitted_without_load() {
    let json = temp_file("points");
    let out = loadcell(&[
        "scale",
        "--points",
        "1:50,2:94.87666034155598,4:170.35775127768315,8:273.59781121751024,16:358.74439461883406,32:352.88928098809",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(out.code, Some(0), "{}", out.stderr.clone());
    let report: Value =
        serde_json::from_str::<Value>(&std::fs::read_to_string(&json).unwrap()).unwrap()["scale"].clone();
    let _ = std::fs::remove_file(&json);
    // The points are X(N) for λ = 50, σ = 0.05, κ = 0.002 exactly.
    assert!(within(number(&report, "/fit/lambda"), 50.0, 1e-3), "{report:#}");
    assert!(within(number(&report, "/fit/sigma"), 0.05, 1e-3), "{report:#}");
    assert!(within(number(&report, "/fit/kappa"), 0.002, 1e-3), "{report:#}");
    assert_eq!(report["points"].as_array().unwrap().len(), 6);
    let bad = loadcell(&["scale", "--points", "1:50,2:x"]);
    assert_eq!(bad.code, Some(2));
    assert!(bad.stderr.clone().starts_with("error: invalid --points"));
}

#[test]
fn contention_and_coherency_knobs_are_recovered() {
    let (service, serial, coherency) = (0.020, 0.001, 0.000_04);
    let server = TargetHandle::spawn(Config {
        service_time: Duration::from_secs_f64(service),
        serial_time: Duration::from_secs_f64(serial),
        coherency_time: Duration::from_secs_f64(coherency),
        ..Config::default()
    })
    .unwrap();
    let (report, _) = sweep(&server, "knobs");
    let lambda = number(&report, "/fit/lambda");
    let sigma = number(&report, "/fit/sigma");
    let kappa = number(&report, "/fit/kappa");
    // Imposed: σ = s/(S+s) = 0.0476, κ = c/(S+s) = 0.00190 (docs/scale.md). The effective
    // service time is ~1–2 ms longer than S (timer rounding, HTTP round trip), which lowers
    // both, hence ±25 % against the nominal values…
    let nominal_sigma = serial / (service + serial);
    let nominal_kappa = coherency / (service + serial);
    assert!(
        within(sigma, nominal_sigma, 0.25),
        "σ = {sigma}, imposed {nominal_sigma}"
    );
    assert!(
        within(kappa, nominal_kappa, 0.25),
        "κ = {kappa}, imposed {nominal_kappa}"
    );
    // …and ±15 % against the knobs themselves once that effective time is taken from the
    // fit: σ/λ = s and κ/λ = c.
    assert!(
        within(sigma / lambda, serial, 0.15),
        "σ/λ = {} s, imposed {serial}",
        sigma / lambda
    );
    assert!(
        within(kappa / lambda, coherency, 0.15),
        "κ/λ = {} s, imposed {coherency}",
        kappa / lambda
    );
    assert!(number(&report, "/fit/r_squared") > 0.98, "{report:#}");
    // N* = √((1−σ)/κ) ≈ 22 VUs for the imposed values.
    let peak = number(&report, "/fit/peak_vus");
    assert!((15.0..=32.0).contains(&peak), "N* = {peak}");
    assert!(number(&report, "/fit/peak_throughput") > 0.0);
}

#[test]
fn bad_input_exits_2_before_any_request() {
    for args in [
        &["scale", "http://127.0.0.1:9/", "--vus", "1,2"][..],
        &["scale", "http://127.0.0.1:9/", "--vus", "1,zero,4"],
        &["scale", "http://127.0.0.1:9/", "--vus", "0,2,4"],
        &[
            "scale",
            "http://127.0.0.1:9/",
            "--vus",
            "1,2,4",
            "--step-duration",
            "0s",
        ],
        &["scale", "nope://x", "--vus", "1,2,4"],
        &["scale", "http://127.0.0.1:9/"],
    ] {
        let out = loadcell(args);
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.stderr.clone());
        let stderr = out.stderr.clone();
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
    }
}

/// A port nobody listens on is a setup error at the first level (exit 2, one line), not a
/// sweep of refusals; a target that answers but fails every request has no fit, exit 1.
#[test]
fn a_dead_target_is_a_setup_error_and_a_failing_one_gives_no_fit_and_exit_1() {
    let port = loadcell_testkit::RefusingPort::new();
    let url = format!("http://127.0.0.1:{}/", port.port);
    let out = loadcell(&[
        "scale",
        &url,
        "--vus",
        "1,2,3",
        "--step-duration",
        "200ms",
        "--warmup",
        "0s",
        "-q",
        "--no-out",
    ]);
    assert_eq!(out.code, Some(2), "{}", out.output());
    assert!(out.stderr.contains("nothing listens on"), "{}", out.output());
    assert_eq!(out.stderr.trim().lines().count(), 1, "{}", out.output());

    let server = TargetHandle::spawn(Config {
        error_rate: 1.0,
        ..Config::default()
    })
    .unwrap();
    let json = temp_file("dead");
    let url = format!("{}/", server.url());
    let out = loadcell(&[
        "scale",
        &url,
        "--vus",
        "1,2,3",
        "--step-duration",
        "200ms",
        "--warmup",
        "0s",
        "-q",
        "--json",
        json.to_str().unwrap(),
        "--no-out",
    ]);
    let stdout = out.stdout.clone();
    assert_eq!(out.code, Some(1), "{stdout}");
    assert!(stdout.contains("no fit: every request failed"), "{stdout}");
    let report: Value =
        serde_json::from_str::<Value>(&std::fs::read_to_string(&json).unwrap()).unwrap()["scale"].clone();
    let _ = std::fs::remove_file(&json);
    assert!(report["fit"].is_null());
    assert!(report["error"].is_string());
}
