//! Helpers shared by the integration tests: running the `loadcell` binary under a
//! wall-clock guard, reading its `--summary-json`, and servers on 127.0.0.1 (the
//! built-in target in-process, plus purpose-built ones for failure modes and protocols).

pub mod blackhole;
pub mod http_server;
pub mod raw_server;

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use loadcell_target::{Config, TargetHandle};
use serde_json::Value;

pub use blackhole::Blackhole;
pub use http_server::HttpServer;
pub use raw_server::RawServer;

/// No child process may live longer than this; a hang fails the test instead of CI.
pub const CHILD_GUARD: Duration = Duration::from_secs(60);

/// Path of the binary under test.
pub fn loadcell_bin() -> &'static str {
    env!("CARGO_BIN_EXE_loadcell")
}

// ---------------------------------------------------------------------------------------
// Temporary directories

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!(
            "loadcell-it-{}-{}-{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ---------------------------------------------------------------------------------------
// Running loadcell

/// A finished loadcell process.
pub struct Finished {
    /// `None` when killed by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// Wall time from spawn to exit.
    pub elapsed: Duration,
    /// The parsed `--summary-json`, when one was asked for and written.
    pub summary: Option<Value>,
}

impl Finished {
    /// The summary; panics with loadcell's output when there is none.
    pub fn summary(&self) -> &Value {
        match &self.summary {
            Some(v) => v,
            None => panic!("loadcell wrote no summary JSON\n{}", self.output()),
        }
    }

    /// stdout and stderr, for assertion messages.
    pub fn output(&self) -> String {
        format!(
            "exit code {:?} after {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.elapsed, self.stdout, self.stderr
        )
    }

    /// Exit code is `code` and nothing panicked.
    pub fn assert_exit(&self, code: i32) {
        self.assert_no_panic();
        assert_eq!(self.code, Some(code), "unexpected exit code\n{}", self.output());
    }

    pub fn assert_no_panic(&self) {
        for needle in ["panicked", "RUST_BACKTRACE", "stack backtrace"] {
            assert!(
                !self.stderr.contains(needle) && !self.stdout.contains(needle),
                "loadcell output contains {needle:?}\n{}",
                self.output()
            );
        }
    }
}

/// `loadcell run URL ARGS -q --summary-json FILE`, guarded; the summary is parsed.
pub fn run(url: &str, args: &[&str]) -> Finished {
    let dir = TempDir::new();
    let json = dir.path().join("summary.json");
    let mut full: Vec<OsString> = vec!["run".into(), url.into()];
    full.extend(args.iter().map(OsString::from));
    full.push("-q".into());
    full.push("--summary-json".into());
    full.push(json.clone().into_os_string());
    let mut finished = run_raw(&full);
    finished.summary = read_summary(&json);
    finished
}

/// `loadcell ARGS` exactly as given (no `-q`, no JSON), guarded.
pub fn run_raw<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Finished {
    let child = spawn(args);
    wait(child)
}

/// Spawns `loadcell ARGS` with piped output. Backtraces are enabled so that a panic
/// could not hide behind a short message.
pub fn spawn<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Running {
    let mut command = Command::new(loadcell_bin());
    command.args(args);
    adopt(command)
}

/// Spawns a prepared `loadcell` command (backtraces on, output piped and drained).
pub fn adopt(mut command: Command) -> Running {
    command
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = command.spawn().expect("spawn loadcell");
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    Running {
        child,
        started,
        stdout,
        stderr,
    }
}

/// A loadcell process still running, its output being drained on threads.
pub struct Running {
    pub child: Child,
    pub started: Instant,
    stdout: JoinHandle<String>,
    stderr: JoinHandle<String>,
}

impl Running {
    pub fn pid(&self) -> i32 {
        i32::try_from(self.child.id()).expect("pid fits i32")
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

/// Waits for the process, killing it (and failing) past [`CHILD_GUARD`].
pub fn wait(running: Running) -> Finished {
    let Running {
        mut child,
        started,
        stdout,
        stderr,
    } = running;
    let status: ExitStatus = loop {
        match child.try_wait().expect("try_wait") {
            Some(status) => break status,
            None if started.elapsed() > CHILD_GUARD => {
                let _ = child.kill();
                let _ = child.wait();
                let out = stdout.join().unwrap_or_default();
                let err = stderr.join().unwrap_or_default();
                panic!(
                    "loadcell still running after {CHILD_GUARD:?}; killed it\n--- stdout ---\n{out}\n--- stderr ---\n{err}"
                );
            }
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    };
    let elapsed = started.elapsed();
    Finished {
        code: status.code(),
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        elapsed,
        summary: None,
    }
}

/// Parses a summary file; `None` when it does not exist.
pub fn read_summary(path: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(serde_json::from_str(&text).unwrap_or_else(|e| panic!("summary JSON does not parse: {e}\n{text}")))
}

// ---------------------------------------------------------------------------------------
// Reading the summary

/// The value at a dotted path (`requests.total`, `endpoints.0.name`); panics if absent.
pub fn at<'a>(v: &'a Value, path: &str) -> &'a Value {
    let mut cur = v;
    for part in path.split('.') {
        let next = match (cur, part.parse::<usize>()) {
            (Value::Array(items), Ok(i)) => items.get(i),
            _ => cur.get(part),
        };
        cur = next.unwrap_or_else(|| panic!("summary has no '{path}' (stuck at '{part}' in {})", short(cur)));
    }
    cur
}

pub fn u64_at(v: &Value, path: &str) -> u64 {
    let x = at(v, path);
    x.as_u64()
        .unwrap_or_else(|| panic!("'{path}' is not an unsigned integer: {x}"))
}

pub fn f64_at(v: &Value, path: &str) -> f64 {
    let x = at(v, path);
    x.as_f64().unwrap_or_else(|| panic!("'{path}' is not a number: {x}"))
}

pub fn str_at<'a>(v: &'a Value, path: &str) -> &'a str {
    let x = at(v, path);
    x.as_str().unwrap_or_else(|| panic!("'{path}' is not a string: {x}"))
}

