//! `loadcell merge`: the segments of one test, run as separate processes started together
//! with `--start-at`, merged into one results folder. The target's own count is the oracle
//! for the merged total; the union of every part's `--samples`, recorded into the same HDR
//! histogram, for the merged p99 (equal, not close: histograms are merged, never averaged);
//! a count threshold that each part holds and the whole breaks shows the thresholds are
//! judged on the merged data. A killed part is merged as far as it went and named; folders
//! of another test are refused.

use crate::support::*;
use loadcell_metrics::{new_histogram, record_us};
use std::path::{Path, PathBuf};

/// Starts parts I = 1..=N of `loadcell run URL ARGS --segment I/N --out DIR/partI
/// --samples DIR/partI.ndjson -q` at once (the caller holds the machine lock).
fn spawn_parts(url: &str, args: &[&str], n: u64, dir: &Path) -> Vec<Running> {
    (1..=n)
        .map(|i| {
            let mut full: Vec<String> = vec!["run".into(), url.into()];
            full.extend(args.iter().map(|a| a.to_string()));
            full.extend(["--segment".into(), format!("{i}/{n}"), "-q".into()]);
            full.extend(["--out".into(), dir.join(format!("part{i}")).display().to_string()]);
            full.extend([
                "--samples".into(),
                dir.join(format!("part{i}.ndjson")).display().to_string(),
            ]);
            Loadcell::new(&full).spawn()
        })
        .collect()
}

fn unix_ms(at: std::time::SystemTime) -> u64 {
    at.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The latency p99 (ms) of every request in the parts' `--samples` files, from one HDR
/// histogram as loadcell keeps them.
fn p99_of_samples(files: &[PathBuf]) -> (u64, f64) {
    let mut h = new_histogram();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
            record_us(&mut h, v["latency_us"].as_u64().unwrap_or_else(|| panic!("{line}")));
        }
    }
    (h.len(), loadcell_metrics::latency_stats(&h).p99)
}

