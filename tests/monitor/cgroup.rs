//! `cgroup:PATH` on a cgroup v2 directory this test creates under the machine's cgroup2
//! mount, with a busy process moved into it: the cgroup's CPU % is that process's.

use crate::support::monitor;
use loadcell_monitor::SourceSpec;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The cgroup2 mount point, from /proc/self/mountinfo.
fn mount() -> Option<std::path::PathBuf> {
    loadcell_monitor::procfs::cgroup::cgroup2_mount()
}

#[test]
fn a_cgroup_reports_the_cpu_of_its_processes() {
    let _alone = crate::support::exclusive();
    let mount = mount().expect("this machine has a cgroup v2 hierarchy");
    let name = format!("loadcell-test-{}", std::process::id());
    let dir = mount.join(&name);
    std::fs::create_dir(&dir).unwrap_or_else(|e| panic!("cannot create {} (tests run as root): {e}", dir.display()));
    let mut busy = Command::new("sh")
        .args(["-c", "while :; do :; done"])
        .stdin(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("spawn busy loop");
    let moved = std::fs::write(dir.join("cgroup.procs"), busy.id().to_string());
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        moved.unwrap_or_else(|e| panic!("moving the busy loop into {}: {e}", dir.display()));
        let (mon, _) = monitor(&[SourceSpec::Cgroup(format!("/{name}"))], None);
        std::thread::sleep(Duration::from_millis(3200));
        let run = mon.finish();
        let s = &run.summaries(0.0, f64::INFINITY)[0];
        let cpu = s.metrics.iter().find(|m| m.name == "cpu_percent").expect("cpu_percent");
        let mean = cpu.mean.unwrap_or(0.0);
        eprintln!(
            "cgroup: {} readings, cpu {mean:.1}%, metrics {:?}",
            s.samples,
            s.metrics.iter().map(|m| &m.name).collect::<Vec<_>>()
        );
        // One busy loop is one core, less what a loaded machine takes from it.
        assert!((40.0..=105.0).contains(&mean), "cgroup CPU {mean}%");
        if let Some(pids) = s.metrics.iter().find(|m| m.name == "pids") {
            assert_eq!(pids.max, Some(1.0));
        }
    }));
    let _ = busy.kill();
    let _ = busy.wait();
    // An empty cgroup can be removed.
    let _ = std::fs::remove_dir(&dir);
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
