//! Execution segments (`--segment I/N`, a scenario's `segment:`): the N parts of a test,
//! each a process of its own against one target, add up to exactly the undivided test —
//! the target's own count is the oracle. VUs stripe 4 + 3 + 3 with test-wide unique ids,
//! the open model's arrivals interleave, `-n` splits 34/33/33, `unique` rows are never
//! used twice across parts, and a part with nothing to do ends at once, saying so. A part's
//! `vus_max` is its own share, live (`--abort-on-fail`), in its summary and in `loadcell
//! report`; the merge judges the whole test's.

use crate::support::*;
use loadcell_testkit::process::run_file;
use std::collections::{BTreeMap, BTreeSet};

/// `loadcell run TARGET ARGS --segment I/N -q --summary-json …` for I = 1..=N, all at once
/// (under the machine lock: several processes from one thread), each with `PART=I` in its
/// environment; their results in order.
pub fn run_parts(target: &str, args: &[&str], n: u64) -> Vec<Finished> {
    let _machine = alone();
    let dir = TempDir::new();
    let running: Vec<(Running, std::path::PathBuf)> = (1..=n)
        .map(|i| {
            let json = dir.path().join(format!("part{i}.json"));
            let segment = format!("{i}/{n}");
            let mut full: Vec<String> = vec!["run".into(), target.into()];
            full.extend(args.iter().map(|a| a.to_string()));
            full.extend(["--segment".into(), segment, "-q".into(), "--summary-json".into()]);
            full.push(json.display().to_string());
            (Loadcell::new(&full).env("PART", &i.to_string()).spawn(), json)
        })
        .collect();
    running
        .into_iter()
        .map(|(r, json)| {
            let mut finished = r.wait();
            finished.summary = read_summary(&json);
            finished
        })
        .collect()
}

#[test]
fn open_model_parts_interleave_and_add_up_to_the_undivided_schedule() {
    let server = fast_target();
    // 200/s for 2.5 s is 500 arrivals (k/200 < 2.5): 167 + 167 + 166, not 3 × 166.67.
    let parts = run_parts(&url_of(&server), &["-r", "200", "-d", "2.5s"], 3);
    let all = outputs(&parts);
    let mut sum = 0;
    for (i, (part, want)) in parts.iter().zip([167, 167, 166]).enumerate() {
        part.assert_exit(0);
        let s = part.summary();
        assert_eq!(str_at(s, "segment"), format!("{}/3", i + 1));
        assert_eq!(u64_at(s, "iterations.scheduled"), want, "part {}\n{all}", i + 1);
        assert_eq!(u64_at(s, "dropped_iterations"), 0, "part {}\n{all}", i + 1);
        assert_eq!(u64_at(s, "requests.total"), want, "part {}\n{all}", i + 1);
        // Each part follows the whole curve at a third of its rate.
        let target = f64_at(s, "arrival_rate.target_per_s");
        assert!(
            (target - 200.0 / 3.0).abs() < 0.01,
            "part {} target {target}\n{all}",
            i + 1
        );
        sum += want;
    }
    assert_eq!(server.stats().requests_total, 500, "{all}");
    assert_eq!(sum, 500);
}

