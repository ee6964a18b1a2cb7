//! Issue 19's acceptance with each part of a test a process in a network namespace of its
//! own, with its own IP (the kit's `Netns`: a hub holding the target and the collector,
//! parts joined to it by veth pairs on a private /24, nothing routed beyond it). The
//! target's own count is the oracle for the fleet's total; the address the target saw on
//! each request proves which part sent it; a threshold only the fleet breaks stops every
//! part under `--abort-on-fail` and fails `loadcell merge` too; a killed part is reported
//! lost with its time while the others finish.

use crate::support::*;
use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Merged p99 against a single process's at the same total rate: the medians of 3 fleet
/// runs and 3 single runs, interleaved, agree when neither is more than `NOISE` times the
/// other plus `SLACK_MS`. The bound is the run-to-run noise measured on the shared 2-core
/// development machine (docs/collect.md): three back-to-back single runs at 1000/s for 4 s
/// gave p99s up to 3.5 times apart (0.43 to 1.36 ms), once 8.4 times (4.5 to 38.0 ms). The
/// fleet's median was 1.7 to 5.3 times the single's (most likely because 4 parts, the
/// collector and the target share the 2 cores, and the parts' per-second work falls on the
/// same instants — not verified). So agreement cannot be asked closer than the noise here:
/// the bound says the same order of magnitude, and the merge's exactness is
/// tests/merge.rs's (the merged p99 equals the union of the parts' samples). CI's machines
/// of the same kind run the suite slower than the development one did, so the bound is the
/// largest spread single runs showed, rounded up, not the fleet's usual ratio.
const NOISE: f64 = 10.0;
const SLACK_MS: f64 = 2.0;
/// Attempts of the comparison (see the test).
const ATTEMPTS: usize = 2;

/// The middle value (of an odd count).
fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

/// A free port on the hub's address (only this test's servers live in the hub).
fn free_port_in_hub(net: &Netns) -> u16 {
    let ip = net.hub_ip();
    net.in_hub(|| {
        std::net::TcpListener::bind((ip, 0))
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("no free port on {ip}: {e}"))
    })
}

/// `loadcell collect --listen HUB_IP:PORT --expect N --out OUT ARGS` in the hub, once it
/// listens (tried from inside the hub: the host has no route there).
fn spawn_collector(net: &Netns, port: u16, out: &Path, args: &[&str]) -> Running {
    let ip = net.hub_ip();
    let mut full: Vec<String> = vec!["collect".into(), "--listen".into(), format!("{ip}:{port}")];
    full.extend(["--expect".into(), net.parts().to_string(), "--out".into()]);
    full.push(out.display().to_string());
    full.extend(args.iter().map(|a| a.to_string()));
    let running = Loadcell::new(&full).netns(net.hub()).spawn();
    let up = net.in_hub(|| {
        wait_until(Duration::from_secs(20), || {
            std::net::TcpStream::connect((ip, port)).is_ok()
        })
    });
    assert!(up, "the collector does not listen on {ip}:{port}");
    running
}

/// Part I = 1..=N of `run TARGET ARGS --segment I/N --start-at T --collect
/// http://HUB_IP:PORT --out DIR/partI -q`, each in its own namespace, all at once (the
/// caller holds the machine). T is one instant 2 s from now for every part: `+2s` would be
/// counted from each process's own start, some milliseconds apart.
fn spawn_parts(net: &Netns, target: &str, args: &[&str], port: u16, dir: &Path) -> Vec<Running> {
    let n = net.parts();
    let start_at = start_together(Duration::from_secs(2));
    (1..=n)
        .map(|i| {
            let mut full: Vec<String> = vec!["run".into(), target.into()];
            full.extend(args.iter().map(|a| a.to_string()));
            full.extend(["--start-at".into(), start_at.clone()]);
            full.extend(["--segment".into(), format!("{i}/{n}"), "-q".into()]);
            full.extend(["--collect".into(), format!("http://{}:{port}", net.hub_ip())]);
            full.extend(["--out".into(), part_dir(dir, i).display().to_string()]);
            Loadcell::new(&full).netns(net.part(i)).spawn()
        })
        .collect()
}

