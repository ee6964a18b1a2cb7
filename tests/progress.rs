//! Live progress: without `-q` and with stderr not a terminal (a CI log), loadcell
//! prints one plain line every 5 s on stderr, and none with `-q`.

use crate::support::{fast_target, run_raw, url_of};

#[test]
fn plain_progress_line_every_five_seconds() {
    let server = fast_target();
    let url = url_of(&server);
    let run = run_raw(&["run", &url, "-r", "50", "-d", "6s"]);
    run.assert_exit(0);
    let lines: Vec<&str> = run.stderr.lines().filter(|l| l.contains("req/s")).collect();
    assert_eq!(lines.len(), 1, "one progress line in a 6 s run\n{}", run.output());
    assert!(lines[0].starts_with("[   5s/6s]"), "{}", lines[0]);
    for part in ["p95", "errors", "vus", "total"] {
        assert!(lines[0].contains(part), "progress line lacks {part}: {}", lines[0]);
    }
    assert!(!run.stdout.contains("req/s]"), "progress belongs on stderr");
    assert!(run.stdout.contains("requests"), "{}", run.output());
}

#[test]
fn quiet_prints_no_progress() {
    let server = fast_target();
    let url = url_of(&server);
    let run = run_raw(&["run", &url, "-r", "50", "-d", "5100ms", "-q"]);
    run.assert_exit(0);
    assert!(
        run.stderr.trim().is_empty(),
        "-q must keep stderr empty\n{}",
        run.output()
    );
    assert!(run.stdout.contains("requests"), "{}", run.output());
}
