//! `loadcell compare` and `loadcell run --baseline` as a user meets them: the text, JSON,
//! Markdown and HTML outputs, the exit codes (0 nothing regressed, 1 regressed, 2 bad
//! input), and a baseline that is read before any request is sent.

use crate::support::{Temp, loadcell, one_at_a_time, read, run_into, target};

/// A 5 ms run and a 30 ms run (six times slower: regressed on any machine) in `dir`.
fn fast_and_slow(dir: &Temp) -> (std::path::PathBuf, std::path::PathBuf) {
    let _turn = one_at_a_time();
    let (fast, fast_url) = target(5);
    let (slow, slow_url) = target(30);
    let (a, b) = (dir.path("fast"), dir.path("slow"));
    run_into(&fast_url, &a, 2, &[]).expect_code(0);
    run_into(&slow_url, &b, 2, &[]).expect_code(0);
    drop((fast, slow));
    (a, b)
}

#[test]
fn compare_prints_text_json_markdown_and_html_and_exits_by_the_verdict() {
    let dir = Temp::new("compare-cli");
    let (fast, slow) = fast_and_slow(&dir);

    let text = loadcell(&["compare".as_ref(), fast.as_os_str(), slow.as_os_str()]).expect_code(1);
    assert!(
        text.stdout.starts_with("loadcell compare: REGRESSED"),
        "{}",
        text.stdout
    );
    for metric in ["p50", "p95", "p99", "throughput", "error rate"] {
        assert!(text.stdout.contains(metric), "no {metric}: {}", text.stdout);
    }

    // The other way round the new run is faster: p50 improved. (A stall of the busy machine
    // can still put a worse p99 into the fast run, so the overall verdict is checked against
    // the exit code, not assumed.) Gated on p50, nothing regressed: exit 0.
    let back = loadcell(&[
        "compare".as_ref(),
        slow.as_os_str(),
        fast.as_os_str(),
        "--json".as_ref(),
    ]);
    let doc = back.json();
    assert_eq!(back.code, i32::from(doc["verdict"] == "regressed"), "{}", back.stdout);
    assert_eq!(doc["rows"][0]["metrics"][0]["metric"], "p50");
    assert_eq!(doc["rows"][0]["metrics"][0]["verdict"], "improved");
    assert_eq!(doc["format"], "loadcell-comparison");
    assert_eq!(doc["settings"]["noise"], 0.05);
    let back = loadcell(&[
        "compare".as_ref(),
        slow.as_os_str(),
        fast.as_os_str(),
        "--gate".as_ref(),
        "p50".as_ref(),
        "--json".as_ref(),
    ])
    .expect_code(0);
    assert_eq!(back.json()["verdict"], "improved");

    let md = loadcell(&[
        "compare".as_ref(),
        fast.as_os_str(),
        slow.as_os_str(),
        "--markdown".as_ref(),
    ])
    .expect_code(1);
    assert!(
        md.stdout.contains("| metric |") && md.stdout.contains("**regressed**"),
        "{}",
        md.stdout
    );

    // A run against itself: unchanged, exit 0; the flags are recorded in the document.
    let itself = loadcell(&[
        "compare".as_ref(),
        fast.as_os_str(),
        fast.as_os_str(),
        "--noise".as_ref(),
        "10%".as_ref(),
        "--error-noise".as_ref(),
        "0.5%".as_ref(),
        "--strict".as_ref(),
        "--seed".as_ref(),
        "7".as_ref(),
        "--json".as_ref(),
    ])
    .expect_code(0);
    let doc = itself.json();
    assert_eq!(doc["verdict"], "unchanged");
    assert_eq!(doc["settings"]["noise"], 0.1);
    assert_eq!(doc["settings"]["error_noise"], 0.005);
    assert_eq!(doc["settings"]["strict"], true);
    assert_eq!(doc["settings"]["seed"], 7);

    // Only the metrics named in --gate decide: p50 regressed, so a gate on it alone exits 1.
    let gated = loadcell(&[
        "compare".as_ref(),
        fast.as_os_str(),
        slow.as_os_str(),
        "--gate".as_ref(),
        "p50".as_ref(),
        "--json".as_ref(),
    ])
    .expect_code(1);
    assert_eq!(gated.json()["settings"]["gate"], serde_json::json!(["p50"]));
    loadcell(&["compare", "a", "b", "--gate", "p42"]).expect_usage_error("unknown metric 'p42'");

    let page = dir.path("comparison.html");
    loadcell(&[
        "compare".as_ref(),
        fast.as_os_str(),
        slow.as_os_str(),
        "--html".as_ref(),
        page.as_os_str(),
    ])
    .expect_code(1);
    let html = read(&page);
    assert!(html.contains("data-compare-chart=\"distribution\""), "no two-run chart");
}

