//! `database`: from each `--postgres` section. The database is the bottleneck when its time
//! per HTTP request is a large share of the mean latency ([`SHARE`]; certain from
//! [`SHARE_HIGH`]), or when, under pressure, the connections that ran statements were busy
//! almost all the time ([`BUSY`]). The verdict names the top statement by time, flags
//! sequential scans of large tables ([`LARGE_SCAN_ROWS`] rows per scan), lock waits and a
//! server at `max_connections`.

use std::collections::BTreeMap;

use loadcell_schema::{Bottleneck, BottleneckKind, Confidence, PostgresSummary, Summary};

use super::Pressure;

/// Database time per request as a percentage of mean latency that makes it the bottleneck …
pub const SHARE: f64 = 30.0;
/// … and that makes it certain.
pub const SHARE_HIGH: f64 = 50.0;
/// Statements executing on average, as a share of the most connections seen active.
pub const BUSY: f64 = 0.8;
/// A sequential scan reading at least this many rows per scan is worth an index.
pub const LARGE_SCAN_ROWS: f64 = 10_000.0;
/// Connections in use at this share of `max_connections` is a full server.
pub const POOL_FULL: f64 = 0.9;

pub fn verdicts(summary: &Summary, pressure: &Pressure) -> Vec<Bottleneck> {
    summary
        .postgres
        .iter()
        .filter_map(|db| verdict(db, summary, pressure))
        .collect()
}

