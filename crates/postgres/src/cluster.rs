//! A throw-away PostgreSQL cluster, for `loadcell demo`'s database act and the tests:
//! `initdb` in a fresh temporary folder, the server on a free loopback port (and a Unix
//! socket in that folder, never the system's), optionally `pg_stat_statements` preloaded
//! and created, a password on the superuser; stopped (`pg_ctl stop -m immediate`) and the
//! folder removed when the [`Cluster`] is dropped — on every path out, errors included.
//!
//! The binaries are the ones Debian's packages install (`/usr/lib/postgresql/<version>/bin`,
//! found by [`installed`]). The server refuses to run as root, so under root every command
//! runs as the `postgres` user (`runuser`), which then owns the folder. Every command runs
//! in its own process group, so a Ctrl-C at the terminal reaches loadcell (which counts it
//! and winds down) and not the cluster's tools halfway through.
//!
//! [`remove_abandoned`] stops and removes the clusters of loadcell processes that are gone.
//!
//! Does not: choose the password (the caller does; [`random_password`] makes one), or
//! print anything.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU64, Ordering};

/// How to get the server binaries, for messages that say they are missing.
pub const INSTALL_HINT: &str = "apt-get install postgresql postgresql-contrib (or bash scripts/install-test-deps.sh)";

/// Why a cluster could not be started (never carries the password).
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// A file or folder of the cluster could not be made.
    #[error("throw-away PostgreSQL: {what}: {source}")]
    Io { what: String, source: std::io::Error },
    /// One of PostgreSQL's tools failed; its own words.
    #[error("throw-away PostgreSQL: {tool} failed: {detail}")]
    Tool { tool: String, detail: String },
}

/// The newest installed server: its bin folder and major version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    pub bin: PathBuf,
    pub version: u32,
}

/// The newest server under `/usr/lib/postgresql/*/bin`, or `None` when none is installed.
pub fn installed() -> Option<Installed> {
    installed_under(Path::new("/usr/lib/postgresql"))
}

/// The newest `ROOT/<major version>/bin` that holds `initdb`.
fn installed_under(root: &Path) -> Option<Installed> {
    let entries = std::fs::read_dir(root).ok()?;
    entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some(Installed { bin, version })
        })
        .max_by_key(|i| i.version)
}

/// What the cluster is started with.
#[derive(Debug, Clone)]
pub struct Options {
    /// Preload `pg_stat_statements` and create the extension in database `postgres`.
    pub stat_statements: bool,
    /// The superuser's password (TCP connections are checked with scram-sha-256).
    pub password: String,
}

/// A running cluster; stopped and deleted on drop.
pub struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    /// Run commands as this user (`runuser -u`) because we are root.
    as_user: Option<&'static str>,
    password: String,
    port: u16,
    version: u32,
    running: bool,
}

impl Cluster {
    /// Creates, starts and (with `stat_statements`) prepares a cluster. Whatever was made
    /// before a failure is removed again before the error returns.
    pub fn start(server: &Installed, options: &Options) -> Result<Cluster, ClusterError> {
        let as_user = is_root().then_some("postgres");
        let mut cluster = Cluster {
            bin: server.bin.clone(),
            dir: fresh_dir()?,
            as_user,
            password: options.password.clone(),
            port: 0,
            version: server.version,
            running: false,
        };
        if let Some(user) = as_user {
            chown(&cluster.dir, user)?;
        }
        cluster.init()?;
        cluster.launch(options.stat_statements)?;
        if options.stat_statements {
            cluster.psql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")?;
        }
        Ok(cluster)
    }

    /// `postgres://postgres:PASSWORD@127.0.0.1:PORT/postgres`: TCP, password checked.
    /// Holds the password: hand it to a client, never to output.
    pub fn url(&self) -> String {
        format!("postgres://postgres:{}@127.0.0.1:{}/postgres", self.password, self.port)
    }

