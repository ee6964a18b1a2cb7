//! k6's `gracefulRampDown` and `gracefulStop` per scenario: a VU ramped down in the middle of
//! a long iteration is cut at the limit (an iteration counted as cut, not a failure of the
//! target), and at a scenario's end its iterations get `graceful_stop` to finish, every step
//! of them. The long part of each iteration is a `sleep:`, so the cuts are seen in the
//! counts and in the interval log, and the target's own count is checked every time.

use crate::support::*;
use serde_json::Value;
use std::path::Path;

/// Writes `yaml` (with `TARGET` replaced by the shop's URL) and runs it into `out`.
fn run_yaml(dir: &TempDir, name: &str, yaml: &str, base: &str, out: &Path) -> Finished {
    let file = dir.path().join(name);
    std::fs::write(&file, yaml.replace("TARGET", base)).unwrap_or_else(|e| panic!("{e}"));
    run_file(&file, &["--out", &out.to_string_lossy()])
}

/// Iterations cut, from the interval log: (before `until_s`, in all).
fn cuts_in_log(out: &Path, until_s: f64) -> (u64, u64) {
    let text = std::fs::read_to_string(out.join("intervals.ndjson")).unwrap_or_default();
    let mut early = 0;
    let mut all = 0;
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap_or(Value::Null);
        let cut = v["measured"]["iterations_cut"].as_u64().unwrap_or(0);
        all += cut;
        if v["t_s"].as_f64().is_some_and(|t| t < until_s) {
            early += cut;
        }
    }
    (early, all)
}

/// Two VUs each send one request and sleep 20 s; the ramp takes them to 0 between 1 s and
/// 2 s, and the run holds 0 VUs until 5 s.
fn ramp_yaml(limit: &str) -> String {
    format!(
        "target: TARGET
scenarios:
  rampers:
    executor: ramping-vus
    start_vus: 2
    stages: [{{ duration: 1s, target: 2 }}, {{ duration: 1s, target: 0 }}, {{ duration: 3s, target: 0 }}]
{limit}journeys:
  - name: long
    steps:
      - get: /
      - sleep: 20s
"
    )
}

#[test]
fn a_ramp_down_cuts_long_iterations_at_graceful_ramp_down() {
    let server = shop();
    let base = server.url();
    let dir = TempDir::new();
    for (limit, cut_early) in [("    graceful_ramp_down: 1s\n", 2), ("", 0)] {
        server.reset();
        let out = dir.path().join(format!("out-{cut_early}"));
        let run = run_yaml(&dir, "ramp.yaml", &ramp_yaml(limit), base.trim_end_matches('/'), &out);
        run.assert_exit(0);
        let s = run.summary();
        // Each VU's one iteration was cut: neither finished nor failed, its request counted.
        assert_eq!(u64_at(s, "iterations.cut"), 2, "{limit}{}", run.output());
        assert_eq!(u64_at(s, "iterations.total"), 0, "{limit}{}", run.output());
        assert_eq!(u64_at(s, "requests.failed"), 0, "{limit}{}", run.output());
        assert_eq!(u64_at(s, "requests.total"), server.stats().requests_total);
        assert_eq!(u64_at(s, "requests.total"), 2);
        // With the limit the VUs surplus from ~1.25 s and ~1.75 s are cut about a second
        // later, well before the run's end at 5 s; with k6's default (30 s) only the end of
        // the run cuts them.
        let (early, all) = cuts_in_log(&out, 4.5);
        assert_eq!((early, all), (cut_early, 2), "{limit}{}", run.output());
    }
}

/// One VU: a request, 1.5 s of sleep, another request; the scenario lasts 1 s.
fn stop_yaml(stop: &str) -> String {
    format!(
        "target: TARGET
scenarios:
  one:
    executor: constant-vus
    vus: 1
    duration: 1s
    graceful_stop: {stop}
journeys:
  - name: two-steps
    steps:
      - get: /
      - sleep: 1500ms
      - get: /api/products
"
    )
}

#[test]
fn graceful_stop_lets_iterations_finish_or_cuts_them() {
    let server = shop();
    let base = server.url();
    let dir = TempDir::new();
    // 0s: the iteration asleep at the end is cut; 3s: it finishes (its second request goes
    // out half a second after the end) and no new one starts.
    for (stop, finished, requests) in [("0s", 0, 1), ("3s", 1, 2)] {
        server.reset();
        let out = dir.path().join(format!("out-{stop}"));
        let run = run_yaml(&dir, "stop.yaml", &stop_yaml(stop), base.trim_end_matches('/'), &out);
        run.assert_exit(0);
        let s = run.summary();
        assert_eq!(u64_at(s, "iterations.total"), finished, "{stop}: {}", run.output());
        assert_eq!(u64_at(s, "iterations.cut"), 1 - finished, "{stop}: {}", run.output());
        assert_eq!(u64_at(s, "requests.total"), requests, "{stop}: {}", run.output());
        assert_eq!(u64_at(s, "requests.failed"), 0, "{stop}: {}", run.output());
        assert_eq!(u64_at(s, "requests.total"), server.stats().requests_total);
    }
}
