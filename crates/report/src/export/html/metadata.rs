//! Section 6, run metadata: the command line, host, OS, versions, start and end, the
//! generator's own cost and warnings, and the scenario file's text in a `<details>`.

use std::fmt::Write;

use loadcell_schema::Summary;

use super::verdict::stop_reason;
use crate::text::escape::{html, shell_words};
use crate::text::number;

pub fn section(summary: &Summary) -> String {
    let m = &summary.metadata;
    let g = &summary.generator;
    let mut rows: Vec<(&str, String)> = Vec::new();
    if !m.command.is_empty() {
        rows.push(("Command", format!("<code>{}</code>", html(&shell_words(&m.command)))));
    }
    rows.push(("Target", format!("<code>{}</code>", html(&summary.target))));
    rows.push(("Started", html(&summary.started_at)));
    rows.push((
        "Ended",
        format!("{} ({})", html(&summary.ended_at), stop_reason(summary.stop_reason)),
    ));
    let warmup = if summary.warmup_s > 0.0 {
        format!(", after {} warm-up", number::duration_s(summary.warmup_s))
    } else {
        String::new()
    };
    rows.push((
        "Measured",
        format!("{}{warmup}", number::duration_s(summary.duration_s)),
    ));
    if !m.host.is_empty() {
        rows.push(("Host", html(&m.host)));
    }
    if !m.os.is_empty() || m.cpus > 0 {
        rows.push(("System", format!("{} · {} CPUs", html(&m.os), m.cpus)));
    }
    rows.push((
        "Versions",
        format!(
            "loadcell {} · summary schema {}",
            html(&summary.loadcell_version),
            summary.schema_version
        ),
    ));
    let threads = format!("{} thread{}", g.threads, if g.threads == 1 { "" } else { "s" });
    rows.push((
        "Generator",
        match g.usage_unknown {
            true => format!("{threads} · CPU and memory unknown (the run did not finish)"),
            false => format!(
                "{threads} · {:.0}% CPU · {} · max RSS {:.1} MiB",
                g.cpu_percent,
                crate::text::cpu_per_request(&number::num(g.cpu_us_per_request), summary.requests.total),
                g.max_rss_mib
            ),
        },
    ));
    rows.push((
        "Connections",
        format!(
            "{} opened · connect p50 {} · max {}",
            number::int(summary.connections_opened),
            number::ms(summary.connect_ms.p50),
            number::ms(summary.connect_ms.max)
        ),
    ));
    if !g.warnings.is_empty() {
        let items: String = g.warnings.iter().map(|w| format!("<li>⚠ {}</li>", html(w))).collect();
        rows.push(("Warnings", format!("<ul class=\"warnings\">{items}</ul>")));
    }
    let mut out = String::from("<section id=\"run\"><h2>Run</h2><div class=\"card\"><dl class=\"meta\">");
    for (k, v) in rows {
        let _ = write!(out, "<dt>{k}</dt><dd>{v}</dd>");
    }
    out.push_str("</dl>");
    if let Some(scenario) = &m.scenario {
        let _ = write!(
            out,
            "<details><summary>Scenario file ({} lines)</summary><pre>{}</pre></details>",
            scenario.lines().count(),
            html(scenario)
        );
    }
    out.push_str("</div></section>\n");
    out
}
