//! The comparison for a terminal: a headline verdict, both runs, then one block per row
//! with a line per metric (base, new, change, interval, verdict), what only one run had,
//! and the notes. Plain text, aligned with spaces; no colour (the CLI may add it).

use std::fmt::Write;

use loadcell_schema::Comparison;

use super::cells;

/// The whole comparison as aligned text.
pub fn comparison_text(cmp: &Comparison) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "loadcell compare: {}", cells::headline(cmp.verdict));
    let _ = writeln!(out, "  base  {}  ({})", cmp.base.path, cells::run_facts(&cmp.base));
    let _ = writeln!(out, "  new   {}  ({})", cmp.new.path, cells::run_facts(&cmp.new));
    let _ = writeln!(out, "  {}", cells::rule(cmp));
    let level = format!("{}% interval", (cmp.settings.confidence * 100.0).round());
    for (row, name) in cells::shown_rows(cmp) {
        let _ = writeln!(
            out,
            "\n{} — {}, {} — {}",
            name,
            cells::method(row.method),
            cells::samples(row),
            row.verdict.as_str()
        );
        let _ = writeln!(
            out,
            "  {:<11} {:>12} {:>12} {:>9}   {level:<22} verdict",
            "metric", "base", "new", "change"
        );
        for m in &row.metrics {
            let _ = writeln!(
                out,
                "  {:<11} {:>12} {:>12} {:>9}   {:<22} {}",
                m.metric.label(),
                cells::value(m.metric, m.base),
                cells::value(m.metric, m.new),
                cells::change(m.metric, m.change),
                cells::interval(m),
                m.verdict.as_str()
            );
        }
    }
    if !cmp.only_in_base.is_empty() {
        let _ = writeln!(out, "\nonly in base (not compared): {}", cmp.only_in_base.join(", "));
    }
    if !cmp.only_in_new.is_empty() {
        let _ = writeln!(out, "\nonly in new (not compared): {}", cmp.only_in_new.join(", "));
    }
    if !cmp.notes.is_empty() {
        out.push_str("\nnotes:\n");
        for n in &cmp.notes {
            let _ = writeln!(out, "  - {n}");
        }
    }
    out
}
