//! Leak verdicts on a real target: `--leak 1KB` grows at the leak times the request rate,
//! and the same target without a leak is flat in every one of ten runs.

use crate::support::{Target, watch_under_load};
use loadcell_schema::LeakState;

/// The fit starts here (seconds of the monitor's clock): loadcell's start-up and the
/// target's first connections are the "warm-up".
const FROM_S: f64 = 3.0;

#[test]
fn a_leaking_target_grows_at_the_leak_times_the_request_rate() {
    let _alone = crate::support::exclusive();
    let target = Target::start(&["--leak", "1KB"]);
    let (run, [(t1, n1), (t2, n2)]) = watch_under_load(&target, 200, 18, FROM_S);
    let rate = (n2 - n1) as f64 / (t2 - t1);
    let to_s = t2;
    let summary = &run.summaries(FROM_S, to_s)[0];
    let rss = summary
        .leaks
        .iter()
        .find(|l| l.metric == "rss_bytes")
        .unwrap_or_else(|| panic!("no rss verdict: {summary:?}"));
    assert_eq!(rss.state, LeakState::Growing, "{}", rss.verdict);
    let slope_per_s = rss.trend.as_ref().map_or(0.0, |t| t.slope_per_hour / 3600.0);
    let expected = 1024.0 * rate;
    let ratio = slope_per_s / expected;
    eprintln!(
        "leak: RSS slope {slope_per_s:.0} B/s vs 1 KiB × {rate:.1} req/s = {expected:.0} B/s (ratio {ratio:.3}); {}",
        rss.verdict
    );
    assert!(
        (0.8..=1.2).contains(&ratio),
        "slope {slope_per_s} B/s, expected {expected} B/s ± 20%"
    );
    for other in summary.leaks.iter().filter(|l| l.metric != "rss_bytes") {
        assert_eq!(other.state, LeakState::Flat, "{}", other.verdict);
    }
}

#[test]
fn a_target_without_a_leak_is_flat_in_ten_runs() {
    let _alone = crate::support::exclusive();
    // Two lanes of five runs each, side by side, to keep the test short.
    let lanes: Vec<_> = (0..2)
        .map(|lane| {
            std::thread::spawn(move || {
                (0..5)
                    .map(|i| {
                        let target = Target::start(&[]);
                        let (run, [_, (end_s, _)]) = watch_under_load(&target, 150, 15, FROM_S);
                        let summary = &run.summaries(FROM_S, end_s)[0];
                        let verdicts: Vec<String> = summary
                            .leaks
                            .iter()
                            .map(|l| format!("{} {}: {}", lane * 5 + i, l.state.as_str(), l.verdict))
                            .collect();
                        let all_flat =
                            summary.leaks.len() == 3 && summary.leaks.iter().all(|l| l.state == LeakState::Flat);
                        (all_flat, verdicts)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut runs = Vec::new();
    for lane in lanes {
        runs.extend(lane.join().unwrap_or_else(|_| panic!("a lane panicked")));
    }
    let report: Vec<String> = runs.iter().flat_map(|(_, v)| v.clone()).collect();
    eprintln!("{}", report.join("\n"));
    assert_eq!(runs.len(), 10);
    assert!(
        runs.iter().all(|(flat, _)| *flat),
        "false alarm:\n{}",
        report.join("\n")
    );
}
