//! `--monitor`, `--flamegraph` and `target_*` thresholds through the command line: the built
//! `loadcell run` (and `scale`) watching the built `loadcell target`, each issue #13
//! acceptance bullet checked on what the binary prints, writes and exits with.

use crate::flame::{SPIN, widths};
use crate::support::{GUARD, Target};
use loadcell_schema::{LeakState, MonitorSummary, Summary};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What one `loadcell` command did.
struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `loadcell ARGS` to its end (killed after [`GUARD`]).
fn loadcell(args: &[&str]) -> Ran {
    let mut child = Command::new(env!("CARGO_BIN_EXE_loadcell"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn loadcell");
    let (mut out, mut err) = (
        child.stdout.take().expect("stdout"),
        child.stderr.take().expect("stderr"),
    );
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let mut stderr = String::new();
    let _ = err.read_to_string(&mut stderr);
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if started.elapsed() > GUARD {
            let _ = child.kill();
            panic!("loadcell {args:?} still running after {GUARD:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ran {
        code: status.code(),
        stdout: reader.join().unwrap_or_default(),
        stderr,
    }
}

/// A scratch folder for one test, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("loadcell-moncli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).to_string_lossy().into_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn read_summary(path: &Path) -> Summary {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn source<'a>(summary: &'a Summary, name: &str) -> &'a MonitorSummary {
    summary
        .monitor
        .iter()
        .find(|s| s.source == name)
        .unwrap_or_else(|| panic!("no monitor source {name} in {:?}", summary.monitor))
}

/// CPU seconds the readings of `s` add up to: each reading's percentage times the time
/// since the previous one.
fn cpu_seconds(s: &MonitorSummary) -> f64 {
    let cpu = s.metrics.iter().find(|m| m.name == "cpu_percent").expect("cpu_percent");
    (1..s.t_s.len())
        .filter_map(|i| cpu.values[i].map(|pct| pct / 100.0 * (s.t_s[i] - s.t_s[i - 1])))
        .sum()
}

/// A bounded open-model run: one worker thread and few connections, as the library tests.
fn run_args<'a>(url: &'a str, rate: &'a str, duration: &'a str) -> Vec<&'a str> {
    vec![
        "run",
        url,
        "-r",
        rate,
        "-d",
        duration,
        "-q",
        "--threads",
        "1",
        "--max-vus",
        "6",
    ]
}

#[test]
fn cli_monitored_cpu_matches_proc_stat_and_report_rebuilds_it() {
    let _alone = crate::support::exclusive();
    let scratch = Scratch::new("cpu");
    let target = Target::start(&["--cpu-work", "100us"]);
    let pid = format!("pid:{}", target.pid());
    let out = scratch.path("out");
    let before = target.cpu_s();
    let mut args = run_args(&target.url, "500", "8s");
    args.extend(["--monitor", &pid, "--monitor", "host", "--out", &out]);
    let ran = loadcell(&args);
    let after = target.cpu_s();
    assert_eq!(ran.code, Some(0), "{}{}", ran.stdout, ran.stderr);
    let summary = read_summary(&Path::new(&out).join("summary.json"));
    let watched = source(&summary, &pid);
    let monitored = cpu_seconds(watched);
    let charged = after - before;
    let mean = watched
        .metrics
        .iter()
        .find(|m| m.name == "cpu_percent")
        .and_then(|m| m.mean);
    eprintln!("cli cpu: monitored {monitored:.3} s, /proc/PID/stat {charged:.3} s; mean {mean:?}% at 500/s × 100 µs");
    // The readings run from the engine's start to the end of the command: the same CPU
    // time the kernel charged, within 5%.
    assert!(
        (monitored / charged - 1.0).abs() <= 0.05,
        "monitored {monitored} s vs charged {charged} s"
    );
    // At least the spin itself: 500/s × 100 µs = 5% of a core.
    assert!(mean.is_some_and(|m| m >= 0.9 * 5.0), "mean cpu {mean:?}%");
    // One line per source in the terminal summary.
    assert!(ran.stdout.contains(&format!("    {pid}  cpu ")), "{}", ran.stdout);
    assert!(ran.stdout.contains("    host  "), "{}", ran.stdout);
    let html = std::fs::read_to_string(Path::new(&out).join("report.html")).unwrap();
    assert!(
        html.contains("Target resources"),
        "report.html has no Target resources section"
    );

    // `loadcell report` rebuilds monitor[] from the interval lines alone.
    std::fs::remove_file(Path::new(&out).join("summary.json")).unwrap();
    let rebuilt = loadcell(&["report", &out]);
    assert_eq!(rebuilt.code, Some(0), "{}{}", rebuilt.stdout, rebuilt.stderr);
    let again = read_summary(&Path::new(&out).join("summary.json"));
    let names = |s: &Summary| s.monitor.iter().map(|m| m.source.clone()).collect::<Vec<_>>();
    assert_eq!(names(&again), names(&summary));
    let back = source(&again, &pid);
    assert_eq!(back.t_s, watched.t_s, "the same readings");
    assert!((cpu_seconds(back) - monitored).abs() < 1e-6);
}

