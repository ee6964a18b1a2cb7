//! Constructed summaries for the verdicts' unit tests: an open-model run of 20 measured
//! seconds with flat latency, and helpers that add what each rule looks at.

use std::collections::BTreeMap;

use loadcell_schema::*;

pub const SECONDS: usize = 20;

fn stats(mean: f64) -> LatencyStats {
    LatencyStats {
        count: 100,
        mean,
        p50: mean,
        p95: mean * 2.0,
        p99: mean * 3.0,
        max: mean * 4.0,
        ..LatencyStats::default()
    }
}

/// An open-model run asked for `target` per second that achieved `achieved`, p95 4 ms flat.
pub fn open(target: f64, achieved: f64) -> Summary {
    let total = (achieved * SECONDS as f64) as u64;
    let timeseries = (1..=SECONDS)
        .map(|t| IntervalSummary {
            t_s: t as f64,
            len_s: 1.0,
            requests: achieved as u64,
            ok: achieved as u64,
            rate_per_s: achieved,
            latency_ms: stats(2.0),
            ..IntervalSummary::default()
        })
        .collect();
    Summary {
        schema_version: SCHEMA_VERSION,
        loadcell_version: "test".into(),
        target: "http://127.0.0.1:1/".into(),
        model: Model::Open,
        latency_measured_from: "scheduled start".into(),
        started_at: String::new(),
        ended_at: String::new(),
        duration_s: SECONDS as f64,
        warmup_s: 0.0,
        stop_reason: StopReason::Duration,
        requests: Requests {
            total,
            ok: total,
            rate_per_s: achieved,
            ..Requests::default()
        },
        iterations: Iterations::default(),
        dropped_iterations: 0,
        latency_ms: stats(2.0),
        latency_expected_ms: stats(2.0),
        service_time_ms: None,
        latency_co_estimate_ms: None,
        ttfb_ms: stats(2.0),
        sending_ms: stats(0.01),
        receiving_ms: stats(0.1),
        blocked_ms: stats(0.0),
        connecting_ms: stats(0.0),
        tls_handshaking_ms: stats(0.0),
        iteration_duration_ms: stats(2.0),
        connect_ms: stats(0.1),
        connections_opened: 10,
        status_codes: BTreeMap::new(),
        errors: BTreeMap::new(),
        error_messages: BTreeMap::new(),
        data: DataVolume::default(),
        vus: Vus::default(),
        arrival_rate: Some(ArrivalRate {
            target_per_s: target,
            achieved_per_s: achieved,
        }),
        endpoints: Vec::new(),
        journeys: Vec::new(),
        checks: Vec::new(),
        scenarios: Vec::new(),
        lifecycle: Vec::new(),
        custom_metrics: Vec::new(),
        thresholds: Vec::new(),
        generator: Generator {
            threads: 2,
            cpu_percent: 20.0,
            cpu_us_per_request: 30.0,
            ..Generator::default()
        },
        timeseries,
        latency_percentiles: Vec::new(),
        stages: Vec::new(),
        metadata: RunMetadata {
            cpus: 2,
            ..RunMetadata::default()
        },
        phases: Vec::new(),
        breaking_point: None,
        spike_recovery: None,
        soak_trend: None,
        capacity: None,
        scale: None,
        monitor: Vec::new(),
        postgres: Vec::new(),
        schedule: None,
        bottlenecks: Vec::new(),
        segment: None,
        merged: Vec::new(),
    }
}

/// p95 rising linearly from `from` to `to` ms over the measured seconds; mean latency `to / 2`.
pub fn rising(mut s: Summary, from: f64, to: f64) -> Summary {
    let n = s.timeseries.len() as f64;
    for (i, interval) in s.timeseries.iter_mut().enumerate() {
        interval.latency_ms.p95 = from + (to - from) * i as f64 / (n - 1.0);
    }
    s.latency_ms = stats(to / 2.0);
    s
}

/// Adds a monitor source with these metrics (`name`, mean, max).
pub fn monitored(mut s: Summary, source: &str, kind: MonitorKind, metrics: &[(&str, f64, f64)]) -> Summary {
    s.monitor.push(MonitorSummary {
        source: source.into(),
        kind,
        processes: None,
        samples: SECONDS as u64,
        failed_samples: 0,
        disappeared_at_s: None,
        disappeared: None,
        t_s: Vec::new(),
        metrics: metrics
            .iter()
            .map(|(name, mean, max)| MonitorMetric {
                name: (*name).into(),
                unit: String::new(),
                min: Some(mean * 0.9),
                mean: Some(*mean),
                max: Some(*max),
                last: Some(*mean),
                values: Vec::new(),
            })
            .collect(),
        leaks: Vec::new(),
        flamegraph: None,
    });
    s
}

/// A leak verdict on the last monitor source.
pub fn leak(
    mut s: Summary,
    metric: &str,
    state: LeakState,
    limit: Option<f64>,
    hours_to_limit: Option<f64>,
) -> Summary {
    let source = s.monitor.last_mut().expect("a monitor source first");
    source.leaks.push(LeakVerdict {
        metric: metric.into(),
        state,
        from_s: 0.0,
        to_s: SECONDS as f64,
        points: SECONDS as u64,
        trend: None,
        floor_per_hour: 1.0,
        floor_rise: 1.0,
        limit,
        hours_to_limit,
        verdict: format!("{metric} grows"),
    });
    s
}
