//! Reading Linux's `/proc` and cgroup v2 files: pure parsers over each file's text (tested on
//! fixtures) and thin functions that read the files. The samplers in `crate::source` turn
//! successive reads into per-interval values.

pub mod cgroup;
pub mod host;
pub mod process;
pub mod tree;

/// Seconds since boot, from `/proc/uptime`.
pub fn uptime_s(proc_root: &std::path::Path) -> Option<f64> {
    let text = std::fs::read_to_string(proc_root.join("uptime")).ok()?;
    text.split_ascii_whitespace().next()?.parse().ok()
}
