//! The Bottlenecks section at the top of the report: each verdict of `bottlenecks[]` — the
//! resource, how sure, the sentence, the supporting numbers and what to do — and, with
//! `--postgres`, each database's top statements and sequential scans, then the verdicts of
//! each stage of a staged run (or step of a sweep) on its own evidence, with a step's own
//! database window. Shown only when the summary has verdicts or databases.

use std::fmt::Write;

use loadcell_schema::{PhaseSummary, PostgresSummary, Summary};

use crate::text::escape::html;

pub fn section(summary: &Summary) -> String {
    let by_stage = summary
        .phases
        .iter()
        .any(|p| !p.bottlenecks.is_empty() || !p.postgres.is_empty());
    if summary.bottlenecks.is_empty() && summary.postgres.is_empty() && !by_stage {
        return String::new();
    }
    let mut out = String::from("<section id=\"bottlenecks\"><h2>Bottlenecks</h2>");
    for b in &summary.bottlenecks {
        let _ = write!(
            out,
            "<div class=\"card bottleneck {kind}\"><h3>{kind} <span>{confidence} confidence</span></h3><p>{verdict}</p><ul>",
            kind = html(b.kind.as_str()),
            confidence = html(b.confidence.as_str()),
            verdict = html(&b.verdict)
        );
        for line in &b.evidence {
            let _ = write!(out, "<li>{}</li>", html(line));
        }
        out.push_str("</ul><ul class=\"advice\">");
        for advice in &b.recommendations {
            let _ = write!(out, "<li>→ {}</li>", html(advice));
        }
        out.push_str("</ul></div>");
    }
    for db in &summary.postgres {
        out += &database(db);
    }
    if by_stage {
        out += &stages(summary);
    }
    out.push_str("</section>\n");
    out
}

/// One row per stage (or step): its verdicts on its own evidence and its database window.
fn stages(summary: &Summary) -> String {
    let sweep = summary.capacity.is_some() || summary.scale.is_some();
    let what = if sweep { "step" } else { "stage" };
    let mut out = format!(
        "<div class=\"card tablecard\"><h3>By {what}<span>each {what} judged on its own requests, readings and database window</span></h3>\
         <table class=\"data\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">Verdicts</th></tr></thead><tbody>",
        if sweep { "Step" } else { "Stage" }
    );
    for p in &summary.phases {
        let _ = write!(out, "<tr><td>{}</td><td>", html(&label(summary, p, sweep)));
        if p.bottlenecks.is_empty() {
            out.push_str("no verdict");
        }
        for b in &p.bottlenecks {
            let _ = write!(
                out,
                "<p><b>{}</b> ({} confidence): {}</p>",
                html(b.kind.as_str()),
                html(b.confidence.as_str()),
                html(&b.verdict)
            );
        }
        for db in &p.postgres {
            out += &step_database(db);
        }
        out.push_str("</td></tr>");
    }
    out.push_str("</tbody></table></div>");
    out
}

/// `stage 4 (400 VUs)`; a sweep's step names carry their level already.
fn label(summary: &Summary, p: &PhaseSummary, sweep: bool) -> String {
    if sweep {
        p.name.clone()
    } else {
        format!("{} ({})", p.name, super::phases::level(summary, p))
    }
}

/// A step's database window in one line.
fn step_database(db: &PostgresSummary) -> String {
    let mut line = format!("database {}", db.database);
    if let Some(per_request) = db.db_time_per_request_ms {
        let _ = write!(line, ": {per_request:.2} ms per request");
    }
    if let Some(q) = db.top_queries.first() {
        let _ = write!(line, "; top statement {:.0}% of its time: {}", q.share_percent, q.query);
    }
    if let Some(scan) = db.seq_scans.first() {
        let _ = write!(line, "; {} sequential scans of {}", scan.seq_scans, scan.table);
    }
    format!("<p class=\"muted\">{}</p>", html(&line))
}

