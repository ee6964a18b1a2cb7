//! `loadcell demo`: starts the shop target, runs the bundled shop scenario for about 20 s
//! and reports. The four journeys run in their 20/40/30/10 shares, every threshold holds,
//! and the target reports no correlation failure. The demo's thresholds are latencies, so
//! it runs with no other loadcell of this binary beside it.

use crate::support::*;

#[test]
fn demo_runs_the_shop_scenario_and_every_threshold_holds() {
    let dir = TempDir::new();
    let json = dir.path().join("demo.json");
    let run = loadcell_alone(&[
        "demo".as_ref(),
        "-q".as_ref(),
        // The database act has its own test (tests/postgres/demo.rs).
        "--only".as_ref(),
        "shop".as_ref(),
        "--summary-json".as_ref(),
        json.as_os_str(),
    ]);
    run.assert_exit(0);
    assert!(
        run.elapsed.as_secs() < 45,
        "the demo should take about 20 s\n{}",
        run.output()
    );
    let s = read_summary(&json).unwrap_or_else(|| panic!("no demo summary\n{}", run.output()));
    // The scenario's temporary copy is gone when the demo ends: the summary (and the
    // report's title) name the bundled example instead.
    let target = str_at(&s, "target");
    assert!(
        target.contains("examples/shop.yaml") && !target.contains("loadcell-demo-"),
        "{target}"
    );

    let names: Vec<&str> = at(&s, "journeys")
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["login", "browse", "add to cart", "checkout"]);
    let total: u64 = names.iter().map(|n| u64_at(journey(&s, n), "iterations")).sum();
    assert!(total > 500, "{total} iterations in ~20 s at 60/s");
    for (name, weight) in [
        ("login", 20.0),
        ("browse", 40.0),
        ("add to cart", 30.0),
        ("checkout", 10.0),
    ] {
        let share = 100.0 * u64_at(journey(&s, name), "iterations") as f64 / total as f64;
        assert!(
            (share - weight).abs() <= 6.0,
            "journey '{name}' got {share:.1}% of {total} iterations, weight {weight}%"
        );
    }
    let thresholds = at(&s, "thresholds").as_array().unwrap();
    assert_eq!(thresholds.len(), 5, "{}", short(&s["thresholds"]));
    for t in thresholds {
        assert!(t["passed"].as_bool().unwrap(), "threshold failed: {}", short(t));
    }
    assert!(u64_at(&s, "requests.total") > 1000, "{}", short(&s["requests"]));
    assert_eq!(u64_at(&s, "requests.failed"), 0, "{}", short(&s["status_codes"]));
    assert_eq!(str_at(&s, "model"), "open");
    assert!(run.stdout.contains("correlation failures: auth 0"), "{}", run.output());
    assert!(
        run.stdout.contains("unknown product 0, unknown order 0"),
        "{}",
        run.output()
    );
    let served = run
        .stdout
        .split("served ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or_else(|| panic!("no 'served N requests' line\n{}", run.output()));
    assert_eq!(served, u64_at(&s, "requests.total"), "target and loadcell disagree");
}
