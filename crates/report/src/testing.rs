//! Synthetic summaries for unit tests: an open-model scenario run of any length with one
//! passing and one failing threshold, endpoints, journeys, a failing check, errors, stages
//! and a percentile spectrum. Realistic enough that every section of every format renders.
//! Nested structs end in `..Default::default()` so that fields the schema adds later
//! (it only ever adds) do not break these tests.
#![allow(clippy::needless_update)]

use std::collections::BTreeMap;

use loadcell_schema::*;

mod stages;
pub use stages::{soak, spike, stress};
mod search;
pub use search::{capacity, scale};
mod monitor;
pub use monitor::monitored;

fn stats(base: f64) -> LatencyStats {
    LatencyStats {
        count: 100,
        min: base * 0.3,
        mean: base,
        stdev: base * 0.2,
        p50: base,
        p90: base * 1.6,
        p95: base * 2.0,
        p99: base * 3.1,
        p999: base * 5.0,
        max: base * 7.5,
    }
}

/// A summary whose time series has `seconds` one-second entries (the first 5 warm-up).
pub fn summary(seconds: usize) -> Summary {
    let timeseries = (0..seconds)
        .map(|i| {
            let t = i as f64 + 1.0;
            let failed = (i % 7 == 3) as u64 * 3;
            let ok = 980 + (i % 13) as u64;
            IntervalSummary {
                t_s: t,
                len_s: 1.0,
                warmup: i < 5,
                requests: ok + failed,
                ok,
                failed,
                rate_per_s: (ok + failed) as f64,
                latency_ms: stats(12.0 + (i % 17) as f64 * 0.731),
                status_codes: BTreeMap::from([("200".to_string(), ok), ("503".to_string(), failed)]),
                errors: if i % 11 == 5 {
                    BTreeMap::from([("connect_timeout".to_string(), 2), ("reset".to_string(), 1)])
                } else {
                    BTreeMap::new()
                },
                sent_bytes: 123_456 + i as u64,
                received_bytes: 2_345_678 + i as u64 * 3,
                iterations: 330,
                dropped_iterations: (i % 29 == 0) as u64,
                active_vus: 40 + (i % 9) as u64,
                target_rate_per_s: Some(333.333),
                ..Default::default()
            }
        })
        .collect();
    let percentiles = [0.0, 50.0, 90.0, 99.0, 99.9, 99.99, 99.999, 100.0]
        .iter()
        .enumerate()
        .map(|(i, &p)| PercentilePoint {
            percentile: p,
            latency_ms: 5.0 + i as f64 * i as f64 * 3.0,
        })
        .collect();
    let endpoint = |name: &str, requests: u64| EndpointSummary {
        name: name.to_string(),
        method: name.split(' ').next().unwrap_or("GET").to_string(),
        requests,
        ok: requests - requests / 100,
        failed: requests / 100,
        rate_per_s: requests as f64 / seconds.max(1) as f64,
        latency_ms: stats(11.0),
        ttfb_ms: stats(9.0),
        status_codes: BTreeMap::from([("200".to_string(), requests - requests / 100)]),
        errors: BTreeMap::new(),
        ..Default::default()
    };
    Summary {
        schema_version: 1,
        loadcell_version: "0.1.0".to_string(),
        target: "shop & co".to_string(),
        model: Model::Open,
        latency_measured_from: "scheduled start".to_string(),
        started_at: "2025-01-02T03:04:05Z".to_string(),
        ended_at: "2025-01-02T04:04:05Z".to_string(),
        duration_s: seconds as f64,
        warmup_s: 5.0,
        stop_reason: StopReason::Duration,
        requests: Requests {
            total: 1_234_567,
            ok: 1_230_000,
            failed: 4_567,
            rate_per_s: 987.6,
            interrupted: 2,
            warmup: 4_900,
        },
        iterations: Iterations {
            total: 400_000,
            rate_per_s: 333.3,
            scheduled: 400_010,
            dropped: 10,
            cut: 0,
        },
        dropped_iterations: 10,
        latency_ms: stats(12.5),
        latency_expected_ms: stats(12.5),
        service_time_ms: Some(stats(10.0)),
        schedule: None,
        latency_co_estimate_ms: None,
        ttfb_ms: stats(9.5),
        sending_ms: stats(0.05),
        receiving_ms: stats(0.2),
        blocked_ms: stats(0.01),
        connecting_ms: stats(0.02),
        tls_handshaking_ms: stats(0.0),
        iteration_duration_ms: stats(10.0),
        connect_ms: stats(0.4),
        connections_opened: 64,
        status_codes: BTreeMap::from([("200".to_string(), 1_230_000), ("503".to_string(), 4_000)]),
        errors: BTreeMap::from([("connect_timeout".to_string(), 400), ("reset".to_string(), 167)]),
        error_messages: BTreeMap::from([
            (
                "connect_timeout".to_string(),
                vec!["no connection to http://127.0.0.1:8080 within 10s".to_string()],
            ),
            (
                "reset".to_string(),
                vec![
                    "Connection reset by peer (os error 104)".to_string(),
                    "Broken pipe (os error 32)".to_string(),
                ],
            ),
        ]),
        data: DataVolume {
            sent_bytes: 123_456_789,
            received_bytes: 9_876_543_210,
            decoded_body_bytes: 0,
        },
        vus: Vus {
            max: 48,
            limit: 1000,
            never_started: 0,
        },
        arrival_rate: Some(ArrivalRate {
            target_per_s: 333.333,
            achieved_per_s: 333.3,
        }),
        endpoints: vec![
            endpoint("GET /api/products", 600_000),
            endpoint("POST /api/cart/add", 400_000),
            endpoint("GET /api/orders/{{ order_id }}", 234_567),
        ],
        journeys: vec![JourneySummary {
            name: "browse".to_string(),
            iterations: 400_000,
            failed: 12,
            rate_per_s: 333.3,
            duration_ms: stats(150.0),
            requests: 1_234_567,
            latency_ms: stats(12.5),
            ..Default::default()
        }],
        checks: vec![
            CheckSummary {
                journey: "browse".to_string(),
                step: "list".to_string(),
                name: "status is 200".to_string(),
                passed: 399_000,
                failed: 1_000,
                pass_rate: 0.9975,
            },
            CheckSummary {
                journey: "browse".to_string(),
                step: "list".to_string(),
                name: "$.items exists".to_string(),
                passed: 400_000,
                failed: 0,
                pass_rate: 1.0,
            },
        ],
        scenarios: Vec::new(),
        lifecycle: Vec::new(),
        custom_metrics: Vec::new(),
        thresholds: vec![
            ThresholdResult {
                expr: "p95<200ms".to_string(),
                passed: true,
                actual: Some(25.0),
                actual_text: "25.0 ms".to_string(),
                limit: "< 200 ms".to_string(),
            },
            ThresholdResult {
                expr: "error_rate<0.1%".to_string(),
                passed: false,
                actual: Some(0.0037),
                actual_text: "0.37%".to_string(),
                limit: "< 0.1%".to_string(),
            },
        ],
        generator: Generator {
            threads: 2,
            cpu_percent: 41.5,
            cpu_us_per_request: 12.3,
            max_rss_mib: 30.5,
            usage_unknown: false,
            warnings: vec!["10 iterations were dropped: raise --max-vus".to_string()],
        },
        timeseries,
        latency_percentiles: percentiles,
        stages: vec![
            StageMark {
                start_s: 0.0,
                end_s: 60.0,
                from: 0.0,
                to: 333.0,
                unit: "iterations/s".to_string(),
                name: None,
            },
            StageMark {
                start_s: 60.0,
                end_s: seconds as f64,
                from: 333.0,
                to: 333.0,
                unit: "iterations/s".to_string(),
                name: None,
            },
        ],
        metadata: RunMetadata {
            command: vec!["loadcell".to_string(), "run".to_string(), "shop.yaml".to_string()],
            host: "bench-1".to_string(),
            os: "linux x86_64".to_string(),
            cpus: 2,
            scenario: Some("name: shop\n# </script><script>alert(1)</script>\n".to_string()),
        },
        phases: Vec::new(),
        breaking_point: None,
        spike_recovery: None,
        soak_trend: None,
        capacity: None,
        scale: None,
        monitor: Vec::new(),
        postgres: Vec::new(),
        bottlenecks: Vec::new(),
        segment: None,
        merged: Vec::new(),
    }
}
