//! Output paths are the user's input: one that cannot be written is found before the first
//! request (exit 2, nothing sent); a write that still fails after the load was sent is
//! reported, and the run exits 1 with its verdict printed and every other output written.

use std::time::Duration;

use crate::support::{TempDir, fast_target, run_raw, spawn, url_of, wait_until};

#[test]
fn unwritable_output_paths_are_refused_before_any_request() {
    let server = fast_target();
    let dir = TempDir::new();
    let missing = dir.path().join("no-such-folder").join("out.json");
    let missing = missing.to_string_lossy().into_owned();
    let url = url_of(&server);
    let cases: [(&[&str], &str); 3] = [
        (
            &["run", &url, "-n", "5", "-q", "--summary-json", &missing],
            "--summary-json",
        ),
        (
            &[
                "capacity", &url, "--slo", "p95<1s", "-q", "--no-out", "--json", &missing,
            ],
            "--json",
        ),
        (
            &["scale", &url, "--vus", "1,2,3", "-q", "--no-out", "--json", &missing],
            "--json",
        ),
    ];
    for (args, flag) in cases {
        let run = run_raw(args);
        run.assert_exit(2);
        let lines = run.stderr_lines();
        assert_eq!(lines.len(), 1, "one line\n{}", run.output());
        assert!(
            lines[0].starts_with(&format!("error: cannot write {flag} '")),
            "{}",
            run.output()
        );
    }
    assert_eq!(server.stats().requests_total, 0, "nothing was sent");
}

#[test]
fn a_write_that_fails_after_the_run_exits_1_and_keeps_the_verdict() {
    let server = fast_target();
    let dir = TempDir::new();
    let gone = dir.path().join("gone");
    std::fs::create_dir_all(&gone).expect("folder");
    let json = gone.join("summary.json").to_string_lossy().into_owned();
    let out = dir.path().join("results");
    let out_arg = out.to_string_lossy().into_owned();
    let url = url_of(&server);
    let running = spawn(&[
        "run",
        &url,
        "-c",
        "2",
        "-d",
        "3s",
        "-q",
        "--threshold",
        "error_rate<1%",
        "--summary-json",
        &json,
        "--out",
        &out_arg,
    ]);
    // Once the run is under way, the folder the summary goes to disappears.
    let intervals = out.join("intervals.ndjson");
    let going = wait_until(Duration::from_secs(20), || {
        std::fs::read_to_string(&intervals).is_ok_and(|t| !t.is_empty())
    });
    assert!(going, "the run did not start within 20 s");
    std::fs::remove_dir_all(&gone).expect("remove the folder");
    let run = running.wait();
    run.assert_exit(1);
    assert!(
        run.stdout.contains("✓ pass"),
        "the verdict is printed\n{}",
        run.output()
    );
    assert!(
        run.stderr.contains("error: cannot write --summary-json '"),
        "the failure is named\n{}",
        run.output()
    );
    assert!(
        out.join("summary.json").is_file(),
        "the results folder is still written"
    );
}
