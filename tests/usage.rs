//! Bad input is a usage error: exit code 2, exactly one non-empty line on stderr (no
//! panic, no backtrace), nothing on stdout, and not a single request sent. Help exits 0.

use crate::support::{fast_target, run_raw, url_of};

/// Runs `loadcell run URL ARGS` against a live target and checks the usage-error
/// contract; returns the error line.
fn usage_error(args_after_url: &[&str]) -> String {
    let server = fast_target();
    let url = url_of(&server);
    let mut args = vec!["run", url.as_str()];
    args.extend_from_slice(args_after_url);
    usage_error_with(&args, || server.stats().requests_total)
}

/// Checks the usage-error contract for `loadcell ARGS`; `sent` reads the server's count.
fn usage_error_with(args: &[&str], sent: impl Fn() -> u64) -> String {
    let run = run_raw(args);
    run.assert_exit(2);
    let lines: Vec<&str> = run.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "stderr should be exactly one line\n{}", run.output());
    let lower = run.stderr.to_lowercase();
    assert!(
        !lower.contains("panicked") && !lower.contains("backtrace"),
        "{}",
        run.output()
    );
    assert!(run.stdout.trim().is_empty(), "nothing on stdout\n{}", run.output());
    assert_eq!(sent(), 0, "a usage error must send nothing\n{}", run.output());
    lines[0].to_string()
}

#[test]
fn unknown_flag() {
    let line = usage_error(&["--nope", "-n", "1"]);
    assert!(line.contains("--nope"), "{line}");
}

#[test]
fn malformed_url() {
    let server = fast_target();
    let line = usage_error_with(&["run", "not-a-url", "-n", "1"], || server.stats().requests_total);
    assert!(line.contains("not-a-url"), "{line}");
}

#[test]
fn unsupported_scheme() {
    let server = fast_target();
    let line = usage_error_with(&["run", "ftp://x/", "-n", "1"], || server.stats().requests_total);
    assert!(line.contains("ftp"), "{line}");
}

#[test]
fn bad_duration() {
    let line = usage_error(&["-d", "10x"]);
    assert!(line.contains("10x"), "{line}");
}

#[test]
fn bad_rate() {
    let line = usage_error(&["-r", "abc", "-d", "1s"]);
    assert!(line.contains("abc"), "{line}");
}

#[test]
fn bad_threshold_value() {
    let line = usage_error(&["-n", "1", "--threshold", "p95<abc"]);
    assert!(line.contains("p95<abc"), "{line}");
}

#[test]
fn misspelled_threshold_metric_suggests_the_right_one() {
    let line = usage_error(&["-n", "1", "--threshold", "http_req_duraton: p(95)<1"]);
    assert!(line.contains("did you mean 'http_req_duration'"), "{line}");
}

#[test]
fn concurrency_and_rate_together() {
    let line = usage_error(&["-c", "5", "-r", "5", "-d", "1s"]);
    assert!(line.contains("--concurrency") && line.contains("--rate"), "{line}");
}

#[test]
fn header_without_colon() {
    let line = usage_error(&["-n", "1", "-H", "nocolon"]);
    assert!(line.contains("nocolon"), "{line}");
}

#[test]
fn bad_stage() {
    let line = usage_error(&["--stages", "1s:4,fast:8"]);
    assert!(line.contains("fast:8"), "{line}");
}

#[test]
fn help_exits_zero() {
    for args in [&["--help"][..], &["run", "--help"][..]] {
        let run = run_raw(args);
        run.assert_exit(0);
        assert!(run.stdout.contains("Usage:"), "{}", run.output());
    }
    let run = run_raw(&["run", "--help"]);
    for flag in ["--concurrency", "--rate", "--threshold", "--summary-json"] {
        assert!(run.stdout.contains(flag), "run --help does not list {flag}");
    }
}

#[test]
fn missing_subcommand_or_argument_is_a_usage_error_naming_it() {
    let bare = run_raw::<&str>(&[]);
    bare.assert_exit(2);
    bare.assert_no_panic();
    let run = run_raw(&["run"]);
    run.assert_exit(2);
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("<URL|FILE>"),
        "the message names what is missing: {}",
        run.stderr
    );
}

#[test]
fn a_flag_typo_gets_a_did_you_mean_and_the_subcommand_help() {
    let line = usage_error(&["--rat", "5", "-n", "1"]);
    assert!(line.contains("did you mean '--rate'?"), "{line}");
    assert!(line.contains("(see 'loadcell run --help')"), "{line}");
}

#[test]
fn a_negative_rate_says_rates_are_positive() {
    for rate in ["-5", "-5/s"] {
        let line = usage_error(&["--rate", rate, "-n", "1"]);
        assert!(line.contains("a rate must be positive"), "{line}");
    }
}

#[test]
fn a_bare_prometheus_does_not_swallow_the_url() {
    let server = fast_target();
    let url = url_of(&server);
    // The URL after --prometheus is the target: the run goes to it, live metrics on a free
    // port given explicitly afterwards would be the only other way to say it.
    let run = run_raw(&["run", "--prometheus", &url, "-n", "5", "-q"]);
    assert!(
        !run.stderr.contains("required arguments were not provided"),
        "{}",
        run.output()
    );
    // 9464 may be taken on a shared machine: then it is a usage error naming the port,
    // never a missing URL; otherwise the five requests reached the target.
    match run.code {
        Some(0) => assert_eq!(server.stats().requests_total, 5, "{}", run.output()),
        _ => assert!(run.stderr.contains("9464"), "{}", run.output()),
    }
}

#[test]
fn every_help_page_has_examples_and_names_the_exit_codes() {
    for sub in [
        "run", "validate", "schema", "report", "demo", "target", "capacity", "scale", "suite", "init", "bench", "k8s",
    ] {
        let run = run_raw(&[sub, "--help"]);
        run.assert_exit(0);
        assert!(run.stdout.contains("Examples:\n  loadcell "), "{sub}:\n{}", run.stdout);
        assert!(run.stdout.contains("Exit codes: 0 "), "{sub}:\n{}", run.stdout);
    }
    let top = run_raw(&["--help"]);
    assert!(top.stdout.contains("Exit codes: 0 "), "{}", top.stdout);
}

/// `loadcell schema | head -1`: the reader goes before loadcell has printed everything.
/// loadcell ends as Unix tools do when their reader goes (SIGPIPE's status, 141 in a
/// shell), without a panic message or a backtrace. The read end is closed before the
/// process starts, so its very first write meets the broken pipe.
#[test]
fn a_reader_that_goes_away_ends_loadcell_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let out = std::process::Command::new(loadcell_testkit::process::loadcell_bin())
        .arg("schema")
        .env("RUST_BACKTRACE", "1")
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("loadcell runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.is_empty(), "nothing on stderr, got: {stderr}");
    assert_eq!(out.status.signal(), Some(13), "ended by SIGPIPE: {:?}", out.status);
}
