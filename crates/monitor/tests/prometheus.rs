//! `prometheus:URL` against a real HTTP endpoint on 127.0.0.1 (served by this test): the
//! selected series, counters as per-second rates, a warning for a selector that matches
//! nothing, and failed readings (not a disappearance) once the endpoint stops answering.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use loadcell_monitor::{Clock, Monitor, MonitorPlan, SeriesSelector, SourceSpec};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Serves a counter that grows by 50 per scrape and a gauge, until `stop` is set.
fn exporter(stop: Arc<AtomicBool>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let scrapes = Arc::new(AtomicU64::new(0));
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            let Ok((mut stream, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(5));
                continue;
            };
            let _ = stream.set_nonblocking(false);
            let mut buf = [0u8; 2048];
            let _ = stream.read(&mut buf);
            let n = scrapes.fetch_add(1, Ordering::Relaxed);
            let body = format!(
                "# TYPE app_requests_total counter\napp_requests_total{{code=\"200\"}} {}\napp_requests_total{{code=\"500\"}} 1\n\
                 # TYPE go_memstats_heap_inuse_bytes gauge\ngo_memstats_heap_inuse_bytes 4.2e+06\n\
                 # TYPE other gauge\nother 7\n",
                1000 + 50 * n
            );
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
        }
    });
    format!("http://{addr}/metrics")
}

#[test]
fn selected_series_counters_as_rates_and_failures_recorded() {
    let stop = Arc::new(AtomicBool::new(false));
    let url = exporter(stop.clone());
    let spec = SourceSpec::parse(&format!("prometheus:{url}")).unwrap();
    let series =
        SeriesSelector::parse_list("sum(app_requests_total), go_memstats_heap_inuse_bytes, missing_metric").unwrap();
    let plan = MonitorPlan::resolve(std::slice::from_ref(&spec), &series).unwrap();
    assert_eq!(plan.warnings.len(), 1, "{:?}", plan.warnings);
    assert!(
        plan.warnings[0].contains("'missing_metric' matches no series"),
        "{:?}",
        plan.warnings
    );
    let t0 = Instant::now();
    let monitor = Monitor::start(
        plan,
        Clock {
            t0,
            interval: Duration::from_millis(500),
        },
        None,
    );
    std::thread::sleep(Duration::from_millis(2600));
    stop.store(true, Ordering::Relaxed);
    std::thread::sleep(Duration::from_millis(1600));
    let run = monitor.finish();
    let s = &run.summaries(0.0, f64::INFINITY)[0];
    let names: Vec<&str> = s.metrics.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["go_memstats_heap_inuse_bytes", "rate(app_requests_total)"]);
    let rate = &s.metrics[1];
    // 50 more per scrape, one scrape per 0.5 s: 100 per second.
    for v in rate.values.iter().flatten() {
        assert!((*v / 100.0 - 1.0).abs() < 0.25, "rate {v}: {:?}", rate.values);
    }
    assert!(rate.values.iter().flatten().count() >= 3, "{:?}", rate.values);
    assert_eq!(s.metrics[0].unit, "bytes");
    assert_eq!(s.metrics[0].max, Some(4.2e6));
    assert!(
        s.failed_samples >= 2,
        "the stopped endpoint gives failed readings: {s:?}"
    );
    assert_eq!(s.disappeared_at_s, None, "a failed scrape is not a disappearance");
    assert_eq!(s.leaks.len(), 1, "heap-like series get a leak verdict");
}
