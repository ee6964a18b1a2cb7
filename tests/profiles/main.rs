//! Test-type profiles end to end: the real `loadcell` binary runs `--profile` against the
//! built-in shop target on 127.0.0.1 and the summary names the phases of the expanded stages.
#![cfg(test)]

use loadcell_target::{Config, TargetHandle};
use loadcell_testkit::Loadcell;
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

/// Runs `loadcell run URL ARGS -q --summary-json …` alone (a profile's analyses are
/// timing); returns the exit code, stderr and summary.
fn run(url: &str, args: &[&str]) -> (Option<i32>, String, Option<Value>) {
    let run = loadcell_testkit::process::run_summary(url.as_ref(), args, Loadcell::alone);
    (run.code, run.stderr, run.summary)
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
    let (code, stderr, summary) = run(&url, &["--profile", "smoke", "--hold", "1s"]);
    assert_eq!(code, Some(1), "{stderr}");
    let summary = summary.expect("summary");
    assert_eq!(names(&summary), ["smoke"]);
    assert_eq!(summary["thresholds"][0]["expr"], "http_req_failed: rate==0");
    assert_eq!(summary["thresholds"][0]["passed"], false);
}

#[test]
fn a_profile_without_a_level_is_a_usage_error() {
    let (code, stderr, summary) = run("http://127.0.0.1:9/", &["--profile", "stress"]);
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
    let stress = || {
        let (code, stderr, summary) = run(
            &server.url(),
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
        summary.expect("summary")
    };
    // The target runs in this test's process and shares the machine: a run whose target was
    // starved of CPU (a step below capacity missing p95 < 50 ms, or goodput past the breaking
    // point below 90% of the best before, which reads as degraded) is run again, up to
    // three times in all (see `holds_in_some_attempt`); every attempt is in the log.
    holds_in_some_attempt("stress", || judge_stress(&stress()));
}

/// What a stress run against the 4 × 10 ms queue must show.
fn judge_stress(summary: &Value) -> Result<(), String> {
    let phases = summary["phases"].as_array().expect("phases");
    // Stages are measured by whole seconds: every stage of at least a second has its row.
    assert_eq!(phases.len(), 11, "5 ramps, 5 steps and the ramp down");
    let held = |name: &str| {
        phases
            .iter()
            .find(|p| p["name"] == name)
            .and_then(|p| p["thresholds_passed"].as_bool())
    };
    if held("step 50%") != Some(true) || held("step 100%") != Some(true) {
        return Err(format!(
            "100/s and 200/s are below capacity, yet a step failed: {}",
            summary["phases"]
        ));
    }
    let bp = &summary["breaking_point"];
    let level = bp["level"].as_f64().expect("a breaking point");
    if !(300.0..=600.0).contains(&level) {
        return Err(format!("breaks at or above capacity: {bp}"));
    }
    let how: Vec<&str> = bp["how"]
        .as_array()
        .expect("how")
        .iter()
        .filter_map(|h| h.as_str())
        .collect();
    if !how.contains(&"latency climbed") {
        return Err(format!("a queueing target breaks by latency: {how:?}"));
    }
    // Past its capacity a queue keeps serving at capacity: it breaks gracefully.
    if bp["behaviour"] != "graceful" {
        return Err(format!("not graceful: {bp}"));
    }
    Ok(())
}

/// The same stress against a target that falls over for good once its queue overflows:
/// past the breaking point it answers almost nothing but 503s, so it "fell over".
#[test]
fn a_target_that_collapses_fell_over() {
    let server = TargetHandle::spawn(Config {
        workers: Some(4),
        service_time: Duration::from_millis(10),
        overload_queue: Some(50),
        ..Config::default()
    })
    .expect("target");
    let (code, stderr, summary) = run(
        &server.url(),
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
            "--threshold",
            "error_rate<1%",
        ],
    );
    assert_eq!(code, Some(1), "{stderr}");
    let summary = summary.expect("summary");
    let bp = &summary["breaking_point"];
    assert!(bp["last_good"].is_string(), "a stage held before it broke: {bp}");
    assert_eq!(bp["behaviour"], "fell over", "{bp}");
    let detail = bp["behaviour_detail"].as_str().expect("behaviour_detail");
    assert!(detail.starts_with("down to "), "{detail}");
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

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("loadcell-profiles-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// `loadcell report DIR`: the rebuilt summary.
fn report(dir: &std::path::Path) -> Value {
    let out = Loadcell::new(&["report".as_ref(), dir.as_os_str()]).run();
    out.assert_exit(0);
    let text = std::fs::read_to_string(dir.join("summary.json")).expect("rebuilt summary.json");
    serde_json::from_str(&text).expect("summary JSON")
}

fn phase<'a>(summary: &'a Value, name: &str) -> &'a Value {
    summary["phases"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name))
        .unwrap_or_else(|| panic!("no phase {name}: {}", summary["phases"]))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// The planned arrival rate at `t` from the summary's `stages[]` (linear within a stage).
