//! Running loadcell against a hostile target and checking what every such run must hold:
//! it ends on time, nothing panics, the process's peak memory (from `wait4`'s rusage, not
//! loadcell's own report) stays bounded, and the summary's counts add up.

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// No run may live longer than this; a hang fails the test instead of CI.
const GUARD: Duration = Duration::from_secs(90);
/// Start-up, shutdown and scheduling slack on a loaded 2-core machine (debug build).
pub const SLACK: Duration = Duration::from_secs(10);
/// Peak RSS a run may reach against any of these targets: the debug build peaks at 17-19 MiB
/// against every one of them (the 200 MB body included), so this is several times that.
pub const RSS_LIMIT_MIB: u64 = 64;

/// A finished run.
pub struct Run {
    /// `None` when killed by a signal.
    pub code: Option<i32>,
    pub stderr: String,
    pub elapsed: Duration,
    pub max_rss_mib: u64,
    pub summary: Option<Value>,
}

/// `loadcell run URL ARGS -q --summary-json FILE`.
pub fn run(url: &str, args: &[&str]) -> Run {
    run_limited(url, args, None)
}

/// Like [`run`], with the soft and hard limit on open files set to `nofile` for the child.
#[expect(clippy::zombie_processes, reason = "reaped by wait4, which also gives its peak RSS")]
pub fn run_limited(url: &str, args: &[&str], nofile: Option<u64>) -> Run {
    let json = temp_path("summary.json");
    let mut command = Command::new(env!("CARGO_BIN_EXE_loadcell"));
    command
        .arg("run")
        .arg(url)
        .args(args)
        .arg("-q")
        .arg("--summary-json")
        .arg(&json)
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(n) = nofile {
        // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            command.pre_exec(move || {
                let limit = libc::rlimit {
                    rlim_cur: n,
                    rlim_max: n,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) == 0 {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            });
        }
    }
    let started = Instant::now();
    let mut child = command.spawn().expect("spawn loadcell");
    let stderr = drain(child.stderr.take());
    let pid = i32::try_from(child.id()).expect("pid");
    let (status, max_rss_kib) = wait_with_rusage(pid, started);
    let elapsed = started.elapsed();
    let summary = std::fs::read_to_string(&json)
        .ok()
        .map(|text| serde_json::from_str(&text).unwrap_or_else(|e| panic!("summary does not parse: {e}\n{text}")));
    let _ = std::fs::remove_file(&json);
    // Shown with --nocapture: what each hostile run cost.
    eprintln!(
        "loadcell run {url} {}: {:?}, peak RSS {} MiB",
        args.join(" "),
        started.elapsed(),
        max_rss_kib / 1024
    );
    Run {
        code: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
        stderr: stderr.join().unwrap_or_default(),
        elapsed,
        max_rss_mib: u64::try_from(max_rss_kib).unwrap_or(0) / 1024,
        summary,
    }
}

