//! Finding processes: which match a `process:NAME` source (by name or command line), and
//! their children, grandchildren and so on, whose use is summed into the source.

use std::collections::BTreeSet;
use std::path::Path;

use super::process::{parse_stat, stat_comm};

/// Every numeric entry of `/proc`: the running processes.
pub fn list_pids(proc_root: &Path) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir(proc_root) else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect()
}

/// Whether process `pid` is called `name`: its command name (as the kernel keeps it, at
/// most 15 bytes), or the file name of its first argument, equals `name`, or its command
/// line (arguments joined by spaces) contains `name`.
pub fn matches(proc_root: &Path, pid: u32, name: &str) -> bool {
    let dir = proc_root.join(pid.to_string());
    let Ok(stat) = std::fs::read_to_string(dir.join("stat")) else {
        return false;
    };
    if parse_stat(&stat).is_none_or(|s| s.exited()) {
        return false;
    }
    if stat_comm(&stat) == Some(name) {
        return true;
    }
    let Ok(raw) = std::fs::read(dir.join("cmdline")) else {
        return false;
    };
    let args: Vec<String> = raw
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    let Some(first) = args.first() else {
        return false; // kernel threads have no command line
    };
    let base = first.rsplit('/').next().unwrap_or(first);
    base == name || args.join(" ").contains(name)
}

/// The parent of `pid`, from its `stat`.
pub fn parent(proc_root: &Path, pid: u32) -> Option<u32> {
    let text = std::fs::read_to_string(proc_root.join(pid.to_string()).join("stat")).ok()?;
    Some(parse_stat(&text)?.ppid)
}

/// `pid` and its ancestors up to init: processes a `process:NAME` source must never count
/// (loadcell itself, and the shell whose command line names the process to watch).
pub fn self_and_ancestors(proc_root: &Path, pid: u32) -> BTreeSet<u32> {
    let mut out = BTreeSet::new();
    let mut at = pid;
    while at > 1 && out.insert(at) {
        match parent(proc_root, at) {
            Some(p) => at = p,
            None => break,
        }
    }
    out
}

/// The processes matching `name`, except those in `exclude`.
pub fn find_matching(proc_root: &Path, name: &str, exclude: &BTreeSet<u32>) -> BTreeSet<u32> {
    list_pids(proc_root)
        .into_iter()
        .filter(|pid| !exclude.contains(pid) && matches(proc_root, *pid, name))
        .collect()
}

/// `roots` and all their descendants. Children come from each thread's `children` file
/// when the kernel has them (cheap), else from one scan of every process's parent.
pub fn with_descendants(proc_root: &Path, roots: &BTreeSet<u32>) -> BTreeSet<u32> {
    let mut all = roots.clone();
    let mut frontier: Vec<u32> = roots.iter().copied().collect();
    let mut by_parent: Option<Vec<(u32, u32)>> = None;
    while let Some(pid) = frontier.pop() {
        let kids = match children_files(proc_root, pid) {
            Some(kids) => kids,
            None => {
                let table = by_parent.get_or_insert_with(|| parent_table(proc_root));
                table.iter().filter(|(_, p)| *p == pid).map(|(c, _)| *c).collect()
            }
        };
        for kid in kids {
            if all.insert(kid) {
                frontier.push(kid);
            }
        }
    }
    all
}

/// Children of `pid` from `/proc/PID/task/*/children`; `None` when the kernel lacks them.
fn children_files(proc_root: &Path, pid: u32) -> Option<Vec<u32>> {
    let tasks = std::fs::read_dir(proc_root.join(pid.to_string()).join("task")).ok()?;
    let mut kids = Vec::new();
    let mut any = false;
    for task in tasks.flatten() {
        if let Ok(text) = std::fs::read_to_string(task.path().join("children")) {
            any = true;
            kids.extend(text.split_ascii_whitespace().filter_map(|s| s.parse::<u32>().ok()));
        }
    }
    any.then_some(kids)
}

/// (pid, parent) of every process.
fn parent_table(proc_root: &Path) -> Vec<(u32, u32)> {
    list_pids(proc_root)
        .into_iter()
        .filter_map(|pid| Some((pid, parent(proc_root, pid)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Command, Stdio};

    #[test]
    fn finds_a_child_by_its_command_line_and_never_itself() {
        let proc_root = Path::new("/proc");
        let marker = format!("30.{}7", std::process::id());
        let mut child = match Command::new("sleep").arg(&marker).stdout(Stdio::null()).spawn() {
            Ok(c) => c,
            Err(e) => panic!("sleep: {e}"),
        };
        let me = std::process::id();
        let exclude = self_and_ancestors(proc_root, me);
        assert!(exclude.contains(&me));
        let found = find_matching(proc_root, &format!("sleep {marker}"), &exclude);
        let by_comm = find_matching(proc_root, "sleep", &exclude);
        let tree = with_descendants(proc_root, &BTreeSet::from([me]));
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(found, BTreeSet::from([child.id()]));
        assert!(by_comm.contains(&child.id()));
        assert!(tree.contains(&child.id()) && tree.contains(&me), "{tree:?}");
        assert!(!matches(proc_root, me, &format!("no such {marker}")));
    }
}