#[test]
fn ten_vus_over_three_parts_are_four_three_three_with_disjoint_ids() {
    let rec = Recorder::start();
    let dir = TempDir::new();
    let file = dir.write(
        "vus.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 10, duration: 1s }}
journeys:
  - name: who
    steps:
      - get: /vu
        query: {{ vu: "{{{{ vu }}}}", part: "{{{{ env.PART }}}}" }}
"#,
            url = rec.url()
        ),
    );
    let parts = run_parts(&file.display().to_string(), &[], 3);
    let all = outputs(&parts);
    let mut ids: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    for seen in rec.seen() {
        let part = seen.query("part").unwrap_or_default().to_string();
        let vu = seen.query("vu").and_then(|v| v.parse().ok()).unwrap_or(0);
        ids.entry(part).or_default().insert(vu);
    }
    for (i, (part, want)) in parts.iter().zip([4, 3, 3]).enumerate() {
        part.assert_exit(0);
        assert_eq!(u64_at(part.summary(), "vus.max"), want, "part {}\n{all}", i + 1);
        assert_eq!(u64_at(part.summary(), "vus.limit"), want, "part {}\n{all}", i + 1);
    }
    // Part I has the test's VUs I, I+3, I+6, …: unique across parts, 1..=10 in all.
    let want: BTreeMap<String, BTreeSet<u64>> = [("1", vec![1, 4, 7, 10]), ("2", vec![2, 5, 8]), ("3", vec![3, 6, 9])]
        .into_iter()
        .map(|(p, v)| (p.to_string(), v.into_iter().collect()))
        .collect();
    assert_eq!(ids, want, "{all}");
    let counted: u64 = parts.iter().map(|p| u64_at(p.summary(), "requests.total")).sum();
    assert_eq!(counted, rec.seen().len() as u64, "{all}");
}

#[test]
fn a_request_budget_splits_34_33_33() {
    let server = fast_target();
    let url = url_of(&server);
    let mut got = Vec::new();
    for i in 1..=3 {
        let segment = format!("{i}/3");
        let part = run(&url, &["-c", "4", "-n", "100", "--segment", &segment]);
        part.assert_exit(0);
        assert_eq!(str_at(part.summary(), "stop_reason"), "requests", "{}", part.output());
        got.push(u64_at(part.summary(), "requests.total"));
    }
    assert_eq!(got, [34, 33, 33]);
    assert_eq!(server.stats().requests_total, 100);
}

#[test]
fn unique_rows_are_each_used_once_across_the_parts() {
    let rec = Recorder::start();
    let dir = TempDir::new();
    dir.first_users_csv("thirty.csv", 30);
    let file = dir.write(
        "unique.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 6, duration: 30s }}
data:
  users: {{ csv: thirty.csv, pick: unique, on_exhausted: stop }}
journeys:
  - name: once each
    steps:
      - get: /who
        query: {{ user: "{{{{ users.name }}}}", part: "{{{{ env.PART }}}}" }}
"#,
            url = rec.url()
        ),
    );
    let parts = run_parts(&file.display().to_string(), &[], 3);
    let all = outputs(&parts);
    for part in &parts {
        part.assert_exit(0);
        assert_eq!(str_at(part.summary(), "stop_reason"), "data_exhausted", "{all}");
    }
    let seen = rec.seen();
    let users: Vec<String> = seen
        .iter()
        .filter_map(|s| s.query("user").map(str::to_string))
        .collect();
    let distinct: BTreeSet<&String> = users.iter().collect();
    assert_eq!(users.len(), 30, "every row once in all: {users:?}\n{all}");
    assert_eq!(distinct.len(), 30, "a row used twice: {users:?}");
    // Part I took rows I, I+3, I+6, … of the file (user1 is row 0).
    for s in &seen {
        let (Some(user), Some(part)) = (s.query("user"), s.query("part")) else {
            panic!("{}", s.path)
        };
        let row: u64 = user.trim_start_matches("user").parse().unwrap_or(0) - 1;
        assert_eq!((row % 3 + 1).to_string(), part, "{user} went to part {part}");
    }
}

#[test]
fn a_part_with_no_vu_ends_at_once_and_says_so() {
    let server = fast_target();
    let dir = TempDir::new();
    // Two VUs of 3 iterations each over three parts: the third part has no VU.
    let file = dir.write(
        "per-vu.yaml",
        &format!(
            r#"
target: {url}
scenarios:
  each:
    executor: per-vu-iterations
    vus: 2
    iterations: 3
    max_duration: 30s
journeys:
  - name: one
    steps:
      - get: /
"#,
            url = url_of(&server)
        ),
    );
    let parts = run_parts(&file.display().to_string(), &[], 3);
    let all = outputs(&parts);
    let totals: Vec<u64> = parts
        .iter()
        .map(|p| {
            p.assert_exit(0);
            u64_at(p.summary(), "requests.total")
        })
        .collect();
    assert_eq!(totals, [3, 3, 0], "{all}");
    assert_eq!(server.stats().requests_total, 6, "the whole test's 2 × 3\n{all}");
    let idle = parts[2].summary();
    // It ended at once rather than idling to max_duration (30 s): a hang guard, not a timing.
    assert!(f64_at(idle, "duration_s") < 5.0, "{all}");
    let warnings = at(idle, "generator.warnings").to_string();
    assert!(
        warnings.contains("segment 3/3 has none of the 2 VU(s) of scenario 'each'"),
        "{warnings}\n{all}"
    );
    assert!(parts[2].stdout.contains("has none of the 2 VU(s)"), "{all}");
    assert!(parts[2].stdout.contains("— segment 3/3 of the test"), "{all}");
}

