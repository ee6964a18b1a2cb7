//! What appending costs the coordinator thread once a second, and how big the intervals
//! file grows: printed (run with `--nocapture`) and bounded loosely enough for a busy
//! machine and an unoptimised build.
#![cfg(test)]

mod common;

use common::{Rng, temp_dir};
use loadcell_engine::{EndpointName, IntervalEvent, LoadCurve, Model};
use loadcell_metrics::{Outcome, Recorder, Sample, interval_summary};
use loadcell_results::{ResultsWriter, RunMeta};
use std::time::{Duration, Instant, SystemTime};

/// Appends each recorder as one measured interval; returns (bytes per interval, time of
/// each append).
fn append_all(name: &str, meta: &RunMeta, recorders: &[Recorder]) -> (u64, Vec<Duration>) {
    let dir = temp_dir(name);
    let mut writer = ResultsWriter::create(&dir, meta).unwrap();
    let empty = Recorder::with_shape(meta.shape());
    let mut times = Vec::new();
    for (seq, rec) in recorders.iter().enumerate() {
        let summary = interval_summary(rec, seq as f64 + 1.0, 1.0, false, None);
        let event = IntervalEvent {
            seq: seq as u64,
            summary: &summary,
            measured: rec,
            warmup: &empty,
            total: rec,
            endpoints: &[],
            elapsed: Duration::from_secs(seq as u64 + 1),
        };
        let started = Instant::now();
        writer.append(&event).unwrap();
        times.push(started.elapsed());
    }
    drop(writer);
    let bytes = std::fs::metadata(dir.join("intervals.ndjson")).unwrap().len();
    (bytes / recorders.len() as u64, times)
}

/// One second of a closed-model run: `rate` requests per endpoint, spread like real
/// latencies (log-normal, rare 20× outliers), with TTFB, a CO estimate and a few errors.
fn second(meta: &RunMeta, rate: usize, rng: &mut Rng) -> Recorder {
    let mut r = Recorder::with_shape(meta.shape());
    for endpoint in 0..meta.endpoints.len() {
        let median = 3_000.0 + 4_000.0 * (endpoint % 5) as f64;
        for _ in 0..rate {
            let latency_us = rng.latency_us(median);
            let outcome = if rng.unit() < 0.01 {
                Outcome::Status(500)
            } else {
                Outcome::Status(200)
            };
            r.record(&Sample {
                endpoint,
                latency_us,
                service_us: None,
                ttfb_us: Some(latency_us * 4 / 5),
                sending_us: None,
                outcome,
                sent_bytes: 90,
                received_bytes: 1_200,
                expected_interval_us: Some(median as u64),
            });
        }
    }
    for _ in 0..rate.min(2_000) {
        for j in 0..meta.journeys.len() {
            r.record_journey(j, rng.latency_us(60_000.0), false);
        }
        for c in 0..meta.checks.len() {
            r.record_check(c, true);
        }
    }
    r.iterations = rate as u64;
    r.active_vus = 50;
    r
}

fn closed_meta(endpoints: usize, journeys: usize, checks: usize) -> RunMeta {
    let model = Model::Closed {
        vus: LoadCurve::constant(50.0, 3600.0),
    };
    let names: Vec<EndpointName> = common::endpoints(endpoints);
    let journey_names: Vec<String> = (0..journeys).map(|j| format!("journey-{j}")).collect();
    let check_names: Vec<_> = (0..checks).map(|_| common::checks()[0].clone()).collect();
    RunMeta::new("perf", SystemTime::now(), &model, Duration::ZERO, 4).with_slots(&names, &journey_names, &check_names)
}

#[test]
fn appending_a_busy_second_is_fast() {
    let meta = closed_meta(10, 0, 0);
    let mut rng = Rng::new(42);
    let recorders: Vec<Recorder> = (0..5).map(|_| second(&meta, 100_000, &mut rng)).collect();
    let (bytes, times) = append_all("perf-busy", &meta, &recorders);
    let best = times.iter().min().copied().unwrap_or_default();
    let worst = times.iter().max().copied().unwrap_or_default();
    println!(
        "10 endpoints × 100k samples: append best {:.3} ms, worst {:.3} ms, {bytes} bytes per interval",
        best.as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3
    );
    // Release builds (what users run) take a few ms here and well under one for a typical
    // second; unoptimised dependencies (hdrhistogram, miniz_oxide) are ~15× slower.
    let limit = Duration::from_millis(if cfg!(debug_assertions) { 250 } else { 20 });
    assert!(best < limit, "append took {best:?}");
}

#[test]
fn file_size_per_interval() {
    for (label, endpoints, journeys, checks, rate) in [
        ("quick mode, 1 000 req/s", 1, 0, 0, 1_000),
        ("quick mode, 20 000 req/s", 1, 0, 0, 20_000),
        ("scenario, 13 endpoints × 100 req/s", 13, 3, 10, 100),
        ("scenario, 13 endpoints × 1 000 req/s", 13, 3, 10, 1_000),
    ] {
        let meta = closed_meta(endpoints, journeys, checks);
        let mut rng = Rng::new(7);
        let recorders: Vec<Recorder> = (0..10).map(|_| second(&meta, rate, &mut rng)).collect();
        let (bytes, times) = append_all(&format!("size-{endpoints}-{rate}"), &meta, &recorders);
        let best = times.iter().min().copied().unwrap_or_default();
        println!(
            "{label}: {bytes} bytes per interval, {:.1} MB per hour, append {:.3} ms",
            bytes as f64 * 3600.0 / 1e6,
            best.as_secs_f64() * 1e3
        );
        assert!(bytes < 200_000, "{label}: {bytes} bytes per interval");
    }
}