/// The built-in target listening on the hub's address.
fn target_in_hub(net: &Netns) -> loadcell_target::TargetHandle {
    let host = IpAddr::V4(net.hub_ip());
    net.in_hub(|| {
        target(loadcell_target::Config {
            host,
            ..loadcell_target::Config::default()
        })
    })
}

/// The scenario of the first test: 1000 iterations/s for 4 s, each a `GET /row?row=R` with
/// the next `unique` row of a 20 000-row file (part I takes rows I−1, I−1+4, …).
fn rows_scenario(dir: &TempDir, target: &str) -> PathBuf {
    let rows: String = (0..20_000).map(|r| format!("{r}\n")).collect();
    dir.write("rows.csv", &format!("id\n{rows}"));
    dir.write(
        "rows.yaml",
        &format!(
            r#"
target: {target}
load: {{ rate: 1000, duration: 4s }}
data:
  rows: {{ csv: rows.csv, pick: unique, on_exhausted: stop }}
journeys:
  - name: row
    steps:
      - get: /row
        query: {{ row: "{{{{ rows.id }}}}" }}
"#
        ),
    )
}

/// `loadcell run FILE -q --out DIR` alone, in part 1's namespace: the target saw exactly
/// its requests; its p99 (ms).
fn single_p99(net: &Netns, rec: &Recorder, file: &Path, out: &Path) -> f64 {
    let before = rec.requests();
    let args: Vec<String> = vec![
        "run".into(),
        file.display().to_string(),
        "-q".into(),
        "--out".into(),
        out.display().to_string(),
    ];
    let single = Loadcell::new(&args).netns(net.part(1)).alone().run();
    single.assert_exit(0);
    let s = summary_of(out);
    assert_eq!(
        rec.requests() - before,
        u64_at(&s, "requests.total"),
        "{}",
        single.output()
    );
    let p99 = f64_at(&s, "latency_ms.p99");
    println!("netns single: p99 {p99} ms ({})", p99_parts(&s));
    p99
}

/// The p99 of what makes up the latency: loadcell's own lag, the target's service time.
fn p99_parts(s: &serde_json::Value) -> String {
    format!(
        "schedule lag p99 {} ms, service time p99 {} ms",
        f64_at(s, "schedule.lag_ms.p99"),
        f64_at(s, "service_time_ms.p99")
    )
}

/// The 4 parts of the rows scenario, each in its namespace, collected live in the hub;
/// every check of the acceptance on what the target saw. The merged p99 (ms).
fn fleet_p99(net: &Netns, rec: &Recorder, file: &Path, dir: &Path) -> f64 {
    let port = free_port_in_hub(net);
    let fleet = dir.join("fleet");
    let before = rec.seen().len();
    let (collector, parts) = {
        let _machine = alone();
        let collector = spawn_collector(net, port, &fleet, &["-q"]);
        let running = spawn_parts(net, &file.display().to_string(), &[], port, dir);
        let parts: Vec<Finished> = running.into_iter().map(Running::wait).collect();
        (collector.wait(), parts)
    };
    let all = outputs(&parts.iter().chain([&collector]).collect::<Vec<_>>());
    for part in &parts {
        part.assert_exit(0);
    }
    collector.assert_exit(0);
    let s = summary_of(&fleet);
    // The target's own count of this fleet's requests (it keeps them in arrival order).
    let seen = rec.seen().split_off(before);
    let served = seen.len() as u64;
    assert_eq!(u64_at(&s, "requests.total"), served, "the target's own count\n{all}");
    assert_eq!(u64_at(&s, "requests.ok"), served, "{all}");
    let achieved = f64_at(&s, "arrival_rate.achieved_per_s");
    assert!(
        (achieved - 1000.0).abs() <= 10.0,
        "merged achieved rate {achieved}/s, asked 1000/s\n{all}"
    );
    // Every request carried its row; a row is sent at most once in all, and it came from
    // the part that owns it (row r is part r mod 4 + 1's), from that part's own address.
    let mut rows = BTreeSet::new();
    let mut sources = BTreeSet::new();
    for request in &seen {
        let row: usize = request
            .query("row")
            .and_then(|r| r.parse().ok())
            .unwrap_or_else(|| panic!("no row in {}", request.path));
        assert!(rows.insert(row), "row {row} sent twice");
        let owner = row % 4 + 1;
        assert_eq!(
            request.peer.ip(),
            IpAddr::V4(net.part_ip(owner)),
            "row {row} is part {owner}'s"
        );
        sources.insert(request.peer.ip());
    }
    let want: BTreeSet<IpAddr> = (1..=4).map(|i| IpAddr::V4(net.part_ip(i))).collect();
    assert_eq!(sources, want, "each part from its own address");
    assert!(!sources.contains(&IpAddr::V4(Ipv4Addr::LOCALHOST)));
    let starts: Vec<u64> = (1..=4)
        .map(|i| {
            let meta = read_summary(&part_dir(dir, i).join("meta.json")).unwrap_or_default();
            u64_at(&meta, "started_at_unix_ms")
        })
        .collect();
    let skew = starts.iter().max().unwrap_or(&0) - starts.iter().min().unwrap_or(&0);
    let p99 = f64_at(&s, "latency_ms.p99");
    println!(
        "netns fleet: {served} requests (the target's count), achieved {achieved}/s, part starts {skew} ms apart, p99 {p99} ms ({})",
        p99_parts(&s)
    );
    p99
}