#[test]
fn cli_leak_is_growing_at_the_leak_times_the_rate_and_no_leak_is_flat() {
    let _alone = crate::support::exclusive();
    let scratch = Scratch::new("leak");
    let leaking = Target::start(&["--leak", "1KB"]);
    let plain = Target::start(&[]);
    for (target, name) in [(&leaking, "leak"), (&plain, "plain")] {
        let pid = format!("pid:{}", target.pid());
        let json = scratch.path(&format!("{name}.json"));
        let mut args = run_args(&target.url, "200", "18s");
        args.extend(["--warmup", "3s", "--monitor", &pid, "--summary-json", &json]);
        let ran = loadcell(&args);
        assert_eq!(ran.code, Some(0), "{}{}", ran.stdout, ran.stderr);
        let summary = read_summary(Path::new(&json));
        let watched = source(&summary, &pid);
        let verdicts: Vec<&str> = watched.leaks.iter().map(|l| l.verdict.as_str()).collect();
        eprintln!("cli {name}: {verdicts:?}");
        if target.pid() == plain.pid() {
            assert_eq!(watched.leaks.len(), 3, "{verdicts:?}");
            assert!(watched.leaks.iter().all(|l| l.state == LeakState::Flat), "{verdicts:?}");
            continue;
        }
        let rss = watched
            .leaks
            .iter()
            .find(|l| l.metric == "rss_bytes")
            .expect("rss verdict");
        assert_eq!(rss.state, LeakState::Growing, "{}", rss.verdict);
        let slope_per_s = rss.trend.as_ref().map_or(0.0, |t| t.slope_per_hour / 3600.0);
        let expected = 1024.0 * summary.requests.rate_per_s;
        let ratio = slope_per_s / expected;
        eprintln!("cli leak: {slope_per_s:.0} B/s vs {expected:.0} B/s (ratio {ratio:.3})");
        assert!(
            (0.8..=1.2).contains(&ratio),
            "slope {slope_per_s} B/s, expected {expected} ± 20%"
        );
        assert!(ran.stdout.contains("growing: rss_bytes"), "{}", ran.stdout);
    }
}

#[test]
fn cli_flamegraph_shows_the_busy_spin_widest() {
    let _alone = crate::support::exclusive();
    let scratch = Scratch::new("flame");
    let target = Target::start(&["--cpu-work", "1ms"]);
    let pid = format!("pid:{}", target.pid());
    let out = scratch.path("out");
    let mut args = run_args(&target.url, "500", "6s");
    args.extend(["--warmup", "1s", "--monitor", &pid, "--flamegraph", "--out", &out]);
    let ran = loadcell(&args);
    assert_eq!(ran.code, Some(0), "{}{}", ran.stdout, ran.stderr);
    if ran.stderr.contains("perf may not record") {
        eprintln!(
            "SKIPPED cli_flamegraph_shows_the_busy_spin_widest: {}",
            ran.stderr.trim()
        );
        return;
    }
    assert!(!ran.stderr.contains("no flame graph"), "{}", ran.stderr);
    let summary = read_summary(&Path::new(&out).join("summary.json"));
    let graph = source(&summary, &pid).flamegraph.clone().expect("flame graph summary");
    eprintln!("cli flame: {} samples, top {:?}", graph.samples, graph.top.first());
    assert_eq!(graph.from_s, 1.0, "recorded after the warm-up");
    // The widest frame, its own callers (thread entry, process) aside, is the spin.
    let folded = std::fs::read_to_string(Path::new(&out).join("flamegraph.folded")).expect("flamegraph.folded");
    let (ranked, callers) = widths(&folded, SPIN);
    let spin = ranked.iter().find(|(f, _)| f == SPIN).map_or(0, |r| r.1);
    let widest_other = ranked.iter().find(|(f, _)| f != SPIN && !callers.contains(f));
    eprintln!("cli flame: {SPIN} in {spin} samples; widest other {widest_other:?}");
    assert!(spin > 0, "{SPIN} is not in the profile");
    if let Some((f, n)) = widest_other {
        assert!(spin > *n, "{f} ({n} samples) is wider than {SPIN} ({spin})");
    }
    let svg = std::fs::read_to_string(Path::new(&out).join("flamegraph.svg")).expect("flamegraph.svg");
    assert!(svg.contains(SPIN));
    assert!(ran.stdout.contains("flame graph: flamegraph.svg"), "{}", ran.stdout);
}