#[test]
fn bad_segments_and_start_times_are_one_line_and_exit_2() {
    let url = "http://127.0.0.1:9/";
    for (flag, value, says) in [
        ("--segment", "0/3", "I must be 1 to 3"),
        ("--segment", "4/3", "I must be 1 to 3"),
        ("--segment", "a/b", "expected whole numbers"),
        ("--segment", "1/0", "N must be at least 1"),
        ("--start-at", "yesterday", "invalid time 'yesterday'"),
        ("--start-at", "2020-01-01T00:00:00Z", "in the past"),
    ] {
        let run = run_raw(&["run", url, "-n", "1", flag, value]);
        run.assert_exit(2);
        let lines = run.stderr_lines();
        assert_eq!(lines.len(), 1, "{flag} {value}\n{}", run.output());
        assert!(lines[0].contains(says), "{flag} {value}: {}", lines[0]);
    }
    let dir = TempDir::new();
    let file = dir.write(
        "bad.yaml",
        "target: http://127.0.0.1:9/\nsegment: 4/3\njourneys:\n  - name: j\n    steps:\n      - get: /\n",
    );
    let run = run_raw(&["run".as_ref(), file.as_os_str()]);
    run.assert_exit(2);
    let lines = run.stderr_lines();
    assert_eq!(lines.len(), 1, "{}", run.output());
    assert!(
        lines[0].contains("bad.yaml:2:10") && lines[0].contains("invalid segment '4/3'"),
        "{}",
        lines[0]
    );
}

#[test]
fn a_scenarios_segment_is_used_and_the_flag_wins() {
    let server = fast_target();
    let dir = TempDir::new();
    let file = dir.write(
        "third.yaml",
        &format!(
            "target: {}\nsegment: 2/3\nload: {{ vus: 3, duration: 30s, iterations: 10 }}\njourneys:\n  - name: j\n    steps:\n      - get: /\n",
            url_of(&server)
        ),
    );
    let from_file = run_file(&file, &[]);
    from_file.assert_exit(0);
    assert_eq!(str_at(from_file.summary(), "segment"), "2/3");
    assert_eq!(
        u64_at(from_file.summary(), "requests.total"),
        3,
        "{}",
        from_file.output()
    );
    let flag = run_file(&file, &["--segment", "1/3"]);
    flag.assert_exit(0);
    assert_eq!(str_at(flag.summary(), "segment"), "1/3");
    assert_eq!(u64_at(flag.summary(), "requests.total"), 4, "{}", flag.output());
    assert_eq!(server.stats().requests_total, 7);
}

