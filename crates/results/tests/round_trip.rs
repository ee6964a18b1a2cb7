//! Writing a run and reading it back gives the engine's totals, time series and model
//! exactly; windows of the run are exact too.
#![cfg(test)]

mod common;

use common::{assert_same_recorder, intervals, meta, record_run, temp_dir};
use loadcell_engine::{Model, ProcessUsage};
use loadcell_metrics::Recorder;
use loadcell_results::{ModelSpec, RunEnd, read};
use loadcell_schema::StopReason;
use std::time::{Duration, UNIX_EPOCH};

#[test]
fn totals_series_and_model_round_trip_exactly() {
    let dir = temp_dir("round-trip");
    let meta = meta(3, 2);
    let ivs = intervals(&meta, 9, 2, 2_000, 7);
    let (writer, expected) = record_run(&dir, &meta, &ivs);
    let end = RunEnd {
        ended_at: "2026-01-01T00:00:09.250Z".into(),
        ended_at_unix_ms: 1_767_225_609_250,
        measured_s: 7.25,
        stop_reason: StopReason::Duration,
        interrupted: 3,
        cpu_s: 1.5,
        max_rss_kib: 40_960,
        threads: 4,
        intervals: 0,
        pre_allocated_vus: 0,
        vus_spawned: 0,
        vus_limit: None,
        run_delay_s: 0.0,
        cpu_waits: 2,
        cpu_waited_s: 0.004,
        longest_cpu_wait_s: 0.003,
        pauses: 3,
        paused_s: 0.012,
        longest_pause_s: 0.007,
        vus_wanted: 0,
        vus_ran: 0,
        connection_limit: 0,
        rationed: 0,
        descriptors: (0, 0),
        postgres: Vec::new(),
        monitor: Vec::new(),
        lifecycle: Vec::new(),
        segment_notes: Vec::new(),
    };
    writer.finish(&end).unwrap();

    let rec = read(&dir).unwrap();
    assert_eq!(rec.meta, meta);
    assert_eq!(rec.truncated_lines, 0);
    assert_eq!(rec.end.as_ref().map(|e| e.intervals), Some(9));
    assert_eq!(
        rec.end.as_ref().map(|e| (
            e.cpu_waits,
            e.cpu_waited_s,
            e.longest_cpu_wait_s,
            e.pauses,
            e.paused_s,
            e.longest_pause_s
        )),
        Some((2, 0.004, 0.003, 3, 0.012, 0.007))
    );
    assert!(rec.finished());
    assert_eq!(rec.intervals.len(), ivs.len());
    for (got, want) in rec.intervals.iter().zip(&ivs) {
        assert_eq!(
            (got.seq, got.t_s, got.len_s, got.warmup),
            (want.seq, want.t_s, want.len_s, want.warmup)
        );
        assert_eq!(got.target_rate_per_s, want.target);
        assert_same_recorder(&format!("interval {}", want.seq), &got.measured, &want.measured);
        assert_same_recorder(&format!("warm-up {}", want.seq), &got.warmup_recorder, &want.warm);
    }

    let out = rec.outcome();
    assert_same_recorder("total", &out.total, &expected.total);
    assert_same_recorder("warm-up", &out.warmup, &expected.warmup);
    assert_eq!(out.total.requests(), 7 * 3 * 2_000);
    assert_eq!(out.total.interrupted, 3);
    assert_eq!(out.intervals, expected.summaries);
    assert_eq!(out.endpoints, common::endpoints(3));
    assert_eq!(out.checks, common::checks());
    assert_eq!(out.journeys, vec!["journey-0".to_string(), "journey-1".to_string()]);
    assert_eq!(out.stop_reason, StopReason::Duration);
    assert_eq!(out.measured, Duration::from_millis(7_250));
    assert_eq!(out.ended_at, UNIX_EPOCH + Duration::from_millis(1_767_225_609_250));
    assert_eq!(
        out.started_at,
        UNIX_EPOCH + Duration::from_millis(meta.started_at_unix_ms)
    );
    assert_eq!(
        out.usage,
        ProcessUsage {
            cpu: Duration::from_millis(1_500),
            max_rss_kib: 40_960
        }
    );
    assert_eq!((out.threads, out.warmup_len), (4, Duration::from_secs(2)));
    let Model::Open { rate, max_vus } = &out.model else {
        panic!("expected the open model, got {:?}", out.model);
    };
    assert_eq!(*max_vus, 64);
    assert_eq!(ModelSpec::from_model(&out.model), meta.model);
    assert_eq!(rate.value_at(1.5), 55.0);
    assert_eq!(rate.total_arrivals(), 55.0 * 3.0 + 100.0 * 7.25);
}

#[test]
fn windows_hold_exactly_their_intervals() {
    let dir = temp_dir("window");
    let meta = meta(2, 1);
    let ivs = intervals(&meta, 6, 1, 300, 11);
    let (writer, expected) = record_run(&dir, &meta, &ivs);
    writer
        .finish(&RunEnd::from_outcome(&read(&dir).unwrap().outcome()))
        .unwrap();
    let rec = read(&dir).unwrap();

    // Intervals end at 1, 2, 3, 4, 5, 5.25 s; [2, 4) holds those ending at 3 and 4.
    let mut want = Recorder::with_shape(meta.shape());
    want.accumulate(&ivs[2].measured);
    want.accumulate(&ivs[3].measured);
    let got = rec.window(2.0, 4.0);
    assert_same_recorder("window 2-4", &got, &want);
    assert_eq!(got.requests(), 2 * 2 * 300);

    // Adjacent windows split the run without counting an interval twice.
    let (a, b) = (rec.window(0.0, 3.0), rec.window(3.0, 1e9));
    assert_eq!(a.requests() + b.requests(), expected.total.requests());
    assert_same_recorder(
        "whole run",
        &rec.window(f64::NEG_INFINITY, f64::INFINITY),
        &expected.total,
    );
    assert_eq!(rec.window(100.0, 200.0).requests(), 0);
}

#[test]
fn a_closed_model_without_journeys_round_trips() {
    let dir = temp_dir("closed");
    let model = Model::Closed {
        vus: loadcell_engine::LoadCurve::constant(8.0, 4.0),
    };
    let meta = loadcell_results::RunMeta::new(
        "http://localhost:1/",
        std::time::SystemTime::now(),
        &model,
        Duration::ZERO,
        1,
    )
    .with_slots(&common::endpoints(1), &[], &[]);
    let ivs = intervals(&meta, 4, 0, 100, 3);
    let (writer, expected) = record_run(&dir, &meta, &ivs);
    drop(writer);
    let out = read(&dir).unwrap().outcome();
    assert_same_recorder("total", &out.total, &expected.total);
    assert_eq!(ModelSpec::from_model(&out.model), meta.model);
    assert_eq!(out.model.vus_limit(), 8);
}
