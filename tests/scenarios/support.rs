//! Helpers for the scenario tests: scenario files in temporary directories, the `loadcell`
//! binary run under a wall-clock guard with its `--summary-json` parsed, lookups into the
//! summary's `journeys[]`, `checks[]` and `endpoints[]`, the built-in shop target, and a
//! small hyper server that records every request (method, path with query, headers, body)
//! so that tests can see exactly what the templates rendered.
//!
//! Written for this test binary (not shared with `tests/support/`, which another test
//! binary owns) so that the two evolve independently.

use std::convert::Infallible;
use std::ffi::OsString;
use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use loadcell_target::{Config, StatsSnapshot, TargetHandle};
use serde_json::Value;
use tokio::sync::oneshot;

/// No loadcell process may live longer than this; a hang fails the test instead of CI.
pub const CHILD_GUARD: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------------------
// Temporary directories and scenario files

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!(
            "loadcell-scen-{}-{}-{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `name` in this directory and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("write file");
        path
    }

    /// Writes the seeded users of the shop target as `users.csv` (`name,password`, 1000 rows).
    pub fn users_csv(&self) -> PathBuf {
        self.write("users.csv", &loadcell_target::users_csv())
    }

    /// The first `n` seeded users as `name` (`name,password`).
    pub fn first_users_csv(&self, name: &str, n: usize) -> PathBuf {
        let full = loadcell_target::users_csv();
        let text: Vec<&str> = full.lines().take(n + 1).collect();
        self.write(name, &(text.join("\n") + "\n"))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ---------------------------------------------------------------------------------------
// Running loadcell

/// Path of the binary under test.
pub fn loadcell_bin() -> &'static str {
    env!("CARGO_BIN_EXE_loadcell")
}

/// A finished loadcell process.
pub struct Finished {
    /// `None` when killed by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
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

    /// The non-empty lines of stderr.
    pub fn stderr_lines(&self) -> Vec<&str> {
        self.stderr.lines().filter(|l| !l.trim().is_empty()).collect()
    }
}

/// Runs of loadcell share the machine; the demo's latency thresholds need it alone.
static MACHINE: RwLock<()> = RwLock::new(());

/// `loadcell ARGS` with no other loadcell of this test binary running (waits for those in
/// flight; new ones wait for it). For runs whose verdict depends on latency.
pub fn loadcell_alone<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Finished {
    let _alone = MACHINE.write().unwrap_or_else(|e| e.into_inner());
    spawn_and_wait(args, &[])
}

/// `loadcell ARGS` exactly as given, with `env` added to its environment, guarded.
pub fn loadcell_env<S: AsRef<std::ffi::OsStr>>(args: &[S], env: &[(&str, &str)]) -> Finished {
    let _shared = MACHINE.read().unwrap_or_else(|e| e.into_inner());
    spawn_and_wait(args, env)
}

fn spawn_and_wait<S: AsRef<std::ffi::OsStr>>(args: &[S], env: &[(&str, &str)]) -> Finished {
    let mut command = Command::new(loadcell_bin());
    command
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let started = Instant::now();
    let mut child = command.spawn().expect("spawn loadcell");
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = loop {
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
    Finished {
        code: status.code(),
        elapsed: started.elapsed(),
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        summary: None,
    }
}

/// `loadcell ARGS` exactly as given, guarded.
pub fn loadcell<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Finished {
    loadcell_env(args, &[])
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

/// `loadcell run FILE ARGS -q --summary-json SUMMARY` with `env`; the summary is parsed.
pub fn run_file_env(file: &Path, args: &[&str], env: &[(&str, &str)]) -> Finished {
    let dir = TempDir::new();
    let json = dir.path().join("summary.json");
    let mut full: Vec<OsString> = vec!["run".into(), file.as_os_str().to_owned()];
    full.extend(args.iter().map(OsString::from));
    full.push("-q".into());
    full.push("--summary-json".into());
    full.push(json.clone().into_os_string());
    let mut finished = loadcell_env(&full, env);
    finished.summary = read_summary(&json);
    finished
}

/// `loadcell run FILE ARGS -q --summary-json SUMMARY`; the summary is parsed.
pub fn run_file(file: &Path, args: &[&str]) -> Finished {
    run_file_env(file, args, &[])
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

fn items<'a>(summary: &'a Value, section: &str) -> &'a Vec<Value> {
    at(summary, section)
        .as_array()
        .unwrap_or_else(|| panic!("'{section}' is not a list"))
}

/// The entry of `journeys[]` named `name`.
pub fn journey<'a>(summary: &'a Value, name: &str) -> &'a Value {
    items(summary, "journeys")
        .iter()
        .find(|j| j["name"] == name)
        .unwrap_or_else(|| panic!("no journey '{name}' in {}", short(&summary["journeys"])))
}

