//! The baselines file end to end on runs built in memory: save (shape, SLOs, bounded
//! history, a team's own fields kept), check (history-based verdicts and SLOs) and trend.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use loadcell_baselines::{BaselinesFile, Status, TrendOptions, check_input, save_input, trend};
use loadcell_compare::{Input, LoadRow, LoadRun, Point, Settings, Side, Units};
use loadcell_schema::{ComparedRun, MetricKind, SourceKind, Verdict};
use loadcell_stats::Rng;

struct Temp(PathBuf);

impl Temp {
    fn new(name: &str) -> Temp {
        let dir = std::env::temp_dir().join(format!("loadcell-baselines-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Temp(dir)
    }
    fn file(&self) -> PathBuf {
        self.0.join("performance-baselines.json")
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A load run with endpoints `(name, p95 ms)` (p99 = 1.5 × p95, 100 req/s each).
fn run(endpoints: &[(&str, f64)], thresholds: &[&str], at: u32) -> Input {
    let row = |name: &str, p95: f64| LoadRow {
        name: name.to_string(),
        side: Side {
            exact: Point {
                p50: p95 / 2.0,
                p95,
                p99: p95 * 1.5,
                throughput: 100.0,
                error_rate: 0.0,
            },
            requests: 1000,
            units: Units::None,
        },
    };
    let mut rows = vec![row("overall", endpoints.first().map_or(0.0, |e| e.1))];
    rows.extend(endpoints.iter().map(|(n, p)| row(n, *p)));
    Input::Load(LoadRun {
        run: ComparedRun {
            path: format!("results/run-{at}"),
            kind: SourceKind::ResultsFolder,
            target: "http://127.0.0.1:8080".into(),
            label: "t".into(),
            started_at: Some(format!("2026-01-{:02}T10:00:00.000Z", at % 28 + 1)),
            model: None,
            seconds: Some(10.0),
        },
        thresholds: thresholds.iter().map(|s| s.to_string()).collect(),
        rows,
        spectrum: Vec::new(),
        notes: Vec::new(),
    })
}

#[test]
fn save_writes_the_shape_teams_keep_and_keeps_their_own_fields() {
    let t = Temp::new("save");
    let thresholds = ["p95<150ms", "http_req_duration{endpoint:GET /slow}: p(95)<100"];
    let doc = save_input(
        &t.file(),
        &run(&[("GET /a", 120.0), ("GET /slow", 130.0)], &thresholds, 1),
        3,
    )
    .unwrap();
    let a = doc.endpoint("GET /a").unwrap();
    assert_eq!((a.slo_p95_ms, a.status), (Some(150.0), Some(Status::Pass)));
    let slow = doc.endpoint("GET /slow").unwrap();
    assert_eq!((slow.slo_p95_ms, slow.status), (Some(100.0), Some(Status::Fail)));
    assert_eq!(doc.overall_slo_compliance, Some(50.0));

    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(t.file()).unwrap()).unwrap();
    let first = &json["endpoints"][0];
    for key in [
        "name",
        "slo_p95_ms",
        "current_p95_ms",
        "current_p99_ms",
        "throughput_rps",
        "last_tested",
        "status",
        "bottleneck",
        "history",
    ] {
        assert!(first.get(key).is_some(), "{key} missing: {first}");
    }
    assert_eq!(first["status"], "pass");
    assert_eq!(first["bottleneck"], serde_json::Value::Null);
    assert!(json.get("overall_slo_compliance").is_some());

    // A team's own fields survive an update; the history stays bounded.
    let mut edited = json.clone();
    edited["owner"] = "team-a".into();
    edited["endpoints"][0]["bottleneck"] = "database".into();
    std::fs::write(t.file(), serde_json::to_string(&edited).unwrap()).unwrap();
    for i in 2..=6 {
        save_input(&t.file(), &run(&[("GET /a", 100.0 + f64::from(i))], &[], i), 3).unwrap();
    }
    let doc = BaselinesFile::read(&t.file()).unwrap().unwrap();
    assert_eq!(doc.other.get("owner").and_then(|v| v.as_str()), Some("team-a"));
    let a = doc.endpoint("GET /a").unwrap();
    assert_eq!(a.bottleneck.as_deref(), Some("database"));
    assert_eq!(a.history.len(), 3, "bounded to the last 3");
    assert_eq!(a.history[2].p95_ms, 106.0);
    assert_eq!(a.slo_p95_ms, Some(150.0), "an SLO the new run does not state is kept");
    assert!(
        doc.endpoint("GET /slow").is_some(),
        "an endpoint the run lacked is kept"
    );
}

#[test]
fn check_judges_a_new_run_against_the_spread_of_its_history() {
    let t = Temp::new("check");
    let mut rng = Rng::new(5);
    for i in 0..12 {
        let p95 = 100.0 + 2.0 * rng.normal();
        save_input(&t.file(), &run(&[("GET /a", p95)], &["p95<200ms"], i), 100).unwrap();
    }
    let settings = Settings::default();
    let same = check_input(&t.file(), &run(&[("GET /a", 101.0)], &[], 20), &settings).unwrap();
    assert_eq!(same.comparison.verdict, Verdict::Unchanged);
    assert_eq!(same.exit_code(), 0);
    let row = &same.comparison.rows[0];
    assert_eq!(row.method, loadcell_schema::Method::History);
    assert_eq!(row.base_samples, 12);

    let slower = check_input(&t.file(), &run(&[("GET /a", 125.0)], &[], 21), &settings).unwrap();
    assert_eq!(slower.comparison.verdict, Verdict::Regressed);
    assert_eq!(slower.exit_code(), 1);
    let p95 = slower.comparison.rows[0]
        .metrics
        .iter()
        .find(|m| m.metric == MetricKind::P95)
        .unwrap();
    assert!(p95.significant && p95.interval.unwrap().high < 0.25);

    let over_slo = check_input(&t.file(), &run(&[("GET /a", 230.0)], &[], 22), &settings).unwrap();
    assert_eq!(over_slo.slo[0].status, Status::Fail);
    assert!(over_slo.comparison.notes.iter().any(|n| n.contains("fails its SLO")));
}

#[test]
fn a_short_history_falls_back_to_the_point_change() {
    let t = Temp::new("short");
    save_input(&t.file(), &run(&[("GET /a", 100.0)], &[], 1), 100).unwrap();
    let c = check_input(
        &t.file(),
        &run(&[("GET /a", 104.0), ("GET /new", 5.0)], &[], 2),
        &Settings::default(),
    )
    .unwrap();
    assert_eq!(c.comparison.rows[0].method, loadcell_schema::Method::PointOnly);
    assert_eq!(c.comparison.verdict, Verdict::Unchanged, "+4% is within the noise");
    assert_eq!(c.comparison.only_in_new, ["GET /new"]);
    assert!(c.comparison.notes.iter().any(|n| n.contains("fewer than 3 runs")));
}

#[test]
fn trend_finds_the_run_where_p95_shifted() {
    let t = Temp::new("trend");
    let mut rng = Rng::new(9);
    for i in 0..40 {
        let level = if i < 25 { 100.0 } else { 115.0 };
        save_input(&t.file(), &run(&[("GET /a", level + 3.0 * rng.normal())], &[], i), 100).unwrap();
    }
    let trends = trend(&t.file(), &TrendOptions::default()).unwrap();
    let p95 = trends.iter().find(|m| m.metric == "p95_ms").unwrap();
    assert_eq!(p95.runs, 40);
    assert_eq!(p95.shifts.len(), 1, "{:?}", p95.shifts);
    assert!(p95.shifts[0].index.abs_diff(25) <= 1);
    assert!((p95.shifts[0].change - 0.15).abs() < 0.04);
    assert!((p95.current_level - 115.0).abs() < 3.0);
    let text = loadcell_baselines::trend_text(&trends);
    assert!(text.contains("GET /a p95_ms: 40 runs, 1 change point"), "{text}");
}

#[test]
fn bad_files_are_one_line_errors_with_a_position() {
    let t = Temp::new("bad");
    std::fs::write(t.file(), "{\n  \"endpoints\": [ { \"name\": 3 } ]\n}\n").unwrap();
    let err = BaselinesFile::read(&t.file()).unwrap_err().to_string();
    assert!(err.starts_with(&format!("{}:2:", t.file().display())), "{err}");
    assert!(!err.contains('\n'), "{err}");
    let missing = t.0.join("nope.json");
    let err = check_input(&missing, &run(&[], &[], 1), &Settings::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("no such baselines file"), "{err}");
}
