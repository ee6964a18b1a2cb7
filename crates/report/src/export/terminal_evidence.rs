//! The terminal summary's evidence sections: `--postgres` (each database's top statements
//! and scans), the bottleneck verdicts with their numbers and recommendations, and the
//! verdicts of each stage (or sweep step) on its own evidence, with the step's database
//! window. `capacity` and `scale` print the same lines under their own tables
//! ([`evidence_text`]).

use std::fmt::Write;

use loadcell_schema::{PhaseSummary, PostgresSummary, Summary};

/// Statements shown per database (summary.json has up to ten).
const SHOWN_QUERIES: usize = 3;
/// Characters of a statement shown.
const QUERY_WIDTH: usize = 90;

pub fn write(o: &mut String, s: &Summary) -> std::fmt::Result {
    for db in &s.postgres {
        write_database(o, db)?;
    }
    write_bottlenecks(o, s)?;
    write_stages(o, s)
}

/// The evidence sections alone (what `capacity` and `scale` print after their tables).
pub fn evidence_text(s: &Summary) -> String {
    let mut o = String::new();
    let _ = write(&mut o, s);
    o
}

/// `bottlenecks by stage`: one line per verdict of each stage that has one, and a sweep
/// step's database in one line.
fn write_stages(o: &mut String, s: &Summary) -> std::fmt::Result {
    let judged = s
        .phases
        .iter()
        .any(|p| !p.bottlenecks.is_empty() || !p.postgres.is_empty());
    if !judged {
        return Ok(());
    }
    writeln!(o)?;
    writeln!(
        o,
        "  bottlenecks by {}",
        if s.capacity.is_some() || s.scale.is_some() {
            "step"
        } else {
            "stage"
        }
    )?;
    for p in &s.phases {
        let label = phase_label(s, p);
        for db in &p.postgres {
            writeln!(o, "  {label}: {}", database_line(db))?;
        }
        if p.bottlenecks.is_empty() {
            writeln!(o, "  {label}: no verdict")?;
        }
        for b in &p.bottlenecks {
            writeln!(
                o,
                "  {label}: {} ({} confidence): {}",
                b.kind.as_str(),
                b.confidence.as_str(),
                b.verdict
            )?;
        }
    }
    Ok(())
}

/// `stage 4 (400 VUs)`; a sweep's step names carry their level already.
pub fn phase_label(s: &Summary, p: &PhaseSummary) -> String {
    if s.capacity.is_some() || s.scale.is_some() {
        return p.name.clone();
    }
    let unit = match s.stages.first().map(|m| m.unit.as_str()) {
        Some("vus") => "VUs",
        Some("iterations/s") => "/s",
        Some(other) => other,
        None => "",
    };
    let level = loadcell_units::format::level(p.level);
    if unit == "/s" {
        format!("{} ({level}/s)", p.name)
    } else {
        format!("{} ({level} {unit})", p.name)
    }
}

/// One database window in a line: time per request and the top statement.
fn database_line(db: &PostgresSummary) -> String {
    let mut line = format!("database {}", db.database);
    if let Some(per_request) = db.db_time_per_request_ms {
        let _ = write!(line, " {per_request:.2} ms per request");
    }
    if let Some(q) = db.top_queries.first() {
        let _ = write!(line, ", top {:.0}% {}", q.share_percent, clip(&q.query));
    }
    if let Some(scan) = db.seq_scans.first() {
        let _ = write!(line, ", seq scans of {}: {}", scan.table, scan.seq_scans);
    }
    line
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
