//! The load generator's own resource use (CPU time, peak RSS), so a saturated generator
//! can be called out instead of silently under-reporting the target.

use std::time::Duration;

/// CPU time and peak memory of this process.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ProcessUsage {
    pub cpu: Duration,
    pub max_rss_kib: u64,
}

impl ProcessUsage {
    /// Usage so far (zero where the platform does not tell).
    pub fn now() -> ProcessUsage {
        #[cfg(unix)]
        {
            let mut ru = std::mem::MaybeUninit::<libc::rusage>::zeroed();
            // SAFETY: getrusage fills the struct it is given; zeroed is a valid rusage.
            let ok = unsafe { libc::getrusage(libc::RUSAGE_SELF, ru.as_mut_ptr()) } == 0;
            if ok {
                // SAFETY: getrusage succeeded and initialised the struct.
                let ru = unsafe { ru.assume_init() };
                let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, (t.tv_usec as u32) * 1000);
                return ProcessUsage {
                    cpu: tv(ru.ru_utime) + tv(ru.ru_stime),
                    max_rss_kib: own_peak_rss_kib().unwrap_or(ru.ru_maxrss as u64),
                };
            }
        }
        ProcessUsage::default()
    }

    /// CPU time of the calling thread (Linux; zero elsewhere). Summed over loadcell's own
    /// threads it excludes anything else in the process, such as `loadcell demo`'s target.
    pub fn thread_cpu() -> Duration {
        #[cfg(target_os = "linux")]
        {
            let mut ru = std::mem::MaybeUninit::<libc::rusage>::zeroed();
            // SAFETY: getrusage fills the struct it is given; zeroed is a valid rusage.
            if unsafe { libc::getrusage(libc::RUSAGE_THREAD, ru.as_mut_ptr()) } == 0 {
                // SAFETY: getrusage succeeded and initialised the struct.
                let ru = unsafe { ru.assume_init() };
                let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, (t.tv_usec as u32) * 1000);
                return tv(ru.ru_utime) + tv(ru.ru_stime);
            }
        }
        Duration::ZERO
    }

    /// How long the calling thread has waited, runnable, for a CPU (Linux's schedstat run
    /// delay; zero elsewhere): time a busy machine took from loadcell.
    pub fn thread_run_delay() -> Duration {
        #[cfg(target_os = "linux")]
        if let Ok(text) = std::fs::read_to_string("/proc/thread-self/schedstat")
            && let Some(ns) = text.split_whitespace().nth(1).and_then(|n| n.parse::<u64>().ok())
        {
            return Duration::from_nanos(ns);
        }
        Duration::ZERO
    }

    /// CPU used since `earlier`; peak RSS stays the process-wide peak.
    pub fn since(&self, earlier: &ProcessUsage) -> ProcessUsage {
        ProcessUsage {
            cpu: self.cpu.saturating_sub(earlier.cpu),
            max_rss_kib: self.max_rss_kib,
        }
    }
}

/// Peak RSS of this program's own memory (Linux's `VmHWM`). `ru_maxrss` is not that: the
/// kernel carries it across `execve`, so a loadcell forked from a large parent (a test
/// harness, a CI runner) would report the parent's memory as its own.
fn own_peak_rss_kib() -> Option<u64> {
    if cfg!(target_os = "linux") {
        peak_rss_in_status(&std::fs::read_to_string("/proc/self/status").ok()?)
    } else {
        None
    }
}

/// The `VmHWM:` figure (kB) of a `/proc/PID/status` text.
fn peak_rss_in_status(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_rss_is_read_from_vmhwm() {
        let status = "Name:\tloadcell\nVmPeak:\t  900000 kB\nVmHWM:\t   28712 kB\nVmRSS:\t   20000 kB\n";
        assert_eq!(peak_rss_in_status(status), Some(28_712));
        assert_eq!(peak_rss_in_status("Name:\tx\n"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn own_peak_rss_is_this_process() {
        let peak = own_peak_rss_kib().unwrap_or(0);
        assert!(peak > 0);
    }
}