fn planned_rate(summary: &Value, t: f64) -> f64 {
    let stages = summary["stages"].as_array().expect("stages");
    stages
        .iter()
        .find(|s| f(&s["start_s"]) <= t && t < f(&s["end_s"]))
        .map_or(0.0, |s| {
            let (a, b) = (f(&s["start_s"]), f(&s["end_s"]));
            f(&s["from"]) + (f(&s["to"]) - f(&s["from"])) * (t - a) / (b - a)
        })
}

/// The queueing prediction: seconds after the spike's end until a fluid queue, fed by the
/// planned arrival curve and served at `capacity` per second, is empty again (the backlog
/// of the spike has drained).
fn drain_after(summary: &Value, spike_end_s: f64, capacity: f64) -> f64 {
    let dt = 0.001;
    let mut queue: f64 = 0.0;
    let mut t: f64 = 0.0;
    while t < 120.0 {
        queue = (queue + (planned_rate(summary, t) - capacity) * dt).max(0.0);
        t += dt;
        if t > spike_end_s && queue == 0.0 {
            return t - spike_end_s;
        }
    }
    f64::INFINITY
}

/// Spike recovery on a target that recovers after a known delay: 2 workers × 20 ms (about
/// 95–100/s; the spike stage's achieved rate measures it), a baseline of 40/s and a spike to
/// ×4 (160/s) for 2 s leave a backlog that drains at capacity − 40/s. The rolling window
/// (2 s here) is judged at its end, so the measured recovery is the drain time plus up to
/// one window: the documented band is [drain − 1 s, drain + window + 1.5 s] (a second of
/// interval granularity either side, half a second of timer slack).
/// `loadcell report` on the results folder gives the same names and the same recovery.
#[test]
fn spike_recovery_matches_the_queueing_prediction_and_survives_a_rebuild() {
    let server = TargetHandle::spawn(Config {
        workers: Some(2),
        service_time: Duration::from_millis(20),
        ..Config::default()
    })
    .expect("target");
    // The drain is timing of an in-process target: a run where the machine starved it
    // (measured recovery outside the band) is repeated (see `holds_in_some_attempt`).
    holds_in_some_attempt("spike recovery", || {
        let dir = out_dir("spike");
        let (code, stderr, summary) = run(
            &server.url(),
            &[
                "--profile",
                "spike",
                "--target-rate",
                "40",
                "--spike-factor",
                "4",
                "--ramp",
                "1s",
                "--hold",
                "8s",
                "--spike-hold",
                "2s",
                "--recovery-window",
                "2s",
                "--out",
                dir.to_str().expect("utf-8 temp dir"),
            ],
        );
        assert_eq!(code, Some(0), "{stderr}");
        let summary = summary.expect("summary");
        let checked = judge_spike(&summary);
        if checked.is_ok() {
            let rebuilt = report(&dir);
            assert_eq!(names(&rebuilt), names(&summary));
            assert_eq!(rebuilt["phases"], summary["phases"]);
            assert_eq!(rebuilt["spike_recovery"], summary["spike_recovery"]);
        }
        let _ = std::fs::remove_dir_all(&dir);
        checked
    });
}