fn database(db: &PostgresSummary) -> String {
    let mut out = format!(
        "<div class=\"card database\"><h3>Database {} <span>{:.1} s window</span></h3>",
        html(&db.database),
        db.window_s
    );
    if let Some(per_request) = db.db_time_per_request_ms {
        let _ = write!(out, "<p>{per_request:.2} ms of database time per HTTP request</p>");
    }
    if !db.top_queries.is_empty() {
        out.push_str(
            "<table class=\"data\"><thead><tr><th scope=\"col\">Statement</th><th class=\"num\" scope=\"col\">Share</th>\
             <th class=\"num\" scope=\"col\">Calls</th><th class=\"num\" scope=\"col\">Mean ms</th>\
             <th class=\"num\" scope=\"col\">Max ms</th><th class=\"num\" scope=\"col\">Rows</th></tr></thead><tbody>",
        );
        for q in &db.top_queries {
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td class=\"num\">{:.1}%</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{:.2}</td><td class=\"num\">{:.2}</td><td class=\"num\">{}</td></tr>",
                html(&q.query),
                q.share_percent,
                q.calls,
                q.mean_ms,
                q.max_ms,
                q.rows
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("<ul>");
    for scan in &db.seq_scans {
        let _ = write!(
            out,
            "<li>sequential scans of <code>{}</code>: {} scans read {} rows</li>",
            html(&scan.table),
            scan.seq_scans,
            scan.seq_rows_read
        );
    }
    for note in &db.notes {
        let _ = write!(out, "<li>{}</li>", html(note));
    }
    out.push_str("</ul></div>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use loadcell_schema::{Bottleneck, BottleneckKind, Confidence, QueryStats};

    #[test]
    fn verdicts_and_databases_are_shown_escaped_and_nothing_without_them() {
        let mut summary = crate::testing::summary(5);
        assert_eq!(section(&summary), "");
        summary.bottlenecks.push(Bottleneck {
            kind: BottleneckKind::Database,
            confidence: Confidence::High,
            verdict: "the time went to <script>".into(),
            evidence: vec!["80% of latency".into()],
            numbers: Default::default(),
            recommendations: vec!["add an index".into()],
        });
        summary.postgres.push(PostgresSummary {
            database: "127.0.0.1:5432/shop".into(),
            top_queries: vec![QueryStats {
                query: "SELECT a < b".into(),
                calls: 3,
                ..QueryStats::default()
            }],
            ..PostgresSummary::default()
        });
        let html = section(&summary);
        assert!(
            html.contains("<h3>database <span>high confidence</span></h3>"),
            "{html}"
        );
        assert!(html.contains("the time went to &lt;script&gt;"), "{html}");
        assert!(html.contains("<li>→ add an index</li>"), "{html}");
        assert!(html.contains("<code>SELECT a &lt; b</code>"), "{html}");
        assert!(!html.contains("By stage"), "{html}");
    }

    #[test]
    fn each_stage_shows_its_own_verdicts() {
        let mut summary = crate::testing::summary(5);
        let verdict = Bottleneck {
            kind: BottleneckKind::TargetCpu,
            confidence: Confidence::Medium,
            verdict: "the target's CPU was at its limit".into(),
            evidence: Vec::new(),
            numbers: Default::default(),
            recommendations: Vec::new(),
        };
        summary.stages.clear();
        summary.phases = vec![
            PhaseSummary {
                name: "stage 1".into(),
                level: 100.0,
                ..PhaseSummary::default()
            },
            PhaseSummary {
                name: "stage 2".into(),
                level: 800.0,
                bottlenecks: vec![verdict],
                ..PhaseSummary::default()
            },
        ];
        let html = section(&summary);
        assert!(html.contains("<h3>By stage"), "{html}");
        assert!(html.contains("<td>stage 1 (100/s)</td><td>no verdict</td>"), "{html}");
        assert!(
            html.contains("<td>stage 2 (800/s)</td><td><p><b>target_cpu</b> (medium confidence)"),
            "{html}"
        );
    }
}
