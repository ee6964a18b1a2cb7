//! Shared by the integration tests: a run's metadata, recorders filled with realistic
//! samples from a seeded generator, and a writer driven the way the engine drives it.
#![allow(dead_code)]

use loadcell_engine::{CheckName, EndpointName, IntervalEvent, LoadCurve, Model};
use loadcell_metrics::{LatencyHistogram, Outcome, Recorder, Sample, Shape, interval_summary};
use loadcell_results::{ResultsWriter, RunMeta};
use loadcell_schema::{ErrorKind, IntervalSummary};
use loadcell_units::Stage;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// A small deterministic generator (xorshift64*), so tests need no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A latency in µs: log-normal around `median_us`, with a rare long tail.
    pub fn latency_us(&mut self, median_us: f64) -> u64 {
        let normal: f64 = (0..6).map(|_| self.unit()).sum::<f64>() - 3.0;
        let tail = if self.unit() < 0.001 { 20.0 } else { 1.0 };
        (median_us * (normal * 0.6).exp() * tail).max(1.0) as u64
    }
}

/// A fresh folder under the target directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("loadcell-results-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

pub fn endpoints(n: usize) -> Vec<EndpointName> {
    (0..n)
        .map(|i| EndpointName {
            method: if i % 2 == 0 { "GET" } else { "POST" }.to_string(),
            path: format!("/api/things/{i}"),
            journey: Some(format!("journey-{}", i % 2)),
            step: Some(format!("step-{i}")),
            tags: Vec::new(),
        })
        .collect()
}

pub fn checks() -> Vec<CheckName> {
    vec![
        CheckName {
            journey: "journey-0".into(),
            step: "step-0".into(),
            label: "status is 200".into(),
            tags: Vec::new(),
        },
        CheckName {
            journey: "journey-1".into(),
            step: "step-1".into(),
            label: "has id".into(),
            tags: Vec::new(),
        },
    ]
}

/// An open-model run with a ramp, two journeys and two checks over `endpoints` slots.
pub fn meta(endpoints_n: usize, warmup_s: u64) -> RunMeta {
    let rate = LoadCurve::new(
        10.0,
        &[
            Stage {
                duration: Duration::from_secs(3),
                target: 100.0,
            },
            Stage {
                duration: Duration::from_millis(7_250),
                target: 100.0,
            },
        ],
    );
    let model = Model::Open { rate, max_vus: 64 };
    let mut meta = RunMeta::new(
        "https://api.example.com",
        SystemTime::now(),
        &model,
        Duration::from_secs(warmup_s),
        4,
    )
    .with_slots(
        &endpoints(endpoints_n),
        &["journey-0".into(), "journey-1".into()],
        &checks(),
    );
    meta.thresholds = vec!["p95<200ms".into(), "http_req_failed: rate<0.01".into()];
    meta.metadata.command = vec!["loadcell".into(), "run".into(), "scenario.yaml".into()];
    meta
}

/// A recorder shaped for `meta` holding `per_endpoint` samples per endpoint.
pub fn filled(meta: &RunMeta, per_endpoint: usize, rng: &mut Rng) -> Recorder {
    let shape = Shape {
        endpoints: meta.endpoints.len(),
        journeys: meta.journeys.len(),
        checks: meta.checks.len(),
        custom: 0,
    };
    let mut r = Recorder::with_shape(shape);
    for endpoint in 0..shape.endpoints {
        let median = 2_000.0 + 3_000.0 * endpoint as f64;
        for _ in 0..per_endpoint {
            let latency_us = rng.latency_us(median);
            let roll = rng.unit();
            let outcome = match roll {
                x if x < 0.002 => Outcome::Error(ErrorKind::Reset),
                x if x < 0.003 => Outcome::Error(ErrorKind::RequestTimeout),
                x if x < 0.01 => Outcome::Status(503),
                x if x < 0.03 => Outcome::Status(404),
                _ => Outcome::Status(200),
            };
            if let Outcome::Error(kind) = outcome {
                r.record_error_message(kind, &format!("{kind} number {}", rng.next() % 5));
            }
            r.record(&Sample {
                endpoint,
                latency_us,
                service_us: Some(latency_us * 9 / 10),
                ttfb_us: matches!(outcome, Outcome::Status(_)).then_some(latency_us / 2),
                sending_us: None,
                outcome,
                sent_bytes: 120,
                received_bytes: 800 + (latency_us % 300),
                expected_interval_us: (endpoint % 3 == 0).then_some(50_000),
            });
        }
    }
    for _ in 0..per_endpoint.min(500) {
        r.record_check((rng.next() % 2) as usize, rng.unit() > 0.05);
        r.record_journey((rng.next() % 2) as usize, rng.latency_us(80_000.0), rng.unit() < 0.02);
        r.record_connect(rng.latency_us(900.0));
    }
    r.connections_opened += 3;
    r.iterations = per_endpoint as u64;
    r.scheduled = per_endpoint as u64 + 4;
    r.dropped = 4;
    r.late_starts = 5 + rng.next() % 9;
    r.late_starts_held = r.late_starts - 2;
    r.active_vus = 7 + rng.next() % 20;
    r
}

/// One interval as the engine would emit it.
pub struct Interval {
    pub seq: u64,
    pub t_s: f64,
    pub len_s: f64,
    pub warmup: bool,
    pub target: Option<f64>,
    pub measured: Recorder,
    pub warm: Recorder,
}

