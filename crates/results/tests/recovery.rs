//! Folders left by runs that did not end well: no `end.json`, a cut-off last line, damaged
//! files (clear errors naming the file and line), and a folder that already holds a run.
#![cfg(test)]

mod common;

use common::{assert_same_recorder, intervals, meta, record_run, temp_dir};
use loadcell_engine::ProcessUsage;
use loadcell_results::{ResultsError, ResultsWriter, read};
use loadcell_schema::StopReason;
use std::io::Write;
use std::time::Duration;

#[test]
fn a_run_without_end_json_is_interrupted_at_its_last_interval() {
    let dir = temp_dir("no-end");
    let meta = meta(2, 2);
    let ivs = intervals(&meta, 5, 2, 200, 5);
    let (writer, expected) = record_run(&dir, &meta, &ivs);
    drop(writer); // never finished
    let rec = read(&dir).unwrap();
    assert!(!rec.finished() && rec.end.is_none());
    let out = rec.outcome();
    assert_eq!(out.stop_reason, StopReason::Interrupted);
    // Intervals end at 1, 2, 3, 4, 4.25 s; measured from the end of the 2 s warm-up.
    assert_eq!(out.measured, Duration::from_millis(2_250));
    assert_eq!(out.ended_at, out.started_at + Duration::from_millis(4_250));
    assert_eq!(out.usage, ProcessUsage::default());
    assert_eq!(out.threads, 4);
    assert_same_recorder("total", &out.total, &expected.total);
}

#[test]
fn a_cut_off_last_line_is_skipped_and_counted() {
    let dir = temp_dir("truncated");
    let meta = meta(2, 0);
    let ivs = intervals(&meta, 4, 0, 200, 9);
    let (writer, _) = record_run(&dir, &meta, &ivs[..3]);
    drop(writer);
    // Simulate a kill in the middle of the fourth line: half of a real line, no newline.
    let path = dir.join("intervals.ndjson");
    let text = std::fs::read_to_string(&path).unwrap();
    let first = text.lines().next().unwrap();
    let mut f = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
    f.write_all(&first.as_bytes()[..first.len() / 2]).unwrap();
    drop(f);

    let rec = read(&dir).unwrap();
    assert_eq!((rec.intervals.len(), rec.truncated_lines), (3, 1));
    let mut want = loadcell_metrics::Recorder::with_shape(meta.shape());
    for i in &ivs[..3] {
        want.accumulate(&i.measured);
    }
    assert_same_recorder("total", &rec.outcome().total, &want);

    // A tail of NUL bytes (a crash before the data reached the disk) is a cut-off line too.
    std::fs::write(&path, format!("{text}\0\0\0\0\0\0")).unwrap();
    let rec = read(&dir).unwrap();
    assert_eq!((rec.intervals.len(), rec.truncated_lines), (3, 1));
}

#[test]
fn a_damaged_line_before_the_end_is_an_error_naming_file_and_line() {
    let dir = temp_dir("damaged-line");
    let meta = meta(1, 0);
    let ivs = intervals(&meta, 3, 0, 50, 2);
    drop(record_run(&dir, &meta, &ivs).0);
    let path = dir.join("intervals.ndjson");
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&path, format!("{}\n{{\"seq\": oops\n{}\n", lines[0], lines[2])).unwrap();
    let err = read(&dir).unwrap_err().to_string();
    assert!(err.contains("intervals.ndjson:2: invalid interval record"), "{err}");

    // A complete line whose histogram is not a histogram is damage, even at the end.
    std::fs::write(&path, format!("{}\n{{\"seq\":1,\"t_s\":2.0,\"len_s\":1.0,\"warmup\":false,\"measured\":{{\"endpoints\":[{{\"latency\":\"AAAA\"}}]}}}}\n", lines[0])).unwrap();
    let err = read(&dir).unwrap_err().to_string();
    assert!(
        err.contains("intervals.ndjson:2:") && err.contains("endpoint 0: latency"),
        "{err}"
    );
}

#[test]
fn damaged_or_missing_meta_json_is_a_clear_error() {
    let dir = temp_dir("bad-meta");
    let meta = meta(1, 0);
    drop(record_run(&dir, &meta, &intervals(&meta, 1, 0, 10, 1)).0);
    let path = dir.join("meta.json");

    std::fs::write(&path, "{\"format\": \"loadcell-results\", \"format_ver").unwrap();
    let err = read(&dir).unwrap_err();
    assert!(matches!(err, ResultsError::Meta { .. }), "{err:?}");
    assert!(err.to_string().contains("meta.json: invalid run metadata"), "{err}");

    std::fs::write(&path, "{\"format\": \"loadcell-results\", \"format_version\": 99}").unwrap();
    let err = read(&dir).unwrap_err().to_string();
    assert!(err.contains("meta.json: results format version 99 is newer"), "{err}");

    std::fs::write(&path, "{\"hello\": 1}").unwrap();
    let err = read(&dir).unwrap_err().to_string();
    assert!(
        err.contains("meta.json") && err.contains("not a loadcell results file"),
        "{err}"
    );

    std::fs::remove_file(&path).unwrap();
    let err = read(&dir).unwrap_err().to_string();
    assert!(err.contains("meta.json: not a loadcell results folder"), "{err}");
}

#[test]
fn damaged_end_json_is_a_clear_error() {
    let dir = temp_dir("bad-end");
    let meta = meta(1, 0);
    drop(record_run(&dir, &meta, &intervals(&meta, 1, 0, 10, 1)).0);
    std::fs::write(dir.join("end.json"), "{\"ended_at\": 3").unwrap();
    let err = read(&dir).unwrap_err().to_string();
    assert!(err.contains("end.json: invalid end record"), "{err}");
}

#[test]
fn a_folder_holding_a_run_is_not_overwritten() {
    let dir = temp_dir("exists");
    let meta = meta(1, 0);
    drop(record_run(&dir, &meta, &intervals(&meta, 2, 0, 10, 1)).0);
    let err = ResultsWriter::create(&dir, &meta)
        .err()
        .expect("a second create must fail");
    assert!(matches!(err, ResultsError::Exists { .. }), "{err:?}");
    assert!(err.to_string().contains("already holds a run's results"), "{err}");
    assert_eq!(read(&dir).unwrap().intervals.len(), 2, "the first run is intact");
}

#[test]
fn a_folder_killed_before_its_first_interval_reads_as_empty() {
    let dir = temp_dir("empty");
    let meta = meta(3, 0);
    drop(ResultsWriter::create(&dir, &meta).unwrap());
    let out = read(&dir).unwrap().outcome();
    assert_eq!((out.intervals.len(), out.total.requests()), (0, 0));
    assert_eq!(out.total.shape(), meta.shape());
    std::fs::remove_file(dir.join("intervals.ndjson")).unwrap();
    assert_eq!(read(&dir).unwrap().intervals.len(), 0);
}
