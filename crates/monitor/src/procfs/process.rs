//! One process from `/proc/PID`: `stat` (CPU ticks, threads, start time, parent), `status`
//! (RSS, virtual memory, memory swapped out, context switches), `io` (storage bytes), the `fd` directory and
//! `limits` (`RLIMIT_NOFILE`), and each thread's `task/TID/schedstat` (time spent runnable,
//! waiting for a CPU). Parsers are pure functions over the files' text so they can
//! be tested on fixtures; [`read_process`] reads the files.

use std::path::Path;

/// What one read of `/proc/PID` gave. Counters are cumulative since the process started.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ProcessCounters {
    /// CPU time in user and kernel mode, clock ticks (`utime`, `stime`).
    pub user_ticks: u64,
    pub system_ticks: u64,
    pub threads: u64,
    /// Start time after boot, clock ticks: tells a new process from a reused pid.
    pub start_ticks: u64,
    pub rss_bytes: u64,
    pub virtual_bytes: u64,
    /// Its memory swapped out (`VmSwap`).
    pub swap_bytes: u64,
    pub voluntary_switches: u64,
    pub involuntary_switches: u64,
    /// Storage bytes read and written (`read_bytes`, `write_bytes` of `io`); `None` when
    /// `io` may not be read.
    pub read_bytes: Option<u64>,
    pub write_bytes: Option<u64>,
    /// Open file descriptors; `None` when the `fd` directory may not be read.
    pub fds: Option<u64>,
    /// Nanoseconds its live threads spent runnable but waiting for a CPU (the second field
    /// of each `task/TID/schedstat`, summed); `None` without schedstats. A thread that
    /// exited takes its share with it, so the sum can fall: differences saturate at 0.
    pub run_queue_wait_ns: Option<u64>,
}

/// The fields of `/proc/PID/stat` the monitor uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    /// `R`, `S`, `D`, … ; `Z` (zombie) and `X` (dead) have exited.
    pub state: char,
    pub ppid: u32,
    pub user_ticks: u64,
    pub system_ticks: u64,
    pub threads: u64,
    pub start_ticks: u64,
}

impl Stat {
    /// Whether the process has exited (a zombie waiting to be reaped, or dead): it runs
    /// no more and is not counted.
    pub fn exited(&self) -> bool {
        matches!(self.state, 'Z' | 'X' | 'x')
    }
}

/// Parses `/proc/PID/stat`. The command name (field 2) may hold spaces and parentheses,
/// so fields are counted from the last `)`.
pub fn parse_stat(text: &str) -> Option<Stat> {
    let after = &text[text.rfind(')')? + 1..];
    // Fields from 3 (state) on; field n is at index n − 3.
    let fields: Vec<&str> = after.split_ascii_whitespace().collect();
    let field = |n: usize| fields.get(n - 3)?.parse::<u64>().ok();
    Some(Stat {
        state: fields.first()?.chars().next()?,
        ppid: u32::try_from(field(4)?).ok()?,
        user_ticks: field(14)?,
        system_ticks: field(15)?,
        threads: field(20)?,
        start_ticks: field(22)?,
    })
}

/// The command name of `/proc/PID/stat` (field 2, as the kernel keeps it: at most 15 bytes).
pub fn stat_comm(text: &str) -> Option<&str> {
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    (close > open).then(|| &text[open + 1..close])
}

/// The fields of `/proc/PID/status` the monitor uses. Kernel threads have no `VmRSS`,
/// `VmSize` or `VmSwap`: 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Status {
    pub rss_bytes: u64,
    pub virtual_bytes: u64,
    pub swap_bytes: u64,
    pub voluntary_switches: u64,
    pub involuntary_switches: u64,
}

pub fn parse_status(text: &str) -> Status {
    let mut s = Status::default();
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let number = || value.split_ascii_whitespace().next()?.parse::<u64>().ok();
        match key {
            "VmRSS" => s.rss_bytes = number().unwrap_or(0) * 1024,
            "VmSize" => s.virtual_bytes = number().unwrap_or(0) * 1024,
            "VmSwap" => s.swap_bytes = number().unwrap_or(0) * 1024,
            "voluntary_ctxt_switches" => s.voluntary_switches = number().unwrap_or(0),
            "nonvoluntary_ctxt_switches" => s.involuntary_switches = number().unwrap_or(0),
            _ => {}
        }
    }
    s
}

/// `read_bytes` and `write_bytes` of `/proc/PID/io`.
pub fn parse_io(text: &str) -> Option<(u64, u64)> {
    let mut read = None;
    let mut write = None;
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim().parse::<u64>().ok();
        match key {
            "read_bytes" => read = value,
            "write_bytes" => write = value,
            _ => {}
        }
    }
    Some((read?, write?))
}

