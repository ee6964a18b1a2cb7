//! `suite.md`: the suite as a PR comment — the verdict first, one table row per test with
//! its headline numbers, then why tests failed, the warnings, and the recommendations.

use super::{SuiteDoc, finding};
use crate::judge::TestResult;
use loadcell_report::escape::md_text;
use loadcell_units::format;
use std::fmt::Write;

/// `suite.md` for the suite so far.
pub fn markdown(doc: &SuiteDoc) -> String {
    let mut out = String::new();
    let mark = if doc.verdict.passed { "✅" } else { "❌" };
    let _ = writeln!(out, "## {mark} loadcell suite: {}\n", md_text(&doc.verdict.text));
    let _ = writeln!(out, "Plan `{}` against `{}`.\n", doc.plan, doc.target);
    out.push_str("| test | verdict | requests | req/s | p95 | p99 | errors | finding |\n");
    out.push_str("|---|---|---:|---:|---:|---:|---:|---|\n");
    for t in &doc.tests {
        row(&mut out, t);
    }
    for name in &doc.not_run {
        let _ = writeln!(out, "| {} | not run | | | | | | |", md_text(name));
    }
    list(
        &mut out,
        "Failures",
        doc.tests.iter().flat_map(|t| t.failures.iter().map(move |f| (t, f))),
    );
    list(
        &mut out,
        "Warnings",
        doc.tests.iter().flat_map(|t| t.warnings.iter().map(move |w| (t, w))),
    );
    if !doc.recommendations.is_empty() {
        out.push_str("\n### Recommendations\n\n");
        for r in &doc.recommendations {
            let _ = writeln!(
                out,
                "- {} _({} confidence; {})_",
                md_text(&r.text),
                r.confidence.as_str(),
                r.tests.join(", ")
            );
        }
    }
    out
}

fn row(out: &mut String, t: &TestResult) {
    let verdict = if t.passed { "✅ passed" } else { "❌ failed" };
    let verdict = if t.warnings.is_empty() {
        verdict.to_string()
    } else {
        format!("{verdict} ⚠️")
    };
    let numbers = match &t.headline {
        Some(h) => format!(
            "{} | {} | {} | {} | {}",
            format::int(h.requests),
            format::num(h.rate_per_s),
            format::ms(h.p95_ms),
            format::ms(h.p99_ms),
            format::percent(h.error_rate)
        ),
        None => " | | | | ".to_string(),
    };
    let _ = writeln!(
        out,
        "| {} | {verdict} | {numbers} | {} |",
        md_text(&t.name),
        md_text(&finding(t))
    );
}

fn list<'a>(out: &mut String, title: &str, items: impl Iterator<Item = (&'a TestResult, &'a String)>) {
    let mut first = true;
    for (t, text) in items {
        if first {
            let _ = writeln!(out, "\n### {title}\n");
            first = false;
        }
        let _ = writeln!(out, "- **{}**: {}", md_text(&t.name), md_text(text));
    }
}