#[test]
fn four_parts_in_their_own_namespaces_add_up_to_the_targets_count_each_from_its_own_ip() {
    let net = Netns::new(4);
    let hub_ip = net.hub_ip();
    let rec = net.in_hub(|| Recorder::start_on(IpAddr::V4(hub_ip)));
    let dir = TempDir::new();
    let file = rows_scenario(&dir, &rec.url());
    // Fleet, single, fleet, single, fleet, single: interleaved, so that a burst of load
    // from elsewhere on the machine falls on both kinds alike; medians compared. Every
    // fleet run is checked in full (counts, rows, addresses). One more attempt when the
    // medians are apart: a compile on the other core hurts the fleet (5 processes on 2
    // cores) more than the single process — a merge that distorted the p99 would fail both.
    let mut said = Vec::new();
    for attempt in 0..ATTEMPTS {
        let (mut fleets, mut singles) = (Vec::new(), Vec::new());
        for round in 0..6 {
            let folder = dir.path().join(format!("attempt{attempt}-round{round}"));
            if round % 2 == 0 {
                fleets.push(fleet_p99(&net, &rec, &file, &folder));
            } else {
                singles.push(single_p99(&net, &rec, &file, &folder));
            }
        }
        let (fleet, single) = (median(&fleets), median(&singles));
        let line =
            format!("merged p99 {fleets:?} ms, single process {singles:?} ms: medians {fleet} against {single} ms");
        println!("netns p99, attempt {}: {line}", attempt + 1);
        if fleet <= NOISE * single + SLACK_MS && single <= NOISE * fleet + SLACK_MS {
            return;
        }
        said.push(line);
    }
    panic!(
        "the merged p99 and a single process's are more than the noise apart in every attempt:\n{}",
        said.join("\n")
    );
}

