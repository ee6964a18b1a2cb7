//! `--monitor` readings ride on the interval lines: written with the interval they came
//! with, read back in order by both readers, and a cut-off last line loses only its own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{intervals, meta, temp_dir};
use loadcell_engine::IntervalEvent;
use loadcell_metrics::interval_summary;
use loadcell_results::{ResultsWriter, read, read_outcome};
use loadcell_schema::MonitorSample;
use std::io::Write;
use std::time::Duration;

fn reading(source: &str, t_s: f64, rss: f64) -> MonitorSample {
    MonitorSample {
        source: source.into(),
        t_s,
        values: [("rss_bytes".to_string(), rss), ("fds".to_string(), 12.0)].into(),
        limits: [("fds".to_string(), 1024.0)].into(),
        ..MonitorSample::default()
    }
}

#[test]
fn readings_round_trip_with_their_intervals() {
    let dir = temp_dir("monitor");
    let meta = meta(1, 0);
    let ivs = intervals(&meta, 4, 0, 50, 3);
    let mut writer = ResultsWriter::create(&dir, &meta).unwrap();
    let mut written = Vec::new();
    for (k, i) in ivs.iter().enumerate() {
        let summary = interval_summary(&i.measured, i.t_s, i.len_s, i.warmup, i.target);
        let event = IntervalEvent {
            seq: i.seq,
            summary: &summary,
            measured: &i.measured,
            warmup: &i.warm,
            total: &i.measured,
            endpoints: &[],
            elapsed: Duration::from_secs_f64(i.t_s),
        };
        // The second line carries none (the reading came late); the third carries two.
        let monitor: Vec<MonitorSample> = match k {
            1 => vec![],
            2 => vec![reading("pid:7", 2.0, 2e6), reading("pid:7", 3.0, 3e6)],
            _ => vec![reading("pid:7", i.t_s, 1e6 * i.t_s)],
        };
        if k == 3 {
            let mut gone = MonitorSample {
                gone: Some("process 7 exited".into()),
                ..reading("host", i.t_s, 0.0)
            };
            gone.values.clear();
            writer
                .append_with_monitor(&event, &[monitor[0].clone(), gone.clone()])
                .unwrap();
            written.extend([monitor[0].clone(), gone]);
        } else {
            writer.append_with_monitor(&event, &monitor).unwrap();
            written.extend(monitor);
        }
    }
    drop(writer);
    let rec = read(&dir).unwrap();
    assert_eq!(rec.monitor(), written);
    assert_eq!(rec.intervals[1].monitor, vec![]);
    let rebuilt = read_outcome(&dir).unwrap();
    assert_eq!(rebuilt.monitor, written);
    assert_eq!(rebuilt.monitor[1].t_s, 2.0);

    // A line cut off mid-write loses its readings only.
    let path = dir.join(loadcell_results::INTERVALS_FILE);
    let mut f = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
    f.write_all(b"{\"seq\":9,\"t_s\":9.0,\"len_s\":1.0,\"warmup\":false,\"monitor\":[{\"source\":\"pid:7\",\"t_")
        .unwrap();
    drop(f);
    let cut = read_outcome(&dir).unwrap();
    assert_eq!((cut.truncated_lines, cut.monitor.len()), (1, written.len()));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The monitor's last reading comes after the last interval line: `end.json` carries it,
/// and both readers put it after the lines' readings, as the live summary counted it.
#[test]
fn readings_after_the_last_line_come_back_from_end_json() {
    let dir = temp_dir("monitor-tail");
    let meta = meta(1, 0);
    let ivs = intervals(&meta, 2, 0, 50, 3);
    let mut writer = ResultsWriter::create(&dir, &meta).unwrap();
    let mut written = Vec::new();
    for i in &ivs {
        let summary = interval_summary(&i.measured, i.t_s, i.len_s, i.warmup, i.target);
        let event = IntervalEvent {
            seq: i.seq,
            summary: &summary,
            measured: &i.measured,
            warmup: &i.warm,
            total: &i.measured,
            elapsed: Duration::from_secs_f64(i.t_s),
            endpoints: &[],
        };
        let monitor = vec![reading("pid:7", i.t_s, 1e6)];
        writer.append_with_monitor(&event, &monitor).unwrap();
        written.extend(monitor);
    }
    let last = reading("pid:7", 2.4, 2e6);
    let end = loadcell_results::RunEnd {
        monitor: vec![last.clone()],
        ..serde_json::from_str(r#"{"ended_at":"2026-01-01T00:00:02.400Z","ended_at_unix_ms":1767225602400,"measured_s":2.4,"stop_reason":"duration","interrupted":0,"cpu_s":0.1,"max_rss_kib":1,"threads":1}"#)
            .unwrap()
    };
    writer.finish(&end).unwrap();
    written.push(last);
    assert_eq!(read(&dir).unwrap().monitor(), written);
    assert_eq!(read_outcome(&dir).unwrap().monitor, written);
    let _ = std::fs::remove_dir_all(&dir);
}
