//! Synthetic results folders for the comparison tests: runs written through the real
//! `ResultsWriter`, one interval per second, with latencies drawn from a seeded generator
//! (log-normal around a median that may drift from second to second).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use loadcell_engine::units::Stage;
use loadcell_engine::{EndpointName, IntervalEvent, LoadCurve, Model, Outcome as RunOutcome};
use loadcell_metrics::{Outcome, Recorder, Sample, interval_summary};
use loadcell_results::{ResultsWriter, RunEnd, RunMeta};
use loadcell_stats::Rng;

/// A fresh folder under the target directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("loadcell-compare-{name}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn join(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a synthetic run looks like.
pub struct Spec {
    pub target: String,
    pub seconds: u64,
    /// (path, median latency in µs, requests per second)
    pub endpoints: Vec<(String, f64, usize)>,
    /// Share of requests that fail (status 500).
    pub error_rate: f64,
    /// AR(1) drift of the per-second level: (φ, σ of the innovations, relative).
    pub drift: (f64, f64),
    /// From this second on, latencies are multiplied by the factor (a mid-run shift).
    pub step: Option<(u64, f64)>,
    pub seed: u64,
}

impl Spec {
    /// One endpoint `GET /` at `median_us`, 1000 requests/s for `seconds`.
    pub fn simple(median_us: f64, seconds: u64, seed: u64) -> Spec {
        Spec {
            target: "http://127.0.0.1:1/".into(),
            seconds,
            endpoints: vec![("/".into(), median_us, 1000)],
            error_rate: 0.0,
            drift: (0.0, 0.0),
            step: None,
            seed,
        }
    }
}

/// Writes the run `spec` describes as a finished results folder at `dir`.
pub fn write_run(dir: &Path, spec: &Spec) {
    let names: Vec<EndpointName> = spec
        .endpoints
        .iter()
        .map(|(path, _, _)| EndpointName {
            method: "GET".into(),
            path: path.clone(),
            journey: None,
            step: None,
            tags: Vec::new(),
        })
        .collect();
    let vus = LoadCurve::new(
        10.0,
        &[Stage {
            duration: Duration::from_secs(spec.seconds),
            target: 10.0,
        }],
    );
    let model = Model::Closed { vus };
    let started = SystemTime::now();
    let meta = RunMeta::new(&spec.target, started, &model, Duration::ZERO, 1).with_slots(&names, &[], &[]);
    let mut writer = ResultsWriter::create(dir, &meta).unwrap();
    let mut rng = Rng::new(spec.seed);
    let mut total = Recorder::with_shape(meta.shape());
    let mut intervals = Vec::new();
    let mut level = 0.0f64;
    for seq in 0..spec.seconds {
        level = spec.drift.0 * level + spec.drift.1 * rng.normal();
        let step = spec.step.filter(|(at, _)| seq >= *at).map_or(1.0, |(_, f)| f);
        let rec = second(spec, &meta, &mut rng, level.exp() * step);
        total.accumulate(&rec);
        let summary = interval_summary(&rec, (seq + 1) as f64, 1.0, false, None);
        let empty = rec.fresh();
        writer
            .append(&IntervalEvent {
                seq,
                summary: &summary,
                measured: &rec,
                warmup: &empty,
                total: &total,
                endpoints: &[],
                elapsed: Duration::from_secs(seq + 1),
            })
            .unwrap();
        intervals.push(summary);
    }
    let outcome = RunOutcome {
        endpoints: names,
        journeys: Vec::new(),
        checks: Vec::new(),
        custom: Vec::new(),
        custom_sites: Vec::new(),
        total: total.clone(),
        warmup: total.fresh(),
        intervals,
        started_at: started,
        ended_at: started + Duration::from_secs(spec.seconds),
        measured: Duration::from_secs(spec.seconds),
        stop_reason: loadcell_schema::StopReason::Duration,
        threads: 1,
        usage: Default::default(),
        phases: vec![total],
        lifecycle: Vec::new(),
        vus_limit: 0,
        segment: Default::default(),
        segment_notes: Vec::new(),
        model,
        warmup_len: Duration::ZERO,
        pre_allocated_vus: 0,
        vus_spawned: 1,
        vus_wanted: 1,
        vus_ran: 1,
        run_delay: Duration::ZERO,
        holds: Default::default(),
        connections: Default::default(),
    };
    writer.finish(&RunEnd::from_outcome(&outcome)).unwrap();
}

/// One second's recorder: every endpoint's requests at its median times `level`.
fn second(spec: &Spec, meta: &RunMeta, rng: &mut Rng, level: f64) -> Recorder {
    let mut r = Recorder::with_shape(meta.shape());
    for (endpoint, (_, median, per_s)) in spec.endpoints.iter().enumerate() {
        for _ in 0..*per_s {
            let latency_us = (median * level * (0.25 * rng.normal()).exp()).max(1.0) as u64;
            let outcome = if rng.unit() < spec.error_rate {
                Outcome::Status(500)
            } else {
                Outcome::Status(200)
            };
            r.record(&Sample {
                endpoint,
                latency_us,
                service_us: None,
                ttfb_us: Some(latency_us / 2),
                sending_us: None,
                outcome,
                sent_bytes: 100,
                received_bytes: 200,
                expected_interval_us: None,
            });
        }
    }
    r
}