/// The entry of `checks[]` of `journey` / `step` named `name`.
pub fn check<'a>(summary: &'a Value, journey: &str, step: &str, name: &str) -> &'a Value {
    items(summary, "checks")
        .iter()
        .find(|c| c["journey"] == journey && c["step"] == step && c["name"] == name)
        .unwrap_or_else(|| {
            panic!(
                "no check '{name}' of step '{step}' of journey '{journey}' in {}",
                short(&summary["checks"])
            )
        })
}

/// `(passed, failed)` of a check.
pub fn check_counts(summary: &Value, journey: &str, step: &str, name: &str) -> (u64, u64) {
    let c = check(summary, journey, step, name);
    (u64_at(c, "passed"), u64_at(c, "failed"))
}

/// The entry of `endpoints[]` named `name` (`METHOD /path`).
pub fn endpoint<'a>(summary: &'a Value, name: &str) -> &'a Value {
    items(summary, "endpoints")
        .iter()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("no endpoint '{name}' in {}", endpoint_names(summary).join(" | ")))
}

/// The names of all endpoints, in order.
pub fn endpoint_names(summary: &Value) -> Vec<String> {
    items(summary, "endpoints")
        .iter()
        .map(|e| e["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The threshold whose expression is `expr`.
pub fn threshold<'a>(summary: &'a Value, expr: &str) -> &'a Value {
    items(summary, "thresholds")
        .iter()
        .find(|t| t["expr"] == expr)
        .unwrap_or_else(|| panic!("no threshold '{expr}' in {}", short(&summary["thresholds"])))
}

/// Sum of `checks[].failed` over every check.
pub fn failed_checks(summary: &Value) -> u64 {
    items(summary, "checks").iter().map(|c| u64_at(c, "failed")).sum()
}

/// Sum of `checks[].passed` over every check.
pub fn passed_checks(summary: &Value) -> u64 {
    items(summary, "checks").iter().map(|c| u64_at(c, "passed")).sum()
}

/// A value shortened for messages.
pub fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 600 {
        format!("{}…", s.chars().take(600).collect::<String>())
    } else {
        s
    }
}

// ---------------------------------------------------------------------------------------
// The shop target

/// The built-in shop target with no knobs, on 127.0.0.1 and a free port.
pub fn shop() -> TargetHandle {
    TargetHandle::spawn(Config::default()).expect("start loadcell target")
}

/// Count of a route label in `by_route` (0 when absent).
pub fn route(stats: &StatsSnapshot, label: &str) -> u64 {
    stats.by_route.get(label).copied().unwrap_or(0)
}

/// Count of a status code in `by_status` (0 when absent).
pub fn status(stats: &StatsSnapshot, code: u16) -> u64 {
    stats.by_status.get(&code.to_string()).copied().unwrap_or(0)
}

// ---------------------------------------------------------------------------------------
// A recording server

/// One request as the recording server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path and query, as sent.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON; panics when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The value of query parameter `name` (not URL-decoded).
    pub fn query(&self, name: &str) -> Option<&str> {
        let (_, query) = self.path.split_once('?')?;
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }
}

/// The JSON every request of the recording server gets: a product list with ids 1..=50.
pub fn recorder_body() -> String {
    let items: Vec<String> = (1..=50).map(|i| format!("{{\"id\":{i},\"name\":\"p{i}\"}}")).collect();
    format!("{{\"items\":[{}],\"total\":50,\"ok\":true}}", items.join(","))
}

/// An HTTP server on 127.0.0.1 that answers every request `200` with [`recorder_body`]
/// and keeps every request in full, in arrival order; stops on drop.
pub struct Recorder {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Recorder {
    pub fn start() -> Recorder {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener.set_nonblocking(true).expect("nonblocking listener");
        let addr = listener.local_addr().expect("local addr");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let thread = {
            let seen = seen.clone();
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("server runtime");
                runtime.block_on(accept_loop(listener, seen, stop_rx));
            })
        };
        Recorder {
            addr,
            seen,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request so far, in arrival order.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn accept_loop(listener: std::net::TcpListener, seen: Arc<Mutex<Vec<Seen>>>, mut stop: oneshot::Receiver<()>) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
    let body = Bytes::from(recorder_body());
    loop {
        let accepted = tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((tcp, _)) = accepted else { continue };
        let _ = tcp.set_nodelay(true);
        let seen = seen.clone();
        let body = body.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req: Request<Incoming>| {
                let seen = seen.clone();
                let body = body.clone();
                async move {
                    let (parts, incoming) = req.into_parts();
                    let bytes = incoming.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
                    let path = parts
                        .uri
                        .path_and_query()
                        .map_or_else(|| parts.uri.path().to_string(), |pq| pq.as_str().to_string());
                    if let Ok(mut seen) = seen.lock() {
                        seen.push(Seen {
                            method: parts.method.to_string(),
                            path,
                            headers: parts
                                .headers
                                .iter()
                                .map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                                .collect(),
                            body: bytes.to_vec(),
                        });
                    }
                    let response = Response::builder()
                        .header("content-type", "application/json")
                        .body(Full::new(body))
                        .expect("response");
                    Ok::<_, Infallible>(response)
                }
            });
            let _ = auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(tcp), service)
                .await;
        });
    }
}
