//! The open model keeps its arrival rate: at 1000/s for 5 s the server receives 5000
//! requests (±1%), the achieved arrival rate is 1000/s (±1%) and nothing is dropped. The
//! open model's own summary fields (service time, arrival rate, per-second target rate)
//! are there and agree with the counts.

use crate::support::{at, f64_at, fast_target, run_alone, str_at, u64_at, url_of, within};

#[test]
fn open_model_rate_is_accurate() {
    let server = fast_target();
    let run = run_alone(&url_of(&server), &["-r", "1000", "-d", "5s"]);
    run.assert_exit(0);
    let s = run.summary();
    let served = server.stats().requests_total;
    assert!(
        within(served as f64, 5000.0, 0.01),
        "the server received {served} requests, expected 5000 ±1%\n{}",
        run.output()
    );
    assert_eq!(u64_at(s, "requests.total"), served, "{}", run.output());
    let achieved = f64_at(s, "arrival_rate.achieved_per_s");
    println!("open model at 1000/s for 5 s: served {served}, achieved {achieved}/s");
    assert!(
        within(achieved, 1000.0, 0.01),
        "achieved {achieved}/s, expected 1000/s ±1%\n{}",
        run.output()
    );
    let target = f64_at(s, "arrival_rate.target_per_s");
    assert!(within(target, 1000.0, 0.001), "target rate {target}/s");
    assert_eq!(u64_at(s, "dropped_iterations"), 0, "{}", run.output());
    assert_eq!(u64_at(s, "iterations.dropped"), 0);
    assert_eq!(str_at(s, "model"), "open");
    assert_eq!(str_at(s, "latency_measured_from"), "scheduled start");

    // Every scheduled arrival that was started either completed or was cut.
    let total = u64_at(s, "requests.total");
    let scheduled = u64_at(s, "iterations.scheduled");
    let interrupted = u64_at(s, "requests.interrupted");
    assert_eq!(scheduled - u64_at(s, "iterations.dropped"), total + interrupted);
    assert!(within(scheduled as f64, 5000.0, 0.01), "scheduled {scheduled}");
    assert_eq!(u64_at(s, "service_time_ms.count"), total);
    assert!(f64_at(s, "service_time_ms.p50") <= f64_at(s, "latency_ms.p50"));
    assert!(
        at(s, "latency_co_estimate_ms").is_null(),
        "open model has no CO estimate"
    );
    let series = at(s, "timeseries").as_array().expect("timeseries is an array");
    for entry in series.iter().filter(|e| f64_at(e, "len_s") > 0.5) {
        let rate = f64_at(entry, "target_rate_per_s");
        assert!(within(rate, 1000.0, 1e-9), "target rate {rate} in {entry}");
    }
}