/// The spike's recovery against the queueing prediction.
fn judge_spike(summary: &Value) -> Result<(), String> {
    let r = &summary["spike_recovery"];
    assert_eq!(r["baseline_phase"], "baseline");
    assert_eq!(r["spike_phase"], "spike ×4");
    assert_eq!(f(&r["window_s"]), 2.0);
    if f(&r["spike_p95_ms"]) <= 10.0 * f(&r["baseline_p95_ms"]) {
        return Err(format!("the spike queues far above the baseline: {r}"));
    }
    let capacity = f(&phase(summary, "spike ×4")["rate_per_s"]);
    if !(80.0..=105.0).contains(&capacity) {
        return Err(format!("2 workers × 20 ms: {capacity}/s"));
    }
    let drain = drain_after(summary, f(&r["spike_end_s"]), capacity);
    let measured = f(&r["recovery_s"]);
    eprintln!(
        "spike recovery: measured {measured} s; queue drained {drain:.2} s after the spike's end (capacity {capacity:.1}/s), window 2 s; {}",
        r["verdict"]
    );
    assert_eq!(r["verdict"], format!("recovered {measured} s after the spike"));
    if !(drain - 1.0..=drain + 2.0 + 1.5).contains(&measured) {
        return Err(format!(
            "measured {measured} s, predicted drain {drain:.2} s + up to a 2 s window: {r}"
        ));
    }
    Ok(())
}

