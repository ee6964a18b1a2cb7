//! A throw-away PostgreSQL cluster for the `--postgres` tests: `loadcell_postgres::cluster`
//! (the one `loadcell demo` uses) with a fixed password the tests check never leaks, and
//! failures as panics, as this kit reports. When PostgreSQL is not installed,
//! [`Postgres::start`] prints why and returns `None`, and the test skips; anything else that
//! goes wrong fails the test loudly. Stopped and removed on drop.

use loadcell_postgres::cluster::{self, Cluster};

/// The superuser's password in every test cluster; tests assert it never appears in output.
pub const PASSWORD: &str = "s3cret-Pg-pw-7f1c";

/// A running cluster; stopped (`pg_ctl stop -m immediate`) and deleted on drop.
pub struct Postgres {
    cluster: Cluster,
    pub port: u16,
    pub version: u32,
}

/// What the cluster is started with.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Preload `pg_stat_statements` and create the extension in database `postgres`.
    pub stat_statements: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options { stat_statements: true }
    }
}

/// Whether PostgreSQL's server is installed; prints why the test skips when it is not.
pub fn installed() -> bool {
    let found = cluster::installed().is_some();
    if !found {
        eprintln!(
            "SKIPPED: PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); \
             run scripts/install-test-deps.sh"
        );
    }
    found
}

impl Postgres {
    /// A cluster with `pg_stat_statements`, or `None` (after printing why) when PostgreSQL
    /// is not installed.
    pub fn start() -> Option<Postgres> {
        Postgres::start_with(Options::default())
    }

    /// A cluster with `options`, or `None` when PostgreSQL is not installed.
    pub fn start_with(options: Options) -> Option<Postgres> {
        if !installed() {
            return None;
        }
        let server = cluster::installed()?;
        let options = cluster::Options {
            stat_statements: options.stat_statements,
            password: PASSWORD.to_string(),
        };
        let cluster = Cluster::start(&server, &options).unwrap_or_else(|e| panic!("{e}"));
        Some(Postgres {
            port: cluster.port(),
            version: cluster.version(),
            cluster,
        })
    }

    /// `postgres://postgres:PASSWORD@127.0.0.1:PORT/postgres`: TCP, password checked (scram).
    pub fn url(&self) -> String {
        self.cluster.url()
    }

    /// Runs `sql` through `psql` on the cluster's socket and returns what it printed
    /// (unaligned, tuples only); panics with psql's message on failure.
    pub fn psql(&self, sql: &str) -> String {
        self.cluster.psql(sql).unwrap_or_else(|e| panic!("{e}"))
    }
}