/// Waits for `pid` with `wait4`, which also gives its peak RSS (KiB); kills it past [`GUARD`].
fn wait_with_rusage(pid: i32, started: Instant) -> (i32, i64) {
    loop {
        let mut status = 0;
        // SAFETY: an all-zero rusage is a valid value for wait4 to overwrite.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `pid` is our own child; status and usage point to live locals.
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        assert!(reaped >= 0, "wait4: {}", std::io::Error::last_os_error());
        if reaped == pid {
            return (status, usage.ru_maxrss);
        }
        if started.elapsed() > GUARD {
            // SAFETY: plain kill(2) of our own child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("loadcell still running after {GUARD:?}; killed it");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn temp_path(name: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    std::env::temp_dir().join(format!(
        "loadcell-hostile-{}-{}-{name}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ))
}

impl Run {
    pub fn output(&self) -> String {
        format!(
            "exit {:?} after {:?}, peak RSS {} MiB\n--- stderr ---\n{}\n--- summary (excerpt) ---\n{}",
            self.code,
            self.elapsed,
            self.max_rss_mib,
            self.stderr,
            self.summary.as_ref().map_or("none".to_string(), excerpt)
        )
    }

    /// What every run against a hostile target must hold: exit `code` within `budget`, no
    /// panic, peak RSS under [`RSS_LIMIT_MIB`], and counts that add up.
    pub fn assert_sane(&self, code: i32, budget: Duration) {
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("stack backtrace"),
            "loadcell panicked\n{}",
            self.output()
        );
        assert_eq!(self.code, Some(code), "exit code\n{}", self.output());
        assert!(
            self.elapsed <= budget + SLACK,
            "took {:?}, more than {budget:?} + {SLACK:?}\n{}",
            self.elapsed,
            self.output()
        );
        assert!(
            self.max_rss_mib <= RSS_LIMIT_MIB,
            "peak RSS {} MiB over {RSS_LIMIT_MIB} MiB\n{}",
            self.max_rss_mib,
            self.output()
        );
        self.assert_counts_add_up();
    }

    /// requests.total = ok + failed = responses by status + transport errors, overall and
    /// per endpoint.
    pub fn assert_counts_add_up(&self) {
        let s = self.summary();
        let total = count(s, &["requests", "total"]);
        let ok = count(s, &["requests", "ok"]);
        let failed = count(s, &["requests", "failed"]);
        assert_eq!(total, ok + failed, "total = ok + failed\n{}", self.output());
        let statuses: u64 = counts(s, "status_codes").values().sum();
        let errors: u64 = self.errors().values().sum();
        assert_eq!(total, statuses + errors, "total = statuses + errors\n{}", self.output());
        let by_endpoint: u64 = s["endpoints"]
            .as_array()
            .map_or(0, |eps| eps.iter().map(|e| e["requests"].as_u64().unwrap_or(0)).sum());
        assert_eq!(total, by_endpoint, "total = sum over endpoints\n{}", self.output());
    }

    pub fn summary(&self) -> &Value {
        self.summary
            .as_ref()
            .unwrap_or_else(|| panic!("no summary written\n{}", self.output()))
    }

    /// Transport errors by kind.
    pub fn errors(&self) -> BTreeMap<String, u64> {
        counts(self.summary(), "errors")
    }

    pub fn count(&self, path: &[&str]) -> u64 {
        count(self.summary(), path)
    }

    /// Every request failed, and only with `kind`; returns how many there were.
    pub fn assert_all_failed_as(&self, kind: &str) -> u64 {
        let total = self.count(&["requests", "total"]);
        assert!(total > 0, "no requests\n{}", self.output());
        let expected = BTreeMap::from([(kind.to_string(), total)]);
        assert_eq!(self.errors(), expected, "errors by kind\n{}", self.output());
        total
    }

    /// The first messages kept for error `kind`.
    pub fn messages(&self, kind: &str) -> Vec<String> {
        self.summary()["error_messages"][kind]
            .as_array()
            .map(|list| list.iter().filter_map(|m| m.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    }
}

fn count(v: &Value, path: &[&str]) -> u64 {
    let mut cur = v;
    for part in path {
        cur = &cur[*part];
    }
    cur.as_u64().unwrap_or_else(|| panic!("{path:?} is not a count: {cur}"))
}

fn counts(v: &Value, key: &str) -> BTreeMap<String, u64> {
    v[key]
        .as_object()
        .map(|m| m.iter().map(|(k, n)| (k.clone(), n.as_u64().unwrap_or(0))).collect())
        .unwrap_or_default()
}

fn excerpt(v: &Value) -> String {
    let keep = [
        "requests",
        "errors",
        "error_messages",
        "status_codes",
        "data",
        "thresholds",
        "stop_reason",
    ];
    let picked: serde_json::Map<String, Value> = keep
        .iter()
        .filter_map(|k| v.get(*k).map(|x| (k.to_string(), x.clone())))
        .collect();
    serde_json::to_string_pretty(&picked).unwrap_or_default()
}
