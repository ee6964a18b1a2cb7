//! loadcell's own file-descriptor budget: every connection is a descriptor, and running out
//! of them is loadcell's limit, not the target's.
//!
//! At the start of a run the soft `RLIMIT_NOFILE` is raised to the hard limit (as oha
//! does); a closed-model run that needs more connections than the limit leaves room for is
//! refused before any request ([`check`]), with the `ulimit` hint; the open model rations
//! its connections to the budget instead (its workers' pools), and says so afterwards — but
//! it too is refused when the budget has room for no connection at all.

/// Descriptors kept free for everything that is not a connection (stdio, the event loops,
/// timers, results files): this many, or a quarter of the limit if that is less…
const RESERVE: u64 = 64;
/// …but never less than loadcell's own needs: this many for the process (signals, the
/// coordinator, results files)…
const OWN_BASE: u64 = 16;
/// …and this many per worker thread (its event loop's epoll and waker, the open model's
/// timer, slack). With less, a worker could not build its event loop and its share of the
/// load was silently not generated (a limit of 12 halved a two-thread open model's rate).
const OWN_PER_THREAD: u64 = 4;

/// The descriptor limit loadcell runs under.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Descriptors {
    /// The soft limit, after raising it.
    pub limit: u64,
    /// The hard limit (the most `ulimit -n` can give without privileges).
    pub hard: u64,
    /// Descriptors already open.
    pub in_use: u64,
}

impl Descriptors {
    /// Connections loadcell may hold at once with `threads` worker threads.
    pub fn connections(&self, threads: usize) -> u64 {
        self.limit
            .saturating_sub(self.in_use)
            .saturating_sub(reserve(self.limit, threads))
    }
}

/// Descriptors kept for everything that is not a connection.
fn reserve(limit: u64, threads: usize) -> u64 {
    let own = OWN_BASE.saturating_add(OWN_PER_THREAD.saturating_mul(threads as u64));
    RESERVE.min(limit / 4).max(own)
}

/// Raises the soft descriptor limit to the hard one and reports the result. Where the
/// platform does not tell, the budget is unlimited.
pub fn raise_limit() -> Descriptors {
    #[cfg(unix)]
    {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit/setrlimit fill or read the struct they are given.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } == 0 {
            if lim.rlim_cur < lim.rlim_max {
                let raised = libc::rlimit {
                    rlim_cur: lim.rlim_max,
                    rlim_max: lim.rlim_max,
                };
                // SAFETY: as above; a refusal leaves the old limit, which is then reported.
                if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
                    lim.rlim_cur = lim.rlim_max;
                }
            }
            // `rlim_t` is u64 on Linux but not everywhere, so the cast stays.
            #[allow(clippy::unnecessary_cast)]
            let as_u64 = |v: libc::rlim_t| if v == libc::RLIM_INFINITY { u64::MAX } else { v as u64 };
            return Descriptors {
                limit: as_u64(lim.rlim_cur),
                hard: as_u64(lim.rlim_max),
                in_use: open_descriptors(),
            };
        }
    }
    Descriptors {
        limit: u64::MAX,
        hard: u64::MAX,
        in_use: 0,
    }
}

/// The descriptor table is grown to hold at most this many before the load (8 bytes of
/// kernel memory each): enough for the connections of all but the largest runs.
const TABLE_AHEAD: u64 = 65_536;

/// Grows this process's descriptor table now, before the load, to hold `limit` descriptors
/// (at most [`TABLE_AHEAD`]). The kernel doubles the table as descriptors are opened, and in
/// a process with several threads each doubling waits for an RCU grace period — 5 to 20 ms
/// here — inside the `socket()` call of whichever worker opened the descriptor. In the open
/// model that froze the scheduler at the 256th and the 512th connection, and a thousand
/// arrivals at 50,000/s went out late (BENCHMARKS.md). Tables never shrink, so asking for a
/// high descriptor once is enough.
pub fn grow_table(limit: u64) {
    #[cfg(unix)]
    {
        let top = limit.min(TABLE_AHEAD);
        let Ok(probe) = std::fs::File::open("/dev/null") else {
            return;
        };
        let Ok(lowest) = libc::c_int::try_from(top.saturating_sub(1)) else {
            return;
        };
        use std::os::fd::AsRawFd;
        // SAFETY: F_DUPFD takes a descriptor we own and an int; it opens the lowest free
        // descriptor at or above `lowest`, never replacing an open one.
        let high = unsafe { libc::fcntl(probe.as_raw_fd(), libc::F_DUPFD_CLOEXEC, lowest) };
        if high >= 0 {
            // SAFETY: `high` was just opened here and is closed once.
            unsafe { libc::close(high) };
        }
    }
    #[cfg(not(unix))]
    let _ = limit;
}

