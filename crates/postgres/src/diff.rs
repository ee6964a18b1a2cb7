//! Two snapshots → what happened between them, as pure functions. A counter that went
//! backwards means the statistics were reset during the window: then the later value is
//! all that happened since, and is taken as it is.

use std::collections::HashMap;

use loadcell_schema::{DatabaseStats, PostgresSummary, QueryStats, TableScans};

use crate::snapshot::{DatabaseRow, Snapshot, StatementRow, TableRow};

/// Statements kept in `top_queries`.
pub const TOP_QUERIES: usize = 10;

/// Characters of a statement's text kept.
pub const QUERY_CHARS: usize = 500;

/// Fills the snapshot-difference parts of `summary`: database time and calls, the top
/// statements, tables scanned sequentially, `pg_stat_database`. `requests` is the HTTP
/// requests completed in the window (for database time per request).
pub fn summarise(before: &Snapshot, after: &Snapshot, requests: u64, summary: &mut PostgresSummary) {
    if let (Some(before), Some(after)) = (&before.statements, &after.statements) {
        let queries = statements(before, after);
        let db_time: f64 = queries.iter().map(|q| q.total_ms).sum();
        let calls: u64 = queries.iter().map(|q| q.calls).sum();
        summary.db_time_ms = Some(db_time);
        summary.calls = Some(calls);
        summary.db_time_per_request_ms = (requests > 0).then(|| db_time / requests as f64);
        summary.top_queries = top(queries, db_time);
    }
    summary.seq_scans = seq_scans(&before.tables, &after.tables);
    if let (Some(before), Some(after)) = (&before.database, &after.database) {
        summary.database_stats = Some(database(before, after));
    }
}

/// Statements that ran during the window (calls went up), with their differences.
fn statements(before: &[StatementRow], after: &[StatementRow]) -> Vec<QueryStats> {
    let earlier: HashMap<(Option<i64>, Option<&str>), &StatementRow> =
        before.iter().map(|row| (key(row), row)).collect();
    after
        .iter()
        .filter_map(|now| {
            let then = earlier.get(&key(now)).copied().filter(|then| then.calls <= now.calls);
            let calls = now.calls - then.map_or(0, |t| t.calls);
            if calls == 0 {
                return None;
            }
            let total_ms = (now.total_ms - then.map_or(0.0, |t| t.total_ms)).max(0.0);
            Some(QueryStats {
                query: clip(&now.query),
                calls,
                total_ms,
                mean_ms: total_ms / calls as f64,
                max_ms: now.max_ms,
                max_in_window: then.is_none(),
                rows: now.rows.saturating_sub(then.map_or(0, |t| t.rows)),
                shared_blks_hit: now.blks_hit.saturating_sub(then.map_or(0, |t| t.blks_hit)),
                shared_blks_read: now.blks_read.saturating_sub(then.map_or(0, |t| t.blks_read)),
                share_percent: 0.0,
            })
        })
        .collect()
}

/// By query id; by text when the server gave none.
fn key(row: &StatementRow) -> (Option<i64>, Option<&str>) {
    match row.queryid {
        Some(id) => (Some(id), None),
        None => (None, Some(row.query.as_str())),
    }
}

fn top(mut queries: Vec<QueryStats>, db_time: f64) -> Vec<QueryStats> {
    queries.sort_by(|a, b| b.total_ms.total_cmp(&a.total_ms));
    queries.truncate(TOP_QUERIES);
    for query in &mut queries {
        query.share_percent = if db_time > 0.0 {
            100.0 * query.total_ms / db_time
        } else {
            0.0
        };
    }
    queries
}

fn clip(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match collapsed.char_indices().nth(QUERY_CHARS) {
        Some((cut, _)) => format!("{}…", &collapsed[..cut]),
        None => collapsed,
    }
}

fn seq_scans(before: &[TableRow], after: &[TableRow]) -> Vec<TableScans> {
    let earlier: HashMap<&str, &TableRow> = before.iter().map(|t| (t.table.as_str(), t)).collect();
    let mut scans: Vec<TableScans> = after
        .iter()
        .filter_map(|now| {
            let then = earlier.get(now.table.as_str()).filter(|t| t.seq_scans <= now.seq_scans);
            let seq_scans = now.seq_scans - then.map_or(0, |t| t.seq_scans);
            (seq_scans > 0).then(|| TableScans {
                table: now.table.clone(),
                seq_scans,
                seq_rows_read: now.seq_rows.saturating_sub(then.map_or(0, |t| t.seq_rows)),
                index_scans: now.idx_scans.saturating_sub(then.map_or(0, |t| t.idx_scans)),
                live_rows: now.live_rows,
            })
        })
        .collect();
    scans.sort_by_key(|s| std::cmp::Reverse(s.seq_rows_read));
    scans
}

