use super::*;
use crate::model::{Opt, System};
use loadcell_schema::Profile;

fn test(name: &str, kind: Kind) -> Test {
    Test {
        name: name.into(),
        kind,
        pos: Default::default(),
        options: vec![],
        slo: vec![],
        commands: vec![],
    }
}

fn plan(baseline: Option<PathBuf>) -> Plan {
    Plan {
        file: "plan.yaml".into(),
        text: String::new(),
        dir: PathBuf::new(),
        system: System::Url("http://127.0.0.1:1/".into()),
        base_url: None,
        monitor: vec![],
        postgres: vec![],
        slo: vec![],
        baseline: baseline.map(|p| (p, Default::default())),
        tests: vec![],
    }
}

/// A previous suite's folder: `load` ran in `02-load` and left a summary, `stress` did not.
fn previous_suite() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("loadcell-suite-baseline-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("02-load")).unwrap();
    std::fs::write(dir.join("02-load/summary.json"), "{}").unwrap();
    let doc = r#"{"tests": [{"name": "load", "folder": "02-load"}, {"name": "stress", "folder": "03-stress"}]}"#;
    std::fs::write(dir.join("suite.json"), doc).unwrap();
    dir
}

#[test]
fn a_previous_suite_folder_gives_each_test_its_namesake() {
    let dir = previous_suite();
    let plan = plan(Some(dir.clone()));
    let load = test("load", Kind::Run(Profile::Load));
    assert_eq!(of(&plan, &load), Some(dir.join("02-load")));
    // It did not run there: no baseline rather than a wrong one.
    assert_eq!(of(&plan, &test("stress", Kind::Run(Profile::Stress))), None);
    assert_eq!(of(&plan, &test("smoke", Kind::Run(Profile::Smoke))), None);
    // Sweeps are not compared; a test's own baseline wins.
    assert_eq!(of(&plan, &test("load", Kind::Capacity)), None);
    let mut own = load.clone();
    own.options.push(Opt {
        key: "baseline".into(),
        pos: Default::default(),
        flag: "baseline".into(),
        values: vec!["mine".into()],
    });
    assert_eq!(of(&plan, &own), None);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_single_results_folder_is_every_run_test_s_baseline() {
    let plan = plan(Some(PathBuf::from("/nowhere/results")));
    let smoke = test("smoke", Kind::Run(Profile::Smoke));
    assert_eq!(of(&plan, &smoke), Some(PathBuf::from("/nowhere/results")));
}

#[test]
fn changes_read_as_percentages_or_points() {
    assert_eq!(signed(0.234, false), "+23%");
    assert_eq!(signed(-0.05, false), "-5%");
    assert_eq!(signed(0.02, true), "+2 pt");
}

#[test]
fn bench_tests_get_bench_results_and_a_baselines_file_is_everyone_s() {
    let dir = std::env::temp_dir().join(format!("loadcell-suite-holds-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("01-bench")).unwrap();
    std::fs::write(dir.join("01-bench/bench.json"), "{}").unwrap();
    let file = dir.join("performance-baselines.json");
    std::fs::write(&file, r#"{"endpoints": [], "overall_slo_compliance": null}"#).unwrap();
    let bench_file = dir.join("bench.json");
    std::fs::write(&bench_file, r#"{"format": "loadcell-bench"}"#).unwrap();
    assert_eq!(holds(&file), Holds::Baselines);
    assert_eq!(holds(&bench_file), Holds::Bench);
    assert_eq!(holds(&dir.join("01-bench")), Holds::Bench);
    let bench = test("bench", Kind::Bench);
    let load = test("load", Kind::Run(Profile::Load));
    assert_eq!(of(&plan(Some(file.clone())), &bench), Some(file.clone()));
    assert_eq!(of(&plan(Some(file.clone())), &load), Some(file.clone()));
    assert_eq!(of(&plan(Some(bench_file.clone())), &bench), Some(bench_file.clone()));
    assert_eq!(of(&plan(Some(bench_file.clone())), &load), None);
    std::fs::write(
        dir.join("suite.json"),
        r#"{"tests": [{"name": "bench", "folder": "01-bench"}]}"#,
    )
    .unwrap();
    assert_eq!(of(&plan(Some(dir.clone())), &bench), Some(dir.join("01-bench")));
    assert_eq!(of(&plan(Some(dir.clone())), &load), None);
    std::fs::remove_dir_all(dir).unwrap();
}
