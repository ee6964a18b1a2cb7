//! `bench` tests in a plan: commands timed as `loadcell bench` times them, into the test's
//! folder (`bench.json`), with the headline numbers in every suite document; a command that
//! fails fails its test (unless `ignore_failure`); a mistake is exit 2 before anything runs;
//! and a previous suite's bench result as the baseline. The slower command sleeps ten times
//! longer (50 ms against 500 ms) with a noise threshold of 90%, so a busy machine neither
//! hides the regression nor invents one. No load is sent: the plan's target is a port that
//! refuses, which a bench test never touches.

use super::*;

/// `loadcell suite` without a target to hold still for: nothing here sends a request.
fn bench_suite(plan: &Path, out: &Path, args: &[&str]) -> Finished {
    suite_command(plan, out, args).run()
}

#[test]
fn a_bench_test_writes_bench_json_and_its_numbers_everywhere() {
    let refusing = RefusingPort::new();
    let dir = TempDir::new();
    let body = "target: URL\ntests:\n  - bench: { commands: [\"sleep 0.01\", \"true\"], runs: 5, warmup: 1 }\n";
    let plan = write_plan(&dir, &refusing.url(), body);
    let out = dir.path().join("out");
    let run = bench_suite(&plan, &out, &[]);
    run.assert_exit(0);
    let doc = suite_json(&out);
    let test = &doc["tests"][0];
    assert_eq!(
        (test["kind"].as_str(), test["passed"].as_bool()),
        (Some("bench"), Some(true)),
        "{test}"
    );
    let benchmarks = test["bench"]["benchmarks"].as_array().expect("bench.benchmarks[]");
    assert_eq!(benchmarks.len(), 2, "{test}");
    assert_eq!(benchmarks[0]["name"], "sleep 0.01");
    assert_eq!(benchmarks[0]["runs"], 5);
    let mean = benchmarks[0]["mean_ms"].as_f64().unwrap_or_default();
    assert!(mean >= 10.0, "sleep 0.01 took {mean} ms");
    assert!(benchmarks[0]["median_ms"].as_f64().is_some() && benchmarks[0]["stddev_ms"].as_f64().is_some());
    let results: loadcell_schema::BenchResults =
        serde_json::from_str(&std::fs::read_to_string(out.join("01-bench/bench.json")).expect("bench.json"))
            .expect("bench.json as loadcell bench --out writes it");
    assert_eq!(results.benchmarks[0].samples.len(), 5);
    let junit = std::fs::read_to_string(out.join("junit.xml")).expect("junit.xml");
    assert!(junit.contains("<testcase name=\"bench sleep 0.01: mean "), "{junit}");
    let md = std::fs::read_to_string(out.join("suite.md")).expect("suite.md");
    assert!(md.contains("sleep 0.01: mean ") && md.contains("(5 runs)"), "{md}");
    let html = std::fs::read_to_string(out.join("index.html")).expect("index.html");
    assert!(html.contains("01-bench/bench.json"), "{html}");
    assert!(run.stdout.contains("sleep 0.01: mean "), "{}", run.output());

    // `loadcell report SUITE` judges it again from bench.json.
    let again = Loadcell::new(&["report".to_string(), out.display().to_string()]).run();
    again.assert_exit(0);
    assert_eq!(
        suite_json(&out)["tests"][0]["bench"],
        test["bench"],
        "{}",
        again.output()
    );
}

#[test]
fn a_failing_command_fails_its_test_unless_failures_are_ignored() {
    let refusing = RefusingPort::new();
    let dir = TempDir::new();
    let body = "target: URL\ntests:\n  - bench: { commands: [\"false\"], runs: 3 }\n  - bench: { name: after, commands: [\"true\"], runs: 3 }\n";
    let plan = write_plan(&dir, &refusing.url(), body);
    let out = dir.path().join("out");
    let run = bench_suite(&plan, &out, &[]);
    run.assert_exit(1);
    let doc = suite_json(&out);
    let words = doc["tests"][0]["failures"][0].as_str().unwrap_or_default().to_string();
    assert!(words.contains("'false' exited with exit code 1"), "{doc}");
    assert!(
        words.contains("ignore_failure: true"),
        "the plan's own spelling is named: {doc}"
    );
    assert_eq!(names(&doc["not_run"]), ["after"], "{doc}");
    assert!(run.stdout.contains(&words), "{}", run.output());

    let ignored = body.replace(
        "runs: 3 }\n  - bench: { name",
        "runs: 3, ignore_failure: true }\n  - bench: { name",
    );
    let plan = write_plan(&dir, &refusing.url(), &ignored);
    let out = dir.path().join("ignored");
    bench_suite(&plan, &out, &[]).assert_exit(0);
    assert_eq!(suite_json(&out)["verdict"]["passed"], true);
}