    /// `127.0.0.1:PORT/postgres`, as `--postgres` names the database.
    pub fn place(&self) -> String {
        format!("127.0.0.1:{}/postgres", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's major version.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The folder that holds the data and the socket (removed on drop).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Runs `sql` through `psql` on the cluster's socket; what it printed (unaligned,
    /// tuples only, trimmed).
    pub fn psql(&self, sql: &str) -> Result<String, ClusterError> {
        let socket = self.dir.display().to_string();
        let port = self.port.to_string();
        let args = [
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
            "-d",
            "postgres",
            "-c",
            sql,
        ];
        let out = self.run("psql", &args)?;
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Stops the server (immediately: it holds nothing worth keeping) and removes the folder.
    fn stop(&mut self) {
        if self.running {
            let data = self.data().display().to_string();
            let _ = self
                .command("pg_ctl")
                .args(["-D", &data, "-m", "immediate", "-w", "stop"])
                .output();
            self.running = false;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn init(&self) -> Result<(), ClusterError> {
        let pwfile = self.dir.join("pw");
        std::fs::write(&pwfile, &self.password).map_err(|source| ClusterError::Io {
            what: "cannot write the password file".into(),
            source,
        })?;
        if let Some(user) = self.as_user {
            chown(&pwfile, user)?;
        }
        let data = self.data().display().to_string();
        let pw = format!("--pwfile={}", pwfile.display());
        let args = [
            "-D",
            &data,
            "-U",
            "postgres",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            &pw,
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        ];
        let result = self.run("initdb", &args);
        let _ = std::fs::remove_file(pwfile);
        result.map(|_| ())
    }

    /// Starts the server on a free port; retries when another process took the port
    /// between our probe and the server's bind.
    fn launch(&mut self, stat_statements: bool) -> Result<(), ClusterError> {
        let data = self.data().display().to_string();
        let log = self.dir.join("server.log").display().to_string();
        for _ in 0..5 {
            self.port = free_port()?;
            let mut settings = format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50",
                self.port,
                self.dir.display()
            );
            if stat_statements {
                settings.push_str(" -c shared_preload_libraries=pg_stat_statements");
                settings.push_str(" -c pg_stat_statements.track=all");
            }
            // Marked running first: a pg_ctl that timed out may have left a server behind.
            self.running = true;
            let out = self
                .command("pg_ctl")
                .args(["-D", &data, "-l", &log, "-w", "-t", "60", "-o", &settings, "start"])
                .output()
                .map_err(|source| ClusterError::Io {
                    what: "cannot run pg_ctl".into(),
                    source,
                })?;
            if out.status.success() {
                return Ok(());
            }
        }
        let log = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(3).collect();
        Err(ClusterError::Tool {
            tool: "pg_ctl start".into(),
            detail: tail.into_iter().rev().collect::<Vec<_>>().join(" | "),
        })
    }

    fn command(&self, tool: &str) -> Command {
        let program = self.bin.join(tool);
        let mut c = match self.as_user {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(program);
                c
            }
            None => Command::new(program),
        };
        c.current_dir(&self.dir).process_group(0);
        c
    }

    fn run(&self, tool: &str, args: &[&str]) -> Result<Output, ClusterError> {
        let out = self
            .command(tool)
            .args(args)
            .output()
            .map_err(|source| ClusterError::Io {
                what: format!("cannot run {tool}"),
                source,
            })?;
        if out.status.success() {
            return Ok(out);
        }
        let words = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        Err(ClusterError::Tool {
            tool: tool.into(),
            detail: words.trim().replace(&self.password, "********"),
        })
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Stops and removes the clusters of loadcell processes that are gone (killed with no chance
/// to clean up: `SIGKILL`, a power cut); the number removed. A cluster whose process still
/// runs — another demo, a test — is left alone.
pub fn remove_abandoned(server: &Installed) -> usize {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(owner) = owner_of(&name) else {
            continue;
        };
        if Path::new("/proc").join(owner.to_string()).exists() {
            continue;
        }
        let mut abandoned = Cluster {
            bin: server.bin.clone(),
            dir: entry.path(),
            as_user: is_root().then_some("postgres"),
            password: String::new(),
            port: 0,
            version: server.version,
            running: entry.path().join("data/postmaster.pid").exists(),
        };
        abandoned.stop();
        removed += 1;
    }
    removed
}

/// The process id in `loadcell-postgres-PID-N`.
fn owner_of(name: &str) -> Option<u32> {
    let rest = name.strip_prefix("loadcell-postgres-")?;
    let (pid, n) = rest.split_once('-')?;
    n.parse::<u64>().ok()?;
    pid.parse().ok()
}

/// A password of 24 hexadecimal digits from the kernel's random source (the clock and the
/// process id when that cannot be read: the cluster only listens on loopback and lives for
/// one demo).
pub fn random_password() -> String {
    let mut bytes = [0u8; 12];
    let read = std::fs::File::open("/dev/urandom").and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes));
    if read.is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let mixed = nanos ^ (u128::from(std::process::id()) << 64);
        bytes.copy_from_slice(&mixed.to_le_bytes()[..12]);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `TMP/loadcell-postgres-PID-N`, created new (never an existing folder).
fn fresh_dir() -> Result<PathBuf, ClusterError> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let mut last = None;
    for _ in 0..100 {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("loadcell-postgres-{}-{n}", std::process::id()));
        match std::fs::create_dir(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(source) => {
                return Err(ClusterError::Io {
                    what: format!("cannot create {}", path.display()),
                    source,
                });
            }
        }
    }
    Err(ClusterError::Io {
        what: "cannot create a fresh temporary folder".into(),
        source: last.unwrap_or_else(|| std::io::Error::other("every name taken")),
    })
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn chown(path: &Path, user: &str) -> Result<(), ClusterError> {
    let out = Command::new("chown")
        .arg(user)
        .arg(path)
        .output()
        .map_err(|source| ClusterError::Io {
            what: "cannot run chown".into(),
            source,
        })?;
    if out.status.success() {
        return Ok(());
    }
    Err(ClusterError::Tool {
        tool: format!("chown {user}"),
        detail: format!(
            "{} (the server refuses root and runs as the '{user}' user that PostgreSQL's packages create)",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
    })
}

/// A loopback port free right now (the server binds it a moment later; `launch` retries).
fn free_port() -> Result<u16, ClusterError> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|source| ClusterError::Io {
            what: "cannot find a free loopback port".into(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_random_password_is_24_hex_digits_and_differs_each_time() {
        let a = random_password();
        assert_eq!(a.len(), 24);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()), "{a}");
        assert_ne!(a, random_password());
    }

    #[test]
    fn a_cluster_folder_names_its_owner() {
        assert_eq!(owner_of("loadcell-postgres-4242-0"), Some(4242));
        assert_eq!(owner_of("loadcell-postgres-4242-17"), Some(4242));
        assert_eq!(owner_of("loadcell-postgres-4242"), None);
        assert_eq!(owner_of("loadcell-postgres-x-0"), None);
        assert_eq!(owner_of("loadcell-demo-4242"), None);
    }

    #[test]
    fn the_newest_version_with_initdb_is_the_server_and_none_is_none() {
        let root = fresh_dir().expect("temp folder");
        assert_eq!(installed_under(&root.join("missing")), None);
        assert_eq!(installed_under(&root), None);
        for (version, with_initdb) in [("13", true), ("16", false), ("15", true), ("common", true)] {
            let bin = root.join(version).join("bin");
            std::fs::create_dir_all(&bin).expect("bin");
            if with_initdb {
                std::fs::write(bin.join("initdb"), "").expect("initdb");
            }
        }
        let found = installed_under(&root);
        let _ = std::fs::remove_dir_all(&root);
        assert_eq!(
            found,
            Some(Installed {
                bin: root.join("15").join("bin"),
                version: 15
            })
        );
    }
}
