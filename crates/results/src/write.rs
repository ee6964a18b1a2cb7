//! Writing a results folder while the run goes: `meta.json` at the start (synced, and
//! rewritten with the load's start once the setup and any `--start-at` wait are over),
//! one `intervals.ndjson` line per interval handed to the OS as soon as it is complete
//! (naming the endpoint slots registered since the previous line, as `new_endpoints`),
//! and `end.json` at the end (written whole or not at all).

use crate::end::RunEnd;
use crate::histogram::HistogramEncoder;
use crate::meta::{EndpointSlot, RunMeta};
use crate::record::{IntervalLine, RecorderRecord, encode_recorder};
use crate::{END_FILE, INTERVALS_FILE, META_FILE, ResultsError};
use loadcell_engine::IntervalEvent;
use loadcell_metrics::Recorder;
use loadcell_schema::MonitorSample;
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Appends a run's intervals to its results folder.
pub struct ResultsWriter {
    dir: PathBuf,
    intervals_path: PathBuf,
    intervals: File,
    encoder: HistogramEncoder,
    line: Vec<u8>,
    appended: u64,
    /// Endpoint slots named so far: `meta.json`'s, then each line's `new_endpoints`.
    endpoints: usize,
    /// What `meta.json` says, to write it again with the load's start ([`Self::started`]).
    meta: RunMeta,
}

impl ResultsWriter {
    /// Creates `dir` (and its parents) and writes `meta.json`, synced to disk. Refuses a
    /// folder that already holds a run (`meta.json` exists, checked atomically), so two
    /// runs never mix; other files in the folder are left alone.
    pub fn create(dir: &Path, meta: &RunMeta) -> Result<ResultsWriter, ResultsError> {
        std::fs::create_dir_all(dir).map_err(|e| ResultsError::io(dir, e))?;
        let meta_path = dir.join(META_FILE);
        let mut meta_file = match OpenOptions::new().write(true).create_new(true).open(&meta_path) {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::AlreadyExists => return Err(ResultsError::Exists { path: meta_path }),
            Err(e) => return Err(ResultsError::io(meta_path, e)),
        };
        let mut text = serde_json::to_vec_pretty(meta).map_err(|e| ResultsError::Meta {
            path: meta_path.clone(),
            message: e.to_string(),
        })?;
        text.push(b'\n');
        meta_file
            .write_all(&text)
            .and_then(|()| meta_file.sync_all())
            .map_err(|e| ResultsError::io(&meta_path, e))?;
        // Without a meta.json, anything else here is not part of a run: start afresh.
        let intervals_path = dir.join(INTERVALS_FILE);
        let intervals = File::create(&intervals_path).map_err(|e| ResultsError::io(&intervals_path, e))?;
        let end_path = dir.join(END_FILE);
        match std::fs::remove_file(&end_path) {
            Err(e) if e.kind() != ErrorKind::NotFound => return Err(ResultsError::io(end_path, e)),
            _ => {}
        }
        sync_dir(dir);
        Ok(ResultsWriter {
            dir: dir.to_path_buf(),
            intervals_path,
            intervals,
            encoder: HistogramEncoder::new(),
            line: Vec::with_capacity(16 * 1024),
            appended: 0,
            endpoints: meta.endpoints.len(),
            meta: meta.clone(),
        })
    }

    /// Rewrites `meta.json` (atomically: a temporary file renamed into place) with the
    /// load's start, which is known only after the setup and any `--start-at` wait: the
    /// folder's intervals count from it, and segments of one test line up by it.
    pub fn started(&mut self, at: SystemTime) -> Result<(), ResultsError> {
        self.meta.set_started(at);
        replace_json(&self.dir, META_FILE, &self.meta, |path, message| ResultsError::Meta {
            path,
            message,
        })
    }

    /// The folder being written.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Intervals appended so far.
    pub fn appended(&self) -> u64 {
        self.appended
    }

    /// What `meta.json` says now (`--collect` sends it to the collector).
    pub fn meta(&self) -> &RunMeta {
        &self.meta
    }

