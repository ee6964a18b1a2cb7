//! `loadcell bench -- CMD…`, `bench --detect DIR` and `ingest FILE --format …` through the
//! binary: `sleep 0.011` measured slower than `sleep 0.010` with a ratio interval holding
//! the true ratio — 1.1 on a machine that wakes sleepers promptly, (11 + w) / (10 + w) for
//! the wake-up latency w measured around the attempt ([`loadcell_testkit::timing`]; a CI
//! machine's w of 1.7 ms makes it 1.085); hyperfine's exports; the real Go, pytest-benchmark and criterion fixtures detected,
//! run, and their deliberately slowed runs (`LOADCELL_FIXTURE_SLOW=1`, twice the work)
//! `regressed` by `loadcell compare`; results of each tool ingested. Go and pytest-benchmark
//! come from `scripts/install-test-deps.sh`; a missing tool fails with that advice.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::support::{Ran, Temp, loadcell, loadcell_env, one_at_a_time, read};
use loadcell_testkit::timing::{eleven_to_ten_truth, holds_truth, wake_up_latency_ms};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// The ratio and its 95% interval from the Markdown export's last row:
/// `| `sleep 0.011` | … | 1.09 ± 0.05 | 1.071 … 1.112 |`; `None` when that command was the
/// fastest (its row has no interval).
fn ratio_row(markdown: &str) -> Option<(f64, f64, f64)> {
    let row = markdown.lines().last().unwrap();
    let cells: Vec<&str> = row.split('|').map(str::trim).collect();
    assert!(cells[1].contains("sleep 0.011"), "{row}");
    let ratio: f64 = cells[5].split(' ').next().unwrap().parse().unwrap();
    let (low, high) = cells[6].split_once(" … ")?;
    Some((ratio, low.parse().unwrap(), high.parse().unwrap()))
}

/// Runs per command: at 40 a loaded machine (load 13, σ 2–3 ms per run from process start-up)
/// could not tell 10 ms from 11 ms; 150 narrow the interval of the means about twofold.
const RUNS: &str = "150";

#[test]
fn eleven_ms_is_slower_than_ten_with_a_ratio_interval_holding_one_point_one() {
    let _turn = one_at_a_time();
    let dir = Temp::new("bench-sleep");
    let (json, md) = (dir.path("h.json"), dir.path("h.md"));
    let mut seen = Vec::new();
    // A busy machine can push one attempt off; three independent attempts, one must hold.
    for _ in 0..3 {
        let w_before = wake_up_latency_ms();
        let ran = loadcell(&[
            "bench".as_ref(),
            "--warmup".as_ref(),
            "3".as_ref(),
            "--runs".as_ref(),
            RUNS.as_ref(),
            "--subtract-startup".as_ref(),
            "sleep 0".as_ref(),
            "--export-json".as_ref(),
            json.as_os_str(),
            "--export-markdown".as_ref(),
            md.as_os_str(),
            "--".as_ref(),
            "sleep 0.010".as_ref(),
            "sleep 0.011".as_ref(),
        ])
        .expect_code(0);
        assert!(ran.stdout.contains("start-up subtracted"), "{}", ran.stdout);
        let export: serde_json::Value = serde_json::from_str(&read(&json)).unwrap();
        let results = export["results"].as_array().unwrap();
        assert_eq!(results.len(), 2);
        for field in [
            "command",
            "mean",
            "stddev",
            "median",
            "user",
            "system",
            "min",
            "max",
            "times",
            "exit_codes",
        ] {
            assert!(results[0].get(field).is_some(), "hyperfine's field {field} is missing");
        }
        assert_eq!(results[1]["times"].as_array().unwrap().len().to_string(), RUNS);
        let truth = eleven_to_ten_truth(w_before, wake_up_latency_ms());
        let Some((ratio, low, high)) = ratio_row(&read(&md)) else {
            eprintln!("sleep 0.011 measured the fastest:\n{}", ran.stdout);
            seen.push((f64::NAN, f64::NAN, f64::NAN, truth));
            continue;
        };
        eprintln!("ratio {ratio} (95% interval {low} … {high}); true ratio {truth:?}");
        seen.push((ratio, low, high, truth));
        if ratio > 1.0 && low > 1.0 && holds_truth(low, high, truth) {
            return;
        }
    }
    panic!(
        "sleep 0.011 must be slower with a ratio interval holding the true ratio (11 + w) / (10 + w); \
         (ratio, low, high, true range): {seen:?}"
    );
}

