//! The integration tests' helpers: the shared test kit (`loadcell-testkit`), under the
//! names these modules use.

pub use loadcell_testkit::process::run_url as run;
pub use loadcell_testkit::servers::Version;
pub use loadcell_testkit::*;

/// Waits for a running process (see [`Running::wait`]).
pub fn wait(running: Running) -> Finished {
    running.wait()
}

/// `loadcell run URL ARGS -q --summary-json FILE` for a verdict that depends on timing:
/// no other loadcell of this test binary runs beside it.
pub fn run_alone(url: &str, args: &[&str]) -> Finished {
    loadcell_testkit::process::run_summary(url.as_ref(), args, Loadcell::alone)
}

/// `--start-at` for parts that must start together: one absolute instant `ahead` of now,
/// as users give it. A relative `+2s` is counted from each process's own start, so the
/// parts' loads would begin as far apart as their launches (~30 ms, more on a busy machine).
pub fn start_together(ahead: std::time::Duration) -> String {
    loadcell_schema::rfc3339_utc(std::time::SystemTime::now() + ahead)
}

/// The flags of each of three parts started together at `start` (`--start-at`): 300/s for
/// 3 s is 900 arrivals, each part has 300, which `count<400` allows and the fleet's 900 do
/// not.
pub fn parts_under_a_fleet_threshold(start: &str) -> [&str; 8] {
    [
        "-r",
        "300",
        "-d",
        "3s",
        "--start-at",
        start,
        "--threshold",
        "http_reqs: count<400",
    ]
}

/// Kills `process` with SIGKILL (nothing is tidied up) once `log`, a results folder's
/// `intervals.ndjson`, holds `lines` lines; fails the test when it does not within 20 s.
pub fn kill_once_logged(process: &Running, log: &std::path::Path, lines: usize) {
    let wrote = wait_until(std::time::Duration::from_secs(20), || {
        std::fs::read_to_string(log).is_ok_and(|t| t.lines().count() >= lines)
    });
    assert!(wrote, "{} has fewer than {lines} line(s) after 20 s", log.display());
    process.signal(libc::SIGKILL);
}

/// The collector's stderr line saying part `who` (`2/4`) was lost, which must give its UTC
/// time and say that its connection closed without its `end.json` (a killed part).
pub fn lost_line<'a>(collector: &'a Finished, who: &str) -> &'a str {
    let needle = format!("part {who} lost at 20");
    let line = collector
        .stderr
        .lines()
        .find(|l| l.contains(&needle))
        .unwrap_or_else(|| panic!("no line with {needle:?}\n{}", collector.output()));
    assert!(line.contains("without its end.json"), "{line}");
    line
}

/// A fleet-wide abort as the collector and every part must show it: the collector exits 1
/// saying a fleet-wide threshold failed; each part exits 1, stopped with `threshold_aborted`
/// more than 3 s before its planned `planned_s` and saying the collector judged it.
/// `summaries` are the parts' own summary.json in part order; `all` is every process's
/// output, shown on a failure.
pub fn assert_fleet_aborted(
    collector: &Finished,
    parts: &[Finished],
    summaries: &[serde_json::Value],
    planned_s: f64,
    all: &str,
) {
    collector.assert_exit(1);
    assert!(collector.stderr.contains("fleet-wide threshold failed"), "{all}");
    assert_eq!(parts.len(), summaries.len(), "one summary per part");
    for (i, (part, own)) in parts.iter().zip(summaries).enumerate() {
        part.assert_exit(1);
        assert_eq!(str_at(own, "stop_reason"), "threshold_aborted", "{all}");
        let ran = f64_at(own, "duration_s");
        assert!(
            ran < planned_s - 3.0,
            "part {} ran {ran} s of {planned_s}\n{all}",
            i + 1
        );
        assert!(part.stdout.contains("judged by the collector"), "{all}");
    }
}

/// Part `i`'s results folder in a fleet test's `dir` (`part1`, `part2`, …).
pub fn part_dir(dir: &std::path::Path, i: impl std::fmt::Display) -> std::path::PathBuf {
    dir.join(format!("part{i}"))
}

/// The `summary.json` of results folder `dir`; panics when there is none.
pub fn summary_of(dir: &std::path::Path) -> serde_json::Value {
    read_summary(&dir.join("summary.json")).unwrap_or_else(|| panic!("no summary.json in {}", dir.display()))
}

/// The outputs of several loadcell processes (a fleet's parts), one after another.
pub fn outputs<F: std::borrow::Borrow<Finished>>(all: &[F]) -> String {
    all.iter()
        .map(|f| f.borrow().output())
        .collect::<Vec<_>>()
        .join("\n=====\n")
}

/// The results folders of parts 1 to `n` in a fleet test's `dir`.
pub fn part_dirs(dir: &std::path::Path, n: u64) -> Vec<std::path::PathBuf> {
    (1..=n).map(|i| part_dir(dir, i)).collect()
}

/// `loadcell merge DIRS… --out OUT`.
pub fn merge(dirs: &[std::path::PathBuf], out: &std::path::Path) -> Finished {
    let mut args: Vec<String> = vec!["merge".into()];
    args.extend(dirs.iter().map(|d| d.display().to_string()));
    args.extend(["--out".into(), out.display().to_string()]);
    run_raw(&args)
}
