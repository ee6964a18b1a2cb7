//! The `loadcell` binary under a wall-clock guard: a hang fails the test (after killing
//! the process) instead of hanging CI; output is drained on threads so a chatty process
//! never blocks on a full pipe; backtraces are on, so a panic could not hide behind a short
//! message. Every process holds the machine lock (see the crate docs) while it runs.

use crate::summary::read_summary;
use crate::temp::TempDir;
use serde_json::Value;
use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// No child process may live longer than this by default.
pub const CHILD_GUARD: Duration = Duration::from_secs(60);

/// Runs of loadcell share the machine; timing-sensitive runs take it alone.
static MACHINE: RwLock<()> = RwLock::new(());

thread_local! {
    /// Set while this thread holds [`alone`]: its processes take no lock of their own.
    static HOLDS_MACHINE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The machine, held alone until dropped: for a timing-sensitive test that must prepare
/// something in time with its run (align with a target's clock, then start). The
/// processes this thread starts meanwhile run under it.
pub struct Alone {
    _guard: RwLockWriteGuard<'static, ()>,
}

/// Takes the machine alone: waits for the runs in flight; new ones wait for the guard.
pub fn alone() -> Alone {
    let guard = MACHINE.write().unwrap_or_else(|e| e.into_inner());
    HOLDS_MACHINE.with(|h| h.set(true));
    Alone { _guard: guard }
}

impl Drop for Alone {
    fn drop(&mut self) {
        HOLDS_MACHINE.with(|h| h.set(false));
    }
}

/// The binary under test: `CARGO_BIN_EXE_loadcell` when Cargo sets it at run time, else
/// `loadcell` beside the test binary's `deps/` folder (where Cargo puts it).
pub fn loadcell_bin() -> PathBuf {
    if let Some(path) = std::env::var_os("CARGO_BIN_EXE_loadcell") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let dir = exe.parent().expect("the test binary's folder");
    let dir = if dir.ends_with("deps") {
        dir.parent().expect("the target folder")
    } else {
        dir
    };
    dir.join(format!("loadcell{}", std::env::consts::EXE_SUFFIX))
}

/// A `loadcell` command line to run.
#[must_use]
pub struct Loadcell {
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    dir: Option<PathBuf>,
    guard: Duration,
    alone: bool,
    /// `RLIMIT_NOFILE` (soft, hard) for the child.
    nofile: Option<(u64, u64)>,
    /// The network namespace (an `ip netns` name) the child runs in.
    netns: Option<String>,
}

/// Holds the machine lock while a process runs.
enum Hold {
    Shared {
        _guard: RwLockReadGuard<'static, ()>,
    },
    Alone {
        _guard: RwLockWriteGuard<'static, ()>,
    },
    /// This thread holds [`alone`].
    Held,
}

impl Loadcell {
    /// `loadcell ARGS`, exactly as given.
    pub fn new<S: AsRef<OsStr>>(args: &[S]) -> Loadcell {
        Loadcell {
            args: args.iter().map(|a| a.as_ref().to_owned()).collect(),
            env: Vec::new(),
            dir: None,
            guard: CHILD_GUARD,
            alone: false,
            nofile: None,
            netns: None,
        }
    }

    /// Adds `key=value` to the process's environment.
    pub fn env(mut self, key: &str, value: &str) -> Loadcell {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Runs the process in `dir` (relative paths and default results folders land there).
    pub fn current_dir(mut self, dir: &Path) -> Loadcell {
        self.dir = Some(dir.to_path_buf());
        self
    }

    /// Kills the process (and fails) after `limit` instead of [`CHILD_GUARD`].
    pub fn guard(mut self, limit: Duration) -> Loadcell {
        self.guard = limit;
        self
    }

    /// A run whose verdict depends on timing: no other loadcell of this test binary runs
    /// beside it (it waits for the runs in flight; new ones wait for it).
    pub fn alone(mut self) -> Loadcell {
        self.alone = true;
        self
    }

    /// Runs the process with its descriptor limit set: `soft` and `hard` (`ulimit -Sn`, `-Hn`).
    pub fn nofile(mut self, soft: u64, hard: u64) -> Loadcell {
        self.nofile = Some((soft, hard));
        self
    }

    /// Runs the process in network namespace `name` (as `ip netns exec NAME` would, but
    /// joined between fork and exec: the child's pid is loadcell's own, so signals reach
    /// it, and its mounts are the test's). See [`crate::netns::Netns`].
    pub fn netns(mut self, name: &str) -> Loadcell {
        self.netns = Some(name.to_string());
        self
    }

    /// Starts the process with piped output.
    pub fn spawn(self) -> Running {
        let hold = if HOLDS_MACHINE.with(std::cell::Cell::get) {
            Hold::Held
        } else if self.alone {
            Hold::Alone {
                _guard: MACHINE.write().unwrap_or_else(|e| e.into_inner()),
            }
        } else {
            Hold::Shared {
                _guard: MACHINE.read().unwrap_or_else(|e| e.into_inner()),
            }
        };
        // Without a directory of its own, the process runs in a fresh one removed when it
        // ends, so that default results folders (`./loadcell-results/`) never land in the
        // repository; paths the test named relative to its own directory still work.
        let scratch = self.dir.is_none().then(TempDir::new);
        let args: Vec<OsString> = match &scratch {
            // The first argument is the subcommand (`target` is also a folder here).
            Some(_) => self
                .args
                .iter()
                .enumerate()
                .map(|(i, a)| if i == 0 { a.clone() } else { absolute_if_present(a) })
                .collect(),
            None => self.args.clone(),
        };
        let mut command = Command::new(loadcell_bin());
        command
            .args(&args)
            .env("RUST_BACKTRACE", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in &self.env {
            command.env(k, v);
        }
        if let Some(dir) = self.dir.as_deref().or(scratch.as_ref().map(TempDir::path)) {
            command.current_dir(dir);
        }
        if let Some((soft, hard)) = self.nofile {
            limit_descriptors(&mut command, soft, hard);
        }
        // Kept open until the child has joined it (after spawn returns).
        let _namespace = self.netns.as_deref().map(|name| join_namespace(&mut command, name));
        let started = Instant::now();
        let mut child = command.spawn().expect("spawn loadcell");
        let stdout = drain(child.stdout.take());
        let stderr = drain(child.stderr.take());
        Running {
            child,
            started,
            guard: self.guard,
            stdout,
            stderr,
            _hold: hold,
            _scratch: scratch,
        }
    }

    /// Runs the process to its end.
    pub fn run(self) -> Finished {
        self.spawn().wait()
    }
}

/// Sets the child's `RLIMIT_NOFILE` between fork and exec.
pub fn limit_descriptors(command: &mut Command, soft: u64, hard: u64) {
    use std::os::unix::process::CommandExt;
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        command.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: soft,
                rlim_max: hard,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Makes the child join network namespace `name` between fork and exec; the returned
/// file must stay open until the child is spawned.
fn join_namespace(command: &mut Command, name: &str) -> std::fs::File {
    use std::os::fd::AsRawFd;
    use std::os::unix::process::CommandExt;
    let path = crate::netns::path_of(name);
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("network namespace {}: {e}", path.display()));
    let fd = file.as_raw_fd();
    // SAFETY: setns(2) is a plain system call, async-signal-safe; `fd` stays open in the
    // parent (and so in the child) until spawn returns.
    unsafe {
        command.pre_exec(move || {
            if libc::setns(fd, libc::CLONE_NEWNET) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    file
}

/// `arg` made absolute when it is a relative path that exists from the test's directory
/// (a scenario file of the repository, say); anything else as given.
fn absolute_if_present(arg: &OsStr) -> OsString {
    let path = Path::new(arg);
    if path.is_relative()
        && !arg.is_empty()
        && path.exists()
        && let Ok(absolute) = std::path::absolute(path)
    {
        return absolute.into_os_string();
    }
    arg.to_owned()
}

/// `loadcell ARGS` exactly as given, guarded.
pub fn run_raw<S: AsRef<OsStr>>(args: &[S]) -> Finished {
    Loadcell::new(args).run()
}

/// Spawns `loadcell ARGS` with piped output.
pub fn spawn<S: AsRef<OsStr>>(args: &[S]) -> Running {
    Loadcell::new(args).spawn()
}

/// `loadcell run TARGET ARGS -q --summary-json FILE` (TARGET a URL or a scenario file),
/// guarded; the summary is parsed.
pub fn run_summary(target: &OsStr, args: &[&str], command: impl FnOnce(Loadcell) -> Loadcell) -> Finished {
    let dir = TempDir::new();
    let json = dir.path().join("summary.json");
    let mut full: Vec<OsString> = vec!["run".into(), target.to_owned()];
    full.extend(args.iter().map(OsString::from));
    full.push("-q".into());
    full.push("--summary-json".into());
    full.push(json.clone().into_os_string());
    let mut finished = command(Loadcell::new(&full)).run();
    finished.summary = read_summary(&json);
    finished
}

/// `loadcell run URL ARGS -q --summary-json FILE`; the summary is parsed.
pub fn run_url(url: &str, args: &[&str]) -> Finished {
    run_summary(OsStr::new(url), args, |c| c)
}

/// `loadcell run FILE ARGS -q --summary-json FILE`; the summary is parsed.
pub fn run_file(file: &Path, args: &[&str]) -> Finished {
    run_summary(file.as_os_str(), args, |c| c)
}

/// A loadcell process still running, its output being drained on threads.
pub struct Running {
    pub child: Child,
    pub started: Instant,
    guard: Duration,
    stdout: JoinHandle<String>,
    stderr: JoinHandle<String>,
    _hold: Hold,
    /// The process's working directory when the test gave none (removed with it).
    _scratch: Option<TempDir>,
}

impl Running {
    pub fn pid(&self) -> i32 {
        i32::try_from(self.child.id()).expect("pid fits i32")
    }

    /// Whether `signal` is still pending for the process (not yet handled), from
    /// `/proc/PID/status`; so that two signals in a row are delivered as two.
    pub fn signal_pending(&self, signal: i32) -> bool {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        let bit = 1u64 << (signal - 1);
        status
            .lines()
            .filter_map(|l| l.strip_prefix("SigPnd:").or_else(|| l.strip_prefix("ShdPnd:")))
            .filter_map(|mask| u64::from_str_radix(mask.trim(), 16).ok())
            .any(|mask| mask & bit != 0)
    }

    /// Sends `signal` to the process.
    pub fn signal(&self, signal: i32) {
        // SAFETY: plain kill(2) on our own child's pid.
        let rc = unsafe { libc::kill(self.pid(), signal) };
        assert_eq!(rc, 0, "kill: {}", std::io::Error::last_os_error());
    }

    /// Waits for the process, killing it (and failing) past its guard.
    pub fn wait(self) -> Finished {
        let Running {
            mut child,
            started,
            guard,
            stdout,
            stderr,
            _hold,
            _scratch,
        } = self;
        let status = match wait_bounded(&mut child, guard) {
            Some(status) => status,
            None => {
                let out = stdout.join().unwrap_or_default();
                let err = stderr.join().unwrap_or_default();
                panic!(
                    "loadcell still running after {guard:?}; killed it\n--- stdout ---\n{out}\n--- stderr ---\n{err}"
                );
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
}

/// Waits for `child` at most `limit`; kills it and returns `None` when it overruns. For
/// any program a test starts (Chromium, too).
pub fn wait_bounded(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("poll child") {
            return Some(status);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
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

    /// The summary as the schema's type; panics when there is none or it does not parse.
    pub fn typed(&self) -> loadcell_schema::Summary {
        serde_json::from_value(self.summary().clone())
            .unwrap_or_else(|e| panic!("the summary is not a loadcell_schema::Summary: {e}\n{}", self.output()))
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