    /// The last line appended, with its newline (`--collect` sends exactly this line).
    pub fn last_line(&self) -> &[u8] {
        &self.line
    }

    /// Appends one interval as one line, handed to the OS in one write, so it survives
    /// the process being killed (not a machine crash: the file is synced at the end).
    pub fn append(&mut self, event: &IntervalEvent<'_>) -> Result<(), ResultsError> {
        self.append_with_monitor(event, &[])
    }

    /// [`append`](Self::append), with the `--monitor` readings taken since the previous
    /// line in the same line, so they are as crash-safe as the interval they came with.
    pub fn append_with_monitor(
        &mut self,
        event: &IntervalEvent<'_>,
        monitor: &[MonitorSample],
    ) -> Result<(), ResultsError> {
        let encode_err = |message: String| ResultsError::Encode {
            path: self.intervals_path.clone(),
            seq: event.seq,
            message,
        };
        let record = IntervalLine {
            seq: event.seq,
            t_s: event.summary.t_s,
            len_s: event.summary.len_s,
            warmup: event.summary.warmup,
            target_rate_per_s: event.summary.target_rate_per_s,
            measured: non_blank(&mut self.encoder, event.measured).map_err(encode_err)?,
            warmup_recorder: non_blank(&mut self.encoder, event.warmup).map_err(encode_err)?,
            monitor: monitor.to_vec(),
            new_endpoints: event
                .endpoints
                .get(self.endpoints..)
                .unwrap_or_default()
                .iter()
                .map(EndpointSlot::from_name)
                .collect(),
        };
        self.line.clear();
        serde_json::to_writer(&mut self.line, &record).map_err(|e| encode_err(e.to_string()))?;
        self.line.push(b'\n');
        self.intervals
            .write_all(&self.line)
            .map_err(|e| ResultsError::io(&self.intervals_path, e))?;
        self.appended += 1;
        self.endpoints += record.new_endpoints.len();
        Ok(())
    }

    /// Syncs the intervals and writes `end.json` (to a temporary file renamed into place,
    /// so it is never half-written). `end.intervals` is set to the number appended.
    pub fn finish(self, end: &RunEnd) -> Result<(), ResultsError> {
        self.intervals
            .sync_all()
            .map_err(|e| ResultsError::io(&self.intervals_path, e))?;
        let end = RunEnd {
            intervals: self.appended,
            ..end.clone()
        };
        replace_json(&self.dir, END_FILE, &end, |path, message| ResultsError::End {
            path,
            message,
        })
    }
}

/// Writes `value` as JSON to `dir/name` with [`replace_file`] and makes the entry durable;
/// `error` says which document could not be serialised.
fn replace_json<T: serde::Serialize>(
    dir: &Path,
    name: &str,
    value: &T,
    error: fn(PathBuf, String) -> ResultsError,
) -> Result<(), ResultsError> {
    let path = dir.join(name);
    let text = serde_json::to_vec_pretty(value).map_err(|e| error(path.clone(), e.to_string()))?;
    replace_file(&path, text)?;
    sync_dir(dir);
    Ok(())
}

/// Writes `text` and a newline to `path` through a synced temporary file renamed into
/// place, so that `path` is never half-written.
pub(crate) fn replace_file(path: &Path, mut text: Vec<u8>) -> Result<(), ResultsError> {
    text.push(b'\n');
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    File::create(&tmp)
        .and_then(|mut f| f.write_all(&text).and_then(|()| f.sync_all()))
        .map_err(|e| ResultsError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| ResultsError::io(path, e))
}

/// The JSON form of `r`, or `None` when nothing was recorded in it.
fn non_blank(enc: &mut HistogramEncoder, r: &Recorder) -> Result<Option<RecorderRecord>, String> {
    let record = encode_recorder(enc, r)?;
    Ok((!record.is_blank()).then_some(record))
}

/// Makes new directory entries durable where the platform allows (best effort).
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}
