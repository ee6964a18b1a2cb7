//! The queries, by server version: `pg_stat_statements` renamed `total_time`/`max_time`
//! to `total_exec_time`/`max_exec_time` in PostgreSQL 13 (`server_version_num` 130000).
//! Statements are grouped by query id within the watched database, and the watcher's own
//! queries (they read `pg_stat_*` and `pg_locks`) are left out.

/// `pg_stat_statements` of the current database: queryid, query, calls, total ms, max ms,
/// rows, shared blocks hit and read.
pub fn statements(server_version_num: u32) -> String {
    let (total, max) = if server_version_num >= 130_000 {
        ("total_exec_time", "max_exec_time")
    } else {
        ("total_time", "max_time")
    };
    format!(
        "SELECT queryid, min(query), sum(calls)::int8, sum({total})::float8, max({max})::float8, \
         sum(rows)::int8, sum(shared_blks_hit)::int8, sum(shared_blks_read)::int8 \
         FROM pg_stat_statements \
         WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) \
           AND query NOT LIKE '%pg_stat_%' AND query NOT LIKE '%pg_locks%' \
         GROUP BY queryid"
    )
}

/// Whether the extension is created in this database.
pub const HAS_EXTENSION: &str = "SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'";

pub const VERSION: &str = "SELECT current_setting('server_version'), current_setting('server_version_num')::int4, \
     current_setting('max_connections')::int4";

/// `pg_stat_database` of the current database.
pub const DATABASE: &str = "SELECT xact_commit, xact_rollback, blks_read, blks_hit, deadlocks, temp_bytes \
     FROM pg_stat_database WHERE datname = current_database()";

/// Scan counters of every user table.
pub const TABLES: &str = "SELECT schemaname || '.' || relname, seq_scan, coalesce(seq_tup_read, 0), \
     coalesce(idx_scan, 0), n_live_tup FROM pg_stat_user_tables";

/// Client connections (all databases, the watcher's own excluded): state and wait event.
pub const ACTIVITY: &str = "SELECT state, wait_event_type, wait_event FROM pg_stat_activity \
     WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()";

/// Lock requests waiting to be granted.
pub const LOCK_WAITS: &str = "SELECT count(*) FROM pg_locks WHERE NOT granted";

/// The one line that says how to enable the extension.
pub fn enable_hint(place: &str) -> String {
    format!(
        "{place}: pg_stat_statements is not enabled, so no per-query times: add \
         shared_preload_libraries = 'pg_stat_statements' to postgresql.conf, restart the server, \
         then run CREATE EXTENSION pg_stat_statements; in this database"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_follow_the_server_version() {
        assert!(statements(130_000).contains("sum(total_exec_time)"));
        assert!(statements(150_018).contains("max(max_exec_time)"));
        let old = statements(120_017);
        assert!(
            old.contains("sum(total_time)") && old.contains("max(max_time)"),
            "{old}"
        );
        assert!(!old.contains("exec_time"), "{old}");
    }
}
