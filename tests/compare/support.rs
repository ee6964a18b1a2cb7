//! What the comparison tests share: the binary run with a time limit, temporary folders,
//! targets with a fixed added latency, and bounded load runs into results folders.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use loadcell_target::{Config, Latency, TargetHandle};

/// No loadcell process may take longer than this (the criterion fixture builds a crate).
pub const LIMIT: Duration = Duration::from_secs(600);

/// What a loadcell process did.
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    /// Panics with both streams unless the exit code is `code`.
    pub fn expect_code(self, code: i32) -> Ran {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// The JSON on stdout.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }

    /// A usage error: exit 2, one line on stderr starting with `error:`, no panic.
    pub fn expect_usage_error(self, names: &str) -> Ran {
        let ran = self.expect_code(2);
        let err = ran.stderr.trim_end();
        assert!(
            err.starts_with("error: ") && !err.contains('\n'),
            "not one line: {err:?}"
        );
        assert!(!err.contains("panicked"), "{err}");
        assert!(err.contains(names), "{err:?} does not name {names:?}");
        ran
    }
}

/// Runs `loadcell ARGS…` with `env` added, killing it after [`LIMIT`].
pub fn loadcell_env<S: AsRef<OsStr>>(args: &[S], env: &[(&str, &OsStr)]) -> Ran {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_loadcell"));
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd.spawn().expect("start loadcell");
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let output: Output = match rx.recv_timeout(LIMIT) {
        Ok(out) => out.expect("wait for loadcell"),
        Err(_) => {
            // SAFETY: signalling our own child process by its id.
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            panic!("loadcell ran longer than {LIMIT:?}");
        }
    };
    Ran {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `loadcell ARGS…`.
pub fn loadcell<S: AsRef<OsStr>>(args: &[S]) -> Ran {
    loadcell_env(args, &[])
}

/// Tests that time something take turns, so one's load does not disturb another's numbers.
pub fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    TURN.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A fresh directory under the system temp dir, removed on drop.
pub struct Temp(pub PathBuf);

impl Temp {
    pub fn new(tag: &str) -> Temp {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let p = std::env::temp_dir().join(format!("loadcell-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&p).unwrap();
        Temp(p)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A target on a free loopback port that adds `ms` milliseconds to every response.
pub fn target(ms: u64) -> (TargetHandle, String) {
    let t = TargetHandle::spawn(Config {
        latency: Some(Latency::Fixed(Duration::from_millis(ms))),
        ..Config::default()
    })
    .expect("start a target");
    let url = t.url();
    (t, url)
}

/// `loadcell run URL -c 10 -d SECS -q --out DIR EXTRA…`.
pub fn run_into(url: &str, dir: &Path, secs: u32, extra: &[&str]) -> Ran {
    let mut args: Vec<String> = ["run", url, "-c", "10", "-d", &format!("{secs}s"), "-q", "--out"]
        .map(String::from)
        .to_vec();
    args.push(dir.display().to_string());
    args.extend(extra.iter().map(|s| s.to_string()));
    let start = Instant::now();
    let ran = loadcell(&args);
    assert!(start.elapsed() < LIMIT);
    ran
}

/// The text of a file, which must exist.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
