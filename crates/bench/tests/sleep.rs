//! Issue #15's acceptance for command benchmarks: `sleep 0.010` against `sleep 0.011`. The
//! second must come out slower, with a 95% interval of the ratio of the means that holds 1.1.
//!
//! What a run of a command costs includes starting the program (fork, exec, dynamic loading,
//! GNU sleep's set-up): about 1 ms here, which would pull the ratio towards
//! (11 + 1) / (10 + 1) ≈ 1.09. So the start-up is measured on `sleep 0` — the same program
//! doing nothing — and subtracted (`Options::startup`, recorded in the results), and the
//! ratio compares the sleeps. Measured runs take turns, so a machine that gets busier slows
//! both.
//!
//! What remains is the sleeps' wake-up latency w: a `sleep d` takes d + w, so the true ratio
//! is (11 + w) / (10 + w). On a quiet machine w is tens of µs and the ratio 1.099; on this
//! project's busy 2-core machine w reached about 1 ms (ratios 1.086–1.096), and on a CI
//! machine about 1.7 ms (ratios 1.085–1.092, intervals topping out at 1.096–1.099). There,
//! a command that truly takes 1.085× as long must not be reported as 1.1× — that would be a
//! lie. So the test measures w itself, as this process's own 10 ms sleeps overshoot, before
//! and after each attempt, and requires the interval to hold the true ratio for some w in
//! the range seen: 1.1 when the machine wakes sleepers promptly, less when it does not.
//! Every attempt is printed, with the w it saw. How busy the machine is changes from one
//! moment to the next, so the test measures up to three times, with more runs each time (40,
//! 100, 200: at a load of 8 on 2 cores, 40 runs gave an interval of 0.61–1.80), and passes
//! on the first attempt that shows the second command slower with such an interval.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use loadcell_bench::{CommandSpec, Options, relative_to_fastest, run_benchmarks};
use loadcell_testkit::timing::{eleven_to_ten_truth, holds_truth, wake_up_latency_ms};

fn attempt(runs: u32) -> (f64, f64, f64, f64) {
    let commands = [
        CommandSpec::parse("sleep 0.010").unwrap(),
        CommandSpec::parse("sleep 0.011").unwrap(),
    ];
    let options = Options {
        warmup: 3,
        runs: Some(runs),
        startup: Some(CommandSpec::parse("sleep 0").unwrap()),
        ..Options::default()
    };
    let results = run_benchmarks(&commands, &options, |_| {}).unwrap();
    assert!(
        results.iter().all(|r| r.overhead.is_some()),
        "the start-up subtraction is recorded"
    );
    let rel = relative_to_fastest(&results, 0.95);
    let slower = &rel[1];
    if !rel[0].is_fastest {
        // A failed attempt, not the end of the test: a busy moment can invert 10 and 11 ms.
        eprintln!("{runs} runs each: sleep 0.011 came out fastest: {rel:?}");
        return (0.0, 0.0, 0.0, 0.0);
    }
    let i = slower.interval.expect("an interval for the ratio");
    let raw_ratio = (results[1].stats.mean + results[1].overhead.as_ref().unwrap().seconds)
        / (results[0].stats.mean + results[0].overhead.as_ref().unwrap().seconds);
    eprintln!(
        "{runs} runs each: ratio {:.4} (95% interval {:.4} … {:.4}); without the start-up subtracted {:.4}; \
         start-up {:.3} ms",
        slower.ratio,
        i.low,
        i.high,
        raw_ratio,
        results[0].overhead.as_ref().unwrap().seconds * 1e3
    );
    (slower.ratio, i.low, i.high, raw_ratio)
}

#[test]
fn eleven_ms_is_slower_than_ten_with_a_ratio_interval_holding_one_point_one() {
    let mut seen = Vec::new();
    for runs in [40, 100, 200] {
        let w_before = wake_up_latency_ms();
        let (ratio, low, high, _) = attempt(runs);
        let w_after = wake_up_latency_ms();
        let (w_low, w_high) = (w_before.min(w_after), w_before.max(w_after));
        let truth = eleven_to_ten_truth(w_before, w_after);
        let (truth_low, truth_high) = truth;
        eprintln!("  wake-up latency {w_low:.3}–{w_high:.3} ms: true ratio {truth_low:.4}–{truth_high:.4}");
        seen.push((ratio, low, high, w_low, w_high));
        if ratio > 1.0 && low > 1.0 && holds_truth(low, high, truth) {
            return;
        }
    }
    panic!(
        "sleep 0.011 must be slower with a ratio interval holding (11 + w) / (10 + w), 1.1 for \
         a prompt wake-up; (ratio, low, high, w_low ms, w_high ms) per attempt: {seen:?}"
    );
}
