//! What loadcell's integration tests share (a dev-dependency of the root package): the
//! real binary run under a wall-clock guard ([`process`]), temporary folders ([`temp`]),
//! [`wait_until`] a condition instead of a fixed sleep, servers on 127.0.0.1
//! ([`servers`]: a recording HTTP server, plain or TLS; raw sockets that misbehave; the
//! built-in target), and `summary.json` read as the schema's types or by path
//! ([`summary`]), a throw-away PostgreSQL cluster with `pg_stat_statements`
//! ([`postgres`]), httpbin under gunicorn, a real third-party HTTP service ([`httpbin`]), and Caddy for
//! zstd, TLS by name and mutual TLS, with a throw-away PKI ([`caddy`]), network
//! namespaces that give each process of a test its own IP ([`netns`]), and what a
//! `sleep` truly costs on this machine ([`timing`]).
//!
//! **Timing-sensitive runs never run beside each other.** Cargo runs test binaries one
//! after another, and the tests of one binary in parallel threads; every loadcell process
//! this kit starts holds a shared lock on the machine for its lifetime, and a run whose
//! verdict depends on timing is started with [`process::Loadcell::alone`], which holds it
//! exclusively: it waits for the runs in flight, and no other run of the test binary starts
//! beside it ([`process::alone`] holds it across several steps of one test).
//!
//! A broken fixture fails the test that uses it, loudly: `expect` is how this kit reports.
#![allow(clippy::expect_used, clippy::unwrap_used)]

pub mod caddy;
pub mod httpbin;
pub mod netns;
pub mod postgres;
pub mod process;
pub mod servers;
pub mod summary;
pub mod temp;
pub mod timing;

pub use caddy::{Caddy, Pki};
pub use httpbin::Httpbin;
pub use netns::Netns;
pub use postgres::Postgres;
pub use process::{Alone, Finished, Loadcell, Running, alone, run_raw, spawn};
pub use servers::{Blackhole, HttpServer, RawServer, Recorder, RefusingPort, Seen, fast_target, target, url_of};
pub use summary::{
    assert_every_arrival_accounted, at, counts_at, f64_at, read_summary, read_typed, short, str_at, u64_at, within,
};
pub use temp::TempDir;

use std::time::{Duration, Instant};

/// Waits until `cond` holds, polling every 5 ms; false if `limit` passes first.
pub fn wait_until(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    cond()
}

#[cfg(test)]
mod tests {
    use super::postgres::{Options, Postgres};

    #[test]
    fn a_postgres_cluster_starts_with_pg_stat_statements_and_is_removed_after() {
        let Some(pg) = Postgres::start() else { return };
        assert!(pg.url().contains("127.0.0.1"), "{}", pg.url());
        assert_eq!(pg.psql("SELECT 1"), "1");
        let calls = pg.psql("SELECT count(*) FROM pg_stat_statements");
        assert!(calls.parse::<u64>().is_ok(), "pg_stat_statements answered {calls:?}");
        let preload = pg.psql("SHOW shared_preload_libraries");
        assert_eq!(preload, "pg_stat_statements");
        let folder = pg.psql("SHOW data_directory");
        drop(pg);
        assert!(!std::path::Path::new(&folder).exists(), "{folder} left behind");
    }

    #[test]
    fn a_postgres_cluster_can_start_without_the_extension() {
        let Some(pg) = Postgres::start_with(Options { stat_statements: false }) else {
            return;
        };
        assert_eq!(
            pg.psql("SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'"),
            "0"
        );
    }
}
