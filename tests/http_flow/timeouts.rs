//! `timeout:` on a step and on a journey: a step's wins over its journey's, which wins over
//! `--timeout`. httpbin's `/delay/1` answers after a second: a 300 ms timeout fails that
//! step only (`request_timeout`), while a fast step beside it and a step with a longer
//! timeout of its own succeed.

use crate::support::*;

const ITERATIONS: u64 = 3;

fn scenario(dir: &TempDir, target: &str, journey: &str) -> std::path::PathBuf {
    dir.write(
        "timeouts.yaml",
        &format!(
            "name: timeouts\ntarget: {target}\nload: {{ vus: 3, duration: 30s, iterations: {ITERATIONS} }}\n\
             journeys:\n{journey}"
        ),
    )
}

#[test]
fn a_step_timeout_shorter_than_the_global_one_fails_that_step_only() {
    let httpbin = Httpbin::start();
    let dir = TempDir::new();
    let file = scenario(
        &dir,
        &httpbin.url(),
        r#"  - name: j
    steps:
      - get: /get
      - get: /delay/1
        timeout: 300ms
      - get: /anything
"#,
    );
    let run = run_file(&file, &["--timeout", "10s"]);
    run.assert_exit(0);
    let s = run.summary();
    assert_eq!(count_of(s, "GET /delay/1", "errors", "request_timeout"), ITERATIONS);
    for fast in ["GET /get", "GET /anything"] {
        assert_eq!(count_of(s, fast, "status_codes", "200"), ITERATIONS, "{fast}");
    }
    assert_eq!(u64_at(s, "requests.failed"), ITERATIONS);
    // Its latency is the wait until the step's own timeout, not the global one.
    let max = f64_at(endpoint(s, "GET /delay/1"), "latency_ms.max");
    assert!((250.0..5_000.0).contains(&max), "timed out after {max} ms");
}

#[test]
fn a_journey_timeout_applies_to_its_steps_and_a_step_timeout_wins_over_it() {
    let httpbin = Httpbin::start();
    let dir = TempDir::new();
    let file = scenario(
        &dir,
        &httpbin.url(),
        r#"  - name: j
    timeout: 300ms
    steps:
      - name: inherits
        get: /delay/1
      - name: own
        get: /delay/1
        timeout: 10s
        check: { status: 200 }
"#,
    );
    // --timeout is shorter than the step's own: the step's wins.
    let run = run_file(&file, &["--timeout", "500ms"]);
    run.assert_exit(0);
    let s = run.summary();
    assert_eq!(count_of(s, "GET /delay/1", "errors", "request_timeout"), ITERATIONS);
    assert_eq!(count_of(s, "GET /delay/1", "status_codes", "200"), ITERATIONS);
    assert_eq!(check_counts(s, "j", "own", "status is 200"), (ITERATIONS, 0));
}