fn database(before: &DatabaseRow, after: &DatabaseRow) -> DatabaseStats {
    let reset = after.commits < before.commits;
    let d = |now: u64, then: u64| if reset { now } else { now.saturating_sub(then) };
    let blks_read = d(after.blks_read, before.blks_read);
    let blks_hit = d(after.blks_hit, before.blks_hit);
    let accessed = blks_read + blks_hit;
    DatabaseStats {
        commits: d(after.commits, before.commits),
        rollbacks: d(after.rollbacks, before.rollbacks),
        blks_read,
        blks_hit,
        cache_hit_percent: (accessed > 0).then(|| 100.0 * blks_hit as f64 / accessed as f64),
        deadlocks: d(after.deadlocks, before.deadlocks),
        temp_bytes: d(after.temp_bytes, before.temp_bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, query: &str, calls: u64, total_ms: f64) -> StatementRow {
        StatementRow {
            queryid: Some(id),
            query: query.to_string(),
            calls,
            total_ms,
            max_ms: 9.0,
            rows: calls * 10,
            blks_hit: calls * 100,
            blks_read: calls,
        }
    }

    fn snap(rows: Vec<StatementRow>) -> Snapshot {
        Snapshot {
            statements: Some(rows),
            ..Snapshot::default()
        }
    }

    #[test]
    fn the_difference_ranks_statements_by_time_with_their_share_and_time_per_request() {
        let before = snap(vec![row(1, "SELECT a", 100, 50.0), row(2, "SELECT b", 10, 5.0)]);
        let after = snap(vec![
            row(1, "SELECT a", 300, 250.0),
            row(2, "SELECT b", 10, 5.0),
            row(3, "SELECT   c\n FROM t", 50, 600.0),
        ]);
        let mut summary = PostgresSummary::default();
        summarise(&before, &after, 400, &mut summary);
        assert_eq!(summary.db_time_ms, Some(800.0));
        assert_eq!(summary.calls, Some(250));
        assert_eq!(summary.db_time_per_request_ms, Some(2.0));
        let top = &summary.top_queries;
        assert_eq!(top.len(), 2, "a statement without calls in the window is left out");
        assert_eq!(top[0].query, "SELECT c FROM t");
        assert_eq!((top[0].calls, top[0].mean_ms, top[0].share_percent), (50, 12.0, 75.0));
        assert!(top[0].max_in_window, "new during the window: its max is the window's");
        assert_eq!(top[1].calls, 200);
        assert_eq!(
            (top[1].rows, top[1].shared_blks_hit, top[1].shared_blks_read),
            (2000, 20_000, 200)
        );
        assert!(!top[1].max_in_window);
    }

    #[test]
    fn a_reset_during_the_window_takes_the_later_counters_as_they_are() {
        let before = snap(vec![row(1, "SELECT a", 1000, 900.0)]);
        let after = snap(vec![row(1, "SELECT a", 40, 20.0)]);
        let mut summary = PostgresSummary::default();
        summarise(&before, &after, 0, &mut summary);
        assert_eq!(summary.top_queries[0].calls, 40);
        assert_eq!(summary.top_queries[0].total_ms, 20.0);
        assert_eq!(summary.db_time_per_request_ms, None);
    }

    #[test]
    fn without_statements_only_tables_and_database_are_filled() {
        let table = |seq: u64, rows: u64| TableRow {
            table: "public.items".into(),
            seq_scans: seq,
            seq_rows: rows,
            idx_scans: 0,
            live_rows: 200_000,
        };
        let db = |commits: u64, hit: u64, read: u64| DatabaseRow {
            commits,
            blks_hit: hit,
            blks_read: read,
            ..DatabaseRow::default()
        };
        let before = Snapshot {
            statements: None,
            database: Some(db(10, 100, 0)),
            tables: vec![table(1, 200_000)],
        };
        let after = Snapshot {
            statements: None,
            database: Some(db(110, 1_000, 100)),
            tables: vec![table(101, 20_200_000)],
        };
        let mut summary = PostgresSummary::default();
        summarise(&before, &after, 100, &mut summary);
        assert_eq!(summary.db_time_ms, None);
        assert_eq!(summary.seq_scans[0].seq_scans, 100);
        assert_eq!(summary.seq_scans[0].seq_rows_read, 20_000_000);
        let stats = summary.database_stats.unwrap();
        assert_eq!(stats.commits, 100);
        assert_eq!(stats.cache_hit_percent, Some(90.0));
    }

    #[test]
    fn long_statements_are_clipped_on_a_character_boundary() {
        let long = "é".repeat(QUERY_CHARS + 5);
        let clipped = clip(&long);
        assert_eq!(clipped.chars().count(), QUERY_CHARS + 1);
        assert!(clipped.ends_with('…'));
    }
}
