//! `loadcell baseline save | check | trend` through the binary: a real run saved into
//! `performance-baselines.json` with its SLO from the run's thresholds, a six times slower run
//! checked against it, and a history with a sustained shift whose change point `trend` finds.

use std::path::Path;

use crate::support::{Ran, Temp, loadcell, one_at_a_time, read, run_into, target};

/// `loadcell baseline VERB RUN --file FILE EXTRA…`.
fn baseline(verb: &str, run: &Path, file: &Path, extra: &[&str]) -> Ran {
    let mut args = vec![
        "baseline".to_string(),
        verb.to_string(),
        run.display().to_string(),
        "--file".into(),
        file.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    loadcell(&args)
}

#[test]
fn save_check_and_trend_a_baselines_file() {
    let dir = Temp::new("baselines");
    let (fast_run, slow_run) = {
        let _turn = one_at_a_time();
        let (fast, fast_url) = target(5);
        let (slow, slow_url) = target(30);
        let (a, b) = (dir.path("fast"), dir.path("slow"));
        run_into(&fast_url, &a, 2, &["--threshold", "p95<2s"]).expect_code(0);
        run_into(&slow_url, &b, 2, &["--threshold", "p95<2s"]).expect_code(0);
        drop((fast, slow));
        (a, b)
    };
    let file = dir.path("performance-baselines.json");
    let save = |run: &Path, extra: &[&str]| baseline("save", run, &file, extra).expect_code(0);
    for _ in 0..3 {
        save(&fast_run, &[]);
    }
    let ran = save(&fast_run, &["--history", "3"]);
    assert!(ran.stdout.contains("3 runs in history"), "{}", ran.stdout);
    let doc: serde_json::Value = serde_json::from_str(&read(&file)).unwrap();
    let endpoint = &doc["endpoints"][0];
    assert_eq!(endpoint["name"], "GET /");
    assert_eq!(endpoint["slo_p95_ms"], 2000.0);
    assert_eq!(endpoint["status"], "pass");
    assert_eq!(endpoint["history"].as_array().unwrap().len(), 3, "--history 3 keeps 3");
    assert!(endpoint["current_p95_ms"].as_f64().unwrap() >= 5.0);
    assert_eq!(doc["overall_slo_compliance"], 100.0);

    let check = |run: &Path, extra: &[&str]| baseline("check", run, &file, extra);
    let ran = check(&slow_run, &[]).expect_code(1);
    assert!(ran.stdout.starts_with("loadcell compare: REGRESSED"), "{}", ran.stdout);
    assert!(ran.stdout.contains("SLO GET /"), "{}", ran.stdout);
    let doc = check(&slow_run, &["--json"]).expect_code(1).json();
    assert_eq!(doc["verdict"], "regressed");
    assert_eq!(doc["slo"][0]["status"], "pass");
    // The same run as the history, with a noise threshold nothing crosses: exit 0.
    check(&fast_run, &["--noise", "90%"]).expect_code(0);
    let md = check(&slow_run, &["--markdown"]).expect_code(1);
    assert!(md.stdout.contains("| metric |"), "{}", md.stdout);

    let ran = loadcell(&[
        "baseline".as_ref(),
        "trend".as_ref(),
        "--file".as_ref(),
        file.as_os_str(),
    ])
    .expect_code(0);
    assert!(
        ran.stdout.contains("GET / p95_ms: 3 runs, 0 change points"),
        "{}",
        ran.stdout
    );
}

/// A hand-written history of 30 runs whose p95 moves from about 100 ms to about 130 ms at
/// run 16 (index 15), with a few percent of deterministic jitter.
fn shifted_history() -> String {
    let runs: Vec<String> = (0..30)
        .map(|i| {
            let level = if i < 15 { 100.0 } else { 130.0 };
            let jitter = [0.0, 2.5, -1.5, 3.0, -2.0, 1.0, -3.0][i % 7];
            format!(
                r#"{{"tested_at": "2026-11-{:02}T10:00:00.000Z", "p95_ms": {}, "p99_ms": {}, "throughput_rps": 500.0, "source": "run-{i}"}}"#,
                i + 1,
                level + jitter,
                level * 1.5 + jitter
            )
        })
        .collect();
    format!(
        r#"{{"endpoints": [{{"name": "GET /api/products", "slo_p95_ms": 200.0, "current_p95_ms": 130.0,
  "current_p99_ms": 195.0, "throughput_rps": 500.0, "last_tested": "2026-11-30T10:00:00.000Z",
  "status": "pass", "bottleneck": "database", "team": "shop", "history": [{}]}}],
  "overall_slo_compliance": 100.0}}"#,
        runs.join(",\n")
    )
}

#[test]
fn trend_finds_a_sustained_shift_and_bad_files_are_usage_errors() {
    let dir = Temp::new("baselines-trend");
    let file = dir.path("pb.json");
    std::fs::write(&file, shifted_history()).unwrap();
    let ran = loadcell(&[
        "baseline".as_ref(),
        "trend".as_ref(),
        "--file".as_ref(),
        file.as_os_str(),
        "--json".as_ref(),
    ])
    .expect_code(0);
    let trends = ran.json();
    let p95 = trends
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["metric"] == "p95_ms")
        .expect("a p95 trend");
    let shifts = p95["shifts"].as_array().unwrap();
    assert_eq!(shifts.len(), 1, "{p95}");
    assert!((14..=16).contains(&shifts[0]["index"].as_u64().unwrap()), "{p95}");
    assert!((shifts[0]["change"].as_f64().unwrap() - 0.3).abs() < 0.05, "{p95}");

    let text = loadcell(&[
        "baseline".as_ref(),
        "trend".as_ref(),
        "--file".as_ref(),
        file.as_os_str(),
    ])
    .expect_code(0);
    assert!(text.stdout.contains("1 change point"), "{}", text.stdout);

    let missing = dir.path("none.json");
    loadcell(&[
        "baseline".as_ref(),
        "trend".as_ref(),
        "--file".as_ref(),
        missing.as_os_str(),
    ])
    .expect_usage_error("no such baselines file");
    let run = dir.path("no-run");
    loadcell(&[
        "baseline".as_ref(),
        "check".as_ref(),
        run.as_os_str(),
        "--file".as_ref(),
        file.as_os_str(),
    ])
    .expect_usage_error("no such file or folder");
    let bad = dir.path("bad.json");
    std::fs::write(&bad, "{\n  \"endpoints\": [\n    {\"name\": 3}\n").unwrap();
    loadcell(&[
        "baseline".as_ref(),
        "trend".as_ref(),
        "--file".as_ref(),
        bad.as_os_str(),
    ])
    .expect_usage_error(&format!("{}:3:", bad.display()));
    loadcell(&["baseline", "save"]).expect_usage_error("RESULTS");
}
