//! A suite's `index.html` in headless Chromium: the real binary runs a two-test plan
//! against the built-in target, and the page must open with the verdict, list both tests
//! with their numbers, and link each test's own `report.html`, which must exist.

use loadcell_target::{Config, TargetHandle};
use loadcell_testkit::Loadcell;

use crate::dom;
use crate::support::{TempDir, chromium_dom};

#[test]
fn a_suite_index_shows_the_verdict_and_links_every_test_report() {
    let target = TargetHandle::spawn(Config::default()).unwrap();
    let dir = TempDir::new();
    let plan = dir.path().join("plan.yaml");
    let text = format!(
        "target: {}/\nslo: [\"p95<3s\"]\ntests:\n  - smoke: {{ target_vus: 1, hold: 1s }}\n  - load: {{ target_rate: 10, ramp: 1s, hold: 1s }}\n",
        target.url()
    );
    std::fs::write(&plan, text).unwrap();
    let out = dir.path().join("suite");
    let (plan_arg, out_arg) = (plan.display().to_string(), out.display().to_string());
    let run = Loadcell::new(&["suite", &plan_arg, "--out", &out_arg, "-q", "--allow-warnings"]).run();
    run.assert_exit(0);
    let page = chromium_dom(&dir, &out.join("index.html"));
    let body = dom::body_tag(&page);
    assert_eq!(dom::attr(body, "data-verdict"), Some("PASS"), "{body}");
    assert!(page.contains("all 2 tests passed"), "{page}");
    for (name, folder) in [("smoke", "01-smoke"), ("load", "02-load")] {
        assert!(
            page.contains(&format!("<tr data-test=\"{name}\">")),
            "{name} row missing"
        );
        let link = format!("<a href=\"{folder}/report.html\">report</a>");
        assert!(page.contains(&link), "{link} missing");
        assert!(out.join(folder).join("report.html").is_file(), "{folder}/report.html");
    }
    target.shutdown();
}
