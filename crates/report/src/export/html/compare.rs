//! The comparison section: a verdict banner (regressed / unchanged / improved, with how many
//! rows and metrics moved), both runs' latency percentile spectra on one chart (load runs),
//! the table of changes, what only one run had, and the notes. Used inside `report.html`
//! (`run --baseline`) and as the body of the standalone comparison page.

use std::fmt::Write;

use loadcell_schema::{Comparison, MetricChange, RowComparison, Verdict};
use serde_json::{Value, json};

use super::data::spectrum_of;
use super::markup::{Cell, num, table, text};
use crate::comparison::cells;
use crate::text::escape::html;

/// The chart data of the section, embedded as `#compare-data` and read by `js/compare.js`.
pub fn chart_data(cmp: &Comparison) -> Value {
    let (base, new) = match &cmp.distributions {
        Some(d) => (spectrum_of(&d.base, None), spectrum_of(&d.new, None)),
        None => (Value::Null, Value::Null),
    };
    json!({
        "base": base,
        "new": new,
        "base_label": format!("base · {}", cmp.base.path),
        "new_label": format!("new · {}", cmp.new.path),
    })
}

/// The whole section.
pub fn section(cmp: &Comparison) -> String {
    let class = match cmp.verdict {
        Verdict::Regressed => "fail",
        Verdict::Unchanged => "none",
        Verdict::Improved => "pass",
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<section id=\"comparison\"><h2>Compared with the baseline</h2>\
         <div class=\"card verdict {class}\" id=\"comparison-verdict\"><div class=\"banner\"><span class=\"badge\">{}</span>\
         <span class=\"why\">{}</span></div><p class=\"callout\">base <code>{}</code> ({}) → new <code>{}</code> ({})<br>\
         <span class=\"faint\">{}</span></p></div>",
        html(cells::headline(cmp.verdict)),
        html(&why(cmp)),
        html(&cmp.base.path),
        html(&cells::run_facts(&cmp.base)),
        html(&cmp.new.path),
        html(&cells::run_facts(&cmp.new)),
        html(&cells::rule(cmp)),
    );
    if cmp.distributions.is_some() {
        out.push_str(
            "<figure class=\"card panel wide\"><figcaption><b>Latency by percentile, both runs</b>\
             <span>the x axis stretches the tail: each step right is ten times rarer</span>\
             <button type=\"button\" class=\"toggle\" data-compare-log=\"chart-compare\" aria-pressed=\"false\">log scale</button>\
             </figcaption><div class=\"chart\" id=\"chart-compare\" data-compare-chart=\"distribution\"></div></figure>\n",
        );
    }
    out += &changes_table(cmp);
    out += &leftovers(cmp);
    out.push_str("</section>\n");
    out
}

/// "2 of 6 metrics regressed (overall, GET /api/x)".
fn why(cmp: &Comparison) -> String {
    let shown = cells::shown_rows(cmp);
    let judged: Vec<&MetricChange> = shown.iter().flat_map(|(r, _)| &r.metrics).collect();
    let count = |v: Verdict| judged.iter().filter(|m| m.verdict == v).count();
    let rows = |v: Verdict| -> Vec<&str> {
        shown
            .iter()
            .filter(|(r, _)| r.verdict == v)
            .map(|(_, name)| name.as_str())
            .collect()
    };
    match cmp.verdict {
        Verdict::Regressed => format!(
            "{} of {} metrics regressed ({})",
            count(Verdict::Regressed),
            judged.len(),
            rows(Verdict::Regressed).join(", ")
        ),
        Verdict::Improved => format!(
            "{} of {} metrics improved, none regressed ({})",
            count(Verdict::Improved),
            judged.len(),
            rows(Verdict::Improved).join(", ")
        ),
        Verdict::Unchanged => format!(
            "no significant change beyond the noise threshold in {} metrics",
            judged.len()
        ),
    }
}

fn changes_table(cmp: &Comparison) -> String {
    let columns = [
        text("Row"),
        text("Metric"),
        num("Base"),
        num("New"),
        num("Change"),
        text("Interval"),
        text("Verdict"),
        text("Method"),
    ];
    let rows: Vec<Vec<Cell>> = cells::shown_rows(cmp)
        .into_iter()
        .flat_map(|(row, name)| row.metrics.iter().map(move |m| metric_row(row, &name, m)))
        .collect();
    let note = format!(
        "{}% intervals for the change",
        (cmp.settings.confidence * 100.0).round()
    );
    table(
        "comparison-table",
        "Changes",
        &note,
        &columns,
        rows,
        "nothing in common to compare",
    )
}

fn metric_row(row: &RowComparison, name: &str, m: &MetricChange) -> Vec<Cell> {
    let worse = m.verdict == Verdict::Regressed;
    vec![
        Cell::code(name),
        Cell::text(m.metric.label()),
        Cell::num(m.base, cells::value(m.metric, m.base)),
        Cell::num(m.new, cells::value(m.metric, m.new)),
        Cell::num(m.change.unwrap_or(f64::NAN), cells::change(m.metric, m.change)).bad_if(worse),
        Cell::text(&cells::interval(m)),
        Cell::text(m.verdict.as_str()).bad_if(worse),
        Cell::text(&format!("{} · {}", cells::method(row.method), cells::samples(row))),
    ]
}

/// Rows only one run had, and the notes.
fn leftovers(cmp: &Comparison) -> String {
    let mut items = Vec::new();
    for (what, names) in [("base", &cmp.only_in_base), ("new", &cmp.only_in_new)] {
        if !names.is_empty() {
            items.push(format!("only in {what} (not compared): {}", names.join(", ")));
        }
    }
    items.extend(cmp.notes.iter().cloned());
    if items.is_empty() {
        return String::new();
    }
    let mut out = String::from("<ul class=\"warnings\" id=\"comparison-notes\">");
    for i in items {
        let _ = write!(out, "<li>{}</li>", html(&i));
    }
    out.push_str("</ul>\n");
    out
}