/// The soft limit of `Max open files` in `/proc/PID/limits`; `None` when unlimited.
pub fn parse_nofile_limit(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("Max open files"))?;
    line["Max open files".len()..]
        .split_ascii_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Reads `/proc/PID`; `None` when the process is gone, has exited but is not reaped yet (a
/// zombie), or was never there.
pub fn read_process(proc_root: &Path, pid: u32) -> Option<ProcessCounters> {
    let dir = proc_root.join(pid.to_string());
    let stat = parse_stat(&std::fs::read_to_string(dir.join("stat")).ok()?)?;
    if stat.exited() {
        return None;
    }
    let status = std::fs::read_to_string(dir.join("status")).ok()?;
    let status = parse_status(&status);
    let io = std::fs::read_to_string(dir.join("io")).ok().and_then(|t| parse_io(&t));
    let fds = count_entries(&dir.join("fd"));
    Some(ProcessCounters {
        user_ticks: stat.user_ticks,
        system_ticks: stat.system_ticks,
        threads: stat.threads,
        start_ticks: stat.start_ticks,
        rss_bytes: status.rss_bytes,
        virtual_bytes: status.virtual_bytes,
        swap_bytes: status.swap_bytes,
        voluntary_switches: status.voluntary_switches,
        involuntary_switches: status.involuntary_switches,
        read_bytes: io.map(|io| io.0),
        write_bytes: io.map(|io| io.1),
        fds,
        run_queue_wait_ns: run_queue_wait(&dir.join("task")),
    })
}

/// The run-queue wait (ns) of one thread's `schedstat`: `on-CPU-ns wait-ns timeslices`.
pub fn parse_schedstat(text: &str) -> Option<u64> {
    text.split_ascii_whitespace().nth(1)?.parse().ok()
}

/// The run-queue wait of every thread under `task/`, summed.
fn run_queue_wait(tasks: &Path) -> Option<u64> {
    let mut total = None;
    for entry in std::fs::read_dir(tasks).ok()?.flatten() {
        let text = std::fs::read_to_string(entry.path().join("schedstat")).ok();
        if let Some(ns) = text.as_deref().and_then(parse_schedstat) {
            *total.get_or_insert(0) += ns;
        }
    }
    total
}

/// Entries of a directory (open file descriptors under `fd/`), without reading any link.
fn count_entries(dir: &Path) -> Option<u64> {
    Some(std::fs::read_dir(dir).ok()?.count() as u64)
}

/// The process's soft `RLIMIT_NOFILE`, from `/proc/PID/limits`.
pub fn nofile_limit(proc_root: &Path, pid: u32) -> Option<u64> {
    let text = std::fs::read_to_string(proc_root.join(pid.to_string()).join("limits")).ok()?;
    parse_nofile_limit(&text)
}

/// Clock ticks per second (`USER_HZ`), the unit of `stat`'s CPU times.
pub fn ticks_per_second() -> f64 {
    // SAFETY: sysconf only reads a configuration value.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if hz > 0 { hz as f64 } else { 100.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAT: &str = "4242 (loadcell (tgt) x) S 4200 4242 4200 0 -1 4194304 100 0 0 0 \
                        150 25 0 0 20 0 3 0 160427 3133440 383 18446744073709551615";

    #[test]
    fn schedstat_gives_the_run_queue_wait() {
        assert_eq!(parse_schedstat("9871234 556677 42\n"), Some(556_677));
        assert_eq!(parse_schedstat("9871234"), None);
    }

    #[test]
    fn stat_fields_are_counted_after_the_command_name() {
        let s = parse_stat(STAT).unwrap_or_else(|| panic!("unparsed"));
        assert_eq!(
            s,
            Stat {
                state: 'S',
                ppid: 4200,
                user_ticks: 150,
                system_ticks: 25,
                threads: 3,
                start_ticks: 160427
            }
        );
        assert_eq!(stat_comm(STAT), Some("loadcell (tgt) x"));
        assert!(!s.exited());
        assert!(parse_stat(&STAT.replace(") S ", ") Z ")).unwrap().exited());
        assert_eq!(parse_stat("4242 (x) S 1 2"), None);
    }

    #[test]
    fn status_gives_memory_in_bytes_and_switches() {
        let text = "Name:\tcat\nVmSize:\t    3060 kB\nVmRSS:\t    1708 kB\nVmSwap:\t     512 kB\n\
                    Threads:\t1\nvoluntary_ctxt_switches:\t7\nnonvoluntary_ctxt_switches:\t2\n";
        let expected = Status {
            rss_bytes: 1708 * 1024,
            virtual_bytes: 3060 * 1024,
            swap_bytes: 512 * 1024,
            voluntary_switches: 7,
            involuntary_switches: 2,
        };
        assert_eq!(parse_status(text), expected);
        assert_eq!(parse_status("Name:\tkthreadd\n"), Status::default());
    }

    #[test]
    fn io_and_limits() {
        let io = "rchar: 6976\nwchar: 0\nsyscr: 10\nread_bytes: 4096\nwrite_bytes: 8192\n";
        assert_eq!(parse_io(io), Some((4096, 8192)));
        assert_eq!(parse_io("rchar: 1\n"), None);
        let limits = "Limit                     Soft Limit           Hard Limit           Units     \n\
                      Max processes             63412                63412                processes \n\
                      Max open files            1024                 524288               files     \n";
        assert_eq!(parse_nofile_limit(limits), Some(1024));
        let unlimited = "Max open files            unlimited            unlimited            files\n";
        assert_eq!(parse_nofile_limit(unlimited), None);
    }

    #[test]
    fn reads_this_process() {
        let me = std::process::id();
        let c = read_process(Path::new("/proc"), me).unwrap_or_else(|| panic!("no /proc/{me}"));
        assert!(c.rss_bytes > 0 && c.virtual_bytes >= c.rss_bytes, "{c:?}");
        assert!(c.threads >= 1 && c.fds.unwrap_or(0) >= 3, "{c:?}");
        assert!(nofile_limit(Path::new("/proc"), me).unwrap_or(0) >= 64);
        assert!(read_process(Path::new("/proc"), u32::MAX).is_none());
    }
}
