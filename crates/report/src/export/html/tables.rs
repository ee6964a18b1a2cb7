//! Section 5, the breakdowns as sortable tables: endpoints, journeys (scenario runs),
//! checks with pass rates, status codes and transport errors.

use loadcell_schema::Summary;

use super::markup::{Cell, num, table, text};
use crate::text::escape::html;
use crate::text::number;

pub fn section(summary: &Summary) -> String {
    let mut out = String::from("<section id=\"breakdown\"><h2>Breakdown</h2><div class=\"tables\">\n");
    out += &endpoints(summary);
    if !summary.journeys.is_empty() {
        out += &journeys(summary);
    }
    if !summary.checks.is_empty() {
        out += &checks(summary);
    }
    if !summary.custom_metrics.is_empty() {
        out += &custom_metrics(summary);
    }
    out += &status_codes(summary);
    out += &errors(summary);
    out.push_str("</div></section>\n");
    out
}

fn ms_cell(v: f64) -> Cell {
    Cell::num(v, number::ms(v))
}

fn endpoints(summary: &Summary) -> String {
    let mut list: Vec<_> = summary.endpoints.iter().collect();
    list.sort_by(|a, b| b.requests.cmp(&a.requests).then_with(|| a.name.cmp(&b.name)));
    let rows = list
        .into_iter()
        .map(|e| {
            let l = &e.latency_ms;
            let err = if e.requests == 0 {
                0.0
            } else {
                e.failed as f64 / e.requests as f64
            };
            vec![
                Cell::code(&e.name),
                Cell::num(e.requests as f64, number::int(e.requests)),
                Cell::num(e.rate_per_s, number::num(e.rate_per_s)),
                Cell::num(e.failed as f64, number::int(e.failed)).bad_if(e.failed > 0),
                Cell::num(err, number::percent(err)).bad_if(e.failed > 0),
                ms_cell(l.p50),
                ms_cell(l.p95),
                ms_cell(l.p99),
                ms_cell(l.max),
            ]
        })
        .collect();
    let columns = [
        text("Endpoint"),
        num("Requests"),
        num("req/s"),
        num("Failed"),
        num("Errors"),
        num("p50"),
        num("p95"),
        num("p99"),
        num("max"),
    ];
    let note = format!("{} · click a header to sort", summary.endpoints.len());
    wide(table(
        "endpoints",
        "Endpoints",
        &note,
        &columns,
        rows,
        "no requests completed",
    ))
}

fn journeys(summary: &Summary) -> String {
    let rows = summary
        .journeys
        .iter()
        .map(|j| {
            let d = &j.duration_ms;
            let fail = if j.iterations == 0 {
                0.0
            } else {
                j.failed as f64 / j.iterations as f64
            };
            vec![
                Cell::code(&j.name),
                Cell::num(j.iterations as f64, number::int(j.iterations)),
                Cell::num(j.rate_per_s, number::num(j.rate_per_s)),
                Cell::num(fail, format!("{} ({})", number::int(j.failed), number::percent(fail))).bad_if(j.failed > 0),
                ms_cell(d.p50),
                ms_cell(d.p95),
                ms_cell(d.p99),
                Cell::num(j.requests as f64, number::int(j.requests)),
                ms_cell(j.latency_ms.p95),
            ]
        })
        .collect();
    let columns = [
        text("Journey"),
        num("Iterations"),
        num("it/s"),
        num("Failed"),
        num("Duration p50"),
        num("p95"),
        num("p99"),
        num("Requests"),
        num("Request p95"),
    ];
    wide(table(
        "journeys",
        "Journeys",
        "iteration duration includes think time",
        &columns,
        rows,
        "no journeys",
    ))
}

