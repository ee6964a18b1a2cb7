//! `process:NAME` sums the matching processes and their children and counts them; a source
//! that disappears is recorded with its time while the other sources go on.

use crate::support::monitor;
use loadcell_monitor::SourceSpec;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn a_process_tree_is_summed_and_its_end_is_recorded() {
    let _alone = crate::support::exclusive();
    let marker = format!("41.{}", std::process::id());
    let mut parent = Command::new("sh")
        .args(["-c", &format!("sleep {marker} & sleep {marker} & wait")])
        .stdin(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("spawn sh");
    std::thread::sleep(Duration::from_millis(300));
    let specs = [SourceSpec::Process(format!("sleep {marker}")), SourceSpec::Host];
    let (mon, t0) = monitor(&specs, None);
    std::thread::sleep(Duration::from_millis(2500));
    // The shell leads its own process group: kill the whole tree at once.
    let group = i32::try_from(parent.id()).expect("pid");
    // SAFETY: signals the process group this test created.
    unsafe {
        libc::kill(-group, libc::SIGKILL);
    }
    let _ = parent.wait();
    let killed_s = t0.elapsed().as_secs_f64();
    let until = Instant::now() + Duration::from_millis(2500);
    std::thread::sleep(until.saturating_duration_since(Instant::now()));
    let run = mon.finish();
    let s = run.summaries(0.0, f64::INFINITY);
    let procs = &s[0];
    assert_eq!(procs.processes, Some(3), "sh and two sleeps: {procs:?}");
    let gone = procs.disappeared_at_s.expect("disappearance recorded");
    assert!(
        gone >= killed_s && gone <= killed_s + 1.5,
        "gone at {gone} s, killed at {killed_s} s"
    );
    assert!(
        procs
            .disappeared
            .as_deref()
            .unwrap_or("")
            .contains("no process matches"),
        "{procs:?}"
    );
    let host_after = s[1].t_s.iter().filter(|t| **t > gone).count();
    assert!(
        host_after >= 1,
        "host readings stopped with the process: {:?}",
        s[1].t_s
    );
    let rss = procs.metrics.iter().find(|m| m.name == "rss_bytes").expect("rss");
    assert!(rss.max.unwrap_or(0.0) > 0.0);
}
