//! `--samples FILE`: every request as one NDJSON object or CSV row (by the file's
//! extension), written through a 64 KiB buffer per worker thread that goes to the file in
//! one `write` when full, so no lock is taken per request and lines never interleave.

use crate::error::SessionError;
use loadcell_engine::{EndpointName, RequestRecord, SampleSink, SampleSinkFactory};
use loadcell_metrics::Outcome;
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

const BUFFER_BYTES: usize = 64 * 1024;
const CSV_HEADER: &str =
    "t_ms,endpoint,journey,step,status,error,latency_us,ttfb_us,sent_bytes,received_bytes,vu,iteration,warmup\n";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Ndjson,
    Csv,
}

/// Opens `path` and makes the per-worker writers.
#[derive(Debug)]
pub struct SamplesFile {
    file: Arc<File>,
    format: Format,
    /// Per slot: endpoint, journey and step, already escaped for the format.
    names: Arc<Vec<[String; 3]>>,
}

impl SamplesFile {
    pub fn create(path: &Path, endpoints: &[EndpointName]) -> Result<SamplesFile, SessionError> {
        let cannot = |source| SessionError::WriteFlag {
            flag: "--samples",
            path: path.to_path_buf(),
            source,
        };
        let format = match path.extension().and_then(|e| e.to_str()) {
            Some("csv") => Format::Csv,
            _ => Format::Ndjson,
        };
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(path)
            .map_err(cannot)?;
        if format == Format::Csv {
            file.write_all(CSV_HEADER.as_bytes()).map_err(cannot)?;
        }
        // Appends from several threads must each land whole: reopen in append mode.
        let file = std::fs::OpenOptions::new().append(true).open(path).map_err(cannot)?;
        let escape = |s: &str| match format {
            Format::Ndjson => serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()),
            Format::Csv => format!("\"{}\"", s.replace('"', "\"\"")),
        };
        let names = endpoints
            .iter()
            .map(|e| {
                [
                    escape(&e.display()),
                    escape(e.journey.as_deref().unwrap_or("")),
                    escape(e.step.as_deref().unwrap_or("")),
                ]
            })
            .collect();
        Ok(SamplesFile {
            file: Arc::new(file),
            format,
            names: Arc::new(names),
        })
    }
}

impl SampleSinkFactory for SamplesFile {
    fn for_worker(&self, _worker: usize) -> Box<dyn SampleSink> {
        Box::new(SamplesWriter {
            file: self.file.clone(),
            format: self.format,
            names: self.names.clone(),
            buf: Vec::with_capacity(BUFFER_BYTES + 1024),
        })
    }
}

struct SamplesWriter {
    file: Arc<File>,
    format: Format,
    names: Arc<Vec<[String; 3]>>,
    buf: Vec<u8>,
}

impl SampleSink for SamplesWriter {
    fn record(&mut self, r: &RequestRecord) {
        let empty = [String::new(), String::new(), String::new()];
        let [endpoint, journey, step] = self.names.get(r.endpoint).unwrap_or(&empty);
        let (status, error) = match r.outcome {
            Outcome::Status(s) => (s, ""),
            Outcome::Error(kind) => (0, kind.as_str()),
        };
        let t_ms = r.at.as_secs_f64() * 1000.0;
        let ttfb = r.ttfb_us.map_or(-1, |v| v as i64);
        let _ = match self.format {
            Format::Ndjson => writeln!(
                self.buf,
                r#"{{"t_ms":{t_ms:.3},"endpoint":{endpoint},"journey":{journey},"step":{step},"status":{status},"error":"{error}","latency_us":{},"ttfb_us":{ttfb},"sent_bytes":{},"received_bytes":{},"vu":{},"iteration":{},"warmup":{}}}"#,
                r.latency_us, r.sent_bytes, r.received_bytes, r.vu, r.iteration, r.warmup
            ),
            Format::Csv => writeln!(
                self.buf,
                "{t_ms:.3},{endpoint},{journey},{step},{status},{error},{},{ttfb},{},{},{},{},{}",
                r.latency_us, r.sent_bytes, r.received_bytes, r.vu, r.iteration, r.warmup
            ),
        };
        if self.buf.len() >= BUFFER_BYTES {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if !self.buf.is_empty() {
            let _ = (&*self.file).write_all(&self.buf);
            self.buf.clear();
        }
    }
}

impl Drop for SamplesWriter {
    fn drop(&mut self) {
        self.flush();
    }
}
