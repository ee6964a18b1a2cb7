//! One snapshot of the cumulative counters ([`Snapshot`]) and reading it from the server.
//! The counters only ever grow (until someone resets them), so two snapshots bracket the
//! measured window and [`crate::diff`] subtracts them.

use tokio_postgres::Client;

use crate::sql;

/// One statement's cumulative counters (grouped by query id in the watched database).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatementRow {
    pub queryid: Option<i64>,
    pub query: String,
    pub calls: u64,
    pub total_ms: f64,
    pub max_ms: f64,
    pub rows: u64,
    pub blks_hit: u64,
    pub blks_read: u64,
}

/// `pg_stat_database`'s cumulative counters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DatabaseRow {
    pub commits: u64,
    pub rollbacks: u64,
    pub blks_read: u64,
    pub blks_hit: u64,
    pub deadlocks: u64,
    pub temp_bytes: u64,
}

/// One user table's scan counters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableRow {
    pub table: String,
    pub seq_scans: u64,
    pub seq_rows: u64,
    pub idx_scans: u64,
    pub live_rows: u64,
}

/// Everything read at one moment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    /// `None` when `pg_stat_statements` could not be read.
    pub statements: Option<Vec<StatementRow>>,
    pub database: Option<DatabaseRow>,
    pub tables: Vec<TableRow>,
}

fn count(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// Reads a snapshot. `statements_sql` is `None` when the extension is unavailable; a part
/// that fails is left empty and its reason returned, so one missing view costs only itself.
pub(crate) async fn read(client: &Client, statements_sql: Option<&str>) -> (Snapshot, Vec<String>) {
    let mut problems = Vec::new();
    let mut snapshot = Snapshot::default();
    if let Some(query) = statements_sql {
        match client.query(query, &[]).await {
            Ok(rows) => {
                let rows = rows
                    .iter()
                    .map(|r| StatementRow {
                        queryid: r.get(0),
                        query: r.get::<_, Option<String>>(1).unwrap_or_default(),
                        calls: count(r.get::<_, Option<i64>>(2).unwrap_or(0)),
                        total_ms: r.get::<_, Option<f64>>(3).unwrap_or(0.0),
                        max_ms: r.get::<_, Option<f64>>(4).unwrap_or(0.0),
                        rows: count(r.get::<_, Option<i64>>(5).unwrap_or(0)),
                        blks_hit: count(r.get::<_, Option<i64>>(6).unwrap_or(0)),
                        blks_read: count(r.get::<_, Option<i64>>(7).unwrap_or(0)),
                    })
                    .collect();
                snapshot.statements = Some(rows);
            }
            Err(e) => problems.push(format!("pg_stat_statements: {}", crate::place::reason(&e))),
        }
    }
    match client.query_opt(sql::DATABASE, &[]).await {
        Ok(Some(r)) => {
            snapshot.database = Some(DatabaseRow {
                commits: count(r.get(0)),
                rollbacks: count(r.get(1)),
                blks_read: count(r.get(2)),
                blks_hit: count(r.get(3)),
                deadlocks: count(r.get(4)),
                temp_bytes: count(r.get(5)),
            });
        }
        Ok(None) => {}
        Err(e) => problems.push(format!("pg_stat_database: {}", crate::place::reason(&e))),
    }
    match client.query(sql::TABLES, &[]).await {
        Ok(rows) => {
            snapshot.tables = rows
                .iter()
                .map(|r| TableRow {
                    table: r.get(0),
                    seq_scans: count(r.get::<_, Option<i64>>(1).unwrap_or(0)),
                    seq_rows: count(r.get::<_, Option<i64>>(2).unwrap_or(0)),
                    idx_scans: count(r.get::<_, Option<i64>>(3).unwrap_or(0)),
                    live_rows: count(r.get::<_, Option<i64>>(4).unwrap_or(0)),
                })
                .collect();
        }
        Err(e) => problems.push(format!("pg_stat_user_tables: {}", crate::place::reason(&e))),
    }
    (snapshot, problems)
}