/// Descriptors this process has open (Linux; 0 where it cannot tell).
fn open_descriptors() -> u64 {
    std::fs::read_dir("/proc/self/fd").map_or(0, |dir| dir.count() as u64)
}

/// A load the descriptor limit cannot hold.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("{}", describe(self))]
pub struct TooManyConnections {
    /// Closed model: its VUs; `None`: the open model, which needs one connection.
    pub vus: Option<u64>,
    /// Connections each VU may hold at once: 1, or more with a scenario's batch steps.
    pub per_vu: u64,
    pub room: u64,
    pub limit: u64,
    pub hard: u64,
    pub wanted: u64,
}

fn describe(e: &TooManyConnections) -> String {
    let (need, fewer) = match e.vus {
        Some(v) if e.per_vu > 1 => (
            format!(
                "{v} VUs need {} connections (batches of up to {} requests at once)",
                v.saturating_mul(e.per_vu),
                e.per_vu
            ),
            " or use fewer VUs (or a lower 'parallel:')",
        ),
        Some(v) => (format!("{v} VUs need {v} connections"), " or use fewer VUs"),
        None => ("the open model needs at least one connection".to_string(), ""),
    };
    format!(
        "{need}, but the file-descriptor limit ({}, hard limit {}) leaves room for {}: raise it (`ulimit -n {}`; above the hard limit only root can){fewer}",
        e.limit, e.hard, e.room, e.wanted
    )
}

/// Refuses a run the descriptor limit cannot hold: a closed model whose VUs (`per_vu`
/// connections each: one, or a scenario's widest batch) do not fit, or an open model with
/// no room for a single connection beside loadcell's own descriptors (with next to none
/// free, its event loops could not even be set up: the run panicked or silently sent
/// nothing). `threads`: the worker threads; `segment`: the part of the test this process
/// runs (`--segment`), whose VUs are its share. Raises the limit first.
pub fn check(
    model: &crate::plan::Model,
    threads: usize,
    per_vu: u64,
    segment: crate::units::Segment,
) -> Result<Descriptors, TooManyConnections> {
    let fds = raise_limit();
    let vus = match model {
        crate::plan::Model::Closed { vus } => Some(segment.share(vus.peak().round() as u64)),
        // The open model rations its connections to the budget instead.
        crate::plan::Model::Open { .. } => None,
    };
    let per_vu = per_vu.max(1);
    let needed = vus.map_or(1, |v| v.saturating_mul(per_vu));
    let room = fds.connections(threads);
    if needed > room {
        return Err(TooManyConnections {
            vus,
            per_vu,
            room,
            limit: fds.limit,
            hard: fds.hard,
            wanted: needed
                .saturating_add(fds.in_use)
                .saturating_add(reserve(fds.limit, threads).max(RESERVE)),
        });
    }
    Ok(fds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_leaves_a_reserve() {
        let d = |limit, in_use| Descriptors {
            limit,
            hard: limit,
            in_use,
        };
        assert_eq!(d(1024, 10).connections(2), 950);
        assert_eq!(d(128, 10).connections(2), 86); // a quarter of a small limit
        assert_eq!(d(64, 10).connections(2), 30); // but loadcell's own needs at least
        assert_eq!(d(64, 10).connections(16), 0);
        assert_eq!(d(1024, 10).connections(32), 870);
        assert_eq!(d(20, 30).connections(1), 0);
        assert_eq!(d(u64::MAX, 0).connections(2), u64::MAX - 64);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_table_is_grown_before_the_load() {
        let fd_size = || {
            let status = std::fs::read_to_string("/proc/self/status").unwrap();
            let line = status.lines().find(|l| l.starts_with("FDSize:")).unwrap();
            line["FDSize:".len()..].trim().parse::<u64>().unwrap()
        };
        let d = raise_limit();
        let want = d.limit.min(8192);
        grow_table(want);
        assert!(fd_size() >= want, "FDSize {} after growing to {want}", fd_size());
    }

    #[test]
    fn raising_never_lowers_the_limit() {
        let d = raise_limit();
        assert!(d.limit <= d.hard);
        assert!(d.in_use > 0 || !cfg!(target_os = "linux"));
    }
}
