use super::*;
use crate::model::Command;

fn flag(long: &str, takes_value: bool, repeatable: bool) -> Flag {
    Flag {
        long: long.into(),
        takes_value,
        repeatable,
    }
}

fn vocabulary() -> Vocabulary {
    let shared = [
        flag("threads", true, false),
        flag("header", true, true),
        flag("out", true, false),
    ];
    let mut run = shared.to_vec();
    run.extend([
        flag("target-rate", true, false),
        flag("target-vus", true, false),
        flag("ramp", true, false),
        flag("hold", true, false),
        flag("abort-on-fail", false, false),
        flag("threshold", true, true),
    ]);
    let mut capacity = shared.to_vec();
    capacity.extend([flag("step-duration", true, false), flag("slo", true, true)]);
    let mut scale = shared.to_vec();
    scale.extend([flag("vus", true, false), flag("step-duration", true, false)]);
    let bench = vec![
        flag("runs", true, false),
        flag("detect", true, false),
        flag("dir", true, false),
        flag("ignore-failure", false, false),
        flag("out", true, false),
    ];
    Vocabulary {
        run,
        capacity,
        scale,
        bench,
    }
}

fn plan(text: &str) -> Result<Plan, PlanError> {
    parse(text, "plan.yaml", Path::new("/plans"), &vocabulary())
}

fn message(text: &str) -> String {
    plan(text).err().map(|e| e.to_string()).unwrap_or_default()
}

#[test]
fn a_plan_reads_its_tests_with_their_flags() {
    let p = plan(
        "target: http://127.0.0.1:1/\nslo: [\"p95<200ms\"]\nmonitor: host\ntests:\n  - smoke\n  - load: { target_rate: 200, ramp: 5s, header: [\"A: 1\", \"B: 2\"] }\n  - capacity: { step_duration: 2s, name: cap }\n  - scale: { vus: [1, 2, 4] }\n  - stress: { target_vus: 5, abort_on_fail: true, slo: \"p99<1s\" }\n",
    )
    .unwrap();
    assert_eq!(p.system, System::Url("http://127.0.0.1:1/".into()));
    assert_eq!(p.monitor, ["host"]);
    let names: Vec<&str> = p.tests.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["smoke", "load", "cap", "scale", "stress"]);
    let load = &p.tests[1];
    assert_eq!(load.options[0].flag, "target-rate");
    assert_eq!(load.options[0].values, ["200"]);
    assert_eq!((load.options[0].pos.line, load.options[0].pos.col), (6, 13));
    assert_eq!(
        load.options[2].values,
        ["A: 1", "B: 2"],
        "a repeatable flag is repeated"
    );
    assert_eq!(p.tests[3].options[0].values, ["1,2,4"], "a list flag is joined");
    assert_eq!(p.tests[2].kind.command(), Command::Capacity);
    let stress = &p.tests[4];
    assert!(stress.options[1].values.is_empty(), "a switch has no value");
    assert_eq!(stress.slo, ["p99<1s"]);
}

#[test]
fn a_scenario_is_found_beside_the_plan() {
    let p = plan("scenario: shop.yaml\nbase_url: http://127.0.0.1:2\ntests: [smoke]\n").unwrap();
    assert_eq!(p.system, System::Scenario("/plans/shop.yaml".into()));
    assert_eq!(p.base_url.as_deref(), Some("http://127.0.0.1:2"));
}

#[test]
fn mistakes_are_one_line_at_their_place_with_a_suggestion() {
    let base = "target: http://127.0.0.1:1/\ntests:\n";
    assert_eq!(
        message(&format!("{base}  - lod: {{}}\n")),
        "plan.yaml:3:5: unknown test type 'lod'; did you mean 'load'?"
    );
    assert_eq!(
        message(&format!("{base}  - load: {{ target_rat: 5 }}\n")),
        "plan.yaml:3:13: unknown option 'target_rat' of a load test; did you mean 'target_rate'?"
    );
    assert_eq!(
        message("target: http://127.0.0.1:1/\nslos: []\ntests: [smoke]\n"),
        "plan.yaml:2:1: unknown plan key 'slos'; did you mean 'slo'?"
    );
    assert!(message(&format!("{base}  - load: {{ out: x }}\n")).starts_with("plan.yaml:3:13: unknown option 'out'"));
    assert!(message(&format!("{base}  - smoke\n  - smoke\n")).contains("a second test named 'smoke'"));
    assert!(message(&format!("{base}  - stress: {{ abort_on_fail: 3 }}\n")).contains("true or false"));
    assert!(message("tests: [smoke]\n").contains("no system under test"));
    assert!(message("target: x\n").contains("no 'tests'"));
    assert!(message("").contains("empty"));
    assert!(message("target: [\n").starts_with("plan.yaml:"));
    assert!(message("target: x\nscenario: y\ntests: [smoke]\n").contains("not both"));
    assert!(message(&format!("{base}  - 5\n")).contains("a test is one type"));
    let odd = message(&format!("{base}  - load: {{ \"a\\nb\": 1 }}\n"));
    assert!(
        odd.contains("unknown option 'a\\nb'"),
        "control characters are escaped: {odd}"
    );
}