#[test]
fn commands_through_a_shell_results_for_compare_and_usage_errors() {
    let _turn = one_at_a_time();
    let dir = Temp::new("bench-cli");
    let out = dir.path("out");
    let ran = loadcell(&[
        "bench".as_ref(),
        "--shell".as_ref(),
        "sh".as_ref(),
        "--runs".as_ref(),
        "5".as_ref(),
        "--prepare".as_ref(),
        "true".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        "--".as_ref(),
        "echo a | wc -c".as_ref(),
    ])
    .expect_code(0);
    assert!(ran.stdout.contains("Benchmark 1: echo a | wc -c"), "{}", ran.stdout);
    assert!(ran.stdout.contains("5 runs"), "{}", ran.stdout);
    let doc: serde_json::Value = serde_json::from_str(&read(&out.join("bench.json"))).unwrap();
    assert_eq!(doc["format"], "loadcell-bench");
    assert_eq!(doc["benchmarks"][0]["samples"].as_array().unwrap().len(), 5);
    // The same results against themselves: unchanged, exit 0.
    let same = loadcell(&["compare".as_ref(), out.as_os_str(), out.as_os_str(), "--json".as_ref()]).expect_code(0);
    assert_eq!(same.json()["verdict"], "unchanged");

    loadcell(&["bench", "--runs", "2", "--", "no-such-program-here"]).expect_usage_error("no-such-program-here");
    loadcell(&["bench", "--runs", "2", "--", "false"]).expect_usage_error("--ignore-failure");
    loadcell(&["bench", "--runs", "2", "--ignore-failure", "--", "false"]).expect_code(0);
    loadcell(&["bench", "--runs", "0", "--", "true"]).expect_usage_error("number of runs");
    loadcell(&["bench", "--runs", "3", "--min-time", "1s", "--", "true"]).expect_usage_error("--runs");
    loadcell(&["bench", "--", "'unclosed"]).expect_usage_error("cannot parse command");
    loadcell(&["bench"]).expect_usage_error("no command to benchmark");
    let empty = dir.path("empty");
    std::fs::create_dir_all(&empty).unwrap();
    loadcell(&["bench".as_ref(), "--detect".as_ref(), empty.as_os_str()]).expect_usage_error("no benchmarks found");
    loadcell(&["bench", "--detect", "/no/such/folder"]).expect_usage_error("/no/such/folder");
}

/// `bench --detect DIR --out OUT [--runs N --min-time T]` with the fixture slowed or not.
fn detect(dir: &Path, out: &Path, slow: bool, timing: &[&str], env: &[(&str, &OsStr)]) -> Ran {
    let mut args: Vec<&OsStr> = vec![
        "bench".as_ref(),
        "-q".as_ref(),
        "--detect".as_ref(),
        dir.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ];
    args.extend(timing.iter().map(OsStr::new));
    let mut env = env.to_vec();
    if slow {
        env.push(("LOADCELL_FIXTURE_SLOW", "1".as_ref()));
    }
    let ran = loadcell_env(&args, &env);
    assert_eq!(
        ran.code, 0,
        "{}\n(Go and pytest-benchmark come from scripts/install-test-deps.sh)",
        ran.stderr
    );
    ran
}

/// Every file under `dir`, to check a run left nothing behind.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        }
        out.push(p);
    }
    out.sort();
    out
}

/// Detects and runs `fixture`, normal then slowed, and `loadcell compare` must say
/// `regressed`; a busy machine gets one more pair.
fn slowed_fixture_regresses(name: &str, framework: &str, timing: &[&str], env: &[(&str, &OsStr)]) {
    let _turn = one_at_a_time();
    let project = fixture(name);
    let before = files(&project);
    let dir = Temp::new(&format!("detect-{name}"));
    let mut verdicts = Vec::new();
    for attempt in 0..2 {
        let (base, new) = (
            dir.path(&format!("base-{attempt}")),
            dir.path(&format!("new-{attempt}")),
        );
        let ran = detect(&project, &base, false, timing, env);
        assert!(
            ran.stdout.starts_with(&format!("{framework} results from")),
            "{}",
            ran.stdout
        );
        detect(&project, &new, true, timing, env);
        let cmp = loadcell(&["compare".as_ref(), base.as_os_str(), new.as_os_str(), "--json".as_ref()]);
        let doc = cmp.json();
        assert_eq!(doc["rows"][0]["method"], "run_samples", "{name}");
        let verdict = doc["verdict"].as_str().unwrap().to_string();
        eprintln!("{name}: {verdict}, mean {:+.2}", doc["rows"][0]["metrics"][1]["change"]);
        assert_eq!(cmp.code, i32::from(verdict == "regressed"));
        verdicts.push(verdict);
        if verdicts.last().is_some_and(|v| v == "regressed") {
            break;
        }
    }
    assert_eq!(files(&project), before, "{name}: the run left files in the fixture");
    assert_eq!(
        verdicts.last().map(String::as_str),
        Some("regressed"),
        "{name}: {verdicts:?}"
    );
}

#[test]
fn go_fixture_is_detected_run_and_its_slowed_run_regressed() {
    slowed_fixture_regresses("bench-go", "go", &["--runs", "10", "--min-time", "100ms"], &[]);
}