fn verdict(db: &PostgresSummary, summary: &Summary, pressure: &Pressure) -> Option<Bottleneck> {
    let latency = summary.latency_ms.mean;
    let share = db
        .db_time_per_request_ms
        .filter(|_| latency > 0.0)
        .map(|per_request| 100.0 * per_request / latency);
    let executing = match (db.db_time_ms, db.window_s) {
        (Some(ms), window) if window > 0.0 => Some(ms / 1000.0 / window),
        _ => None,
    };
    let busy = executing
        .filter(|_| db.activity.max_active > 0)
        .map(|e| e / db.activity.max_active as f64);
    let lock_bound = db.activity.mean_lock_waits >= 1.0;
    let pool_full = db
        .activity
        .max_connections
        .is_some_and(|max| max > 0 && db.activity.max_connections_used as f64 >= POOL_FULL * max as f64);
    let confidence = if share.is_some_and(|s| s >= SHARE_HIGH) {
        Confidence::High
    } else if share.is_some_and(|s| s >= SHARE)
        || (pressure.any() && (busy.is_some_and(|b| b >= BUSY) || lock_bound || pool_full))
    {
        Confidence::Medium
    } else {
        return None;
    };
    let mut evidence = Vec::new();
    let mut numbers = BTreeMap::new();
    let mut recommendations = Vec::new();
    if let (Some(share), Some(per_request)) = (share, db.db_time_per_request_ms) {
        evidence.push(format!(
            "{}: {per_request:.2} ms of database time per request, {share:.0}% of the mean latency ({latency:.2} ms)",
            db.database
        ));
        numbers.insert("db_time_per_request_ms".to_string(), per_request);
        numbers.insert("db_share_of_latency_percent".to_string(), share);
    }
    if let Some(executing) = executing {
        evidence.push(format!(
            "{executing:.1} statements executing on average; the most connections seen active: {} in {} samples of pg_stat_activity",
            db.activity.max_active, db.activity.samples
        ));
        numbers.insert("statements_executing_mean".to_string(), executing);
    }
    let top = db.top_queries.first();
    if let Some(top) = top {
        evidence.push(format!(
            "top statement by time ({:.0}% of database time): {} — {} calls, mean {:.2} ms, max {:.2} ms, {} blocks read, {} hit",
            top.share_percent, top.query, top.calls, top.mean_ms, top.max_ms, top.shared_blks_read, top.shared_blks_hit
        ));
        numbers.insert("top_query_share_percent".to_string(), top.share_percent);
        numbers.insert("top_query_mean_ms".to_string(), top.mean_ms);
    }
    for scan in db.seq_scans.iter().filter(|s| s.seq_scans > 0) {
        let per_scan = scan.seq_rows_read as f64 / scan.seq_scans as f64;
        if per_scan < LARGE_SCAN_ROWS {
            continue;
        }
        evidence.push(format!(
            "sequential scans of {}: {} scans read {} rows ({per_scan:.0} per scan; {} index scans)",
            scan.table, scan.seq_scans, scan.seq_rows_read, scan.index_scans
        ));
        numbers.entry("seq_rows_per_scan".to_string()).or_insert(per_scan);
        if recommendations.is_empty() {
            let query = top.map_or(String::from("the top statement"), |t| format!("`{}`", t.query));
            recommendations.push(format!(
                "add an index on {} for the columns {query} filters and sorts by: each call now scans the whole table",
                scan.table
            ));
        }
    }
    if lock_bound {
        evidence.push(format!(
            "{:.1} lock requests waiting on average (at most {})",
            db.activity.mean_lock_waits, db.activity.max_lock_waits
        ));
        numbers.insert("lock_waits_mean".to_string(), db.activity.mean_lock_waits);
        recommendations
            .push("shorten the transactions that hold the contended locks, or update fewer shared rows".to_string());
    }
    if pool_full {
        evidence.push(format!(
            "{} connections in use of max_connections {}",
            db.activity.max_connections_used,
            db.activity.max_connections.unwrap_or(0)
        ));
        recommendations.push(
            "the server ran out of connections: put a pooler (PgBouncer) in front or size the pool to the cores"
                .to_string(),
        );
    }
    if recommendations.is_empty() {
        let what = top.map_or(String::from("the top statements"), |t| format!("`{}`", t.query));
        recommendations.push(format!(
            "make {what} cheaper (EXPLAIN ANALYZE it), or call it less often (cache)"
        ));
    }
    let what = top.map_or(String::new(), |t| format!(": the time went to `{}`", t.query));
    Some(Bottleneck {
        kind: BottleneckKind::Database,
        confidence,
        verdict: format!("the database {} limited the target{what}", db.database),
        evidence,
        numbers,
        recommendations: recommendations.into_iter().take(2).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::{decide, testing};
    use loadcell_schema::*;

    fn db(per_request_ms: f64) -> PostgresSummary {
        PostgresSummary {
            database: "127.0.0.1:5432/shop".into(),
            window_s: 20.0,
            statements_available: true,
            db_time_ms: Some(per_request_ms * 2000.0),
            db_time_per_request_ms: Some(per_request_ms),
            top_queries: vec![QueryStats {
                query: "SELECT id FROM items WHERE category = $1".into(),
                calls: 2000,
                total_ms: per_request_ms * 1900.0,
                mean_ms: per_request_ms * 0.95,
                share_percent: 95.0,
                ..QueryStats::default()
            }],
            seq_scans: vec![TableScans {
                table: "public.items".into(),
                seq_scans: 2000,
                seq_rows_read: 400_000_000,
                live_rows: 200_000,
                ..TableScans::default()
            }],
            activity: ActivitySummary {
                samples: 20,
                max_active: 4,
                max_connections: Some(100),
                ..Default::default()
            },
            ..PostgresSummary::default()
        }
    }

    #[test]
    fn database_time_most_of_latency_names_the_query_and_its_sequential_scan() {
        let mut s = testing::open(100.0, 100.0);
        s.latency_ms.mean = 25.0;
        s.postgres.push(db(20.0));
        let found = decide(&s);
        let d = &found[0];
        assert_eq!(
            (d.kind, d.confidence),
            (BottleneckKind::Database, Confidence::High),
            "{found:?}"
        );
        assert!(d.verdict.contains("WHERE category = $1"), "{}", d.verdict);
        assert!(
            d.evidence
                .iter()
                .any(|e| e.contains("sequential scans of public.items")),
            "{:?}",
            d.evidence
        );
        assert!(
            d.recommendations[0].starts_with("add an index on public.items"),
            "{:?}",
            d.recommendations
        );
        assert_eq!(d.numbers["db_share_of_latency_percent"], 80.0);
        // The most active connections is what one sample a second saw: a lower bound, said so.
        assert!(
            d.evidence
                .iter()
                .any(|e| e.ends_with("the most connections seen active: 4 in 20 samples of pg_stat_activity")),
            "{:?}",
            d.evidence
        );
    }

    #[test]
    fn a_small_share_without_pressure_is_not_the_database() {
        let mut s = testing::open(100.0, 100.0);
        s.latency_ms.mean = 25.0;
        let mut quick = db(0.5);
        quick.seq_scans.clear();
        s.postgres.push(quick);
        assert!(decide(&s).is_empty(), "{:?}", decide(&s));
    }
}
