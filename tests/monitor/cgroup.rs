//! `cgroup:PATH` on a cgroup v2 directory this test creates under the machine's cgroup2
//! mount, with a busy process moved into it: the cgroup's CPU % is that process's, as the
//! process's own `utime + stime` in /proc measure it over the same seconds. (A fixed floor
//! failed on a busy machine: the loop got 33% of a core, and the cgroup said so truly.)

use crate::support::monitor;
use loadcell_monitor::SourceSpec;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// CPU seconds `pid` has used so far (user + system), from /proc/PID/stat in USER_HZ ticks.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("the busy loop's stat");
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')').expect("a stat line") + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    ticks / 100.0
}

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
        let (cpu_before, since) = (cpu_seconds(busy.id()), Instant::now());
        let (mon, _) = monitor(&[SourceSpec::Cgroup(format!("/{name}"))], None);
        std::thread::sleep(Duration::from_millis(3200));
        let run = mon.finish();
        let truth = (cpu_seconds(busy.id()) - cpu_before) / since.elapsed().as_secs_f64() * 100.0;
        let s = &run.summaries(0.0, f64::INFINITY)[0];
        let cpu = s.metrics.iter().find(|m| m.name == "cpu_percent").expect("cpu_percent");
        let mean = cpu.mean.unwrap_or(0.0);
        eprintln!(
            "cgroup: {} readings, cpu {mean:.1}% (the process's own: {truth:.1}%), metrics {:?}",
            s.samples,
            s.metrics.iter().map(|m| &m.name).collect::<Vec<_>>()
        );
        // One busy loop: up to one core, less what a loaded machine takes from it. The
        // readings span nearly the same seconds as the process's own figure.
        assert!(truth > 5.0, "the busy loop ran: {truth}%");
        assert!(
            mean <= 105.0 && (mean - truth).abs() <= 10.0,
            "cgroup CPU {mean:.1}%, the process's own {truth:.1}%"
        );
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