fn checks(summary: &Summary) -> String {
    let failing = summary.checks.iter().filter(|c| c.failed > 0).count();
    // Failing checks first (worst first), then the rest in scenario order.
    let mut list: Vec<_> = summary.checks.iter().collect();
    list.sort_by(|a, b| match (a.failed > 0, b.failed > 0) {
        (true, true) => a.pass_rate.total_cmp(&b.pass_rate),
        (x, y) => y.cmp(&x),
    });
    let rows = list
        .into_iter()
        .map(|c| {
            let width = (c.pass_rate.clamp(0.0, 1.0) * 100.0 * 10.0).round() / 10.0;
            let rate = format!(
                "<span class=\"rate\"><span class=\"bar\"><i style=\"width:{width}%\"></i></span>{}</span>",
                html(&number::percent(c.pass_rate))
            );
            vec![
                Cell::text(&c.journey),
                Cell::text(&c.step),
                Cell::code(&c.name),
                Cell::num(c.passed as f64, number::int(c.passed)),
                Cell::num(c.failed as f64, number::int(c.failed)).bad_if(c.failed > 0),
                Cell::raw(c.pass_rate, rate).bad_if(c.failed > 0),
            ]
        })
        .collect();
    let columns = [
        text("Journey"),
        text("Step"),
        text("Check"),
        num("Passed"),
        num("Failed"),
        num("Pass rate"),
    ];
    let note = if failing == 0 {
        format!("all {} passed every time", summary.checks.len())
    } else {
        format!("{failing} of {} failed at least once", summary.checks.len())
    };
    wide(table("checks", "Checks", &note, &columns, rows, "no checks"))
}

/// The scenario's own metrics (`metrics:`), one row each.
fn custom_metrics(summary: &Summary) -> String {
    let rows = summary
        .custom_metrics
        .iter()
        .map(|c| {
            vec![
                Cell::code(&c.name),
                Cell::text(c.kind.as_str()),
                Cell::text(&crate::export::custom::describe(c)),
                Cell::num(c.invalid as f64, number::int(c.invalid)).bad_if(c.invalid > 0),
            ]
        })
        .collect();
    let columns = [
        text("Metric"),
        text("Kind"),
        text("Values"),
        num("Adds without a number"),
    ];
    wide(table(
        "custom-metrics",
        "The scenario's own metrics",
        &format!("{} declared in metrics:", summary.custom_metrics.len()),
        &columns,
        rows,
        "none declared",
    ))
}

fn status_codes(summary: &Summary) -> String {
    let total: u64 = summary.status_codes.values().sum();
    let mut list: Vec<_> = summary.status_codes.iter().collect();
    list.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    let rows = list
        .into_iter()
        .map(|(code, &n)| {
            let bad = code.parse::<u16>().is_ok_and(|c| c >= 400);
            vec![
                Cell::text(code).bad_if(bad),
                Cell::num(n as f64, number::int(n)),
                Cell::num(n as f64 / total.max(1) as f64, number::share(n, total)),
            ]
        })
        .collect();
    table(
        "status-codes",
        "Status codes",
        "",
        &[text("Status"), num("Responses"), num("Share")],
        rows,
        "no responses",
    )
}

fn errors(summary: &Summary) -> String {
    let total = summary.requests.total;
    let mut list: Vec<_> = summary.errors.iter().filter(|(_, n)| **n > 0).collect();
    list.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    let rows = list
        .into_iter()
        .map(|(kind, &n)| {
            vec![
                Cell::code(kind),
                Cell::num(n as f64, number::int(n)).bad_if(true),
                Cell::num(n as f64 / total.max(1) as f64, number::share(n, total)),
                messages_cell(summary.error_messages.get(kind.as_str())),
            ]
        })
        .collect();
    let columns = [text("Kind"), num("Count"), num("Of requests"), text("First messages")];
    wide(table(
        "errors",
        "Transport errors",
        "no response received",
        &columns,
        rows,
        "none",
    ))
}

/// The first distinct messages of one error kind, one per line (escaped).
fn messages_cell(messages: Option<&Vec<String>>) -> Cell {
    let lines: Vec<String> = messages.into_iter().flatten().map(|m| html(m)).collect();
    Cell::raw(
        f64::NAN,
        format!("<span class=\"messages\">{}</span>", lines.join("<br>")),
    )
}

fn wide(card: String) -> String {
    card.replacen("class=\"card tablecard\"", "class=\"card tablecard wide\"", 1)
}
