//! The terminal summary's evidence sections: `--postgres` (each database's top statements
//! and scans) and the bottleneck verdicts with their numbers and recommendations.

use std::fmt::Write;

use loadcell_schema::{PostgresSummary, Summary};

/// Statements shown per database (summary.json has up to ten).
const SHOWN_QUERIES: usize = 3;
/// Characters of a statement shown.
const QUERY_WIDTH: usize = 90;

pub fn write(o: &mut String, s: &Summary) -> std::fmt::Result {
    for db in &s.postgres {
        write_database(o, db)?;
    }
    write_bottlenecks(o, s)
}

fn write_database(o: &mut String, db: &PostgresSummary) -> std::fmt::Result {
    writeln!(o)?;
    writeln!(o, "  database {} ({:.1} s window)", db.database, db.window_s)?;
    if let (Some(ms), Some(calls)) = (db.db_time_ms, db.calls) {
        let per_request = db
            .db_time_per_request_ms
            .map_or(String::new(), |p| format!(", {p:.2} ms per HTTP request"));
        writeln!(o, "    {calls} statements, {ms:.0} ms of database time{per_request}")?;
    }
    for q in db.top_queries.iter().take(SHOWN_QUERIES) {
        writeln!(
            o,
            "    {:>5.1}%  {} calls  mean {:.2} ms  max {:.2} ms  {}",
            q.share_percent,
            q.calls,
            q.mean_ms,
            q.max_ms,
            clip(&q.query)
        )?;
    }
    for scan in db.seq_scans.iter().take(SHOWN_QUERIES) {
        writeln!(
            o,
            "    seq scans of {}: {} scans read {} rows",
            scan.table, scan.seq_scans, scan.seq_rows_read
        )?;
    }
    for note in &db.notes {
        writeln!(o, "    note: {note}")?;
    }
    Ok(())
}

fn write_bottlenecks(o: &mut String, s: &Summary) -> std::fmt::Result {
    if s.bottlenecks.is_empty() {
        return Ok(());
    }
    writeln!(o)?;
    writeln!(o, "  bottlenecks")?;
    for b in &s.bottlenecks {
        writeln!(
            o,
            "  ▸ {} ({} confidence): {}",
            b.kind.as_str(),
            b.confidence.as_str(),
            b.verdict
        )?;
        for line in &b.evidence {
            writeln!(o, "      · {line}")?;
        }
        for advice in &b.recommendations {
            writeln!(o, "      → {advice}")?;
        }
    }
    Ok(())
}

fn clip(text: &str) -> String {
    match text.char_indices().nth(QUERY_WIDTH) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}
