//! What a `sleep` costs on this machine: the wake-up latency that every `sleep d` adds to
//! d, and the true ratio of two sleeps it implies. Tests of `loadcell bench` use it to judge
//! `sleep 0.011` against `sleep 0.010` by what the machine can deliver: (11 + w) / (10 + w)
//! is 1.099 when sleepers wake promptly, but 1.085 on a CI machine that wakes them 1.7 ms
//! late, and a benchmark tool that reported 1.1 there would be lying.

use std::time::{Duration, Instant};

/// The median overrun of fifteen 10 ms sleeps of this thread, in milliseconds.
pub fn wake_up_latency_ms() -> f64 {
    let mut overruns: Vec<f64> = (0..15)
        .map(|_| {
            let start = Instant::now();
            std::thread::sleep(Duration::from_millis(10));
            (start.elapsed().as_secs_f64() * 1e3 - 10.0).max(0.0)
        })
        .collect();
    overruns.sort_by(f64::total_cmp);
    overruns[overruns.len() / 2]
}

/// The true ratio of `sleep 0.011` to `sleep 0.010` for the range of wake-up latencies
/// measured around a benchmark: (low, high). A larger latency gives the lower ratio.
pub fn eleven_to_ten_truth(w_before_ms: f64, w_after_ms: f64) -> (f64, f64) {
    let ratio = |w: f64| (11.0 + w) / (10.0 + w);
    (ratio(w_before_ms.max(w_after_ms)), ratio(w_before_ms.min(w_after_ms)))
}

/// Whether an interval `low..=high` overlaps the true range `truth`.
pub fn holds_truth(low: f64, high: f64, truth: (f64, f64)) -> bool {
    low <= truth.1 && truth.0 <= high
}
