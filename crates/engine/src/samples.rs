//! Raw per-request records for users who want their own analysis (`--samples`).
//!
//! The engine only hands each finished request to a per-worker [`SampleSink`]; where the
//! records go (a file, in which format) is the caller's business, so the engine still never
//! touches files. A sink is owned by one worker thread: no lock per request.

use loadcell_metrics::Outcome;
use std::sync::Arc;
use std::time::Duration;

/// One finished request.
#[derive(Debug, Clone, Copy)]
pub struct RequestRecord {
    /// When the request ended, since the start of the run.
    pub at: Duration,
    /// Recorder slot (index into the workload's endpoints).
    pub endpoint: usize,
    pub outcome: Outcome,
    /// As in the metrics: from the scheduled start (open model) or the send.
    pub latency_us: u64,
    pub ttfb_us: Option<u64>,
    pub sent_bytes: u64,
    pub received_bytes: u64,
    pub vu: u64,
    pub iteration: u64,
    /// The iteration started during the warm-up.
    pub warmup: bool,
}

/// Receives the records of one worker thread.
pub trait SampleSink {
    fn record(&mut self, record: &RequestRecord);
    /// Writes out whatever is buffered (called when the worker ends).
    fn flush(&mut self);
}

/// Makes one sink per worker thread.
pub trait SampleSinkFactory: Send + Sync + std::fmt::Debug {
    fn for_worker(&self, worker: usize) -> Box<dyn SampleSink>;
}

/// Shared handle to a factory, as `Settings` holds it.
pub type Samples = Arc<dyn SampleSinkFactory>;
