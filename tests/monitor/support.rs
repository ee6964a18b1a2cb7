//! What the monitor tests drive: the built `loadcell target` as a separate process (so it
//! is a real target with its own /proc entry), load from the built `loadcell run`, and the
//! monitor library watching the target on its own thread.

use loadcell_monitor::{Clock, FlameWindow, Monitor, MonitorPlan, MonitorRun, SourceSpec};
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// No child process may live longer than this.
pub const GUARD: Duration = Duration::from_secs(90);

/// Held by every test here, so that they do not run side by side: CPU figures of a target
/// whose thread is preempted by another test's load are not its own, and the cost test
/// must find the one monitor thread of this process.
static LOAD: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Takes the load lock (a test that failed while holding it does not poison the others).
pub fn exclusive() -> std::sync::MutexGuard<'static, ()> {
    LOAD.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A `loadcell target` process, killed on drop.
pub struct Target {
    child: Child,
    pub url: String,
}

impl Target {
    /// Starts `loadcell target --port 0 ARGS` and waits for its listening line.
    pub fn start(args: &[&str]) -> Target {
        Target::start_limited(args, None)
    }

    /// The same, with its descriptor limit (`ulimit -n`, soft and hard) set to `nofile`.
    pub fn start_limited(args: &[&str], nofile: Option<u64>) -> Target {
        let mut command = Command::new(env!("CARGO_BIN_EXE_loadcell"));
        command
            .args(["target", "--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if let Some(limit) = nofile {
            loadcell_testkit::process::limit_descriptors(&mut command, limit, limit);
        }
        let mut child = command.spawn().expect("spawn loadcell target");
        let stdout = child.stdout.take().expect("target stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("target line");
        let url = line
            .trim()
            .strip_prefix("loadcell target listening on ")
            .unwrap_or_else(|| panic!("unexpected target line {line:?}"))
            .to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Target { child, url }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The target's CPU time so far (user + system), from /proc/PID/stat, in seconds.
    pub fn cpu_s(&self) -> f64 {
        let text = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).expect("target stat");
        let after = &text[text.rfind(')').expect("stat comm") + 1..];
        let f: Vec<u64> = after.split_ascii_whitespace().map(|x| x.parse().unwrap_or(0)).collect();
        // Fields 14 and 15 (utime, stime) are at indexes 11 and 12 after the command.
        (f[11] + f[12]) as f64 / ticks_per_second()
    }

    /// `requests_total` of the target's own `/_stats`.
    pub fn requests(&self) -> u64 {
        let addr = self.url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(addr).expect("connect to target");
        use std::io::Write;
        stream
            .write_all(b"GET /_stats HTTP/1.0\r\nHost: x\r\n\r\n")
            .expect("write");
        let mut text = String::new();
        stream.read_to_string(&mut text).expect("read");
        let body = &text[text.find("\r\n\r\n").expect("head") + 4..];
        let v: serde_json::Value = serde_json::from_str(body).expect("stats json");
        v["requests_total"].as_u64().expect("requests_total")
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ticks_per_second() -> f64 {
    // SAFETY: sysconf reads a configuration value.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    hz as f64
}

/// A running `loadcell run URL -r RATE -d SECONDS -q`.
pub struct Load {
    child: Child,
    started: Instant,
}

impl Load {
    pub fn start(url: &str, rate: u32, seconds: u32) -> Load {
        let child = Command::new(env!("CARGO_BIN_EXE_loadcell"))
            .args(["run", url, "-r", &rate.to_string(), "-d", &format!("{seconds}s"), "-q"])
            // A bounded number of connections: the target's descriptors and buffers follow
            // them, and an open model would add VUs whenever this loaded machine stalls.
            .args(["--threads", "1", "--max-vus", "6"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn loadcell run");
        Load {
            child,
            started: Instant::now(),
        }
    }

    /// Waits for the run to end; it must exit 0.
    pub fn wait(mut self) {
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                let mut err = String::new();
                if let Some(mut e) = self.child.stderr.take() {
                    let _ = e.read_to_string(&mut err);
                }
                assert_eq!(status.code(), Some(0), "loadcell run failed: {err}");
                return;
            }
            if self.started.elapsed() > GUARD {
                let _ = self.child.kill();
                panic!("loadcell run still running after {GUARD:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a monitor of `specs` whose clock starts now, at one reading per second.
pub fn monitor(specs: &[SourceSpec], flame: Option<FlameWindow>) -> (Monitor, Instant) {
    let plan = MonitorPlan::resolve(specs, &[]).unwrap_or_else(|e| panic!("{e}"));
    let t0 = Instant::now();
    let clock = Clock {
        t0,
        interval: Duration::from_secs(1),
    };
    (Monitor::start(plan, clock, flame), t0)
}

/// Watches `target` (a `pid:` source) while `rate` requests per second are sent for
/// `seconds`, then one more second; returns what the monitor saw and the target's request
/// count at `count_from_s` and at the end of the load with their times.
pub fn watch_under_load(target: &Target, rate: u32, seconds: u32, count_from_s: f64) -> (MonitorRun, [(f64, u64); 2]) {
    let (mon, t0) = monitor(&[SourceSpec::Pid(target.pid())], None);
    let load = Load::start(&target.url, rate, seconds);
    let until = t0 + Duration::from_secs_f64(count_from_s);
    std::thread::sleep(until.saturating_duration_since(Instant::now()));
    let first = (t0.elapsed().as_secs_f64(), target.requests());
    load.wait();
    let last = (t0.elapsed().as_secs_f64(), target.requests());
    std::thread::sleep(Duration::from_millis(200));
    (mon.finish(), [first, last])
}
