//! `index.html`: the suite as one self-contained page (inline style, no script, nothing
//! fetched) that opens with the verdict and the recommendations, then one row per test with
//! its headline numbers, what its type found, and a link to the test's own `report.html`.

use super::{SuiteDoc, finding};
use crate::judge::TestResult;
use loadcell_report::escape::html as esc;
use loadcell_units::format;
use std::fmt::Write;

const STYLE: &str = "body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222}\
h1{font-size:1.5rem}.badge{display:inline-block;padding:.1rem .6rem;border-radius:4px;color:#fff;margin-right:.5rem}\
.pass{background:#1a7f37}.fail{background:#cf222e}.warn{color:#9a6700}table{border-collapse:collapse;width:100%}\
th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}\
code{background:#f4f4f4;padding:0 .2rem}";

/// `index.html` for the suite so far.
pub fn html(doc: &SuiteDoc) -> String {
    let (class, word) = if doc.verdict.passed {
        ("pass", "PASS")
    } else {
        ("fail", "FAIL")
    };
    let mut out = String::from("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    let _ = writeln!(
        out,
        "<title>loadcell suite: {}</title><style>{STYLE}</style></head><body data-verdict=\"{word}\">",
        esc(&doc.verdict.text)
    );
    let _ = writeln!(
        out,
        "<h1><span class=\"badge {class}\">{word}</span>{}</h1>\n<p>Plan <code>{}</code> against <code>{}</code>, started {}.</p>",
        esc(&doc.verdict.text),
        esc(&doc.plan),
        esc(&doc.target),
        esc(&doc.started_at)
    );
    if !doc.recommendations.is_empty() {
        out.push_str("<h2>Recommendations</h2>\n<ol id=\"recommendations\">\n");
        for r in &doc.recommendations {
            let _ = writeln!(
                out,
                "<li>{} <small>({} confidence; {})</small></li>",
                esc(&r.text),
                r.confidence.as_str(),
                esc(&r.tests.join(", "))
            );
        }
        out.push_str("</ol>\n");
    }
    out.push_str("<h2>Tests</h2>\n<table id=\"tests\"><thead><tr><th>test</th><th>verdict</th><th>requests</th><th>req/s</th><th>p95</th><th>p99</th><th>errors</th><th>finding</th><th>report</th></tr></thead><tbody>\n");
    for t in &doc.tests {
        row(&mut out, t);
    }
    for name in &doc.not_run {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>not run</td><td colspan=\"7\"></td></tr>",
            esc(name)
        );
    }
    out.push_str("</tbody></table>\n");
    notes(
        &mut out,
        "Failures",
        "failures",
        doc.tests.iter().flat_map(|t| t.failures.iter().map(move |f| (t, f))),
    );
    notes(
        &mut out,
        "Warnings",
        "warnings",
        doc.tests.iter().flat_map(|t| t.warnings.iter().map(move |w| (t, w))),
    );
    out.push_str("<p>Also in this folder: <a href=\"suite.json\">suite.json</a>, <a href=\"junit.xml\">junit.xml</a>, <a href=\"suite.md\">suite.md</a>.</p>\n</body></html>\n");
    out
}

fn row(out: &mut String, t: &TestResult) {
    let verdict = match (t.passed, t.warnings.is_empty()) {
        (false, _) => "<span class=\"badge fail\">failed</span>",
        (true, false) => "<span class=\"badge pass\">passed</span><span class=\"warn\">⚠ warned</span>",
        (true, true) => "<span class=\"badge pass\">passed</span>",
    };
    let numbers = match &t.headline {
        Some(h) => format!(
            "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
            format::int(h.requests),
            format::num(h.rate_per_s),
            format::ms(h.p95_ms),
            format::ms(h.p99_ms),
            format::percent(h.error_rate)
        ),
        None => "<td></td><td></td><td></td><td></td><td></td>".to_string(),
    };
    let link = match (&t.headline, &t.bench) {
        (Some(_), _) => format!("<a href=\"{}/report.html\">report</a>", esc(&t.folder)),
        (None, Some(_)) => format!("<a href=\"{}/bench.json\">bench.json</a>", esc(&t.folder)),
        (None, None) => String::new(),
    };
    let _ = writeln!(
        out,
        "<tr data-test=\"{}\"><td>{}</td><td>{verdict}</td>{numbers}<td>{}</td><td>{link}</td></tr>",
        esc(&t.name),
        esc(&t.name),
        esc(&finding(t))
    );
}

fn notes<'a>(out: &mut String, title: &str, id: &str, items: impl Iterator<Item = (&'a TestResult, &'a String)>) {
    let mut first = true;
    for (t, text) in items {
        if first {
            let _ = writeln!(out, "<h2>{title}</h2>\n<ul id=\"{id}\">");
            first = false;
        }
        let _ = writeln!(out, "<li><b>{}</b>: {}</li>", esc(&t.name), esc(text));
    }
    if !first {
        out.push_str("</ul>\n");
    }
}
