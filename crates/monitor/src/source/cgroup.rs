//! `cgroup:PATH` (cgroup v2): CPU % from `cpu.stat` (user, system, and the share of the
//! interval the cgroup was throttled), `memory.current`, `anon` and `file` of
//! `memory.stat`, storage bytes per second from `io.stat`, `pids.current`, with
//! `memory.max` and `pids.max` as limits. Files of controllers the cgroup lacks are skipped.

use std::path::PathBuf;
use std::time::Instant;

use super::{Outcome, Reading, Sampler, rate};
use crate::procfs::cgroup as files;

pub(crate) struct CgroupSampler {
    dir: PathBuf,
    last: Option<(Instant, Counters)>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Counters {
    cpu: Option<files::CpuStat>,
    io: Option<(u64, u64)>,
}

impl CgroupSampler {
    pub(crate) fn new(dir: PathBuf) -> CgroupSampler {
        CgroupSampler { dir, last: None }
    }

    fn counters(&self) -> Counters {
        Counters {
            cpu: std::fs::read_to_string(self.dir.join("cpu.stat"))
                .ok()
                .and_then(|t| files::parse_cpu_stat(&t)),
            io: std::fs::read_to_string(self.dir.join("io.stat"))
                .ok()
                .map(|t| files::parse_io_stat(&t)),
        }
    }
}

impl Sampler for CgroupSampler {
    fn read(&mut self, at: Instant) -> Outcome {
        if !self.dir.join("cgroup.procs").exists() {
            return Outcome::Gone(format!("cgroup {} was removed", self.dir.display()));
        }
        let now = self.counters();
        let mut r = Reading::default();
        if let Some((before, last)) = self.last {
            let secs = at.saturating_duration_since(before).as_secs_f64();
            if let (Some(c), Some(b)) = (now.cpu, last.cpu) {
                let pct = |now: u64, before: u64| rate(now, Some(before), secs).map(|us| us / 1e4);
                for (name, v) in [
                    ("cpu_percent", pct(c.usage_usec, b.usage_usec)),
                    ("cpu_user_percent", pct(c.user_usec, b.user_usec)),
                    ("cpu_system_percent", pct(c.system_usec, b.system_usec)),
                ] {
                    if let Some(v) = v {
                        r.put(name, v);
                    }
                }
                if let (Some(t), Some(tb)) = (c.throttled_usec, b.throttled_usec)
                    && let Some(v) = pct(t, tb)
                {
                    r.put("throttled_percent", v);
                }
                if let (Some(n), Some(nb)) = (c.nr_throttled, b.nr_throttled)
                    && let Some(v) = rate(n, Some(nb), secs)
                {
                    r.put("throttled_periods_per_s", v);
                }
            }
            if let (Some((rd, wr)), Some((rb, wb))) = (now.io, last.io) {
                if let Some(v) = rate(rd, Some(rb), secs) {
                    r.put("io_read_bytes_per_s", v);
                }
                if let Some(v) = rate(wr, Some(wb), secs) {
                    r.put("io_write_bytes_per_s", v);
                }
            }
        }
        if let Some(v) = files::read_number(&self.dir, "memory.current") {
            r.put("memory_bytes", v as f64);
        }
        if let Ok(text) = std::fs::read_to_string(self.dir.join("memory.stat")) {
            let (anon, file) = files::parse_memory_stat(&text);
            anon.into_iter().for_each(|v| r.put("anon_bytes", v as f64));
            file.into_iter().for_each(|v| r.put("file_bytes", v as f64));
        }
        if let Some(v) = files::read_number(&self.dir, "pids.current") {
            r.put("pids", v as f64);
        }
        r.limit("memory_bytes", files::read_number(&self.dir, "memory.max"));
        r.limit("pids", files::read_number(&self.dir, "pids.max"));
        self.last = Some((at, now));
        Outcome::Read(r)
    }
}
