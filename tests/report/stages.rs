//! The staged-run sections in Chromium: a real `--profile spike` run against the shop target,
//! its report opened in headless Chromium. The Stages table must list exactly the summary's
//! `phases[]` in order, with the breaking point named; the spike section is checked when the
//! summary has a spike measurement. The same run is then rendered again with a spike
//! measurement and a soak trend planted in it, so both stability charts are proven to draw
//! whatever the run itself measured.

use loadcell_report::Summary;
use loadcell_target::{Config, TargetHandle};
use serde_json::json;

use crate::dom;
use crate::support::{TempDir, chromium_dom, chromium_dom_at, run_loadcell};

/// Renders `summary`, opens it in Chromium, and checks that no script failed and every
/// chart (the over-time ones and the staged-run ones) drew points.
fn open(dir: &TempDir, summary: &Summary) -> String {
    let path = dir.path().join("report.html");
    std::fs::write(&path, loadcell_report::html(summary)).unwrap();
    let dom = chromium_dom(dir, &path);
    let errors = dom::report_errors(&dom);
    assert!(errors.trim().is_empty(), "script errors in the report:\n{errors}");
    assert!(
        dom::attr(dom::body_tag(&dom), "data-errors").is_none(),
        "the body reports errors"
    );
    for (name, rendered) in dom::charts(&dom).into_iter().chain(phase_charts(&dom)) {
        assert!(
            rendered.is_some_and(|n| n > 0),
            "chart {name} did not render: data-rendered={rendered:?}"
        );
    }
    dom
}

/// The staged-run chart containers: `data-phase-chart` name and `data-rendered` count.
fn phase_charts(dom: &str) -> Vec<(String, Option<u64>)> {
    dom::charts_by(dom, "data-phase-chart")
}

/// The first cell's text of each row of the Stages table (any tag inside dropped).
fn stage_rows(dom: &str) -> Vec<String> {
    let table = dom.find("<table class=\"data stages\">").expect("the Stages table");
    let body = &dom[table..];
    let body = &body[body.find("<tbody>").expect("tbody")..body.find("</tbody>").expect("/tbody")];
    body.split("<tr")
        .skip(1)
        .map(|row| {
            let cell = &row[row.find("<td").expect("a cell")..];
            let cell = &cell[cell.find('>').expect("cell start") + 1..cell.find("</td>").expect("cell end")];
            let name = cell.split("<span").next().unwrap_or(cell);
            name.trim().to_string()
        })
        .collect()
}

/// Opens the report `width` pixels wide with a probe that measures the Stages table's card:
/// it must not need a horizontal scroll bar.
fn assert_stages_fit(dir: &TempDir, summary: &Summary, width: u32) {
    let probe = "<script>window.addEventListener('load', function () {\
        var card = document.querySelector('#stages .tablecard');\
        document.body.setAttribute('data-stages-width', card ? card.scrollWidth + '/' + card.clientWidth : 'none');\
        });</script></body>";
    let page = loadcell_report::html(summary).replace("</body>", probe);
    let path = dir.path().join("report-narrow.html");
    std::fs::write(&path, page).unwrap();
    let dom = chromium_dom_at(dir, &path, width);
    eprintln!(
        "stages table at {width} px: {:?}",
        dom::attr(dom::body_tag(&dom), "data-stages-width")
    );
    let measured = dom::attr(dom::body_tag(&dom), "data-stages-width").unwrap_or("not measured");
    let (content, visible) = measured.split_once('/').expect("the probe ran: {measured}");
    let (content, visible): (u32, u32) = (content.parse().unwrap(), visible.parse().unwrap());
    assert!(
        content <= visible,
        "the Stages table is {content} px wide in a {visible} px card at a {width} px window"
    );
}