#[test]
fn pytest_fixture_is_detected_run_and_its_slowed_run_regressed() {
    slowed_fixture_regresses(
        "bench-pytest",
        "pytest-benchmark",
        &["--runs", "20", "--min-time", "200ms"],
        &[],
    );
}

#[test]
fn criterion_fixture_is_detected_run_and_its_slowed_run_regressed() {
    // Built under loadcell's own target directory (the one crates/bench's test uses, so it
    // is built once), never in the fixture; --locked with the fixture's Cargo.lock.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fixture-criterion-target");
    slowed_fixture_regresses(
        "bench-criterion",
        "criterion",
        &["--runs", "10", "--min-time", "500ms", "--locked"],
        &[("CARGO_TARGET_DIR", target.as_os_str())],
    );
}

#[test]
fn ingest_reads_each_tool_and_names_what_is_wrong() {
    let _turn = one_at_a_time();
    let dir = Temp::new("ingest");
    // hyperfine's format, as loadcell bench exports it.
    let h = dir.path("h.json");
    loadcell(&[
        "bench".as_ref(),
        "--runs".as_ref(),
        "4".as_ref(),
        "--export-json".as_ref(),
        h.as_os_str(),
        "--".as_ref(),
        "true".as_ref(),
    ])
    .expect_code(0);
    let out = dir.path("hyperfine");
    let ran = loadcell(&[
        "ingest".as_ref(),
        h.as_os_str(),
        "--format".as_ref(),
        "hyperfine".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ])
    .expect_code(0);
    assert!(
        ran.stdout.contains("hyperfine results from") && ran.stdout.contains("4 samples"),
        "{}",
        ran.stdout
    );
    assert!(out.join("bench.json").is_file());

    // Go's text output, from the real tool on the fixture.
    let go = std::process::Command::new("go")
        .args([
            "test",
            "-run",
            "^$",
            "-bench",
            ".",
            "-benchtime",
            "10ms",
            "-count",
            "3",
            "./...",
        ])
        .current_dir(fixture("bench-go"))
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .output()
        .expect("go (from scripts/install-test-deps.sh)");
    assert!(go.status.success(), "{}", String::from_utf8_lossy(&go.stderr));
    let go_file = dir.path("go.txt");
    std::fs::write(&go_file, &go.stdout).unwrap();
    let ran = loadcell(&[
        "ingest".as_ref(),
        go_file.as_os_str(),
        "--format".as_ref(),
        "go".as_ref(),
    ])
    .expect_code(0);
    assert!(
        ran.stdout.contains("BenchmarkSumOfSquares") && ran.stdout.contains("3 samples"),
        "{}",
        ran.stdout
    );

    // google-benchmark's JSON (its json_reporter's fields), three repetitions.
    let google = dir.path("google.json");
    let entries: Vec<String> = [1200.0, 1180.0, 1230.0]
        .iter()
        .map(|t| format!(r#"{{"name": "BM_Sort/1024", "run_name": "BM_Sort/1024", "run_type": "iteration", "repetitions": 3, "iterations": 500000, "real_time": {t}, "cpu_time": {t}, "time_unit": "ns"}}"#))
        .collect();
    std::fs::write(
        &google,
        format!(
            r#"{{"context": {{"num_cpus": 2}}, "benchmarks": [{}]}}"#,
            entries.join(",")
        ),
    )
    .unwrap();
    let ran = loadcell(&[
        "ingest".as_ref(),
        google.as_os_str(),
        "--format".as_ref(),
        "google-benchmark".as_ref(),
    ])
    .expect_code(0);
    assert!(ran.stdout.contains("BM_Sort/1024: 1.2 µs"), "{}", ran.stdout);

    // Errors: an unknown format, a missing file, JSON with its line and column, the wrong tool.
    loadcell(&["ingest".as_ref(), h.as_os_str(), "--format".as_ref(), "jmh".as_ref()])
        .expect_usage_error("unknown format 'jmh'");
    let missing = dir.path("none.json");
    loadcell(&[
        "ingest".as_ref(),
        missing.as_os_str(),
        "--format".as_ref(),
        "pytest-benchmark".as_ref(),
    ])
    .expect_usage_error("no such file or folder");
    let bad = dir.path("bad.json");
    std::fs::write(&bad, "{\n  \"benchmarks\": [\n    {\"name\": }\n").unwrap();
    loadcell(&[
        "ingest".as_ref(),
        bad.as_os_str(),
        "--format".as_ref(),
        "pytest-benchmark".as_ref(),
    ])
    .expect_usage_error(&format!("{}:3:", bad.display()));
    loadcell(&[
        "ingest".as_ref(),
        go_file.as_os_str(),
        "--format".as_ref(),
        "hyperfine".as_ref(),
    ])
    .expect_usage_error(&go_file.display().to_string());
    loadcell(&["ingest", "x.json"]).expect_usage_error("--format");
}
