//! Database evidence for `--postgres URL` ([docs/postgres.md](../../docs/postgres.md)): what a
//! PostgreSQL database did while loadcell measured, as a `loadcell_schema::PostgresSummary`.
//!
//! A [`Watch`] connects on its own thread (a current-thread runtime; nothing touches the
//! request path), snapshots `pg_stat_statements`, `pg_stat_database` and
//! `pg_stat_user_tables` at [`Watch::begin`] and at [`Watch::finish`], samples
//! `pg_stat_activity` and `pg_locks` every interval in between, and diffs the snapshots
//! ([`diff`], pure): the top statements by execution time with calls, mean and max, rows,
//! shared blocks hit/read and share of database time, database time per HTTP request,
//! tables read by sequential scans. Column names follow the server's version
//! (`total_exec_time` from PostgreSQL 13, `total_time` before: [`sql`]).
//!
//! A missing `pg_stat_statements` is one note saying how to enable it; the rest is still
//! measured. The URL's password never leaves [`place`]: messages and the summary name
//! `host:port/dbname` only.
//!
//! [`cluster`] starts a throw-away PostgreSQL (initdb in a temporary folder, a loopback
//! port) for `loadcell demo`'s database act and the tests, and removes it after.
//!
//! Does not: parse flags, print, decide bottlenecks (`loadcell-analysis` does, from the
//! summary), or run load.

mod activity;
pub mod cluster;
pub mod diff;
mod error;
pub mod place;
mod snapshot;
pub mod sql;
mod watch;
mod watches;

pub use activity::ActivityTally;
pub use error::PostgresError;
pub use snapshot::{DatabaseRow, Snapshot, StatementRow, TableRow};
pub use watch::Watch;
pub use watches::Watches;
