//! The "Target resources" section in Chromium: a real run against the shop target served
//! by this test process, watched by `loadcell-monitor` (this process and the host) on the
//! run's clock, with a flame graph drawn by inferno beside the report. Every resource chart
//! must draw its readings on the run's time axis, and the flame graph must be embedded.

use std::time::{Duration, Instant};

use loadcell_monitor::{Clock, FlameGraph, Monitor, MonitorPlan, SourceSpec};
use loadcell_target::{Config, TargetHandle};

use crate::dom;
use crate::support::{TempDir, chromium_dom, run_loadcell};

#[test]
fn target_resources_chart_on_the_run_axis_with_the_flame_graph() {
    let target = TargetHandle::spawn(Config::default()).expect("start the shop target");
    let url = format!("{}/api/products", target.url());
    let dir = TempDir::new();
    let plan = MonitorPlan::resolve(&[SourceSpec::Pid(std::process::id()), SourceSpec::Host], &[]).unwrap();
    let t0 = Instant::now();
    let monitor = Monitor::start(
        plan,
        Clock {
            t0,
            interval: Duration::from_secs(1),
        },
        None,
    );
    let mut summary = run_loadcell(&dir, &["run", &url, "-r", "200", "-d", "5s", "--warmup", "1s", "-q"]);
    let run = monitor.finish();
    let end_s = t0.elapsed().as_secs_f64();
    summary.monitor = run.summaries(summary.warmup_s, end_s);
    let graph = FlameGraph::from_folded(
        "loadcell;serve;spin 30\nloadcell;serve;parse 10\nloadcell;poll 5\n".to_string(),
        "test stacks",
        1.0,
        5.0,
    )
    .unwrap();
    graph.write_into(dir.path()).unwrap();
    summary.monitor[0].flamegraph = Some(graph.summary.clone());

    let path = dir.path().join("report.html");
    std::fs::write(&path, loadcell_report::html(&summary)).unwrap();
    let dom = chromium_dom(&dir, &path);
    let errors = dom::report_errors(&dom);
    assert!(errors.trim().is_empty(), "script errors in the report:\n{errors}");
    assert!(dom.contains("<h2>Target resources</h2>"));
    let charts = dom::charts_by(&dom, "data-monitor-chart");
    assert!(charts.len() >= 4, "resource charts: {charts:?}");
    for (name, rendered) in &charts {
        assert!(
            rendered.is_some_and(|n| n >= 3),
            "chart {name} drew {rendered:?} readings"
        );
    }
    assert!(
        dom.contains("<object data=\"flamegraph.svg\""),
        "the flame graph is not embedded"
    );
    assert!(
        dom.contains("spin"),
        "the top functions table lists the hottest function"
    );
    assert!(dir.path().join("flamegraph.svg").is_file());
}