#[test]
fn parts_started_together_merge_to_the_servers_count_the_unions_p99_and_the_whole_verdict() {
    let server = fast_target();
    let dir = TempDir::new();
    let (asked_ms, parts): (u64, Vec<Finished>) = {
        let _machine = alone();
        // 300/s for 3 s is 900 arrivals; each part has 300, which `count<400` allows and the
        // merged 900 does not. (The instant is taken once the machine is ours: waiting for it
        // must not put the start in the past.)
        let at = std::time::SystemTime::now() + std::time::Duration::from_secs(2);
        let start = loadcell_schema::rfc3339_utc(at);
        let args = parts_under_a_fleet_threshold(&start);
        let parts = spawn_parts(&url_of(&server), &args, 3, dir.path())
            .into_iter()
            .map(Running::wait)
            .collect();
        (unix_ms(at), parts)
    };
    let all = outputs(&parts);
    for part in &parts {
        part.assert_exit(0);
    }
    let dirs = part_dirs(dir.path(), 3);
    // The parts' loads started at the same wall-clock instant (their starts are t0, after
    // the --start-at wait), a few milliseconds apart at most on one machine.
    let starts: Vec<u64> = dirs
        .iter()
        .map(|d| {
            u64_at(
                &read_summary(&d.join("meta.json")).unwrap_or_default(),
                "started_at_unix_ms",
            )
        })
        .collect();
    let spread = starts.iter().max().unwrap_or(&0) - starts.iter().min().unwrap_or(&0);
    assert!(spread < 250, "starts {starts:?}\n{all}");
    // …and `started_at` is the load's start, after the wait (`meta.json` was rewritten then):
    // not before the instant asked for, 2 s after the processes were spawned.
    assert!(
        starts.iter().all(|&s| s >= asked_ms),
        "starts {starts:?}, asked for {asked_ms}"
    );
    for d in &dirs {
        let summary = summary_of(d);
        assert_eq!(
            str_at(&summary, "started_at"),
            str_at(&read_summary(&d.join("meta.json")).unwrap_or_default(), "started_at")
        );
    }

    let out = dir.path().join("merged");
    let merged = merge(&dirs, &out);
    // The whole test breaks the count threshold each part held: exit 1.
    merged.assert_exit(1);
    assert!(merged.stdout.contains("— merged from 3 part(s)"), "{}", merged.output());
    let s = summary_of(&out);
    let served = server.stats().requests_total;
    assert_eq!(u64_at(&s, "requests.total"), served, "{}\n{all}", merged.output());
    assert_eq!(served, 900, "{}\n{all}", merged.output());
    assert_eq!(u64_at(&s, "iterations.scheduled"), 900);
    assert_eq!(
        at(&s, "thresholds.0.passed"),
        &serde_json::json!(false),
        "{}",
        merged.output()
    );
    let samples: Vec<PathBuf> = (1..=3).map(|i| dir.path().join(format!("part{i}.ndjson"))).collect();
    let (count, p99) = p99_of_samples(&samples);
    assert_eq!(count, 900);
    assert_eq!(f64_at(&s, "latency_ms.p99"), p99, "merged p99 against the union's");
    // A time-weighted mean of the merged seconds' rates: exact up to f64 rounding (one run in
    // three gave 299.99999999999994).
    let target = f64_at(&s, "arrival_rate.target_per_s");
    assert!(
        (target - 300.0).abs() < 1e-9,
        "the parts' target rates add up: {target}"
    );
    let listed: Vec<&str> = at(&s, "merged")
        .as_array()
        .map(|a| a.iter().filter_map(|p| p["segment"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(listed, ["1/3", "2/3", "3/3"]);
    assert!(s.get("segment").is_none(), "a merge is the whole test");
    for file in ["report.html", "summary.md", "junit.xml"] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    // The merged folder is a results folder: `loadcell report` rebuilds the same verdict.
    let report = run_raw(&["report".as_ref(), out.as_os_str()]);
    report.assert_exit(1);
    assert_eq!(u64_at(&summary_of(&out), "requests.total"), 900);
}

#[test]
fn a_killed_part_is_merged_as_far_as_it_went_and_named_with_exit_1() {
    let server = fast_target();
    let dir = TempDir::new();
    let dirs = part_dirs(dir.path(), 2);
    let parts: Vec<Finished> = {
        let _machine = alone();
        let mut running = spawn_parts(
            &url_of(&server),
            &[
                "-r",
                "100",
                "-d",
                "4s",
                "--start-at",
                &start_together(std::time::Duration::from_secs(1)),
            ],
            2,
            dir.path(),
        );
        // Part 2 is killed (SIGKILL: no end.json) once it has written an interval.
        kill_once_logged(&running[1], &dirs[1].join("intervals.ndjson"), 2);
        let second = running.pop().map(Running::wait);
        let first = running.pop().map(Running::wait);
        first.into_iter().chain(second).collect()
    };
    parts[0].assert_exit(0);
    assert_eq!(parts[1].code, None, "killed by a signal\n{}", parts[1].output());
    let out = dir.path().join("merged");
    let merged = merge(&dirs, &out);
    merged.assert_exit(1);
    assert!(
        merged
            .stderr
            .contains("segment 2/2) is incomplete: did not finish (no end.json"),
        "{}",
        merged.output()
    );
    let s = summary_of(&out);
    assert_eq!(str_at(&s, "stop_reason"), "interrupted");
    assert!(at(&s, "merged.1.incomplete").is_string(), "{}", short(&s));
    assert!(s["merged"][0].get("incomplete").is_none(), "{}", short(&s));
    // What both parts sent before the kill is in the merge; the target saw at least that.
    let total = u64_at(&s, "requests.total");
    let first = u64_at(&summary_of(&dirs[0]), "requests.total");
    assert!(
        total > first && total <= server.stats().requests_total,
        "{total} {first}"
    );
}

#[test]
fn folders_of_another_test_overlapping_or_not_results_are_refused_with_exit_2() {
    let a = fast_target();
    let b = fast_target();
    let dir = TempDir::new();
    let run_into = |url: &str, segment: &str, name: &str| {
        let out = dir.path().join(name);
        let args = ["run", url, "-n", "3", "-q", "--segment", segment, "--out"];
        let mut full: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        full.push(out.display().to_string());
        run_raw(&full).assert_exit(0);
        out
    };
    let one = run_into(&url_of(&a), "1/2", "one");
    let other_target = run_into(&url_of(&b), "2/2", "other-target");
    let other_split = run_into(&url_of(&a), "2/3", "other-split");
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap_or_else(|e| panic!("{e}"));
    for (dirs, says) in [
        (vec![one.clone(), other_target], "different targets"),
        (vec![one.clone(), one.clone()], "both are segment 1/2"),
        (vec![one.clone(), other_split], "split the test differently"),
        (vec![one.clone(), empty], "not a loadcell results folder"),
    ] {
        let out = dir.path().join("never");
        let merged = merge(&dirs, &out);
        merged.assert_exit(2);
        let lines = merged.stderr_lines();
        assert_eq!(lines.len(), 1, "{}", merged.output());
        assert!(lines[0].contains(says), "{says}: {}", lines[0]);
        assert!(!out.exists(), "nothing is written for folders that cannot be merged");
    }
    let merged = merge(std::slice::from_ref(&one), &one);
    merged.assert_exit(2);
    assert!(
        merged.stderr.contains("--out is one of the folders"),
        "{}",
        merged.output()
    );
}
