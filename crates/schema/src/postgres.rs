//! `--postgres URL`: what the database did during the measured window, from the
//! difference of two snapshots of `pg_stat_statements`, `pg_stat_database` and
//! `pg_stat_user_tables` (before and after), and from `pg_stat_activity` / `pg_locks`
//! sampled once per interval. The URL's password never appears here: `database` is
//! `host:port/dbname`.

use serde::{Deserialize, Serialize};

/// One `--postgres` database over the measured window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PostgresSummary {
    /// `host:port/dbname` (never the user's password).
    pub database: String,
    /// `server_version` as the server reports it, e.g. `15.18 (Debian 15.18-0+deb12u1)`.
    #[serde(default)]
    pub server_version: String,
    /// Seconds the snapshots were apart.
    pub window_s: f64,
    /// False when `pg_stat_statements` could not be read; `notes` says how to enable it.
    pub statements_available: bool,
    /// Execution time of every statement in this database during the window (ms), the
    /// sum of `total_exec_time` (`total_time` before PostgreSQL 13) differences.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db_time_ms: Option<f64>,
    /// Statement executions during the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calls: Option<u64>,
    /// `db_time_ms` divided by the HTTP requests completed in the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db_time_per_request_ms: Option<f64>,
    /// The statements with the most execution time during the window, most first (at most 10).
    #[serde(default)]
    pub top_queries: Vec<QueryStats>,
    /// Tables read by sequential scans during the window, most rows read first.
    #[serde(default)]
    pub seq_scans: Vec<TableScans>,
    /// `pg_stat_database` differences for this database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_stats: Option<DatabaseStats>,
    /// `pg_stat_activity` and `pg_locks`, sampled once per interval.
    #[serde(default)]
    pub activity: ActivitySummary,
    /// What could not be measured and how to fix it (one line each).
    #[serde(default)]
    pub notes: Vec<String>,
}

/// One normalised statement (`pg_stat_statements` groups by query id) during the window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QueryStats {
    /// The normalised text, parameters as `$1`, at most 500 characters.
    pub query: String,
    pub calls: u64,
    pub total_ms: f64,
    pub mean_ms: f64,
    /// The slowest single execution: exact when the statement first appeared during the
    /// window (`max_in_window`), otherwise the maximum since the statistics were last reset.
    pub max_ms: f64,
    pub max_in_window: bool,
    pub rows: u64,
    pub shared_blks_hit: u64,
    pub shared_blks_read: u64,
    /// `total_ms` as a percentage of `db_time_ms`.
    pub share_percent: f64,
}

/// Sequential scans of one table during the window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TableScans {
    /// `schema.table`.
    pub table: String,
    pub seq_scans: u64,
    /// Rows read by those scans.
    pub seq_rows_read: u64,
    pub index_scans: u64,
    /// Live rows in the table at the end (an estimate PostgreSQL keeps).
    pub live_rows: u64,
}

/// `pg_stat_database` differences over the window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DatabaseStats {
    pub commits: u64,
    pub rollbacks: u64,
    pub blks_read: u64,
    pub blks_hit: u64,
    /// `blks_hit / (blks_hit + blks_read)` as a percentage (absent with no block access).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_hit_percent: Option<f64>,
    pub deadlocks: u64,
    pub temp_bytes: u64,
}

/// Connections and waits seen by the per-interval samples.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ActivitySummary {
    pub samples: u64,
    /// `max_connections` of the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_connections: Option<u64>,
    /// The most client connections seen at once (all databases, ours excluded).
    pub max_connections_used: u64,
    /// The most connections running a statement at once (ours excluded).
    pub max_active: u64,
    /// Mean and most of `pg_locks` entries waiting to be granted.
    pub mean_lock_waits: f64,
    pub max_lock_waits: u64,
    /// What active connections were waiting on, most samples first (`Lock:transactionid`,
    /// `IO:DataFileRead`, …); connections on CPU are counted as `CPU`.
    #[serde(default)]
    pub wait_events: Vec<WaitEventCount>,
}

/// How often active connections were seen in one wait event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WaitEventCount {
    /// `type:event`, or `CPU` when the connection was not waiting.
    pub event: String,
    /// Connection-samples in this state.
    pub count: u64,
}