#[test]
fn cli_bad_sources_are_usage_errors_before_any_request() {
    let _alone = crate::support::exclusive();
    let target = Target::start(&[]);
    let missing = format!("process:no-such-process-{}", std::process::id());
    let cases: [&[&str]; 4] = [
        &["--monitor", &missing],
        &["--monitor", "pod:7"],
        &["--threshold", "target_cpu<80%"],
        &["--monitor", "host", "--flamegraph", "--no-out"],
    ];
    for extra in cases {
        let mut args = run_args(&target.url, "50", "2s");
        args.extend(extra);
        let ran = loadcell(&args);
        assert_eq!(ran.code, Some(2), "{extra:?}: {}{}", ran.stdout, ran.stderr);
        assert_eq!(ran.stderr.trim().lines().count(), 1, "one line: {}", ran.stderr);
        assert!(ran.stderr.starts_with("error: "), "{}", ran.stderr);
    }
    assert_eq!(target.requests(), 0, "nothing was sent");
}

#[test]
fn cli_a_process_killed_mid_run_is_reported_and_the_run_completes() {
    let _alone = crate::support::exclusive();
    let scratch = Scratch::new("gone");
    let target = Target::start(&[]);
    let mut doomed = Command::new("sleep")
        .arg(format!("57.{}", std::process::id()))
        .stdin(Stdio::null())
        .spawn()
        .expect("spawn sleep");
    let doomed_pid = format!("pid:{}", doomed.id());
    let json = scratch.path("s.json");
    let mut args = run_args(&target.url, "50", "6s");
    args.extend(["--monitor", &doomed_pid, "--monitor", "host", "--summary-json", &json]);
    args.extend(["--threshold", "target_fds<100000"]);
    let started = Instant::now();
    let killer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(3000));
        let _ = doomed.kill();
        let _ = doomed.wait();
        started.elapsed().as_secs_f64()
    });
    let ran = loadcell(&args);
    let killed_s = killer.join().unwrap();
    assert_eq!(ran.code, Some(0), "{}{}", ran.stdout, ran.stderr);
    let summary = read_summary(Path::new(&json));
    let watched = source(&summary, &doomed_pid);
    let gone = watched.disappeared_at_s.expect("its end is recorded");
    // The run's clock starts after the command's start-up: at most ~1 s earlier than ours,
    // and a reading per second finds the process gone.
    assert!(
        gone > killed_s - 1.5 && gone <= killed_s + 1.0,
        "gone at {gone} s, killed at {killed_s} s"
    );
    assert!(ran.stdout.contains("gone at"), "{}", ran.stdout);
    // Said as it happened, too.
    let said = format!("--monitor {doomed_pid}: gone at");
    assert!(
        ran.stderr.contains(&said) && ran.stderr.contains("the run goes on"),
        "{}",
        ran.stderr
    );
    assert!(summary.duration_s >= 5.9, "the run went on: {} s", summary.duration_s);
    assert!(source(&summary, "host").disappeared_at_s.is_none());
}