/// A JSON map of counts as `(key, count)` pairs.
pub fn counts_at(v: &Value, path: &str) -> Vec<(String, u64)> {
    let x = at(v, path);
    let map = x
        .as_object()
        .unwrap_or_else(|| panic!("'{path}' is not an object: {x}"));
    map.iter()
        .map(|(k, n)| {
            let n = n.as_u64().unwrap_or_else(|| panic!("'{path}.{k}' is not a count: {n}"));
            (k.clone(), n)
        })
        .collect()
}

/// A value shortened for messages.
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 400 {
        format!("{}…", s.chars().take(400).collect::<String>())
    } else {
        s
    }
}

/// Open model: every scheduled arrival completed, was dropped or was cut; none vanished.
pub fn assert_every_arrival_accounted(s: &Value, run: &Finished) {
    assert_eq!(
        u64_at(s, "iterations.scheduled"),
        u64_at(s, "iterations.total") + u64_at(s, "iterations.dropped") + u64_at(s, "iterations.cut"),
        "an arrival vanished\n{}",
        run.output()
    );
}

/// `actual` is within `tolerance` (a fraction) of `expected`.
pub fn within(actual: f64, expected: f64, tolerance: f64) -> bool {
    (actual - expected).abs() <= expected.abs() * tolerance
}

// ---------------------------------------------------------------------------------------
// Servers

/// The built-in target with `config`, on 127.0.0.1 and a free port.
pub fn target(config: Config) -> TargetHandle {
    TargetHandle::spawn(config).expect("start loadcell target")
}

/// The built-in target with no knobs: fast `200 OK` on `/`.
pub fn fast_target() -> TargetHandle {
    target(Config::default())
}

/// `http://127.0.0.1:PORT/` of a target.
pub fn url_of(handle: &TargetHandle) -> String {
    format!("{}/", handle.url())
}

/// A port on 127.0.0.1 where connections are refused. Rather than bind and release a port
/// (which a server started by a parallel test could then be given), a socket stays bound
/// to it without listening: nobody else can take the port, and the kernel answers every
/// SYN with RST. Released on drop.
pub struct RefusingPort {
    _socket: std::os::fd::OwnedFd,
    pub port: u16,
}

impl RefusingPort {
    pub fn new() -> RefusingPort {
        use std::os::fd::FromRawFd;
        // SAFETY: plain socket(2); the result is checked before use.
        let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) };
        assert!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
        // SAFETY: `fd` is a fresh descriptor that nothing else owns.
        let socket = unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) };
        let mut addr = libc::sockaddr_in {
            sin_family: libc::AF_INET as libc::sa_family_t,
            sin_port: 0,
            sin_addr: libc::in_addr {
                s_addr: u32::from(std::net::Ipv4Addr::LOCALHOST).to_be(),
            },
            sin_zero: [0; 8],
        };
        let mut len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        // SAFETY: `addr` is a valid sockaddr_in of `len` bytes for both calls.
        unsafe {
            let rc = libc::bind(fd, (&raw const addr).cast(), len);
            assert_eq!(rc, 0, "bind: {}", std::io::Error::last_os_error());
            let rc = libc::getsockname(fd, (&raw mut addr).cast(), &mut len);
            assert_eq!(rc, 0, "getsockname: {}", std::io::Error::last_os_error());
        }
        RefusingPort {
            _socket: socket,
            port: u16::from_be(addr.sin_port),
        }
    }

    /// `http://127.0.0.1:PORT/`
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }
}

/// Waits until `cond` holds, polling; false if `limit` passes first.
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
