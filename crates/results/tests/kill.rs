//! A writer killed with SIGKILL (no chance to clean up) leaves every interval it had
//! appended readable. The test binary re-runs itself as the writer: the `child_*` test
//! does nothing unless `LOADCELL_RESULTS_KILL_CHILD` names a folder.
#![cfg(test)]

mod common;

use common::{intervals, meta, temp_dir};
use loadcell_results::{ResultsWriter, read};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHILD_ENV: &str = "LOADCELL_RESULTS_KILL_CHILD";

/// The writer: appends intervals for ever, printing `appended N` after each.
#[test]
fn child_writes_until_killed() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let meta = meta(4, 0);
    let ivs = intervals(&meta, 8, 0, 400, 21);
    let mut writer = ResultsWriter::create(std::path::Path::new(&dir), &meta).unwrap();
    for round in 0u64.. {
        let i = &ivs[(round % 8) as usize];
        let interval = common::Interval {
            seq: round,
            t_s: round as f64 + 1.0,
            len_s: 1.0,
            warmup: false,
            target: None,
            measured: i.measured.clone(),
            warm: i.warm.clone(),
        };
        common::write_all(&mut writer, &meta, std::slice::from_ref(&interval));
        println!("appended {round}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn sigkill_keeps_every_appended_interval() {
    let dir = temp_dir("sigkill");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_writes_until_killed",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut appended = None;
    while let Some(Ok(line)) = lines.next() {
        if let Some(n) = line.strip_prefix("appended ") {
            appended = n.trim().parse::<u64>().ok();
            if appended >= Some(20) || Instant::now() > deadline {
                break;
            }
        }
    }
    child.kill().unwrap(); // SIGKILL on Unix: no destructors, no flush, no end.json
    child.wait().unwrap();
    let appended = appended.expect("the child appended nothing");

    let rec = read(&dir).unwrap();
    assert!(!rec.finished());
    assert!(rec.truncated_lines <= 1);
    assert!(
        rec.intervals.len() as u64 > appended,
        "{} intervals read, {} appended",
        rec.intervals.len(),
        appended + 1
    );
    for (n, i) in rec.intervals.iter().enumerate() {
        assert_eq!(i.seq, n as u64);
        assert_eq!(i.measured.requests(), 4 * 400);
    }
    let out = rec.outcome();
    assert_eq!(out.total.requests(), rec.intervals.len() as u64 * 4 * 400);
    assert_eq!(out.stop_reason, loadcell_schema::StopReason::Interrupted);
}
