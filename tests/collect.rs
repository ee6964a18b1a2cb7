//! `loadcell collect` and `run --collect URL`: the parts of one test, each a process of its
//! own started together with `--start-at`, send their results folder's lines to a collector
//! that merges them live. The target's own count is the oracle for the fleet's total, and
//! `loadcell merge` of the parts' own folders for the collector's summary (counts and p99
//! equal: the same histograms merged); a threshold only the whole breaks fails the fleet
//! and, with `--abort-on-fail`, stops every part early; a killed part is reported with its
//! time while the others finish; `--prometheus` serves the fleet's merged counters (read by
//! a real Prometheus text parser).

use crate::prometheus::{counter, scrape};
use crate::support::*;
use std::net::TcpListener;
use std::path::Path;
use std::time::Duration;

/// A port nothing listens on now (the collector binds it a moment later).
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

/// `loadcell collect --listen 127.0.0.1:PORT --expect N --out OUT ARGS`, once it listens.
fn spawn_collector(port: u16, n: u64, out: &Path, args: &[&str]) -> Running {
    let mut full: Vec<String> = vec![
        "collect".into(),
        "--listen".into(),
        format!("127.0.0.1:{port}"),
        "--expect".into(),
        n.to_string(),
        "--out".into(),
        out.display().to_string(),
    ];
    full.extend(args.iter().map(|a| a.to_string()));
    let running = Loadcell::new(&full).spawn();
    let up = wait_until(Duration::from_secs(20), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    assert!(up, "the collector does not listen on {port}");
    running
}

/// Parts I = 1..=N of `run URL ARGS --segment I/N --collect http://127.0.0.1:PORT --out
/// DIR/partI -q`, all at once (the caller holds the machine lock).
fn spawn_parts(url: &str, args: &[&str], n: u64, port: u16, dir: &Path) -> Vec<Running> {
    (1..=n)
        .map(|i| {
            let mut full: Vec<String> = vec!["run".into(), url.into()];
            full.extend(args.iter().map(|a| a.to_string()));
            full.extend(["--segment".into(), format!("{i}/{n}"), "-q".into()]);
            full.extend(["--collect".into(), format!("http://127.0.0.1:{port}")]);
            full.extend(["--out".into(), part_dir(dir, i).display().to_string()]);
            Loadcell::new(&full).spawn()
        })
        .collect()
}

#[test]
fn three_parts_collected_live_add_up_to_the_targets_count_and_equal_their_merge() {
    let server = fast_target();
    let dir = TempDir::new();
    let port = free_port();
    let fleet = dir.path().join("fleet");
    let metrics_port = free_port();
    let metrics_addr = format!("127.0.0.1:{metrics_port}");
    let (collector, parts, scraped) = {
        let _machine = alone();
        // Each part's 300 requests hold `count<400`; the fleet's 900 do not. (The instant is
        // taken once the machine is ours: waiting for it must not put the start in the past.)
        let start = start_together(Duration::from_secs(2));
        let args = parts_under_a_fleet_threshold(&start);
        let collector = spawn_collector(port, 3, &fleet, &["--prometheus", &metrics_addr]);
        let running = spawn_parts(&url_of(&server), &args, 3, port, dir.path());
        // The fleet's merged counter passes 300, more than any one part sends in all.
        let mut scraped = 0.0;
        wait_until(Duration::from_secs(20), || {
            let Some(body) = scrape(metrics_port).filter(|b| b.contains("loadcell_http_requests_total{")) else {
                return false;
            };
            scraped = counter(
                &body,
                "loadcell_http_requests_total",
                &[("endpoint", "GET /"), ("status_class", "2xx")],
            );
            scraped > 300.0
        });
        let parts: Vec<Finished> = running.into_iter().map(Running::wait).collect();
        (collector.wait(), parts, scraped)
    };
    let all = outputs(&parts.iter().chain([&collector]).collect::<Vec<_>>());
    for part in &parts {
        part.assert_exit(0);
    }
    collector.assert_exit(1);
    assert!(collector.stderr.contains("part 3/3 joined"), "{all}");
    assert!(
        scraped > 300.0 && scraped <= 900.0,
        "--prometheus showed {scraped}\n{all}"
    );
    let s = summary_of(&fleet);
    let served = server.stats().requests_total;
    assert_eq!(served, 900, "{all}");
    assert_eq!(u64_at(&s, "requests.total"), served, "{all}");
    assert_eq!(at(&s, "thresholds.0.passed"), &serde_json::json!(false), "{all}");
    // What a part sent is exactly what it wrote: the collector's copy is its folder's log.
    for i in 1..=3 {
        let own = std::fs::read(part_dir(dir.path(), i).join("intervals.ndjson")).unwrap_or_default();
        let copy = std::fs::read(fleet.join(format!("parts/{i}-of-3/intervals.ndjson"))).unwrap_or_default();
        assert!(!own.is_empty() && own == copy, "part {i}'s copy differs\n{all}");
    }
    // The collector's summary is `loadcell merge`'s of the parts' own folders.
    let merged_dir = dir.path().join("merged");
    let merged = merge(&part_dirs(dir.path(), 3), &merged_dir);
    merged.assert_exit(1);
    let m = summary_of(&merged_dir);
    for path in ["requests.total", "requests.ok", "iterations.scheduled"] {
        assert_eq!(u64_at(&s, path), u64_at(&m, path), "{path}\n{all}");
    }
    for path in ["latency_ms.p99", "latency_ms.p50", "latency_ms.max"] {
        assert_eq!(f64_at(&s, path), f64_at(&m, path), "{path}\n{all}");
    }
    let listed: Vec<&str> = at(&s, "merged")
        .as_array()
        .map(|a| a.iter().filter_map(|p| p["segment"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(listed, ["1/3", "2/3", "3/3"]);
    // The folder is a results folder: `loadcell report` rebuilds the same verdict.
    let report = run_raw(&["report".as_ref(), fleet.as_os_str()]);
    report.assert_exit(1);
    assert_eq!(u64_at(&summary_of(&fleet), "requests.total"), 900);
}

#[test]
fn a_threshold_only_the_fleet_breaks_stops_every_part_early_with_abort_on_fail() {
    let server = fast_target();
    let dir = TempDir::new();
    let port = free_port();
    let fleet = dir.path().join("fleet");
    let planned_s = 8.0;
    let (collector, parts) = {
        let _machine = alone();
        let collector = spawn_collector(
            port,
            3,
            &fleet,
            &["--threshold", "http_reqs: count<400", "--abort-on-fail"],
        );
        let parts: Vec<Finished> = spawn_parts(
            &url_of(&server),
            &[
                "-r",
                "300",
                "-d",
                "8s",
                "--start-at",
                &start_together(Duration::from_secs(2)),
            ],
            3,
            port,
            dir.path(),
        )
        .into_iter()
        .map(Running::wait)
        .collect();
        (collector.wait(), parts)
    };
    let all = outputs(&parts.iter().chain([&collector]).collect::<Vec<_>>());
    // Each part stops at its next interval after the fleet passed 400 (~1.4 s in): well
    // before 8 s.
    let own: Vec<_> = (1..=parts.len() as u64)
        .map(|i| summary_of(&part_dir(dir.path(), i)))
        .collect();
    assert_fleet_aborted(&collector, &parts, &own, planned_s, &all);
    let s = summary_of(&fleet);
    assert_eq!(u64_at(&s, "requests.total"), server.stats().requests_total, "{all}");
    assert_eq!(at(&s, "thresholds.0.passed"), &serde_json::json!(false), "{all}");
    assert!(u64_at(&s, "requests.total") < 2400 / 2, "{all}");
}

#[test]
fn a_killed_part_is_reported_with_its_time_and_the_others_finish() {
    let server = fast_target();
    let dir = TempDir::new();
    let port = free_port();
    let fleet = dir.path().join("fleet");
    let (collector, parts) = {
        let _machine = alone();
        let collector = spawn_collector(port, 3, &fleet, &[]);
        let running = spawn_parts(
            &url_of(&server),
            &[
                "-r",
                "150",
                "-d",
                "4s",
                "--start-at",
                &start_together(Duration::from_secs(2)),
            ],
            3,
            port,
            dir.path(),
        );
        kill_once_logged(&running[1], &part_dir(dir.path(), 2).join("intervals.ndjson"), 2);
        let parts: Vec<Finished> = running.into_iter().map(Running::wait).collect();
        (collector.wait(), parts)
    };
    let all = outputs(&parts.iter().chain([&collector]).collect::<Vec<_>>());
    parts[0].assert_exit(0);
    parts[2].assert_exit(0);
    assert_eq!(parts[1].code, None, "killed by a signal\n{all}");
    collector.assert_exit(1);
    lost_line(&collector, "2/3");
    assert!(collector.stderr.contains("part 1/3 ended"), "{all}");
    assert!(collector.stderr.contains("part 3/3 ended"), "{all}");
    let s = summary_of(&fleet);
    assert_eq!(str_at(&s, "stop_reason"), "interrupted", "{all}");
    assert!(at(&s, "merged.1.incomplete").is_string(), "{all}");
    let total = u64_at(&s, "requests.total");
    let finished: u64 = [0, 2]
        .iter()
        .map(|&i| u64_at(&summary_of(&part_dir(dir.path(), i + 1)), "requests.total"))
        .sum();
    assert!(
        total > finished && total <= server.stats().requests_total,
        "{total} {finished}\n{all}"
    );
}

#[test]
fn bad_collect_urls_and_refused_parts_exit_2_before_any_request() {
    let server = fast_target();
    let url = url_of(&server);
    for (bad, says) in [
        ("collector:7070", "expected http://HOST:PORT"),
        ("http://127.0.0.1", "the port is missing"),
        ("http://127.0.0.1:7070/x", "without a path"),
    ] {
        let run = run_raw(&["run", &url, "-n", "5", "--collect", bad]);
        run.assert_exit(2);
        let lines = run.stderr_lines();
        assert_eq!(lines.len(), 1, "{}", run.output());
        assert!(
            lines[0].contains("--collect") && lines[0].contains(says),
            "{}",
            lines[0]
        );
    }
    // A collector of a test in 2 parts refuses segment 1/3, before the part sends a request.
    let dir = TempDir::new();
    let port = free_port();
    let _machine = alone();
    let collector = spawn_collector(port, 2, &dir.path().join("fleet"), &[]);
    let collect = format!("http://127.0.0.1:{port}");
    let part = Loadcell::new(&[
        "run",
        &url,
        "-n",
        "5",
        "--segment",
        "1/3",
        "--collect",
        &collect,
        "--no-out",
    ])
    .spawn()
    .wait();
    part.assert_exit(2);
    assert!(part.stderr.contains("drop --no-out"), "{}", part.output());
    let part = Loadcell::new(&["run", &url, "-n", "5", "--segment", "1/3", "--collect", &collect, "-q"])
        .current_dir(dir.path())
        .spawn()
        .wait();
    part.assert_exit(2);
    let lines = part.stderr_lines();
    assert_eq!(lines.len(), 1, "{}", part.output());
    assert!(
        lines[0].contains("refused this part") && lines[0].contains("expects a test in 2 part(s)"),
        "{}",
        lines[0]
    );
    assert_eq!(server.stats().requests_total, 0);
    collector.signal(libc::SIGINT);
    let collector = collector.wait();
    assert_eq!(collector.code, Some(2), "no part came\n{}", collector.output());
}

#[test]
fn a_killed_collector_leaves_a_folder_report_rebuilds_and_the_parts_go_on() {
    let server = fast_target();
    let dir = TempDir::new();
    let port = free_port();
    let fleet = dir.path().join("fleet");
    let parts: Vec<Finished> = {
        let _machine = alone();
        let collector = spawn_collector(port, 2, &fleet, &["-q"]);
        let running = spawn_parts(
            &url_of(&server),
            &[
                "-r",
                "100",
                "-d",
                "4s",
                "--start-at",
                &start_together(Duration::from_secs(1)),
            ],
            2,
            port,
            dir.path(),
        );
        // Killed once it has merged a second or more (SIGKILL: nothing is tidied up).
        kill_once_logged(&collector, &fleet.join("intervals.ndjson"), 2);
        assert_eq!(collector.wait().code, None);
        running.into_iter().map(Running::wait).collect()
    };
    let all = outputs(&parts.iter().collect::<Vec<_>>());
    for part in &parts {
        part.assert_exit(0);
        let said = part.stderr.matches("lost the collector").count();
        assert_eq!(said, 1, "said once\n{all}");
    }
    let served = server.stats().requests_total;
    let own: u64 = (1..=2)
        .map(|i| u64_at(&summary_of(&part_dir(dir.path(), i)), "requests.total"))
        .sum();
    assert_eq!(own, served, "each part's own folder has all of it\n{all}");
    // The collector's folder, killed mid-run, is a results folder of what it had merged.
    let report = run_raw(&["report".as_ref(), fleet.as_os_str()]);
    report.assert_exit(1);
    let s = summary_of(&fleet);
    assert_eq!(str_at(&s, "stop_reason"), "interrupted", "{}", report.output());
    let total = u64_at(&s, "requests.total");
    assert!(
        total >= 100 && total < served,
        "{total} of {served}\n{}",
        report.output()
    );
}
