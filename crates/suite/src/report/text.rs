//! The suite on the terminal: the plan so far after each test, one line per test and the
//! verdict at the end, with why tests failed, the warnings and the recommendations.

use super::SuiteDoc;
use crate::judge::TestResult;
use crate::model::Test;
use loadcell_units::format;
use std::fmt::Write;

/// `smoke ✓ · load ✗ · spike ·` for the plan's selected tests, finished or not.
pub fn so_far(results: &[TestResult], plan: &[&Test]) -> String {
    let marks: Vec<String> = plan
        .iter()
        .map(|t| match results.iter().find(|r| r.name == t.name) {
            Some(r) if !r.passed => format!("{} ✗", t.name),
            Some(r) if !r.warnings.is_empty() => format!("{} ⚠", t.name),
            Some(_) => format!("{} ✓", t.name),
            None => format!("{} ·", t.name),
        })
        .collect();
    marks.join("  ")
}

/// The suite's end on the terminal.
pub fn terminal(doc: &SuiteDoc) -> String {
    let mut out = String::from("\nsuite\n");
    for t in &doc.tests {
        let mark = match (t.passed, t.warnings.is_empty()) {
            (false, _) => "FAIL",
            (true, false) => "WARN",
            (true, true) => "ok  ",
        };
        let numbers = t.headline.as_ref().map_or_else(
            || super::finding(t),
            |h| {
                format!(
                    "{} requests, {}/s, p95 {}, p99 {}, {} failed",
                    format::int(h.requests),
                    format::num(h.rate_per_s),
                    format::ms(h.p95_ms),
                    format::ms(h.p99_ms),
                    format::percent(h.error_rate)
                )
            },
        );
        let _ = writeln!(out, "  {mark} {:<12} {numbers}", t.name);
        for f in &t.failures {
            let _ = writeln!(out, "         ✗ {f}");
        }
        for w in &t.warnings {
            let _ = writeln!(out, "         ⚠ {w}");
        }
    }
    for name in &doc.not_run {
        let _ = writeln!(out, "  --   {name:<12} not run");
    }
    if !doc.recommendations.is_empty() {
        out.push_str("  recommendations:\n");
        for r in &doc.recommendations {
            let _ = writeln!(
                out,
                "    - {} ({} confidence; {})",
                r.text,
                r.confidence.as_str(),
                r.tests.join(", ")
            );
        }
    }
    let verdict = if doc.verdict.passed { "PASSED" } else { "FAILED" };
    let _ = writeln!(out, "  verdict: {verdict} — {}", doc.verdict.text);
    out
}
