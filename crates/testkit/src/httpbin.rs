//! httpbin (the Python Software Foundation's maintained fork, from PyPI) under gunicorn on a
//! free loopback port: a real third-party HTTP service for the tests of what real services
//! speak — redirects (`/redirect/N`, `/redirect-to`), compression (`/gzip`, `/deflate`,
//! `/brotli`), uploads echoed back (`POST /post`), cookies (`/cookies/set`), slow answers
//! (`/delay/N`).
//!
//! `scripts/install-test-deps.sh` installs it into the virtual environment at [`VENV`].
//! A missing install fails the test that needs it, loudly, with the command that fixes it:
//! a behaviour test that silently skips proves nothing.
//!
//! gunicorn runs one worker with threads (`gthread`), which keeps connections alive as a
//! production deployment would (the default `sync` worker closes every connection). The
//! server runs in its own process group, stopped (and its worker with it) on drop.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Where `scripts/install-test-deps.sh` puts httpbin and gunicorn.
pub const VENV: &str = "/opt/loadcell-test/httpbin";

/// How long gunicorn may take to say where it listens.
const START_LIMIT: Duration = Duration::from_secs(30);

/// A running httpbin; stopped on drop.
pub struct Httpbin {
    child: Child,
    pub port: u16,
}

impl Httpbin {
    /// Starts httpbin on 127.0.0.1 and a port the kernel picks; panics (naming the fix)
    /// when it is not installed or does not start.
    pub fn start() -> Httpbin {
        let gunicorn = Path::new(VENV).join("bin/gunicorn");
        assert!(
            gunicorn.exists(),
            "httpbin is not installed ({} is missing): run scripts/install-test-deps.sh",
            gunicorn.display()
        );
        let mut child = Command::new(&gunicorn)
            .args(["--bind", "127.0.0.1:0", "--worker-class", "gthread", "--workers", "1"])
            .args(["--threads", "16", "--keep-alive", "30", "--no-control-socket"])
            .args(["--error-logfile", "-", "--log-level", "info", "httpbin:app"])
            .current_dir(std::env::temp_dir())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", gunicorn.display()));
        let stderr = child.stderr.take().expect("gunicorn's stderr is piped");
        let (port_tx, port_rx) = mpsc::channel();
        // The log is drained for the server's whole life, so gunicorn never blocks on a full
        // pipe; the port is the number after "Listening at: http://127.0.0.1:".
        std::thread::spawn(move || {
            let mut log = Vec::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(port) = listening_port(&line) {
                    let _ = port_tx.send(Ok(port));
                }
                if log.len() < 50 {
                    log.push(line);
                }
            }
            let _ = port_tx.send(Err(log.join("\n")));
        });
        match port_rx.recv_timeout(START_LIMIT) {
            Ok(Ok(port)) => Httpbin { child, port },
            Ok(Err(log)) => {
                stop(&mut child);
                panic!("httpbin exited before listening:\n{log}")
            }
            Err(_) => {
                stop(&mut child);
                panic!("httpbin did not say where it listens within {START_LIMIT:?}")
            }
        }
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Httpbin {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

/// Stops the server's whole process group: TERM, a grace period, then KILL.
pub(crate) fn stop(child: &mut Child) {
    let group = -(child.id() as i32);
    // SAFETY: kill(2) on the process group this kit started; errors (already gone) are fine.
    unsafe { libc::kill(group, libc::SIGTERM) };
    for _ in 0..100 {
        if matches!(child.try_wait(), Ok(Some(_))) {
            // SAFETY: as above; reaps a worker that outlived its master.
            unsafe { libc::kill(group, libc::SIGKILL) };
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: as above.
    unsafe { libc::kill(group, libc::SIGKILL) };
    let _ = child.wait();
}

fn listening_port(line: &str) -> Option<u16> {
    let rest = line.split("Listening at: http://127.0.0.1:").nth(1)?;
    rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::listening_port;

    #[test]
    fn the_port_is_read_from_gunicorns_log_line() {
        let line = "[2026-12-03 15:26:30 +0000] [29124] [INFO] Listening at: http://127.0.0.1:41865 (29124)";
        assert_eq!(listening_port(line), Some(41865));
        assert_eq!(listening_port("[INFO] Booting worker with pid: 29126"), None);
    }
}
