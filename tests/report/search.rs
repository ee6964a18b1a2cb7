//! The reports of `loadcell capacity` and `loadcell scale` in headless Chromium: the real
//! binary searches (and sweeps) the built-in target on 127.0.0.1 into a results folder;
//! its `report.html` must draw the capacity (scale) chart with one point per step (level),
//! report no script error, and show one table row per step (level) of `summary.json`.

use std::time::Duration;

use loadcell_report::Summary;
use loadcell_target::{Config, TargetHandle};
use loadcell_testkit::Loadcell;

use crate::dom;
use crate::support::{TempDir, chromium_dom};

/// Runs `loadcell ARGS --out DIR/results -q` and returns the folder's summary.
fn run_into_folder(dir: &TempDir, args: &[&str]) -> Summary {
    let out = dir.path().join("results");
    let out_arg = out.to_string_lossy().into_owned();
    let mut full: Vec<&str> = args.to_vec();
    full.extend(["--out", &out_arg, "-q"]);
    let run = Loadcell::new(&full).run();
    assert!(matches!(run.code, Some(0 | 1)), "loadcell {args:?}:\n{}", run.output());
    loadcell_testkit::read_typed(&out)
}

/// Opens the folder's report and checks the search chart and the table under it.
fn check_report(dir: &TempDir, chart: &str, table_id: &str, points: usize) -> String {
    let dom = chromium_dom(dir, &dir.path().join("results/report.html"));
    let errors = dom::report_errors(&dom);
    assert!(errors.trim().is_empty(), "script errors in the report:\n{errors}");
    assert!(
        dom::attr(dom::body_tag(&dom), "data-errors").is_none(),
        "body reports errors"
    );
    let at = dom
        .find(&format!("data-search-chart=\"{chart}\""))
        .unwrap_or_else(|| panic!("no {chart} chart container"));
    let start = dom[..at].rfind('<').unwrap();
    let tag = &dom[start..at + dom[at..].find('>').unwrap()];
    assert_eq!(
        dom::attr(tag, "data-rendered"),
        Some(points.to_string().as_str()),
        "{chart} chart: {tag}"
    );
    let container = &dom[at..];
    let canvas = container.find("<canvas").expect("uPlot drew a canvas");
    assert!(
        canvas < container.find("</figure>").unwrap(),
        "the canvas is in the {chart} figure"
    );
    let table = &dom[dom.find(&format!("id=\"{table_id}\"")).expect("the table")..];
    let body = &table[table.find("<tbody>").unwrap()..table.find("</tbody>").unwrap()];
    assert_eq!(body.matches("<tr>").count(), points, "one row per {chart} point");
    dom
}

#[test]
fn capacity_report_draws_its_chart_and_step_table_in_chromium() {
    let target = TargetHandle::spawn(Config {
        workers: Some(4),
        service_time: Duration::from_millis(100),
        ..Config::default()
    })
    .expect("start the target");
    let url = format!("{}/", target.url());
    let dir = TempDir::new();
    let summary = run_into_folder(
        &dir,
        &[
            "capacity",
            &url,
            "--slo",
            "p95<200ms",
            "--step-duration",
            "1s",
            "--max-time",
            "12s",
            "--threads",
            "1",
        ],
    );
    let c = summary.capacity.as_ref().expect("a capacity section");
    assert!(c.steps.len() >= 3, "{c:?}");
    let dom = check_report(&dir, "capacity", "capacity-steps", c.steps.len());
    for (i, s) in c.steps.iter().enumerate() {
        let verdict = if s.passed { "pass" } else { "FAIL" };
        let row = dom[dom.find("id=\"capacity-steps\"").unwrap()..]
            .split("<tr>")
            .nth(i + 2)
            .unwrap_or_default();
        assert!(row.contains(verdict), "step {} is {verdict}: {row}", i + 1);
        assert!(
            row.contains(&format!("data-v=\"{}\"", s.offered_rate)),
            "step {} offered {}: {row}",
            i + 1,
            s.offered_rate
        );
    }
    assert!(dom.contains("Sustainable rate"));
    if let Some(rate) = c.capacity_per_s {
        assert!(dom.contains("capacity") && rate > 0.0);
    }
}

#[test]
fn scale_report_draws_its_chart_and_level_table_in_chromium() {
    let target = TargetHandle::spawn(Config {
        service_time: Duration::from_millis(10),
        ..Config::default()
    })
    .expect("start the target");
    let url = format!("{}/", target.url());
    let dir = TempDir::new();
    let summary = run_into_folder(
        &dir,
        &[
            "scale",
            &url,
            "--vus",
            "1,2,4,8",
            "--step-duration",
            "700ms",
            "--warmup",
            "200ms",
        ],
    );
    let s = summary.scale.as_ref().expect("a scale section");
    assert_eq!(s.points.len(), 4);
    assert!(s.fit.is_some(), "{s:?}");
    let dom = check_report(&dir, "scale", "scale-levels", 4);
    for p in &s.points {
        assert!(
            dom.contains(&format!("data-v=\"{}\">{}</td>", p.vus, p.vus)),
            "level {}",
            p.vus
        );
    }
    assert!(dom.contains("σ contention") && dom.contains("κ coherency"));
}
