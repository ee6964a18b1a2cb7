//! Running `perf`: `perf record -F 99 -g -p PIDS` into a temporary file until interrupted,
//! then `perf script` over it. Failures are told apart by perf's own message: missing
//! binary, not permitted (perf_event_paranoid, no CAP_PERFMON), anything else.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::FlameGraphError;
use super::fold::FlameGraph;

/// Samples per second of on-CPU time: 99, not 100, so sampling does not beat in step with
/// timers of the target.
pub const FREQUENCY_HZ: u32 = 99;

/// `perf script`'s fields: without the event's period, so inferno counts each stack once
/// (with it, stacks are weighted by the period, nanoseconds or cycles).
const SCRIPT_FIELDS: &str = "comm,pid,tid,time,event,ip,sym,dso";

/// How long `perf record` gets to refuse before it is taken to be recording.
const START_CHECK: Duration = Duration::from_millis(150);
/// How long `perf record` gets to write its file after SIGINT.
const STOP_WAIT: Duration = Duration::from_secs(10);

/// A `perf record` of some processes, running or finished.
pub struct Profiler {
    perf: OsString,
    child: Option<Child>,
    data: PathBuf,
    stderr: PathBuf,
    from_s: f64,
    to_s: f64,
}

static NEXT: AtomicU64 = AtomicU64::new(0);

impl Profiler {
    /// Starts recording `pids`; `at_s` (seconds since the start of the run) is kept as the
    /// window's start.
    pub fn start(pids: &[u32], at_s: f64) -> Result<Profiler, FlameGraphError> {
        Profiler::start_with(OsStr::new("perf"), pids, at_s)
    }

    /// [`start`](Self::start) with another `perf` binary (a path, or a name on `PATH`).
    pub fn start_with(perf: &OsStr, pids: &[u32], at_s: f64) -> Result<Profiler, FlameGraphError> {
        if pids.is_empty() {
            return Err(FlameGraphError::Failed("no process to profile".to_string()));
        }
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let base = std::env::temp_dir().join(format!("loadcell-perf-{}-{n}", std::process::id()));
        let data = base.with_extension("data");
        let stderr = base.with_extension("log");
        let log = std::fs::File::create(&stderr)
            .map_err(|e| FlameGraphError::Failed(format!("{}: {e}", stderr.display())))?;
        let list: Vec<String> = pids.iter().map(u32::to_string).collect();
        let spawned = Command::new(perf)
            .args(["record", "-F", &FREQUENCY_HZ.to_string(), "-g", "--quiet", "-o"])
            .arg(&data)
            .args(["-p", &list.join(",")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn();
        let child = match spawned {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(FlameGraphError::PerfMissing),
            Err(e) => return Err(FlameGraphError::Failed(format!("perf: {e}"))),
        };
        let mut profiler = Profiler {
            perf: perf.to_os_string(),
            child: Some(child),
            data,
            stderr,
            from_s: at_s,
            to_s: at_s,
        };
        let deadline = Instant::now() + START_CHECK;
        while Instant::now() < deadline {
            if let Some(status) = profiler.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                profiler.child = None;
                return Err(profiler.refusal(&format!("perf record exited at once ({status})")));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(profiler)
    }

    /// Stops recording (SIGINT, as Ctrl-C would), waiting for perf to write its file;
    /// `at_s` is kept as the window's end. Calling it again does nothing.
    pub fn interrupt(&mut self, at_s: f64) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        self.to_s = at_s;
        if let Ok(pid) = i32::try_from(child.id()) {
            // SAFETY: signals our own child process, which has not been reaped yet.
            unsafe {
                libc::kill(pid, libc::SIGINT);
            }
        }
        let deadline = Instant::now() + STOP_WAIT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Stops recording if it still runs, then symbolises the stacks (`perf script`), folds
    /// them and draws the flame graph.
    pub fn render(mut self, at_s: f64, title: &str) -> Result<FlameGraph, FlameGraphError> {
        self.interrupt(at_s);
        let output = Command::new(&self.perf)
            .args(["script", "-F", SCRIPT_FIELDS, "-i"])
            .arg(&self.data)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output();
        let output = match output {
            Ok(o) => o,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(FlameGraphError::PerfMissing),
            Err(e) => return Err(FlameGraphError::Failed(format!("perf script: {e}"))),
        };
        if !output.status.success() {
            return Err(self.refusal(&format!("perf script failed ({})", output.status)));
        }
        FlameGraph::from_perf_script(&output.stdout, title, self.from_s, self.to_s)
    }

    /// The error perf's log explains.
    fn refusal(&self, fallback: &str) -> FlameGraphError {
        let log = std::fs::read_to_string(&self.stderr).unwrap_or_default();
        let first = log
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(|l| loadcell_diagnostics::clip(l, 160));
        let lower = log.to_lowercase();
        let reason = first.unwrap_or_else(|| fallback.to_string());
        if lower.contains("permission") || lower.contains("paranoid") || lower.contains("not permitted") {
            FlameGraphError::NotPermitted(reason)
        } else {
            FlameGraphError::Failed(reason)
        }
    }
}

impl Drop for Profiler {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_file(&self.data);
        let _ = std::fs::remove_file(&self.stderr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A stand-in `perf` that prints `message` and exits 255, as perf does when refused.
    fn fake_perf(name: &str, message: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!("loadcell-fake-perf-{}-{name}", std::process::id()));
        std::fs::write(&path, format!("#!/bin/sh\necho '{message}' >&2\nexit 255\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[test]
    fn missing_or_refused_perf_is_one_clear_error() {
        let me = [std::process::id()];
        let missing = Profiler::start_with(OsStr::new("/nonexistent/loadcell/perf"), &me, 0.0);
        assert_eq!(missing.err(), Some(FlameGraphError::PerfMissing));
        let refused = fake_perf(
            "refused",
            "Error: Access to performance monitoring and observability operations is limited. Permission denied",
        );
        let err = Profiler::start_with(refused.as_os_str(), &me, 0.0).err();
        let _ = std::fs::remove_file(&refused);
        let Some(FlameGraphError::NotPermitted(why)) = err else {
            panic!("{err:?}");
        };
        assert!(why.contains("Access to performance monitoring"), "{why}");
        let broken = fake_perf("broken", "perf: unknown option");
        let err = Profiler::start_with(broken.as_os_str(), &me, 0.0).err();
        let _ = std::fs::remove_file(&broken);
        assert_eq!(err, Some(FlameGraphError::Failed("perf: unknown option".into())));
        let text = FlameGraphError::PerfMissing.to_string();
        assert!(text.starts_with("no flame graph: perf is not installed") && !text.contains('\n'));
        assert_eq!(
            Profiler::start(&[], 0.0).err(),
            Some(FlameGraphError::Failed("no process to profile".into()))
        );
    }
}
