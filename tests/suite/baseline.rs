//! A plan's `baseline:` a previous suite's folder, as a CI job would pass the last run's:
//! each run-type test is compared with its namesake there, and a regression fails it in
//! words. The change judged is far beyond any noise a loaded machine makes: 50 ms against
//! 500 ms (+900%), with a noise threshold of 90% so that the same 50 ms target is not judged
//! regressed because the machine was busy during one of the two runs (it would take 45 ms
//! of added delay at the 95th percentile).

use super::*;

const FIRST: &str = "\
target: URL
slo: [\"p95<3s\"]
tests:
  - load: { target_rate: 10, ramp: 1s, hold: 3s, baseline_noise: 90% }
";

#[test]
fn a_previous_suite_folder_is_the_baseline_and_a_slower_target_regresses() {
    let fast = slow_target(Duration::from_millis(50), 0.0);
    let dir = TempDir::new();
    let plan = write_plan(&dir, &fast.url(), FIRST);
    let before = dir.path().join("before");
    suite(&plan, &before, &["--allow-warnings"]).assert_exit(0);

    let with_baseline = format!("baseline: {}\n{FIRST}", before.display());
    let plan = write_plan(&dir, &fast.url(), &with_baseline);
    let same = dir.path().join("same");
    let run = suite(&plan, &same, &["--allow-warnings"]);
    run.assert_exit(0);
    let test = &suite_json(&same)["tests"][0];
    assert_eq!(test["passed"], true, "{}", run.output());
    assert_ne!(test["baseline"]["verdict"], "regressed", "{test}");
    assert!(same.join("01-load/comparison.json").is_file(), "{}", run.output());

    let (run, words) = regresses_against_a_slower_target(&dir, &with_baseline);
    assert!(words.starts_with("regressed: "), "{words}");
    assert!(run.stdout.contains(&words), "{}", run.output());
}

/// `baseline: performance-baselines.json`: each run-type test checked against the file as
/// `loadcell baseline check` checks a run. With one run in the file's history the check is
/// the point change against the noise threshold: 50 ms against 500 ms is +900%, far beyond
/// the 90% used here, and the same 50 ms target is far within it however busy the machine.
#[test]
fn a_baselines_file_is_checked_like_baseline_check_and_a_slower_target_regresses() {
    let fast = slow_target(Duration::from_millis(50), 0.0);
    let dir = TempDir::new();
    let plan = write_plan(&dir, &fast.url(), FIRST);
    let first = dir.path().join("first");
    suite(&plan, &first, &["--allow-warnings"]).assert_exit(0);
    let file = dir.path().join("performance-baselines.json");
    let (results, file_arg) = (first.join("01-load").display().to_string(), file.display().to_string());
    Loadcell::new(&["baseline", "save", &results, "--file", &file_arg])
        .run()
        .assert_exit(0);

    let with_file = format!("baseline: performance-baselines.json\n{FIRST}");
    let plan = write_plan(&dir, &fast.url(), &with_file);
    let same = dir.path().join("same");
    let run = suite(&plan, &same, &["--allow-warnings"]);
    run.assert_exit(0);
    let test = &suite_json(&same)["tests"][0];
    assert_eq!(test["passed"], true, "{}", run.output());
    assert_eq!(test["baseline"]["path"], file_arg.as_str(), "{test}");
    let comparison: Value =
        serde_json::from_str(&std::fs::read_to_string(same.join("01-load/comparison.json")).expect("comparison.json"))
            .expect("JSON");
    assert_eq!(comparison["base"]["kind"], "baselines", "{comparison}");
    assert_eq!(comparison["slo"][0]["status"], "pass", "{comparison}");

    regresses_against_a_slower_target(&dir, &with_file);
}

/// The plan `body` against a target ten times slower (500 ms): the test fails as regressed,
/// in words that `junit.xml` and `suite.md` repeat. The run and those words.
fn regresses_against_a_slower_target(dir: &TempDir, body: &str) -> (Finished, String) {
    let slow = slow_target(Duration::from_millis(500), 0.0);
    let plan = write_plan(dir, &slow.url(), body);
    let slower = dir.path().join("slower");
    let run = suite(&plan, &slower, &["--allow-warnings"]);
    run.assert_exit(1);
    let test = &suite_json(&slower)["tests"][0];
    assert_eq!(test["baseline"]["verdict"], "regressed", "{test}");
    let words = test["failures"][0].as_str().unwrap_or_default().to_string();
    assert!(words.starts_with("regressed") && words.contains("p95 +"), "{test}");
    let junit = std::fs::read_to_string(slower.join("junit.xml")).expect("junit.xml");
    assert!(junit.contains(&words), "{junit}");
    let md = std::fs::read_to_string(slower.join("suite.md")).expect("suite.md");
    // Markdown escapes the brackets of the interval.
    assert!(md.contains("**load**: regressed"), "{md}");
    (run, words)
}
