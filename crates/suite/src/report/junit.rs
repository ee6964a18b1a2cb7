//! The suite as JUnit XML: one `<testsuite>` per test of the plan, with one `<testcase>`
//! for the test's own verdict and one per SLO it was judged by, so CI shows which test and
//! which SLO failed. A breakpoint's SLOs are what it is run to break: they are listed as
//! properties, not test cases. Warnings are a `<testcase name="warnings">` that fails
//! unless the suite allows them.

use super::SuiteDoc;
use crate::judge::TestResult;
use loadcell_report::escape::xml;
use std::fmt::Write;

/// `junit.xml` for the suite so far.
pub fn junit(doc: &SuiteDoc) -> String {
    let suites: Vec<(String, usize, usize)> = doc.tests.iter().map(|t| suite(t, doc.verdict.allow_warnings)).collect();
    let tests: usize = suites.iter().map(|s| s.1).sum();
    let failures: usize = suites.iter().map(|s| s.2).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">",
        xml(&format!("loadcell suite {}", doc.plan))
    );
    for (text, _, _) in &suites {
        out.push_str(text);
    }
    out.push_str("</testsuites>\n");
    out
}

/// One test's `<testsuite>`, its case count and failures.
fn suite(t: &TestResult, allow_warnings: bool) -> (String, usize, usize) {
    let mut cases: Vec<(String, Option<String>)> =
        vec![(t.kind.to_string(), (!t.passed).then(|| t.failures.join("; ")))];
    if t.kind != "breakpoint" {
        for th in &t.thresholds {
            let failure = (!th.passed).then(|| format!("actual {}, limit {}", th.actual_text, th.limit));
            cases.push((format!("slo {}", th.expr), failure));
        }
    }
    for b in t.bench.iter().flat_map(|b| &b.benchmarks) {
        // The benchmark's numbers are in its name: a regression is the test's own case.
        cases.push((format!("bench {}", crate::judge::bench_line(b)), None));
    }
    if !t.warnings.is_empty() {
        cases.push(("warnings".to_string(), (!allow_warnings).then(|| t.warnings.join("; "))));
    }
    let (count, failures) = (cases.len(), cases.iter().filter(|c| c.1.is_some()).count());
    let time = t.headline.as_ref().map_or(0.0, |h| h.duration_s);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"{time:.3}\">",
        xml(&t.name),
        count
    );
    let _ = writeln!(
        out,
        "    <properties><property name=\"folder\" value=\"{}\"/><property name=\"command\" value=\"{}\"/></properties>",
        xml(&t.folder),
        xml(&t.command)
    );
    let classname = format!("loadcell.suite.{}", t.name);
    for (name, failure) in cases {
        let head = format!(
            "    <testcase name=\"{}\" classname=\"{}\" time=\"0\"",
            xml(&name),
            xml(&classname)
        );
        match failure {
            None => {
                let _ = writeln!(out, "{head}/>");
            }
            Some(message) => {
                let _ = writeln!(
                    out,
                    "{head}>\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                    xml(&message),
                    if name == "warnings" { "warning" } else { "verdict" },
                    xml(&message)
                );
            }
        }
    }
    out.push_str("  </testsuite>\n");
    (out, count, failures)
}
