//! The tests: an open-model quick run and a scenario run of `examples/shop.yaml`, each
//! rendered to `report.html` and opened in headless Chromium; the quick run's report is
//! opened a second time with hostile names planted in it.

use std::path::Path;
use std::time::Instant;

use loadcell_report::Summary;
use loadcell_target::{Config, TargetHandle};

use crate::dom;
use crate::support::{TempDir, chromium_dom, run_loadcell};

const CHARTS: [&str; 5] = ["throughput", "latency", "load", "errors", "spectrum"];
const HOSTILE: &str = "</script><script>alert(1)</script>";

/// Renders `summary`, opens it in Chromium and checks what a person would see.
fn open_and_check(dir: &TempDir, summary: &Summary) -> String {
    let html = loadcell_report::html(summary);
    let path = dir.path().join("report.html");
    std::fs::write(&path, &html).unwrap();
    let start = Instant::now();
    let dom = chromium_dom(dir, &path);
    eprintln!(
        "chromium rendered {} ({} bytes) in {:.2?}",
        path.display(),
        html.len(),
        start.elapsed()
    );

    let errors = dom::report_errors(&dom);
    assert!(errors.trim().is_empty(), "script errors in the report:\n{errors}");
    let body = dom::body_tag(&dom);
    assert!(dom::attr(body, "data-errors").is_none(), "body reports errors: {body}");

    let charts = dom::charts(&dom);
    let names: Vec<&str> = charts.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, CHARTS, "chart containers");
    for (name, rendered) in &charts {
        assert!(
            rendered.is_some_and(|n| n > 0),
            "chart {name} did not render: data-rendered={rendered:?}"
        );
    }
    assert!(dom.matches("<canvas").count() >= CHARTS.len(), "uPlot drew no canvases");

    let verdict = if summary.thresholds.is_empty() {
        "no thresholds"
    } else if summary.thresholds_passed() {
        "PASS"
    } else {
        "FAIL"
    };
    assert!(
        dom.contains(&format!("<span class=\"badge\">{verdict}</span>")),
        "verdict {verdict} missing"
    );
    for t in &summary.thresholds {
        let shown = format!("<code>{}</code>", dom::text(&t.expr));
        assert!(dom.contains(&shown), "threshold {} missing from the page", t.expr);
    }
    for e in &summary.endpoints {
        assert!(dom.contains(&dom::text(&e.name)), "endpoint {} missing", e.name);
    }
    dom
}

fn dump_on_failure(dir: &Path) {
    eprintln!("report files are in {}", dir.display());
}

#[test]
fn open_model_run_renders_every_chart_in_chromium() {
    let target = TargetHandle::spawn(Config::default()).expect("start the shop target");
    let url = format!("{}/api/products", target.url());
    let dir = TempDir::new();
    dump_on_failure(dir.path());
    let summary = run_loadcell(
        &dir,
        &[
            "run",
            &url,
            "-r",
            "300",
            "-d",
            "4s",
            "--warmup",
            "1s",
            "-q",
            "--threshold",
            "p95<500ms",
            "--threshold",
            "error_rate<1%",
            "--threshold",
            "p99<0.001ms",
        ],
    );
    assert_eq!(summary.thresholds.len(), 3);
    assert!(
        !summary.thresholds_passed(),
        "p99 < 1 µs cannot hold, so the page must say FAIL"
    );
    assert!(
        summary.timeseries.len() >= 4,
        "a 5 s run has at least 4 one-second intervals"
    );
    let dom = open_and_check(&dir, &summary);
    assert!(dom.contains("Arrival rate"), "open model shows its arrival rate");

    // The same run with hostile strings where users control text: still one page, no
    // injected element, every chart drawn, and the strings shown as text.
    let mut hostile = summary.clone();
    hostile.endpoints[0].name = HOSTILE.to_string();
    hostile.target = HOSTILE.to_string();
    hostile.thresholds[0].expr = format!("p95<500ms {HOSTILE}");
    hostile.metadata.scenario = Some(format!("name: x\n{HOSTILE}\n<!--\n"));
    hostile.generator.warnings.push(HOSTILE.to_string());
    let dom = open_and_check(&dir, &hostile);
    assert!(!dom.contains("<script>alert(1)"), "a hostile name became markup");
    assert!(dom.contains(&dom::text(HOSTILE)), "the hostile name is shown as text");
}

#[test]
fn scenario_run_renders_tables_and_checks_in_chromium() {
    let target = TargetHandle::spawn(Config::default()).expect("start the shop target");
    let shop = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/shop.yaml");
    let dir = TempDir::new();
    dump_on_failure(dir.path());
    let summary = run_loadcell(
        &dir,
        &[
            "run",
            shop,
            "--base-url",
            &target.url(),
            "-r",
            "40",
            "-d",
            "4s",
            "-q",
            "--threshold",
            "checks: rate>0.9",
        ],
    );
    assert!(
        !summary.journeys.is_empty() && !summary.checks.is_empty(),
        "a scenario run has journeys and checks"
    );
    assert!(summary.thresholds.len() > 1, "the scenario's own thresholds plus ours");
    let dom = open_and_check(&dir, &summary);
    for j in &summary.journeys {
        assert!(dom.contains(&dom::text(&j.name)), "journey {} missing", j.name);
    }
    assert!(dom.contains("id=\"checks\""), "checks table");
    assert!(dom.contains("Scenario file"), "the scenario text is attached");
}