/// The scenario fuzzer's corpus (odd YAML of every kind: anchors, alias bombs, deep
/// nesting, bad UTF-8 replaced, JSON) read as plans: never a panic, and every error is one
/// line at a position inside the text.
#[test]
fn the_scenario_fuzz_corpus_never_breaks_the_plan_reader() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/scenario");
    let mut read = 0;
    for entry in std::fs::read_dir(&dir).unwrap().filter_map(Result::ok) {
        let text = String::from_utf8_lossy(&std::fs::read(entry.path()).unwrap()).into_owned();
        read += 1;
        if let Err(e) = plan(&text) {
            // YAML breaks lines at a lone CR too.
            let bytes = text.as_bytes();
            let lone_cr = (0..bytes.len())
                .filter(|&i| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
                .count();
            let lines = 1 + bytes.iter().filter(|&&b| b == b'\n').count() + lone_cr;
            let at = entry.path().display().to_string();
            assert!(e.line >= 1 && e.line <= lines + 1, "{at}: {e}");
            assert!(e.col >= 1, "{at}: {e}");
            assert!(!e.to_string().contains(['\n', '\r']), "{at}: {e:?}");
        }
    }
    assert!(read >= 40, "the corpus went missing: {read} files");
}

#[test]
fn a_bench_test_takes_commands_and_bench_flags_with_paths_from_the_plan_s_folder() {
    let p = plan(
        "target: http://127.0.0.1:1/\ntests:\n  - bench: { commands: ['sleep 0.01', 'true'], runs: 5, ignore_failure: true }\n  - bench: { name: mine, detect: fixtures/go }\n",
    )
    .unwrap();
    let bench = &p.tests[0];
    assert_eq!(bench.kind, Kind::Bench);
    assert_eq!(bench.commands, ["sleep 0.01", "true"]);
    let inv = crate::Invocation::of(&p, bench, Path::new("/s/01-bench"));
    assert_eq!(inv.command, Command::Bench);
    assert_eq!(
        inv.args,
        [
            "bench",
            "--runs",
            "5",
            "--ignore-failure",
            "--dir",
            "/plans",
            "--out",
            "/s/01-bench",
            "--",
            "sleep 0.01",
            "true"
        ]
    );
    let detect = crate::Invocation::of(&p, &p.tests[1], Path::new("/s/02-mine"));
    assert_eq!(
        detect.args,
        ["bench", "--detect", "/plans/fixtures/go", "--out", "/s/02-mine"]
    );
}

#[test]
fn a_bench_test_has_no_slo_and_a_run_test_no_commands() {
    let m = message("target: http://127.0.0.1:1/\ntests:\n  - bench: { commands: [true], slo: 'p95<1s' }\n");
    assert!(
        m.starts_with("plan.yaml:3:32: unknown option 'slo' of a bench test"),
        "{m}"
    );
    let m = message("target: http://127.0.0.1:1/\ntests:\n  - load: { commands: [true] }\n");
    assert!(m.contains("unknown option 'commands' of a load test"), "{m}");
    let m = message("target: http://127.0.0.1:1/\ntests:\n  - bench: { comands: [true] }\n");
    assert!(m.contains("did you mean 'commands'?"), "{m}");
    let m = message("target: http://127.0.0.1:1/\ntests:\n  - bnech: { runs: 3 }\n");
    assert!(m.contains("unknown test type 'bnech'; did you mean 'bench'?"), "{m}");
}
