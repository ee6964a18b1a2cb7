//! The comparison as Markdown for a pull-request comment or `$GITHUB_STEP_SUMMARY`: a
//! headline with the verdict, one table with a line per row and metric (regressions in
//! bold), what only one run had, and the notes.

use std::fmt::Write;

use loadcell_schema::{Comparison, Verdict};

use super::cells;
use crate::text::escape::{md_code, md_text};

/// The whole comparison as GitHub-flavoured Markdown.
pub fn comparison_markdown(cmp: &Comparison) -> String {
    let mut out = String::new();
    let mark = match cmp.verdict {
        Verdict::Regressed => "❌",
        Verdict::Unchanged => "✅",
        Verdict::Improved => "🚀",
    };
    let _ = writeln!(out, "### {mark} loadcell compare: {}\n", cmp.verdict.as_str());
    let _ = writeln!(
        out,
        "**base** {} ({}) → **new** {} ({})\n",
        md_code(&cmp.base.path),
        md_text(&cells::run_facts(&cmp.base)),
        md_code(&cmp.new.path),
        md_text(&cells::run_facts(&cmp.new))
    );
    let level = format!("{}% interval", (cmp.settings.confidence * 100.0).round());
    let _ = writeln!(out, "| | metric | base | new | change | {level} | verdict |");
    out.push_str("|---|---|---:|---:|---:|---|---|\n");
    for (row, shown) in cells::shown_rows(cmp) {
        for (i, m) in row.metrics.iter().enumerate() {
            let name = if i == 0 {
                format!(
                    "{}<br><sub>{}</sub>",
                    md_code(&shown),
                    md_text(cells::method(row.method))
                )
            } else {
                String::new()
            };
            let verdict = match m.verdict {
                Verdict::Regressed => "**regressed**".to_string(),
                v => v.as_str().to_string(),
            };
            let _ = writeln!(
                out,
                "| {name} | {} | {} | {} | {} | {} | {verdict} |",
                m.metric.label(),
                md_text(&cells::value(m.metric, m.base)),
                md_text(&cells::value(m.metric, m.new)),
                md_text(&cells::change(m.metric, m.change)),
                md_text(&cells::interval(m)),
            );
        }
    }
    for (what, names) in [("base", &cmp.only_in_base), ("new", &cmp.only_in_new)] {
        if !names.is_empty() {
            let list: Vec<String> = names.iter().map(|n| md_code(n)).collect();
            let _ = writeln!(out, "\nOnly in {what} (not compared): {}", list.join(", "));
        }
    }
    let _ = writeln!(out, "\n<sub>{}</sub>", md_text(&cells::rule(cmp)));
    for n in &cmp.notes {
        let _ = writeln!(out, "\n> {}", md_text(n));
    }
    out
}
