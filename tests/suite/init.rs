//! `loadcell init`: each form writes a plan that `loadcell validate` accepts — placeholders,
//! a URL probed (whose plan then runs against the same target, holds shortened), a folder's
//! benchmark frameworks — and refuses what it cannot do in one line with exit 2. The target
//! answers in 100 ms so that the SLO drawn from the probe (4 × its p95, rounded up to a
//! 1-2-5 step: 500 ms or more) holds with hundreds of ms to spare on a loaded machine.

use super::*;

fn init(args: &[&str]) -> Finished {
    let mut argv = vec!["init".to_string()];
    argv.extend(args.iter().map(|a| a.to_string()));
    Loadcell::new(&argv).guard(GUARD).run()
}

fn validate(plan: &Path) -> Finished {
    Loadcell::new(&["validate".to_string(), plan.display().to_string()]).run()
}

#[test]
fn without_an_argument_a_plan_of_placeholders_that_validates_and_is_not_overwritten() {
    let dir = TempDir::new();
    let plan = dir.path().join("plan.yaml");
    let out = plan.display().to_string();
    init(&["--out", &out]).assert_exit(0);
    let text = std::fs::read_to_string(&plan).expect("plan.yaml written");
    assert!(text.contains("PLACEHOLDER") && text.contains("tests:"), "{text}");
    validate(&plan).assert_exit(0);

    let again = init(&["--out", &out]);
    again.assert_exit(2);
    assert_eq!(again.stderr.trim().lines().count(), 1, "{}", again.output());
    assert!(
        again.stderr.contains("already exists; give --force"),
        "{}",
        again.output()
    );
    init(&["--out", &out, "--force"]).assert_exit(0);

    let printed = init(&["--out", "-"]);
    printed.assert_exit(0);
    assert_eq!(printed.stdout, text);
}

#[test]
fn a_probed_url_gives_levels_and_slos_from_what_it_measured_and_the_plan_runs() {
    let handle = slow_target(Duration::from_millis(100), 0.0);
    let dir = TempDir::new();
    let plan = dir.path().join("plan.yaml");
    let run = init(&[&handle.url(), "--out", &plan.display().to_string()]);
    run.assert_exit(0);
    assert!(run.stderr.contains("saw 200 ×20: p50 "), "{}", run.output());
    assert_eq!(handle.stats().requests_total, 20, "the probe is 20 sequential requests");
    let text = std::fs::read_to_string(&plan).expect("plan.yaml written");
    assert!(text.contains(&format!("target: {}\n", handle.url())), "{text}");
    let slo = text
        .split("\"p95<")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|v| match v.strip_suffix("ms") {
            Some(ms) => ms.parse().ok().map(Duration::from_millis),
            None => v
                .strip_suffix('s')
                .and_then(|s| s.parse().ok())
                .map(Duration::from_secs),
        })
        .expect("a p95 SLO in the plan");
    assert!(
        slo >= Duration::from_millis(400),
        "4 × a p95 of at least 100 ms: {slo:?}\n{text}"
    );
    validate(&plan).assert_exit(0);

    // The plan as written, with its holds shortened, passes against the target it probed.
    let short = text
        .replace("hold: 1m", "hold: 2s")
        .replace("hold: 10s", "hold: 2s")
        .replace("ramp: 10s", "ramp: 1s");
    std::fs::write(&plan, short).expect("shorten the holds");
    let out = dir.path().join("out");
    let run = suite(&plan, &out, &["--allow-warnings"]);
    run.assert_exit(0);
    assert_eq!(
        names(&suite_json(&out)["verdict"]["failed_tests"]),
        Vec::<String>::new()
    );
}

#[test]
fn an_unreachable_url_or_a_folder_without_benchmarks_is_one_line_and_exit_2() {
    let refusing = RefusingPort::new();
    let dir = TempDir::new();
    let out = dir.path().join("plan.yaml").display().to_string();
    let run = init(&[&refusing.url(), "--out", &out]);
    run.assert_exit(2);
    assert!(
        run.stderr
            .trim()
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("error: ")),
        "{}",
        run.output()
    );
    assert!(!dir.path().join("plan.yaml").exists());
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).expect("a folder");
    let run = init(&[&empty.display().to_string(), "--out", &out]);
    run.assert_exit(2);
    assert!(run.stderr.contains("no benchmarks found"), "{}", run.output());
}

#[test]
fn a_project_folder_gets_a_bench_test_per_framework_found() {
    let project = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bench-go");
    let dir = TempDir::new();
    let plan = dir.path().join("plan.yaml");
    init(&[&project.display().to_string(), "--out", &plan.display().to_string()]).assert_exit(0);
    let text = std::fs::read_to_string(&plan).expect("plan.yaml written");
    assert!(
        text.contains("- bench: { detect: ") && text.contains("framework: go }"),
        "{text}"
    );
    let checked = validate(&plan);
    checked.assert_exit(0);
    assert!(checked.stdout.contains("1 tests (bench)"), "{}", checked.output());
}