/// `n` one-second intervals (the last one 0.25 s), the first `warmup_n` of them warm-up.
pub fn intervals(meta: &RunMeta, n: u64, warmup_n: u64, per_endpoint: usize, seed: u64) -> Vec<Interval> {
    let mut rng = Rng::new(seed);
    let empty = Recorder::with_shape(Shape {
        endpoints: meta.endpoints.len(),
        journeys: meta.journeys.len(),
        checks: meta.checks.len(),
        custom: 0,
    });
    (0..n)
        .map(|seq| {
            let warmup = seq < warmup_n;
            let len_s = if seq + 1 == n { 0.25 } else { 1.0 };
            let mut rec = filled(meta, per_endpoint, &mut rng);
            if seq + 1 == n {
                rec.interrupted = 3;
            }
            let (measured, warm) = if warmup {
                (empty.clone(), rec)
            } else {
                (rec, empty.clone())
            };
            Interval {
                seq,
                t_s: seq as f64 + len_s,
                len_s,
                warmup,
                target: Some(10.0 + seq as f64),
                measured,
                warm,
            }
        })
        .collect()
}

/// What the engine computes as it goes: the totals and the time series.
pub struct Expected {
    pub total: Recorder,
    pub warmup: Recorder,
    pub summaries: Vec<IntervalSummary>,
}

/// Appends `intervals` through `writer` exactly as the engine's observer would see them.
pub fn write_all(writer: &mut ResultsWriter, meta: &RunMeta, intervals: &[Interval]) -> Expected {
    let mut total = Recorder::with_shape(meta.shape());
    let mut warmup = Recorder::with_shape(meta.shape());
    let mut summaries = Vec::new();
    for i in intervals {
        let shown = if i.warmup { &i.warm } else { &i.measured };
        let summary = interval_summary(shown, i.t_s, i.len_s, i.warmup, i.target);
        warmup.accumulate(&i.warm);
        total.accumulate(&i.measured);
        let event = IntervalEvent {
            seq: i.seq,
            summary: &summary,
            measured: &i.measured,
            warmup: &i.warm,
            total: &total,
            endpoints: &[],
            elapsed: Duration::from_secs_f64(i.t_s),
        };
        if let Err(e) = writer.append(&event) {
            panic!("append: {e}");
        }
        summaries.push(summary);
    }
    Expected {
        total,
        warmup,
        summaries,
    }
}

/// Panics unless the two histograms hold exactly the same values.
pub fn assert_same_histogram(what: &str, a: &LatencyHistogram, b: &LatencyHistogram) {
    let values = |h: &LatencyHistogram| {
        h.iter_recorded()
            .map(|v| (v.value_iterated_to(), v.count_at_value()))
            .collect::<Vec<_>>()
    };
    assert_eq!(values(a), values(b), "{what}: recorded values differ");
    assert_eq!((a.len(), a.min(), a.max()), (b.len(), b.min(), b.max()), "{what}");
    assert_eq!(a.mean().to_bits(), b.mean().to_bits(), "{what}: mean");
    for q in [0.5, 0.9, 0.95, 0.99, 0.999, 0.9999, 1.0] {
        assert_eq!(a.value_at_quantile(q), b.value_at_quantile(q), "{what}: p{q}");
    }
}

/// Panics unless the two recorders are equal in every count and histogram.
pub fn assert_same_recorder(what: &str, a: &Recorder, b: &Recorder) {
    assert_eq!(a.shape(), b.shape(), "{what}: shape");
    for (i, (x, y)) in a.endpoints.iter().zip(&b.endpoints).enumerate() {
        let w = format!("{what} endpoint {i}");
        assert_same_histogram(&format!("{w} latency"), &x.latency, &y.latency);
        assert_same_histogram(&format!("{w} service"), &x.service, &y.service);
        assert_same_histogram(&format!("{w} co_estimate"), &x.co_estimate, &y.co_estimate);
        assert_same_histogram(&format!("{w} ttfb"), &x.ttfb, &y.ttfb);
        assert_eq!((x.ok, x.failed), (y.ok, y.failed), "{w}");
        assert_eq!(x.status.sorted(), y.status.sorted(), "{w} status");
        assert_eq!(x.errors, y.errors, "{w} errors");
        assert_eq!(
            (x.sent_bytes, x.received_bytes),
            (y.sent_bytes, y.received_bytes),
            "{w}"
        );
    }
    for (i, (x, y)) in a.journeys.iter().zip(&b.journeys).enumerate() {
        assert_eq!((x.iterations, x.failed), (y.iterations, y.failed), "{what} journey {i}");
        assert_same_histogram(&format!("{what} journey {i}"), &x.duration, &y.duration);
    }
    assert_eq!(a.checks, b.checks, "{what} checks");
    assert_same_histogram(&format!("{what} connect"), &a.connect, &b.connect);
    let counters = |r: &Recorder| {
        (
            r.connections_opened,
            r.iterations,
            r.scheduled,
            r.dropped,
            r.late_starts,
            r.late_starts_held,
            r.interrupted,
            r.active_vus,
        )
    };
    assert_eq!(counters(a), counters(b), "{what} counters");
    assert_eq!(a.error_messages, b.error_messages, "{what} error messages");
}

/// Writes `meta` and `intervals` to a new folder `dir` and returns what the engine had.
pub fn record_run(dir: &Path, meta: &RunMeta, intervals: &[Interval]) -> (ResultsWriter, Expected) {
    let mut writer = match ResultsWriter::create(dir, meta) {
        Ok(w) => w,
        Err(e) => panic!("create: {e}"),
    };
    let expected = write_all(&mut writer, meta, intervals);
    (writer, expected)
}
