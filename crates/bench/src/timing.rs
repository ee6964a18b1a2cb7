//! Running a command once and timing it: wall-clock time from just before the spawn to the
//! end of the wait (a monotonic clock), and the CPU time the child used, from the kernel's
//! account of waited-for children (`getrusage(RUSAGE_CHILDREN)` before and after, which is
//! exact because children are run one at a time).

use std::process::{Command, Stdio};
use std::time::Instant;

use crate::BenchError;
use crate::command::CommandSpec;

/// One timed run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// Wall-clock seconds.
    pub real: f64,
    /// CPU seconds in user and kernel mode.
    pub user: f64,
    pub system: f64,
    /// `None` when a signal ended it.
    pub exit_code: Option<i32>,
    pub success: bool,
}

/// Runs `cmd` once with its output discarded and no input.
pub fn run_once(cmd: &CommandSpec) -> Result<Timing, BenchError> {
    let (user0, sys0) = children_cpu();
    let start = Instant::now();
    let mut command = Command::new(&cmd.argv[0]);
    if let Some(dir) = &cmd.dir {
        command.current_dir(dir);
    }
    let status = command
        .args(&cmd.argv[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| BenchError::Spawn {
            command: cmd.name.clone(),
            message: match e.kind() {
                std::io::ErrorKind::NotFound => format!("{}: command not found", cmd.argv[0]),
                _ => e.to_string(),
            },
        })?;
    let real = start.elapsed().as_secs_f64();
    let (user1, sys1) = children_cpu();
    Ok(Timing {
        real,
        user: (user1 - user0).max(0.0),
        system: (sys1 - sys0).max(0.0),
        exit_code: status.code(),
        success: status.success(),
    })
}

/// User and system CPU seconds of every child this process has waited for.
fn children_cpu() -> (f64, f64) {
    // SAFETY: getrusage only writes the struct it is given; a zeroed rusage is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_CHILDREN with a valid pointer to an rusage struct.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    if rc != 0 {
        return (0.0, 0.0);
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    (secs(usage.ru_utime), secs(usage.ru_stime))
}
