//! The Bottlenecks section at the top of the report: each verdict of `bottlenecks[]` — the
//! resource, how sure, the sentence, the supporting numbers and what to do — and, with
//! `--postgres`, each database's top statements and sequential scans. Shown only when the
//! summary has verdicts or databases.

use std::fmt::Write;

use loadcell_schema::{PostgresSummary, Summary};

use crate::text::escape::html;

pub fn section(summary: &Summary) -> String {
    if summary.bottlenecks.is_empty() && summary.postgres.is_empty() {
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
    out.push_str("</section>\n");
    out
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
    }
}
