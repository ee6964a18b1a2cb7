//! `pid:N` and `process:NAME`: CPU % (user, system; 100 = one core), RSS, virtual memory,
//! threads, open file descriptors, storage bytes read and written per second, voluntary and
//! involuntary context switches per second, and the time its threads waited runnable for a
//! CPU (`cpu_wait_percent`, from schedstat; 100 = one thread waiting all the time) — summed over every process of the source (for
//! `process:NAME`: the matching processes and all their descendants, with their count).
//!
//! Cumulative counters are kept per process (keyed by pid and start time, so a reused pid
//! is a new process): a process seen in both reads adds its difference, a process that
//! started since the last read adds everything it used, one that exited in between adds
//! nothing more.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Instant;

use super::{Outcome, Reading, Sampler};
use crate::procfs::{self, cgroup, process, tree};

/// Which processes a sampler counts.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// One process, as it was when the run started (its start time tells a reused pid).
    Pid { pid: u32, start_ticks: u64 },
    /// Processes matching a name, their descendants, never loadcell or its ancestors.
    Name {
        name: String,
        exclude: BTreeSet<u32>,
        roots: BTreeSet<u32>,
    },
}

/// A full scan for processes matching the name every this many reads (children are
/// followed every read; a restarted server is found within this many seconds).
const RESCAN_EVERY: u64 = 10;

pub(crate) struct ProcessSampler {
    proc_root: PathBuf,
    /// The cgroup2 mount, looked up once (for the process's `memory.max`).
    cgroup2: Option<PathBuf>,
    target: Target,
    hz: f64,
    /// Per process (pid, start ticks): cumulative counters of the last read.
    last: BTreeMap<(u32, u64), Cumulative>,
    last_read: Option<(Instant, f64)>,
    reads: u64,
}

/// The counters of one process that only grow.
#[derive(Debug, Clone, Copy, Default)]
struct Cumulative {
    user: u64,
    system: u64,
    voluntary: u64,
    involuntary: u64,
    read: u64,
    write: u64,
    run_queue_wait_ns: u64,
}

/// What the processes of one read add up to.
#[derive(Debug, Default)]
struct Totals {
    processes: u64,
    rss: u64,
    virtual_bytes: u64,
    swap: u64,
    threads: u64,
    fds: Option<u64>,
    /// Whether any process had schedstats (else `cpu_wait_percent` is not written).
    schedstat: bool,
    delta: Cumulative,
}

impl ProcessSampler {
    pub(crate) fn new(proc_root: PathBuf, target: Target) -> ProcessSampler {
        ProcessSampler {
            proc_root,
            cgroup2: cgroup::cgroup2_mount(),
            target,
            hz: process::ticks_per_second(),
            last: BTreeMap::new(),
            last_read: None,
            reads: 0,
        }
    }

    /// The processes to count now; `Err` when the source is gone.
    fn pids(&mut self) -> Result<BTreeSet<u32>, String> {
        let root = self.proc_root.clone();
        match &mut self.target {
            Target::Pid { pid, start_ticks } => {
                let text = std::fs::read_to_string(root.join(pid.to_string()).join("stat")).ok();
                match text.as_deref().and_then(process::parse_stat) {
                    Some(s) if s.start_ticks == *start_ticks && !s.exited() => Ok(BTreeSet::from([*pid])),
                    _ => Err(format!("process {pid} exited")),
                }
            }
            Target::Name { name, exclude, roots } => {
                roots.retain(|pid| process::read_process(&root, *pid).is_some());
                if roots.is_empty() || self.reads.is_multiple_of(RESCAN_EVERY) {
                    roots.extend(tree::find_matching(&root, name, exclude));
                }
                if roots.is_empty() {
                    return Err(format!("no process matches '{name}' any more"));
                }
                Ok(tree::with_descendants(&root, roots))
            }
        }
    }

