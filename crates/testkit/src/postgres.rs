//! A throw-away PostgreSQL cluster for the `--postgres` tests: `initdb` in a temporary
//! folder, the server on a free loopback port (and a Unix socket in that folder, never the
//! system's), `pg_stat_statements` preloaded and created, a password on the superuser so
//! the tests can check it never leaks; stopped and removed on drop.
//!
//! The binaries come from the Debian packages `scripts/install-test-deps.sh` installs
//! (`/usr/lib/postgresql/<version>/bin`). The server refuses to run as root, so under root
//! every command runs as the `postgres` user (`runuser`), which owns the folder. When
//! PostgreSQL is not installed, [`Postgres::start`] prints why and returns `None`, and the
//! test skips; anything else that goes wrong fails the test loudly.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::temp::TempDir;

/// The superuser's password in every test cluster; tests assert it never appears in output.
pub const PASSWORD: &str = "s3cret-Pg-pw-7f1c";

/// A running cluster; stopped (`pg_ctl stop -m immediate`) and deleted on drop.
pub struct Postgres {
    bin: PathBuf,
    dir: TempDir,
    /// Run commands as this user (`runuser -u`) because we are root.
    as_user: Option<&'static str>,
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

impl Postgres {
    /// A cluster with `pg_stat_statements`, or `None` (after printing why) when PostgreSQL
    /// is not installed.
    pub fn start() -> Option<Postgres> {
        Postgres::start_with(Options::default())
    }

    /// A cluster with `options`, or `None` when PostgreSQL is not installed.
    pub fn start_with(options: Options) -> Option<Postgres> {
        let Some((bin, version)) = find_bin() else {
            eprintln!(
                "SKIPPED: PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); \
                 run scripts/install-test-deps.sh"
            );
            return None;
        };
        let as_user = is_root().then_some("postgres");
        let dir = TempDir::new();
        if let Some(user) = as_user {
            chown(dir.path(), user);
        }
        let mut cluster = Postgres {
            bin,
            dir,
            as_user,
            port: 0,
            version,
        };
        cluster.init();
        cluster.launch(options);
        if options.stat_statements {
            cluster.psql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        }
        Some(cluster)
    }

    /// `postgres://postgres:PASSWORD@127.0.0.1:PORT/postgres`: TCP, password checked (scram).
    pub fn url(&self) -> String {
        format!("postgres://postgres:{PASSWORD}@127.0.0.1:{}/postgres", self.port)
    }

    /// Runs `sql` through `psql` on the cluster's socket and returns what it printed
    /// (unaligned, tuples only); panics with psql's message on failure.
    pub fn psql(&self, sql: &str) -> String {
        let socket = self.dir.path().display().to_string();
        let port = self.port.to_string();
        let out = self.run(
            Path::new("/usr/bin/psql"),
            &[
                "-X",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                &socket,
                "-p",
                &port,
                "-U",
                "postgres",
            ],
            &["-d", "postgres", "-c", sql],
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn init(&self) {
        let pwfile = self.dir.path().join("pw");
        std::fs::write(&pwfile, PASSWORD).expect("write password file");
        if let Some(user) = self.as_user {
            chown(&pwfile, user);
        }
        let data = self.data().display().to_string();
        let pw = format!("--pwfile={}", pwfile.display());
        self.run(
            &self.bin.join("initdb"),
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
            ],
            &[&pw, "--no-sync", "-E", "UTF8", "--locale=C"],
        );
        let _ = std::fs::remove_file(pwfile);
    }

    /// Starts the server on a free port; retries when another process took the port
    /// between our probe and the server's bind.
    fn launch(&mut self, options: Options) {
        let data = self.data().display().to_string();
        let log = self.dir.path().join("server.log").display().to_string();
        for _ in 0..5 {
            self.port = free_port();
            let mut settings = format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50",
                self.port,
                self.dir.path().display()
            );
            if options.stat_statements {
                settings.push_str(" -c shared_preload_libraries=pg_stat_statements");
                settings.push_str(" -c pg_stat_statements.track=all");
            }
            let out = self
                .command(&self.bin.join("pg_ctl"))
                .args(["-D", &data, "-l", &log, "-w", "-t", "60", "-o", &settings, "start"])
                .output()
                .expect("run pg_ctl");
            if out.status.success() {
                return;
            }
        }
        let log = std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
        panic!("PostgreSQL did not start; server.log:\n{log}");
    }

    fn command(&self, program: &Path) -> Command {
        match self.as_user {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(program);
                c
            }
            None => Command::new(program),
        }
    }

    fn run(&self, program: &Path, args: &[&str], more: &[&str]) -> Output {
        let out = self
            .command(program)
            .args(args)
            .args(more)
            .current_dir(self.dir.path())
            .output()
            .unwrap_or_else(|e| panic!("run {}: {e}", program.display()));
        assert!(
            out.status.success(),
            "{} failed: {}{}",
            program.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.data().display().to_string();
        let _ = self
            .command(&self.bin.join("pg_ctl"))
            .args(["-D", &data, "-m", "immediate", "-w", "stop"])
            .output();
        // TempDir's own drop removes the folder.
    }
}

/// The newest installed server's bin folder and its major version.
fn find_bin() -> Option<(PathBuf, u32)> {
    let entries = std::fs::read_dir("/usr/lib/postgresql").ok()?;
    entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((bin, version))
        })
        .max_by_key(|(_, version)| *version)
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn chown(path: &Path, user: &str) {
    let status = Command::new("chown").arg(user).arg(path).status().expect("run chown");
    assert!(
        status.success(),
        "chown {user} {} failed (run scripts/install-test-deps.sh)",
        path.display()
    );
}

/// A loopback port free right now (the server binds it a moment later; `launch` retries).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").port()
}
