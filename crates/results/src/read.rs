//! Reading a results folder back, including one left by a run that was killed: a cut-off
//! last line of `intervals.ndjson` is skipped and counted, a missing `end.json` means the
//! run did not finish.

use crate::end::RunEnd;
use crate::meta::RunMeta;
use crate::record::{IntervalLine, decode_recorder};
use crate::{END_FILE, FORMAT_NAME, FORMAT_VERSION, INTERVALS_FILE, META_FILE, ResultsError};
use loadcell_metrics::{Recorder, Shape};
use loadcell_schema::MonitorSample;
use serde::Deserialize;
use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind};
use std::path::Path;

/// A results folder as read back.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub meta: RunMeta,
    pub intervals: Vec<RecordedInterval>,
    /// `None` when the run did not finish (killed, crashed, or still running).
    pub end: Option<RunEnd>,
    /// Cut-off lines skipped at the end of `intervals.ndjson` (0 or 1).
    pub truncated_lines: usize,
}

/// One interval as read back.
#[derive(Debug, Clone)]
pub struct RecordedInterval {
    pub seq: u64,
    /// Seconds since the start of the run (warm-up included) at the end of the interval.
    pub t_s: f64,
    pub len_s: f64,
    pub warmup: bool,
    pub target_rate_per_s: Option<f64>,
    /// Iterations that started after the warm-up.
    pub measured: Recorder,
    /// Iterations that started during the warm-up.
    pub warmup_recorder: Recorder,
    /// `--monitor` readings this line carried (taken since the previous line).
    pub monitor: Vec<MonitorSample>,
    /// Endpoint slots first named on this line (after `meta.json`'s and earlier lines').
    pub new_endpoints: Vec<crate::meta::EndpointSlot>,
}

impl Recorded {
    /// The names of the run's endpoint slots, index for index: `meta.json`'s, then those
    /// the intervals named as they were registered (redirect hops).
    pub fn endpoint_names(&self) -> Vec<loadcell_engine::EndpointName> {
        self.meta
            .endpoints
            .iter()
            .chain(self.intervals.iter().flat_map(|i| &i.new_endpoints))
            .map(crate::meta::EndpointSlot::to_name)
            .collect()
    }

    /// Every `--monitor` reading of the run, in the order written: those of the interval
    /// lines, then those `end.json` holds.
    pub fn monitor(&self) -> Vec<MonitorSample> {
        let tail = self.end.iter().flat_map(|e| e.monitor.iter());
        self.intervals
            .iter()
            .flat_map(|i| i.monitor.iter())
            .chain(tail)
            .cloned()
            .collect()
    }

    /// Whether the run ended normally and wrote `end.json`.
    pub fn finished(&self) -> bool {
        self.end.is_some()
    }
}

/// Reads the results folder `dir`.
pub fn read(dir: &Path) -> Result<Recorded, ResultsError> {
    let meta = read_meta(dir)?;
    let mut intervals = Vec::new();
    let truncated_lines = read_intervals(dir, meta.shape(), |i| intervals.push(i))?;
    let end = read_end(dir)?;
    Ok(Recorded {
        meta,
        intervals,
        end,
        truncated_lines,
    })
}

/// What is checked before the rest of `meta.json`, so that a newer layout is reported as
/// such rather than as a missing field.
#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    format_version: Option<u32>,
}

/// Reads only `meta.json` of the results folder `dir` (checking its format and version).
pub fn read_meta(dir: &Path) -> Result<RunMeta, ResultsError> {
    let path = dir.join(META_FILE);
    let text = match std::fs::read(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == ErrorKind::NotFound => return Err(ResultsError::NotResults { path }),
        Err(e) => return Err(ResultsError::io(path, e)),
    };
    let invalid = |message: String| ResultsError::Meta {
        path: path.clone(),
        message,
    };
    let header: Header = serde_json::from_slice(&text).map_err(|e| invalid(e.to_string()))?;
    if header.format.as_deref() != Some(FORMAT_NAME) {
        return Err(invalid(format!(
            "not a loadcell results file (no \"format\": \"{FORMAT_NAME}\")"
        )));
    }
    match header.format_version {
        Some(v) if v > FORMAT_VERSION => {
            return Err(ResultsError::Version {
                path,
                found: v,
                supported: FORMAT_VERSION,
            });
        }
        Some(_) => {}
        None => return Err(invalid("missing format_version".to_string())),
    }
    serde_json::from_slice(&text).map_err(|e| invalid(e.to_string()))
}

/// Reads the results folder `dir` one interval at a time, keeping only the running totals
/// and the per-interval summaries: memory stays flat however long the run was (holding every
/// interval's decoded histograms of a one-hour scenario run would take gigabytes).
pub fn read_outcome(dir: &Path) -> Result<Rebuilt, ResultsError> {
    read_outcome_with(dir, |_| {})
}