#[test]
fn bad_inputs_are_one_line_naming_the_problem_and_exit_2() {
    let dir = Temp::new("compare-bad");
    let missing = dir.path("no-such-run");
    let ran = loadcell(&["compare".as_ref(), missing.as_os_str(), missing.as_os_str()]);
    ran.expect_usage_error(&format!("{}: no such file or folder", missing.display()));

    let empty = dir.path("empty");
    std::fs::create_dir_all(&empty).unwrap();
    loadcell(&["compare".as_ref(), empty.as_os_str(), empty.as_os_str()])
        .expect_usage_error("not a loadcell results folder");

    let broken = dir.path("summary.json");
    std::fs::write(&broken, "{\n  \"run\": [1,\n").unwrap();
    loadcell(&["compare".as_ref(), broken.as_os_str(), broken.as_os_str()]).expect_usage_error("summary.json");

    loadcell(&["compare", "a", "b", "--noise", "lots"]).expect_usage_error("--noise");
    loadcell(&["compare", "a"]).expect_usage_error("NEW");
}

#[test]
fn a_noise_threshold_out_of_range_is_a_usage_error() {
    let dir = Temp::new("compare-noise");
    let (fast, slow) = fast_and_slow(&dir);
    loadcell(&[
        "compare".as_ref(),
        fast.as_os_str(),
        slow.as_os_str(),
        "--noise".as_ref(),
        "150%".as_ref(),
    ])
    .expect_usage_error("noise threshold");
    // A load run against benchmark results cannot be compared.
    let bench = dir.path("bench");
    loadcell(&[
        "bench".as_ref(),
        "-q".as_ref(),
        "--runs".as_ref(),
        "3".as_ref(),
        "--out".as_ref(),
        bench.as_os_str(),
        "--".as_ref(),
        "true".as_ref(),
    ])
    .expect_code(0);
    loadcell(&["compare".as_ref(), fast.as_os_str(), bench.as_os_str()]).expect_usage_error("benchmark results");
}

#[test]
fn run_with_a_baseline_fails_on_a_regression_like_a_threshold() {
    let dir = Temp::new("run-baseline");
    let _turn = one_at_a_time();
    let (fast, fast_url) = target(5);
    let (slow, slow_url) = target(30);
    let base = dir.path("base");
    run_into(&fast_url, &base, 2, &["--threshold", "p95<5s"]).expect_code(0);

    // Six times slower: the run's thresholds hold, but the comparison fails it.
    let new = dir.path("new");
    let base_arg = base.display().to_string();
    let ran = run_into(&slow_url, &new, 2, &["--threshold", "p95<5s", "--baseline", &base_arg]).expect_code(1);
    assert!(ran.stdout.contains("loadcell compare: REGRESSED"), "{}", ran.stdout);
    let doc: serde_json::Value = serde_json::from_str(&read(&new.join("comparison.json"))).unwrap();
    assert_eq!(doc["verdict"], "regressed");
    assert_eq!(doc["rows"][0]["method"], "block_bootstrap");
    let report = read(&new.join("report.html"));
    assert!(
        report.contains("data-compare-chart=\"distribution\""),
        "no comparison in report.html"
    );

    // Rebuilt by `loadcell report`: the comparison is shown again, stays in report.html and
    // still fails the run.
    std::fs::remove_file(new.join("report.html")).unwrap();
    let rebuilt = loadcell(&["report".as_ref(), new.as_os_str()]).expect_code(1);
    assert!(
        rebuilt.stdout.contains("loadcell compare: REGRESSED"),
        "{}",
        rebuilt.stdout
    );
    assert!(
        read(&new.join("report.html")).contains("data-compare-chart=\"distribution\""),
        "no comparison in the rebuilt report.html"
    );

    // Against itself with a wide noise threshold: nothing regressed, exit 0.
    let again = dir.path("again");
    run_into(
        &fast_url,
        &again,
        2,
        &["--baseline", &base_arg, "--baseline-noise", "90%"],
    )
    .expect_code(0);

    // Without a results folder the summary is compared (a reduced method, said so).
    let ran = loadcell(&["run", &slow_url, "-c", "10", "-d", "2s", "-q", "--baseline", &base_arg]).expect_code(1);
    assert!(ran.stdout.contains("REGRESSED"), "{}", ran.stdout);
    assert!(ran.stdout.contains("reduced"), "{}", ran.stdout);

    // A missing baseline stops the run before anything is sent.
    let before = slow.stats().requests_total;
    let missing = dir.path("missing").display().to_string();
    loadcell(&["run", &slow_url, "-c", "10", "-d", "2s", "-q", "--baseline", &missing])
        .expect_usage_error(&format!("--baseline: {missing}: no such file or folder"));
    assert_eq!(slow.stats().requests_total, before, "a request was sent");
    drop(fast);
}
