//! cgroup v2 files: where the unified hierarchy is mounted, which cgroup a process is in,
//! and the controllers' statistics (`cpu.stat`, `memory.current`, `memory.stat`, `io.stat`,
//! `pids.current`) and limits (`memory.max`, `pids.max`). A file of a controller that is
//! not enabled for the cgroup is simply absent: its metrics are left out.

use std::path::{Path, PathBuf};

/// Where the cgroup v2 hierarchy is mounted, from a `mountinfo` text: the mount point of
/// the first `cgroup2` file system (`/sys/fs/cgroup` on pure v2 systems,
/// `/sys/fs/cgroup/unified` on hybrid ones).
pub fn parse_cgroup2_mount(mountinfo: &str) -> Option<PathBuf> {
    mountinfo.lines().find_map(|line| {
        let (before, after) = line.split_once(" - ")?;
        let fstype = after.split_ascii_whitespace().next()?;
        let mount_point = before.split_ascii_whitespace().nth(4)?;
        (fstype == "cgroup2").then(|| PathBuf::from(unescape(mount_point)))
    })
}

/// `mountinfo` escapes spaces, tabs, newlines and backslashes as octal (`\040`).
fn unescape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let code = rest.get(at + 1..at + 4).and_then(|o| u8::from_str_radix(o, 8).ok());
        match code {
            Some(c) => {
                out.push(char::from(c));
                rest = &rest[at + 4..];
            }
            None => {
                out.push('\\');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The cgroup v2 mount point of this machine.
pub fn cgroup2_mount() -> Option<PathBuf> {
    parse_cgroup2_mount(&std::fs::read_to_string("/proc/self/mountinfo").ok()?)
}

/// The v2 cgroup path of a process (`0::/system.slice/nginx.service` → that path).
pub fn parse_proc_cgroup(text: &str) -> Option<&str> {
    text.lines().find_map(|l| l.strip_prefix("0::"))
}

/// `usage_usec`, `user_usec`, `system_usec`, and when CPU limits are set `nr_throttled` and
/// `throttled_usec` of `cpu.stat`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CpuStat {
    pub usage_usec: u64,
    pub user_usec: u64,
    pub system_usec: u64,
    pub nr_throttled: Option<u64>,
    pub throttled_usec: Option<u64>,
}

pub fn parse_cpu_stat(text: &str) -> Option<CpuStat> {
    let mut s = CpuStat::default();
    let mut usage = None;
    for (key, value) in keyed(text) {
        match key {
            "usage_usec" => usage = Some(value),
            "user_usec" => s.user_usec = value,
            "system_usec" => s.system_usec = value,
            "nr_throttled" => s.nr_throttled = Some(value),
            "throttled_usec" => s.throttled_usec = Some(value),
            _ => {}
        }
    }
    s.usage_usec = usage?;
    Some(s)
}

/// (anon, file) bytes of `memory.stat`.
pub fn parse_memory_stat(text: &str) -> (Option<u64>, Option<u64>) {
    let mut anon = None;
    let mut file = None;
    for (key, value) in keyed(text) {
        match key {
            "anon" => anon = Some(value),
            "file" => file = Some(value),
            _ => {}
        }
    }
    (anon, file)
}

/// Bytes read and written, summed over every device of `io.stat`
/// (`8:0 rbytes=… wbytes=… rios=… …`).
pub fn parse_io_stat(text: &str) -> (u64, u64) {
    let (mut read, mut written) = (0, 0);
    for pair in text.split_ascii_whitespace() {
        if let Some(v) = pair.strip_prefix("rbytes=") {
            read += v.parse::<u64>().unwrap_or(0);
        } else if let Some(v) = pair.strip_prefix("wbytes=") {
            written += v.parse::<u64>().unwrap_or(0);
        }
    }
    (read, written)
}

/// A single number file (`memory.current`); `max` (no limit) and unreadable files give `None`.
pub fn read_number(dir: &Path, file: &str) -> Option<u64> {
    std::fs::read_to_string(dir.join(file)).ok()?.trim().parse().ok()
}

fn keyed(text: &str) -> impl Iterator<Item = (&str, u64)> {
    text.lines().filter_map(|l| {
        let (k, v) = l.split_once(' ')?;
        Some((k, v.trim().parse().ok()?))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_unified_mount_on_hybrid_and_pure_systems() {
        let hybrid = "35 25 0:30 / /sys/fs/cgroup/cpu rw,relatime shared:9 - cgroup cgroup rw,cpu\n\
                      44 25 0:39 / /sys/fs/cgroup/unified rw,relatime shared:18 - cgroup2 cgroup2 rw\n";
        assert_eq!(
            parse_cgroup2_mount(hybrid),
            Some(PathBuf::from("/sys/fs/cgroup/unified"))
        );
        let pure = "30 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";
        assert_eq!(parse_cgroup2_mount(pure), Some(PathBuf::from("/sys/fs/cgroup")));
        let spaced = "30 23 0:26 / /mnt/cg\\0402 rw shared:4 - cgroup2 none rw\n";
        assert_eq!(parse_cgroup2_mount(spaced), Some(PathBuf::from("/mnt/cg 2")));
        assert_eq!(parse_cgroup2_mount("1 0 0:1 / / rw - ext4 /dev/vda rw\n"), None);
        assert_eq!(
            parse_proc_cgroup("4:memory:/x\n0::/system.slice/nginx.service\n"),
            Some("/system.slice/nginx.service")
        );
    }

    #[test]
    fn controller_files() {
        let cpu = "usage_usec 2304624602\nuser_usec 1990206735\nsystem_usec 314417867\n\
                   nr_periods 10\nnr_throttled 3\nthrottled_usec 1500\n";
        assert_eq!(
            parse_cpu_stat(cpu),
            Some(CpuStat {
                usage_usec: 2304624602,
                user_usec: 1990206735,
                system_usec: 314417867,
                nr_throttled: Some(3),
                throttled_usec: Some(1500),
            })
        );
        assert_eq!(parse_cpu_stat("user_usec 1\n"), None);
        assert_eq!(
            parse_memory_stat("anon 4096\nfile 8192\nkernel 1\n"),
            (Some(4096), Some(8192))
        );
        let io = "8:0 rbytes=1024 wbytes=2048 rios=1 wios=2 dbytes=0 dios=0\n\
                  8:16 rbytes=1 wbytes=2 rios=1 wios=1\n";
        assert_eq!(parse_io_stat(io), (1025, 2050));
    }
}