/// [`read_outcome`], showing each interval to `visit` as it streams past, so a caller can
/// compute what it needs from the intervals' recorders (rolling windows, say) without
/// holding them all.
pub fn read_outcome_with(dir: &Path, mut visit: impl FnMut(&RecordedInterval)) -> Result<Rebuilt, ResultsError> {
    let meta = read_meta(dir)?;
    let mut builder = crate::outcome::OutcomeBuilder::new(&meta, 0);
    let mut monitor = Vec::new();
    let truncated_lines = read_intervals(dir, meta.shape(), |mut i| {
        visit(&i);
        builder.add(&i);
        monitor.append(&mut i.monitor);
    })?;
    let end = read_end(dir)?;
    monitor.extend(end.iter().flat_map(|e| e.monitor.iter().cloned()));
    let intervals = builder.len();
    let last_t_s = builder.last_t_s();
    let outcome = builder.finish(&meta, end.as_ref());
    Ok(Rebuilt {
        meta,
        end,
        truncated_lines,
        intervals,
        last_t_s,
        outcome,
        monitor,
    })
}

/// A results folder rebuilt into an [`Outcome`](loadcell_engine::Outcome) without keeping
/// the intervals' histograms.
#[derive(Debug, Clone)]
pub struct Rebuilt {
    pub meta: RunMeta,
    pub end: Option<RunEnd>,
    pub truncated_lines: usize,
    /// How many intervals were read.
    pub intervals: usize,
    /// End of the last interval, seconds since the start.
    pub last_t_s: f64,
    pub outcome: loadcell_engine::Outcome,
    /// Every `--monitor` reading, in the order written (`loadcell_monitor::summarize`
    /// turns them into `summary.json`'s `monitor[]`).
    pub monitor: Vec<MonitorSample>,
}

impl Rebuilt {
    /// Whether the run ended normally and wrote `end.json`.
    pub fn finished(&self) -> bool {
        self.end.is_some()
    }
}

/// One `intervals.ndjson` line (as a part of a test sends it to `loadcell collect`),
/// decoded; `shape` is its run's slots (`RunMeta::shape`).
pub fn parse_line(line: &[u8], shape: Shape) -> Result<RecordedInterval, String> {
    let record: IntervalLine = serde_json::from_slice(line).map_err(|e| format!("invalid interval record: {e}"))?;
    interval(&record, shape)
}

pub(crate) fn read_intervals(
    dir: &Path,
    shape: Shape,
    mut visit: impl FnMut(RecordedInterval),
) -> Result<usize, ResultsError> {
    let path = dir.join(INTERVALS_FILE);
    let file = match File::open(&path) {
        Ok(f) => f,
        // Killed between writing meta.json and creating this file.
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(ResultsError::io(path, e)),
    };
    let mut reader = BufReader::with_capacity(256 * 1024, file);
    let mut buf = Vec::new();
    // A line that did not parse: an error unless nothing but blank lines follows it.
    let mut unparsed: Option<(usize, String)> = None;
    let mut line_no = 0;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| ResultsError::io(&path, e))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if let Some((line, message)) = unparsed.take() {
            return Err(ResultsError::Interval { path, line, message });
        }
        match serde_json::from_slice::<IntervalLine>(&buf) {
            Ok(record) => visit(interval(&record, shape).map_err(|message| ResultsError::Interval {
                path: path.clone(),
                line: line_no,
                message,
            })?),
            Err(e) => unparsed = Some((line_no, e.to_string())),
        }
    }
    Ok(usize::from(unparsed.is_some()))
}

/// The interval `record` stands for; a recorder left out (nothing recorded) is an empty
/// one shaped like the other, or like the run's slots.
fn interval(record: &IntervalLine, shape: Shape) -> Result<RecordedInterval, String> {
    let decode = |r: &Option<_>, name: &str| {
        r.as_ref()
            .map(|r| decode_recorder(r).map_err(|e| format!("{name}: {e}")))
            .transpose()
    };
    let (measured, warmup) = match (
        decode(&record.measured, "measured")?,
        decode(&record.warmup_recorder, "warmup_recorder")?,
    ) {
        (Some(m), Some(w)) => (m, w),
        (Some(m), None) => {
            let w = m.fresh();
            (m, w)
        }
        (None, Some(w)) => (w.fresh(), w),
        (None, None) => (Recorder::with_shape(shape), Recorder::with_shape(shape)),
    };
    Ok(RecordedInterval {
        seq: record.seq,
        t_s: record.t_s,
        len_s: record.len_s,
        warmup: record.warmup,
        target_rate_per_s: record.target_rate_per_s,
        measured,
        warmup_recorder: warmup,
        monitor: record.monitor.clone(),
        new_endpoints: record.new_endpoints.clone(),
    })
}

pub(crate) fn read_end(dir: &Path) -> Result<Option<RunEnd>, ResultsError> {
    let path = dir.join(END_FILE);
    let text = match std::fs::read(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ResultsError::io(path, e)),
    };
    serde_json::from_slice(&text).map(Some).map_err(|e| ResultsError::End {
        path,
        message: e.to_string(),
    })
}