    /// Reads every process and adds up levels and the growth of the counters.
    fn totals(&mut self, pids: &BTreeSet<u32>, since_boot_ticks: Option<f64>) -> Totals {
        let mut t = Totals::default();
        let mut seen = BTreeMap::new();
        for &pid in pids {
            let Some(c) = process::read_process(&self.proc_root, pid) else {
                continue; // exited between listing and reading
            };
            t.processes += 1;
            t.rss += c.rss_bytes;
            t.virtual_bytes += c.virtual_bytes;
            t.swap += c.swap_bytes;
            t.threads += c.threads;
            if let Some(fds) = c.fds {
                *t.fds.get_or_insert(0) += fds;
            }
            let now = Cumulative {
                user: c.user_ticks,
                system: c.system_ticks,
                voluntary: c.voluntary_switches,
                involuntary: c.involuntary_switches,
                read: c.read_bytes.unwrap_or(0),
                write: c.write_bytes.unwrap_or(0),
                run_queue_wait_ns: c.run_queue_wait_ns.unwrap_or(0),
            };
            t.schedstat |= c.run_queue_wait_ns.is_some();
            let key = (pid, c.start_ticks);
            let base = match self.last.get(&key) {
                Some(before) => Some(*before),
                // New since the last read: everything it used counts, unless it was already
                // running then (it just started to match) or this is the first read.
                None => match since_boot_ticks {
                    Some(last) if (c.start_ticks as f64) >= last => Some(Cumulative::default()),
                    _ => None,
                },
            };
            if let Some(b) = base {
                t.delta.user += now.user.saturating_sub(b.user);
                t.delta.system += now.system.saturating_sub(b.system);
                t.delta.voluntary += now.voluntary.saturating_sub(b.voluntary);
                t.delta.involuntary += now.involuntary.saturating_sub(b.involuntary);
                t.delta.read += now.read.saturating_sub(b.read);
                t.delta.write += now.write.saturating_sub(b.write);
                t.delta.run_queue_wait_ns += now.run_queue_wait_ns.saturating_sub(b.run_queue_wait_ns);
            }
            seen.insert(key, now);
        }
        self.last = seen;
        t
    }

    /// `RLIMIT_NOFILE` and the cgroup's `memory.max`, when the source is one process.
    fn limits(&self, pids: &BTreeSet<u32>, reading: &mut Reading) {
        let [pid] = pids.iter().copied().collect::<Vec<_>>()[..] else {
            return;
        };
        reading.limit("fds", process::nofile_limit(&self.proc_root, pid));
        let memory_max = std::fs::read_to_string(self.proc_root.join(pid.to_string()).join("cgroup"))
            .ok()
            .and_then(|text| {
                let path = cgroup::parse_proc_cgroup(&text)?.trim_start_matches('/').to_string();
                cgroup::read_number(&self.cgroup2.as_ref()?.join(path), "memory.max")
            });
        reading.limit("rss_bytes", memory_max);
    }
}

impl Sampler for ProcessSampler {
    fn read(&mut self, at: Instant) -> Outcome {
        let pids = match self.pids() {
            Ok(p) => p,
            Err(why) => return Outcome::Gone(why),
        };
        let uptime_ticks = procfs::uptime_s(&self.proc_root).map(|s| s * self.hz);
        let since = self.last_read.map(|(_, ticks)| ticks);
        let totals = self.totals(&pids, since);
        self.reads += 1;
        if totals.processes == 0 {
            return match &self.target {
                Target::Pid { pid, .. } => Outcome::Gone(format!("process {pid} exited")),
                Target::Name { name, .. } => Outcome::Gone(format!("no process matches '{name}' any more")),
            };
        }
        let mut r = Reading::default();
        if let Some((before, _)) = self.last_read {
            let secs = at.saturating_duration_since(before).as_secs_f64();
            if secs > 0.0 {
                let pct = |ticks: u64| 100.0 * ticks as f64 / self.hz / secs;
                let d = &totals.delta;
                r.put("cpu_percent", pct(d.user + d.system));
                r.put("cpu_user_percent", pct(d.user));
                r.put("cpu_system_percent", pct(d.system));
                r.put("read_bytes_per_s", d.read as f64 / secs);
                r.put("write_bytes_per_s", d.write as f64 / secs);
                r.put("ctx_voluntary_per_s", d.voluntary as f64 / secs);
                r.put("ctx_involuntary_per_s", d.involuntary as f64 / secs);
                if totals.schedstat {
                    r.put("cpu_wait_percent", 100.0 * d.run_queue_wait_ns as f64 / 1e9 / secs);
                }
            }
        }
        r.put("rss_bytes", totals.rss as f64);
        r.put("virtual_bytes", totals.virtual_bytes as f64);
        r.put("swap_bytes", totals.swap as f64);
        r.put("threads", totals.threads as f64);
        if let Some(fds) = totals.fds {
            r.put("fds", fds as f64);
        }
        if matches!(self.target, Target::Name { .. }) {
            r.put("processes", totals.processes as f64);
        }
        self.limits(&pids, &mut r);
        self.last_read = Some((at, uptime_ticks.unwrap_or(0.0)));
        Outcome::Read(r)
    }
}