#[test]
fn cli_target_thresholds_decide_the_exit_code() {
    let _alone = crate::support::exclusive();
    let target = Target::start(&["--cpu-work", "100us"]);
    let pid = format!("pid:{}", target.pid());
    let cases: [(&str, i32); 6] = [
        ("target_cpu<1000%", 0),
        ("target_cpu<0.5%", 1),
        ("target_rss<10GB", 0),
        ("target_rss<1KB", 1),
        ("target_fds<100000", 0),
        ("target_fds<3", 1),
    ];
    for (threshold, code) in cases {
        let mut args = run_args(&target.url, "200", "2s");
        args.extend(["--monitor", &pid, "--threshold", threshold]);
        let ran = loadcell(&args);
        assert_eq!(ran.code, Some(code), "{threshold}: {}{}", ran.stdout, ran.stderr);
        assert!(ran.stdout.contains(threshold), "{}", ran.stdout);
    }
    // --abort-on-fail judges them on the readings so far: the run stops early.
    let mut args = run_args(&target.url, "200", "30s");
    args.extend(["--monitor", &pid, "--threshold", "target_rss<1KB", "--abort-on-fail"]);
    let started = Instant::now();
    let ran = loadcell(&args);
    assert_eq!(ran.code, Some(1), "{}{}", ran.stdout, ran.stderr);
    assert!(
        ran.stdout
            .contains("aborted by a failing threshold (--abort-on-fail or abortOnFail): target_rss<1KB"),
        "{}",
        ran.stdout
    );
    assert!(started.elapsed() < Duration::from_secs(20), "not stopped early");
}

#[test]
fn cli_scale_steps_carry_the_target_resources() {
    let _alone = crate::support::exclusive();
    let scratch = Scratch::new("scale");
    let target = Target::start(&["--cpu-work", "100us"]);
    let pid = format!("pid:{}", target.pid());
    let json = scratch.path("scale.json");
    let ran = loadcell(&[
        "scale",
        &target.url,
        "--vus",
        "1,2,3",
        "--step-duration",
        "2s",
        "--threads",
        "1",
        "--monitor",
        &pid,
        "--json",
        &json,
        "--no-out",
        "-q",
    ]);
    assert!(matches!(ran.code, Some(0 | 1)), "{}{}", ran.stdout, ran.stderr);
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let points = doc["scale"]["points"].as_array().expect("points");
    assert_eq!(points.len(), 3);
    for p in points {
        let cpu = p["target"]["cpu_mean_percent"].as_f64();
        assert!(cpu.is_some_and(|c| c > 0.0), "no target cpu at {p}");
    }
    assert!(ran.stdout.contains(&format!("    {pid}  cpu ")), "{}", ran.stdout);
}

#[test]
fn cli_a_scenario_monitor_key_watches_and_judges_the_target() {
    let _alone = crate::support::exclusive();
    let scratch = Scratch::new("scenario");
    let target = Target::start(&[]);
    let file = scratch.path("watched.yaml");
    let text = format!(
        "target: {}\nload: {{ rate: 50, duration: 2s }}\nmonitor: [pid:{}]\nthresholds: ['target_rss<1KB']\njourneys:\n  - name: home\n    steps: [ {{ get: / }} ]\n",
        target.url,
        target.pid()
    );
    std::fs::write(&file, text).unwrap();
    let json = scratch.path("s.json");
    let ran = loadcell(&[
        "run",
        &file,
        "--no-out",
        "-q",
        "--threads",
        "1",
        "--summary-json",
        &json,
    ]);
    // The file's own resource threshold fails the run.
    assert_eq!(ran.code, Some(1), "{}{}", ran.stdout, ran.stderr);
    let summary = read_summary(Path::new(&json));
    assert!(source(&summary, &format!("pid:{}", target.pid())).samples >= 2);
    // A bad source in the file: file:line:col, exit 2, nothing sent.
    let before = target.requests();
    std::fs::write(
        &file,
        format!(
            "target: {}\nmonitor: [pod:7]\njourneys:\n  - name: home\n    steps: [ {{ get: / }} ]\n",
            target.url
        ),
    )
    .unwrap();
    let ran = loadcell(&["run", &file, "--no-out", "-q"]);
    assert_eq!(ran.code, Some(2), "{}{}", ran.stdout, ran.stderr);
    assert!(ran.stderr.contains("watched.yaml:2:11"), "{}", ran.stderr);
    assert_eq!(target.requests(), before);
}