#[test]
fn a_files_scenarios_split_each_like_a_single_model() {
    let rec = Recorder::start();
    let dir = TempDir::new();
    // 2 VUs × 3 iterations (6) and 30/s for 1 s (30 arrivals) over three parts: 3 + 3 + 0
    // and 10 + 10 + 10.
    let file = dir.write(
        "two.yaml",
        &format!(
            r#"
target: {url}
scenarios:
  each:
    executor: per-vu-iterations
    vus: 2
    iterations: 3
    max_duration: 20s
    journeys: [one]
  arrivals:
    executor: constant-arrival-rate
    rate: 30/s
    duration: 1s
    max_vus: 10
    journeys: [two]
journeys:
  - name: one
    steps:
      - get: /one
        query: {{ part: "{{{{ env.PART }}}}" }}
  - name: two
    steps:
      - get: /two
        query: {{ part: "{{{{ env.PART }}}}" }}
"#,
            url = rec.url()
        ),
    );
    let parts = run_parts(&file.display().to_string(), &[], 3);
    let all = outputs(&parts);
    for part in &parts {
        part.assert_exit(0);
    }
    let mut seen: BTreeMap<(String, String), u64> = BTreeMap::new();
    for s in rec.seen() {
        let part = s.query("part").unwrap_or_default().to_string();
        let path = s.path.split('?').next().unwrap_or_default().to_string();
        *seen.entry((path, part)).or_default() += 1;
    }
    let want: BTreeMap<(String, String), u64> = [
        (("/one", "1"), 3),
        (("/one", "2"), 3),
        (("/two", "1"), 10),
        (("/two", "2"), 10),
        (("/two", "3"), 10),
    ]
    .into_iter()
    .map(|((p, i), n)| ((p.to_string(), i.to_string()), n))
    .collect();
    assert_eq!(seen, want, "{all}");
    let warnings = at(parts[2].summary(), "generator.warnings").to_string();
    assert!(
        warnings.contains("segment 3/3 has none of the 2 VU(s) of scenario 'each'"),
        "{warnings}"
    );
}

#[test]
fn the_descriptor_check_counts_only_the_segments_vus() {
    let server = fast_target();
    let url = url_of(&server);
    // 1,100 VUs do not fit in 1,024 descriptors; a tenth of them (110) do.
    let args = |segment: Option<&'static str>| {
        let mut a = vec!["run", url.as_str(), "-c", "1100", "-n", "100", "-q"];
        a.extend(segment.map(|s| ["--segment", s]).into_iter().flatten());
        a
    };
    let whole = Loadcell::new(&args(None)).nofile(1024, 1024).run();
    whole.assert_exit(2);
    assert!(whole.stderr.contains("ulimit -n"), "{}", whole.output());
    let part = Loadcell::new(&args(Some("1/10"))).nofile(1024, 1024).run();
    part.assert_exit(0);
    assert!(part.stdout.contains("10 total"), "{}", part.output());
    assert_eq!(server.stats().requests_total, 10, "a tenth of -n 100");
}

#[test]
fn a_parts_vus_max_is_its_share_live_in_its_summary_and_report_and_the_merge_judges_the_whole() {
    let server = fast_target();
    let dir = TempDir::new();
    let url = url_of(&server);
    // 150 VUs over two parts: 75 each, which hold `vus_max: value<100`; the whole test's 150 do not.
    let parts: Vec<Finished> = {
        let _machine = alone();
        let running: Vec<Running> = (1..=2)
            .map(|i| {
                let out = part_dir(dir.path(), i).display().to_string();
                let segment = format!("{i}/2");
                let args = [
                    "run",
                    &url,
                    "-c",
                    "150",
                    "-d",
                    "2s",
                    "--threshold",
                    "vus_max: value<100",
                    "--abort-on-fail",
                    "--segment",
                    &segment,
                    "-q",
                    "--out",
                    &out,
                ];
                Loadcell::new(&args).spawn()
            })
            .collect();
        running.into_iter().map(Running::wait).collect()
    };
    let all = outputs(&parts);
    for (i, part) in parts.iter().enumerate() {
        part.assert_exit(0);
        let folder = part_dir(dir.path(), i + 1);
        let s = summary_of(&folder);
        assert_eq!(
            str_at(&s, "stop_reason"),
            "duration",
            "the live check did not abort: {all}"
        );
        run_raw(&["report".to_string(), folder.display().to_string()]).assert_exit(0);
    }
    let merged = dir.path().join("merged");
    let merging = merge(&part_dirs(dir.path(), 2), &merged);
    merging.assert_exit(1);
    let s = summary_of(&merged);
    let held: Vec<bool> = s["thresholds"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| t["passed"] == true)
        .collect();
    assert_eq!(held, [false], "{}\n{all}", merging.output());
}