#[test]
fn a_threshold_only_the_fleet_breaks_stops_the_parts_in_their_namespaces_and_fails_the_merge() {
    let net = Netns::new(4);
    let server = target_in_hub(&net);
    let dir = TempDir::new();
    let port = free_port_in_hub(&net);
    let fleet = dir.path().join("fleet");
    // 100/s per part for 10 s: a part alone sends at most 1000, under its own `count<1100`
    // (every part has the threshold, as a test's parts do); the fleet passes 1100 about
    // 2.75 s in, and the collector judges it on the merged data: the parts stop 1 to 2 s
    // after that second ends (measured 4.0–5.0 s into the load).
    let planned_s = 10.0;
    let (collector, parts) = {
        let _machine = alone();
        let collector = spawn_collector(&net, port, &fleet, &["--abort-on-fail", "-q"]);
        let running = spawn_parts(
            &net,
            &url_of(&server),
            &["-r", "400", "-d", "10s", "--threshold", "http_reqs: count<1100"],
            port,
            dir.path(),
        );
        let parts: Vec<Finished> = running.into_iter().map(Running::wait).collect();
        (collector.wait(), parts)
    };
    let all = outputs(&parts.iter().chain([&collector]).collect::<Vec<_>>());
    let own: Vec<_> = (1..=parts.len())
        .map(|i| summary_of(&part_dir(dir.path(), i)))
        .collect();
    for (i, own) in own.iter().enumerate() {
        let (ran, requests) = (f64_at(own, "duration_s"), u64_at(own, "requests.total"));
        println!(
            "netns abort: part {} ran {ran} s of {planned_s}, {requests} requests",
            i + 1
        );
        assert!(requests < 1100, "each part alone holds it\n{all}");
    }
    assert_fleet_aborted(&collector, &parts, &own, planned_s, &all);
    let s = summary_of(&fleet);
    assert_eq!(u64_at(&s, "requests.total"), server.stats().requests_total, "{all}");
    assert_eq!(at(&s, "thresholds.0.passed"), &serde_json::json!(false), "{all}");
    // After the fact, `loadcell merge` of the parts' own folders fails the same threshold.
    let merged = merge(&part_dirs(dir.path(), 4), &dir.path().join("merged"));
    merged.assert_exit(1);
    assert!(merged.stdout.contains("count<1100"), "{}", merged.output());
    let m = summary_of(&dir.path().join("merged"));
    assert_eq!(
        at(&m, "thresholds.0.passed"),
        &serde_json::json!(false),
        "{}",
        merged.output()
    );
    assert_eq!(u64_at(&m, "requests.total"), server.stats().requests_total);
}

#[test]
fn a_part_killed_in_its_namespace_is_reported_lost_and_the_other_three_finish() {
    let net = Netns::new(4);
    let server = target_in_hub(&net);
    let dir = TempDir::new();
    let port = free_port_in_hub(&net);
    let fleet = dir.path().join("fleet");
    let (collector, parts) = {
        let _machine = alone();
        let collector = spawn_collector(&net, port, &fleet, &[]);
        let running = spawn_parts(&net, &url_of(&server), &["-r", "400", "-d", "4s"], port, dir.path());
        kill_once_logged(&running[1], &part_dir(dir.path(), 2).join("intervals.ndjson"), 2);
        let parts: Vec<Finished> = running.into_iter().map(Running::wait).collect();
        (collector.wait(), parts)
    };
    let all = outputs(&parts.iter().chain([&collector]).collect::<Vec<_>>());
    for i in [0, 2, 3] {
        parts[i].assert_exit(0);
    }
    assert_eq!(parts[1].code, None, "killed by a signal\n{all}");
    collector.assert_exit(1);
    let lost = lost_line(&collector, "2/4");
    println!("netns kill: {lost}");
    for i in [1, 3, 4] {
        assert!(collector.stderr.contains(&format!("part {i}/4 ended")), "{all}");
    }
    assert!(collector.stderr.contains("is incomplete"), "{all}");
    let s = summary_of(&fleet);
    assert_eq!(str_at(&s, "stop_reason"), "interrupted", "{all}");
    assert!(at(&s, "merged.1.incomplete").is_string(), "{all}");
    // `loadcell merge` of the parts' own folders says the same.
    let merged = merge(&part_dirs(dir.path(), 4), &dir.path().join("merged"));
    merged.assert_exit(1);
    assert!(merged.stderr.contains("is incomplete"), "{}", merged.output());
    let m = summary_of(&dir.path().join("merged"));
    assert_eq!(str_at(&m, "stop_reason"), "interrupted", "{}", merged.output());
    assert!(at(&m, "merged.1.incomplete").is_string(), "{}", merged.output());
    assert!(u64_at(&m, "requests.total") <= server.stats().requests_total);
}
