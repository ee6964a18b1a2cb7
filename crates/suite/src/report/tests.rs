use super::*;
use crate::judge::{Headline, TestResult};
use crate::model::{Kind, System};
use loadcell_schema::{Bottleneck, BottleneckKind, Profile, ThresholdResult};

fn result(name: &str, passed: bool, warnings: &[&str], recs: &[(&str, Confidence)]) -> TestResult {
    TestResult {
        name: name.into(),
        kind: "load",
        command: "loadcell run x".into(),
        folder: format!("01-{name}"),
        passed,
        exit_code: Some(if passed { 0 } else { 1 }),
        baseline: None,
        bench: None,
        failures: if passed {
            vec![]
        } else {
            vec!["SLO 'p95<1ms' failed: 3 ms (limit < 1 ms)".into()]
        },
        warnings: warnings.iter().map(|w| w.to_string()).collect(),
        headline: Some(Headline {
            requests: 10,
            failed: 0,
            rate_per_s: 5.0,
            p95_ms: 3.0,
            p99_ms: 4.0,
            error_rate: 0.0,
            duration_s: 2.0,
        }),
        thresholds: vec![ThresholdResult {
            expr: "p95<1ms".into(),
            passed,
            actual: Some(3.0),
            actual_text: "3 ms".into(),
            limit: "< 1 ms".into(),
        }],
        bottlenecks: recs
            .iter()
            .map(|(text, confidence)| Bottleneck {
                kind: BottleneckKind::TargetCpu,
                confidence: *confidence,
                verdict: "v".into(),
                evidence: vec![],
                numbers: Default::default(),
                recommendations: vec![text.to_string()],
            })
            .collect(),
        breaking_point: None,
        spike_recovery: None,
        soak_trend: None,
        capacity: None,
        scale: None,
    }
}

fn test(name: &str) -> Test {
    Test {
        name: name.into(),
        kind: Kind::Run(Profile::Load),
        pos: Default::default(),
        options: vec![],
        slo: vec![],
        commands: vec![],
    }
}

fn doc(results: &[TestResult], selected: &[&str], allow_warnings: bool) -> SuiteDoc {
    let tests: Vec<Test> = selected.iter().map(|n| test(n)).collect();
    let plan = Plan {
        file: "plan.yaml".into(),
        text: String::new(),
        dir: std::path::PathBuf::new(),
        base_url: None,
        system: System::Url("http://127.0.0.1:1/".into()),
        monitor: vec![],
        postgres: vec![],
        slo: vec![],
        baseline: None,
        tests: tests.clone(),
    };
    let refs: Vec<&Test> = tests.iter().collect();
    let options = Options {
        dir: "/nowhere".into(),
        only: None,
        stop_on_fail: true,
        allow_warnings,
    };
    document(&plan, &refs, results, &options, "2026-01-01T00:00:00Z")
}

#[test]
fn the_verdict_counts_failures_warnings_and_tests_not_run() {
    let ok = result("smoke", true, &[], &[]);
    assert!(doc(std::slice::from_ref(&ok), &["smoke"], false).verdict.passed);
    let warned = result("load", true, &["12 iterations were dropped"], &[]);
    let d = doc(&[ok.clone(), warned.clone()], &["smoke", "load"], false);
    assert!(!d.verdict.passed);
    assert_eq!(d.verdict.text, "warnings (fatal) in load");
    assert!(doc(&[ok.clone(), warned], &["smoke", "load"], true).verdict.passed);
    let failed = result("load", false, &[], &[]);
    let d = doc(&[ok, failed], &["smoke", "load", "spike"], false);
    assert!(!d.verdict.passed);
    assert_eq!(d.verdict.text, "1 of 3 tests failed: load; 1 not run");
    assert_eq!(d.not_run, ["spike"]);
}

#[test]
fn recommendations_are_merged_and_surest_first() {
    let a = result(
        "a",
        true,
        &[],
        &[("add CPU", Confidence::Medium), ("add an index", Confidence::Low)],
    );
    let b = result(
        "b",
        true,
        &[],
        &[("add an index", Confidence::High), ("add CPU", Confidence::Low)],
    );
    let d = doc(&[a, b], &["a", "b"], false);
    let recs: Vec<(&str, Confidence, usize)> = d
        .recommendations
        .iter()
        .map(|r| (r.text.as_str(), r.confidence, r.tests.len()))
        .collect();
    assert_eq!(
        recs,
        [
            ("add an index", Confidence::High, 2),
            ("add CPU", Confidence::Medium, 2)
        ]
    );
}

#[test]
fn junit_has_a_case_per_test_and_slo_and_markdown_the_verdict() {
    let d = doc(
        &[result("smoke", true, &[], &[]), result("load<&>", false, &["w"], &[])],
        &["smoke", "load<&>"],
        false,
    );
    let xml = junit(&d);
    assert!(xml.contains("tests=\"5\" failures=\"3\""), "{xml}");
    assert!(xml.contains("name=\"slo p95&lt;1ms\""), "{xml}");
    assert!(xml.contains("load&lt;&amp;&gt;"), "{xml}");
    let md = markdown(&d);
    assert!(md.starts_with("## ❌ loadcell suite: 1 of 2 tests failed"), "{md}");
    assert!(md.contains("| smoke | ✅ passed | 10 |"), "{md}");
}

#[test]
fn index_html_opens_with_the_verdict_and_links_each_report() {
    let d = doc(
        &[
            result("smoke", true, &[], &[("add <CPU>", Confidence::High)]),
            result("load", false, &["w"], &[]),
        ],
        &["smoke", "load", "spike"],
        false,
    );
    let page = html(&d);
    assert!(page.contains("<body data-verdict=\"FAIL\">"), "{page}");
    let recs = page.find("id=\"recommendations\"").unwrap();
    assert!(recs < page.find("id=\"tests\"").unwrap(), "recommendations come first");
    assert!(
        page.contains("<li>add &lt;CPU&gt; <small>(high confidence; smoke)</small></li>"),
        "{page}"
    );
    assert!(page.contains("<a href=\"01-smoke/report.html\">report</a>"), "{page}");
    assert!(page.contains("<tr><td>spike</td><td>not run</td>"), "{page}");
    assert!(!page.contains("<script"), "no script: nothing to go wrong offline");
}