/// A target that falls over for good once its queue overflows never recovers: every window
/// after the spike is all 503s.
#[test]
fn a_target_that_falls_over_never_recovers() {
    let server = TargetHandle::spawn(Config {
        workers: Some(2),
        service_time: Duration::from_millis(20),
        overload_queue: Some(20),
        ..Config::default()
    })
    .expect("target");
    let (code, stderr, summary) = run(
        &server.url(),
        &[
            "--profile",
            "spike",
            "--target-rate",
            "40",
            "--spike-factor",
            "4",
            "--ramp",
            "1s",
            "--hold",
            "4s",
            "--spike-hold",
            "2s",
            "--recovery-window",
            "2s",
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let summary = summary.expect("summary");
    let r = &summary["spike_recovery"];
    assert_eq!(r["recovery_s"], Value::Null, "{r}");
    assert!(
        r["verdict"]
            .as_str()
            .is_some_and(|v| v.starts_with("did not recover within the")),
        "{r}"
    );
    assert_eq!(f(&r["baseline_error_rate"]), 0.0);
    assert!(f(&r["spike_error_rate"]) > 0.0, "{r}");
    assert!(f(&phase(&summary, "recovery")["error_rate"]) > 0.99);
}

/// Growth imposed per minute of uptime, as per hour: the fitted slopes.
fn soak(server: &TargetHandle, rate: &str, hold: &str) -> Value {
    let (code, stderr, summary) = run(
        &server.url(),
        &[
            "--profile",
            "soak",
            "--target-rate",
            rate,
            "--ramp",
            "1s",
            "--hold",
            hold,
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let summary = summary.expect("summary");
    assert_eq!(summary["soak_trend"]["phase"], "hold 100%");
    summary["soak_trend"].clone()
}

/// Runs `attempt` up to `ATTEMPTS` times until it holds; fails with every attempt's reason.
/// The soak tests judge a trend over a dozen seconds on a machine other processes share: a
/// compile starting mid-run bends the per-second p95 of any target. Such a burst is
/// transient, so an independent repeat measures again; a real fault (a trend loadcell
/// invents, or one it misses) fails every attempt. The false alarm of a design with
/// per-attempt rate α becomes α³ (0.001 → 10⁻⁹ for the steady test).
const ATTEMPTS: usize = 3;

fn holds_in_some_attempt(what: &str, mut attempt: impl FnMut() -> Result<(), String>) {
    let mut reasons = Vec::new();
    for i in 1..=ATTEMPTS {
        match attempt() {
            Ok(()) => return,
            Err(reason) => {
                eprintln!("{what}: attempt {i} of {ATTEMPTS} failed: {reason}");
                reasons.push(reason);
            }
        }
    }
    panic!("{what}: failed all {ATTEMPTS} attempts:\n{}", reasons.join("\n"));
}

/// A target whose latency grows 600 ms and whose error rate grows 100 percentage points per
/// minute of uptime: 36 000 ms and 60 (6000 percentage points) per hour. The per-second p95
/// rises with the latency of the requests completing in that second (a request completing
/// at c started at c − L, so the fitted slope is g/(1+g) of the imposed g = 0.01: 1% low).
#[test]
fn soak_trend_finds_the_imposed_latency_and_error_growth() {
    holds_in_some_attempt("growing soak", || {
        // A fresh target each attempt: the growth follows its uptime.
        let server = TargetHandle::spawn(Config {
            latency_growth: Duration::from_millis(600),
            error_growth: 1.0,
            ..Config::default()
        })
        .expect("target");
        // 300 requests a second keep the binomial noise of each second's error rate small
        // enough for ±25% (about 3 standard errors of the slope).
        let t = soak(&server, "300", "15s");
        let p95 = &t["p95_ms"];
        let errors = &t["error_rate"];
        eprintln!(
            "soak: p95 slope {} ms/h (imposed 36000), CI {}, p {}; error slope {}/h (imposed 60), CI {}, p {}",
            p95["slope_per_hour"],
            p95["slope_ci95"],
            p95["p_value"],
            errors["slope_per_hour"],
            errors["slope_ci95"],
            errors["p_value"]
        );
        let slope = f(&p95["slope_per_hour"]);
        if !(27_000.0..=45_000.0).contains(&slope) || p95["significant"] != true {
            return Err(format!("p95 not within ±25% of 36 000 or not significant: {p95}"));
        }
        let slope = f(&errors["slope_per_hour"]);
        if !(45.0..=75.0).contains(&slope) || errors["significant"] != true {
            return Err(format!("error rate not within ±25% of 60 or not significant: {errors}"));
        }
        if f(&t["points"]) < 14.0 {
            return Err(format!("fewer than 14 points: {t}"));
        }
        Ok(())
    });
}

/// A steady target (5 ms, no growth): the p95 slope is under 10% of the 36 000 ms/h above and
/// not significant at the 0.1% level (so a false alarm in 1 000 attempts by design, 10⁻⁹
/// over the three attempts).
#[test]
fn soak_trend_on_a_steady_target_is_flat() {
    let server = TargetHandle::spawn(Config {
        latency: Some(loadcell_target::Latency::Fixed(Duration::from_millis(5))),
        ..Config::default()
    })
    .expect("target");
    holds_in_some_attempt("steady soak", || {
        let t = soak(&server, "100", "12s");
        let p95 = &t["p95_ms"];
        eprintln!(
            "steady soak: p95 slope {} ms/h, CI {}, p {}",
            p95["slope_per_hour"], p95["slope_ci95"], p95["p_value"]
        );
        if f(&p95["slope_per_hour"]).abs() >= 3_600.0 || f(&p95["p_value"]) <= 0.001 {
            return Err(format!("a trend on a flat target: {p95}"));
        }
        Ok(())
    });
}

/// Stress against a queueing target (2 workers × 20 ms, about 95/s) with a 100 ms timeout
/// and an error-rate SLO: steps below capacity hold (arrivals on a fixed schedule do not
/// queue), and at 120/s at the latest the queue grows until requests time out. Whatever
/// step that is on a busy machine, it breaks by timeouts alone, not by other errors.
#[test]
fn timeouts_are_named_as_how_it_broke() {
    let server = TargetHandle::spawn(Config {
        workers: Some(2),
        service_time: Duration::from_millis(20),
        ..Config::default()
    })
    .expect("target");
    // A step below capacity can time out when the machine starves the in-process target;
    // such a run is repeated (see `holds_in_some_attempt`).
    holds_in_some_attempt("timeouts", || {
        let (code, stderr, summary) = run(
            &server.url(),
            &[
                "--profile",
                "stress",
                "--target-rate",
                "40",
                "--ramp",
                "1s",
                "--hold",
                "2s",
                "--timeout",
                "100ms",
                "--threshold",
                "error_rate<1%",
            ],
        );
        assert_eq!(code, Some(1), "{stderr}");
        let summary = summary.expect("summary");
        let bp = &summary["breaking_point"];
        let how: Vec<&str> = bp["how"]
            .as_array()
            .expect("how")
            .iter()
            .filter_map(|h| h.as_str())
            .collect();
        eprintln!(
            "timeouts: broke at {} ({}): {how:?} {}",
            bp["name"], bp["level"], bp["detail"]
        );
        if !how.contains(&"timeouts") || how.contains(&"errors appeared") {
            return Err(format!("only timeouts failed, no other errors: {bp}"));
        }
        if f(&bp["level"]) < 40.0 {
            return Err(format!("breaks above the target: {bp}"));
        }
        Ok(())
    });
}

/// Breakpoint: a rate ramping from 3/s to 300/s over 20 s against 2 workers × 20 ms (100/s
/// nominal, about 95/s with timer slack) stops itself when p95<100ms is lost, and reports
/// the rate. Documented bands: the achieved rate over the last 3 s is 60–110/s (the target's
/// capacity, diluted by any sub-capacity second of the ramp in that span); the target rate at
/// the failure is 95–250/s, above capacity because the thresholds are judged on the run so
/// far (the first, good seconds dilute the p95) and the queue needs time to push latency up.
#[test]
fn breakpoint_stops_itself_and_reports_the_rate() {
    let server = TargetHandle::spawn(Config {
        workers: Some(2),
        service_time: Duration::from_millis(20),
        ..Config::default()
    })
    .expect("target");
    let args = [
        "--profile",
        "breakpoint",
        "--target-rate",
        "30",
        "--ramp",
        "20s",
        "--threshold",
        "p95<100ms",
    ];
    let url = server.url();
    let run = loadcell_testkit::process::run_summary(url.as_ref(), &args, Loadcell::alone);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    // From its start, not from the test's: the run may have waited for the machine.
    assert!(run.elapsed < Duration::from_secs(20), "stopped before the ramp's end");
    let summary = run.summary.clone().expect("summary");
    assert_eq!(summary["stop_reason"], "threshold_aborted");
    let bp = &summary["breaking_point"];
    eprintln!(
        "breakpoint: level {} /s, achieved {} /s; {}",
        bp["level"], bp["rate_per_s"], bp["detail"]
    );
    assert_eq!(bp["name"], "ramp to ×10");
    let achieved = f(&bp["rate_per_s"]);
    assert!((60.0..=110.0).contains(&achieved), "{bp}");
    let level = f(&bp["level"]);
    assert!((95.0..=250.0).contains(&level), "{bp}");
    let how: Vec<&str> = bp["how"]
        .as_array()
        .expect("how")
        .iter()
        .filter_map(|h| h.as_str())
        .collect();
    assert!(how.contains(&"latency climbed"), "{bp}");
}

/// A staged open run's header names the configured levels and calls the mean a mean (the
/// mean of a ramp is not what was asked for).
#[test]
fn a_staged_header_shows_the_configured_levels() {
    let target = TargetHandle::spawn(Config::default()).expect("start loadcell target");
    let args = [
        "--profile",
        "load",
        "--target-rate",
        "20",
        "--ramp",
        "1s",
        "--hold",
        "1s",
    ];
    let run = loadcell_testkit::process::run_summary(target.url().as_ref(), &args, |c| c);
    run.assert_exit(0);
    let header = run
        .stdout
        .lines()
        .find(|l| l.contains("open model"))
        .unwrap_or_default();
    assert!(
        header.contains("open model, stages 0 → 20 → 0 iterations/s (mean "),
        "{}",
        run.output()
    );
    assert!(!header.contains("target"), "{header}");
    assert!(run.stdout.contains("/s mean target"), "{}", run.output());
}
