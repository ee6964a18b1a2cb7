//! `loadcell-compare` on real runs, as issue #15's acceptance asks: the real binary loads
//! `loadcell target --latency 10ms` and `--latency 11ms` (separate processes on free loopback
//! ports) into results folders, and the comparison must tell 10% slower from the same.
//!
//! This is the short version of `bench/compare-acceptance.sh` (10 pairs of 10 s runs,
//! figures in BENCHMARKS.md): 3 pairs of 3 s runs per case, interleaved. What the long and
//! short experiments measured on this project's busy 2-core machine sets the expectations:
//! 10 → 11 ms was `regressed` in 8/10 pairs of 10 s and 10/10 pairs of 3 s; 10 → 10 ms was
//! never `regressed` in 3 s pairs (0/10) and in 2/10 of 10 s pairs — but `improved` in 4/10
//! of the 3 s pairs, when a stall of the machine hit the base run's tail. So the test asks for
//! at least 2 of 3 slower pairs regressed, and at least 2 of 3 same pairs not regressed (exit
//! code 0); a failed round is retried once with 3 new pairs, and the 6 pairs must then give
//! at least 4.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use loadcell_compare::{Settings, compare_paths};
use loadcell_schema::{Method, Verdict};

/// No loadcell run may take longer than this.
const RUN_LIMIT: Duration = Duration::from_secs(60);

/// `loadcell target --port 0 --latency L`, killed on drop.
struct Target {
    child: Child,
    url: String,
}

impl Target {
    fn start(latency: &str) -> Target {
        let mut child = Command::new(env!("CARGO_BIN_EXE_loadcell"))
            .args(["target", "--port", "0", "--latency", latency])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start loadcell target");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("target stdout");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("target's first line");
        let url = line
            .trim()
            .rsplit(' ')
            .next()
            .filter(|u| u.starts_with("http://127.0.0.1:"))
            .unwrap_or_else(|| panic!("unexpected first line from loadcell target: {line:?}"))
            .to_string();
        Target { child, url }
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh directory under the system temp dir, removed on drop.
struct Temp(PathBuf);

impl Temp {
    fn new() -> Temp {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let p = std::env::temp_dir().join(format!("loadcell-compare-it-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&p).unwrap();
        Temp(p)
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `loadcell run URL -c 10 -d 3s -q --out DIR`.
fn run(url: &str, out: &Path) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_loadcell"))
        .args(["run", url, "-c", "10", "-d", "3s", "-q", "--out"])
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start loadcell run");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            panic!("loadcell run took longer than {RUN_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

/// Verdicts of `pairs` interleaved pairs: (10 → 11 ms, 10 → 10 ms).
fn round(dir: &Path, tag: &str, pairs: usize, t: &[Target; 3]) -> (Vec<Verdict>, Vec<Verdict>) {
    let (mut slow, mut same) = (Vec::new(), Vec::new());
    for i in 0..pairs {
        let p = |name: &str| dir.join(format!("{tag}-{i}-{name}"));
        run(&t[0].url, &p("slow-base"));
        run(&t[1].url, &p("slow-new"));
        run(&t[0].url, &p("same-base"));
        run(&t[2].url, &p("same-new"));
        for (out, base, new) in [
            (&mut slow, "slow-base", "slow-new"),
            (&mut same, "same-base", "same-new"),
        ] {
            let cmp = compare_paths(&p(base), &p(new), &Settings::default()).unwrap();
            assert_eq!(cmp.rows[0].method, Method::BlockBootstrap);
            assert_eq!(cmp.exit_code(), i32::from(cmp.verdict == Verdict::Regressed));
            eprintln!("{tag} pair {i} {base}→{new}: {}", cmp.verdict.as_str());
            out.push(cmp.verdict);
        }
    }
    (slow, same)
}

#[test]
fn ten_percent_slower_is_regressed_and_the_same_target_is_not() {
    let targets = [Target::start("10ms"), Target::start("11ms"), Target::start("10ms")];
    let dir = Temp::new();
    let regressed = |v: &[Verdict]| v.iter().filter(|x| **x == Verdict::Regressed).count();
    let (mut slow, mut same) = round(&dir.0, "a", 3, &targets);
    let ok = |slow: &[Verdict], same: &[Verdict], need: usize| {
        regressed(slow) >= need && same.len() - regressed(same) >= need
    };
    if !ok(&slow, &same, 2) {
        eprintln!("first round: {slow:?} / {same:?}; one more round");
        let (s2, m2) = round(&dir.0, "b", 3, &targets);
        slow.extend(s2);
        same.extend(m2);
        assert!(ok(&slow, &same, 4), "10→11 ms: {slow:?}; 10→10 ms: {same:?}");
    }

    // The same runs' bare summary.json files compare by the reduced method, and say so.
    let a = dir.0.join("a-0-slow-base/summary.json");
    let b = dir.0.join("a-0-slow-new/summary.json");
    let cmp = compare_paths(&a, &b, &Settings::default()).unwrap();
    assert_eq!(cmp.rows[0].method, Method::SecondsSummary);
    assert!(
        cmp.notes.iter().any(|n| n.contains("reduced method")),
        "{:?}",
        cmp.notes
    );
    assert!(cmp.rows[0].metrics[0].change.unwrap() > 0.0, "11 ms is slower at p50");
}

#[test]
fn a_missing_folder_is_an_error_naming_it() {
    let dir = Temp::new();
    let missing = dir.0.join("no-such-run");
    let err = compare_paths(&missing, &missing, &Settings::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{}: no such file or folder", missing.display())
    );
}