/// Spike and soak results consistent with the run's own stages, for runs that lack them
/// (built as JSON: the schema types are only reachable through the summary's fields here).
fn plant(summary: &mut Summary) {
    let phase = |prefix: &str| {
        summary
            .phases
            .iter()
            .find(|p| p.name.starts_with(prefix))
            .cloned()
            .unwrap_or_else(|| panic!("no {prefix} stage in {:?}", summary.phases))
    };
    let (baseline, spike, recovery) = (phase("baseline"), phase("spike"), phase("recovery"));
    if summary.spike_recovery.is_none() {
        let planted = json!({
            "baseline_phase": baseline.name,
            "spike_phase": spike.name,
            "spike_end_s": spike.end_s,
            "baseline_p95_ms": baseline.latency_ms.p95,
            "baseline_error_rate": baseline.error_rate,
            "spike_p95_ms": spike.latency_ms.p95,
            "spike_p99_ms": spike.latency_ms.p99,
            "spike_error_rate": spike.error_rate,
            "worst_p95_ms": spike.latency_ms.p95,
            "window_s": 1.0,
            "p95_limit_ms": baseline.latency_ms.p95 * 1.5,
            "error_rate_limit": 0.01,
            "recovery_s": 1.0,
            "observed_s": summary.duration_s - spike.end_s,
            "verdict": "recovered 1 s after the spike",
        });
        summary.spike_recovery = Some(serde_json::from_value(planted).expect("a SpikeRecovery"));
    }
    let trend = |start: f64| {
        json!({
            "start": start,
            "slope_per_hour": start,
            "slope_ci95": [0.0, 2.0 * start],
            "p_value": 0.04,
            "significant": true,
            "change_pct_per_hour": 100.0,
            "verdict": "rises",
        })
    };
    let planted = json!({
        "phase": recovery.name,
        "from_s": recovery.start_s,
        "to_s": recovery.end_s,
        "points": recovery.seconds as u64,
        "p95_ms": trend(recovery.latency_ms.p95),
        "error_rate": trend(0.001),
    });
    summary.soak_trend = Some(serde_json::from_value(planted).expect("a SoakTrend"));
}

#[test]
fn spike_profile_run_shows_its_stages_and_stability_charts_in_chromium() {
    let target = TargetHandle::spawn(Config::default()).expect("start the shop target");
    let url = format!("{}/api/products", target.url());
    let dir = TempDir::new();
    eprintln!("report files are in {}", dir.path().display());
    let summary = run_loadcell(
        &dir,
        &[
            "run",
            &url,
            "--profile",
            "spike",
            "--target-rate",
            "20",
            "--ramp",
            "1s",
            "--hold",
            "3s",
            "--spike-hold",
            "2s",
            "-q",
            "--threshold",
            "p95<5s",
            // Cannot hold on any stage, so the first measured stage is the breaking point.
            "--threshold",
            "p99<0.001ms",
        ],
    );
    assert!(
        summary.phases.len() >= 4,
        "a spike run has its phases: {:?}",
        summary.phases
    );
    let breaking = summary.breaking_point.as_ref().expect("p99 < 1 µs breaks a stage");

    let dom = open(&dir, &summary);
    let names: Vec<String> = summary.phases.iter().map(|p| dom::text(&p.name)).collect();
    assert_eq!(stage_rows(&dom), names, "one Stages row per phase, in order");
    assert_eq!(
        dom.matches("<tr class=\"breaking\">").count(),
        1,
        "the breaking stage is highlighted"
    );
    assert!(
        dom.contains(&format!("Breaking point: <b>{}</b>", dom::text(&breaking.name))),
        "the breaking point sentence"
    );
    assert!(dom.contains("✗ failed: <code>p99&lt;0.001ms</code>"));
    let phase_chart_names: Vec<String> = phase_charts(&dom).into_iter().map(|(n, _)| n).collect();
    if let Some(spike) = &summary.spike_recovery {
        assert!(dom.contains("id=\"spike\""), "the spike section");
        assert!(dom.contains(&dom::text(&spike.spike_phase)));
        assert_eq!(phase_chart_names, ["spike"]);
    } else {
        assert!(!dom.contains("id=\"spike\""), "no spike section without its data");
        assert!(phase_chart_names.is_empty());
    }
    assert!(!dom.contains("id=\"soak\""), "a spike run has no soak trend");
    assert_stages_fit(&dir, &summary, 1280);
    // A stress run's worst case: several error kinds and failed thresholds on every stage.
    let mut crowded = summary.clone();
    for p in &mut crowded.phases {
        for (kind, n) in [
            ("request_timeout", 12_345),
            ("connect_timeout", 678),
            ("reset", 9),
            ("malformed_response", 3),
        ] {
            p.errors.insert(kind.to_string(), n);
        }
        p.failed_thresholds = vec![
            "http_req_duration{endpoint:GET /api/products}: p(95)<200".to_string(),
            "error_rate<1%".to_string(),
        ];
    }
    assert_stages_fit(&dir, &crowded, 1280);

    let mut planted = summary.clone();
    plant(&mut planted);
    let dom = open(&dir, &planted);
    let charts = phase_charts(&dom);
    let names: Vec<&str> = charts.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["spike", "soak"]);
    let recovery_seconds = planted.soak_trend.as_ref().map_or(0, |s| s.points);
    assert!(
        charts[1].1.is_some_and(|n| n + 1 >= recovery_seconds),
        "the soak chart shows the hold's seconds: {charts:?}"
    );
    assert!(dom.contains("Recovered 1.0 s after the spike ended") || summary.spike_recovery.is_some());
    assert!(dom.contains("id=\"soak\""));
}