#[test]
fn bench_mistakes_exit_2_at_their_line_before_anything_runs() {
    let refusing = RefusingPort::new();
    let dir = TempDir::new();
    let cases = [
        (
            "  - bench: { runz: 3, commands: [\"true\"] }\n",
            "plan.yaml:3:14: unknown option 'runz' of a bench test; did you mean 'runs'?",
        ),
        (
            "  - bench: { commands: [\"no-such-program-here --fast\"] }\n",
            "plan.yaml:3:5: test 'bench': cannot run 'no-such-program-here --fast': no-such-program-here: command not found",
        ),
        (
            "  - bench: { runs: 3 }\n",
            "plan.yaml:3:5: test 'bench': no command to benchmark",
        ),
        (
            "  - bench: { detect: nowhere }\n",
            "plan.yaml:3:5: test 'bench': --detect: ",
        ),
    ];
    for (test, expected) in cases {
        let plan = write_plan(&dir, &refusing.url(), &format!("target: URL\ntests:\n{test}"));
        let out = dir.path().join("out");
        let run = bench_suite(&plan, &out, &[]);
        run.assert_exit(2);
        let line = run.stderr.trim();
        assert!(
            line.starts_with(&format!("error: {}/{expected}", dir.path().display())),
            "{line}"
        );
        assert_eq!(line.lines().count(), 1, "{line}");
        assert!(!out.exists(), "nothing is written before the plan is checked");
    }
}

#[test]
fn a_previous_suite_s_bench_result_is_the_baseline_and_a_slower_command_regresses() {
    let refusing = RefusingPort::new();
    let dir = TempDir::new();
    // The same command line each time; the file it reads (in the plan's folder, where a
    // bench test's commands run) says how long it sleeps.
    let body = "target: URL\ntests:\n  - bench: { commands: [\"sleep $(cat delay)\"], shell: sh, runs: 5, baseline_noise: 90% }\n";
    std::fs::write(dir.path().join("delay"), "0.05").expect("delay");
    let plan = write_plan(&dir, &refusing.url(), body);
    let before = dir.path().join("before");
    bench_suite(&plan, &before, &[]).assert_exit(0);

    let plan = write_plan(&dir, &refusing.url(), &format!("baseline: before\n{body}"));
    let same = dir.path().join("same");
    let run = bench_suite(&plan, &same, &[]);
    run.assert_exit(0);
    let test = &suite_json(&same)["tests"][0];
    assert_ne!(test["baseline"]["verdict"], "regressed", "{test}");
    assert!(same.join("01-bench/comparison.json").is_file(), "{}", run.output());

    std::fs::write(dir.path().join("delay"), "0.5").expect("delay");
    let slower = dir.path().join("slower");
    let run = bench_suite(&plan, &slower, &[]);
    run.assert_exit(1);
    let test = &suite_json(&slower)["tests"][0];
    assert_eq!(test["baseline"]["verdict"], "regressed", "{test}");
    let words = test["failures"][0].as_str().unwrap_or_default().to_string();
    assert!(words.starts_with("regressed") && words.contains("mean +"), "{test}");
    let junit = std::fs::read_to_string(slower.join("junit.xml")).expect("junit.xml");
    assert!(junit.contains("regressed"), "{junit}");
}

#[test]
fn a_baselines_file_checks_bench_tests_as_baseline_check_does() {
    let refusing = RefusingPort::new();
    let dir = TempDir::new();
    let body = "target: URL\ntests:\n  - bench: { commands: [\"sleep $(cat delay)\"], shell: sh, runs: 5, baseline_noise: 90% }\n";
    std::fs::write(dir.path().join("delay"), "0.05").expect("delay");
    let plan = write_plan(&dir, &refusing.url(), body);
    let first = dir.path().join("first");
    bench_suite(&plan, &first, &[]).assert_exit(0);
    let (results, file) = (
        first.join("01-bench").display().to_string(),
        dir.path().join("performance-baselines.json").display().to_string(),
    );
    Loadcell::new(&["baseline", "save", &results, "--file", &file])
        .run()
        .assert_exit(0);

    let plan = write_plan(
        &dir,
        &refusing.url(),
        &format!("baseline: performance-baselines.json\n{body}"),
    );
    let same = dir.path().join("same");
    let run = bench_suite(&plan, &same, &[]);
    run.assert_exit(0);
    let test = &suite_json(&same)["tests"][0];
    assert_eq!(test["baseline"]["path"], file.as_str(), "{test}");

    std::fs::write(dir.path().join("delay"), "0.5").expect("delay");
    let slower = dir.path().join("slower");
    let run = bench_suite(&plan, &slower, &[]);
    run.assert_exit(1);
    let test = &suite_json(&slower)["tests"][0];
    assert_eq!(test["baseline"]["verdict"], "regressed", "{test}");
    let words = test["failures"][0].as_str().unwrap_or_default();
    assert!(words.starts_with("regressed") && words.contains("mean +"), "{test}");
}
