//! The samplers behind each kind of source: each turns successive reads of its files (or
//! scrapes) into one [`Reading`] per interval. Counters become per-second rates over the
//! time between two reads, so a source's first reading has levels but no rates.

pub(crate) mod cgroup;
pub(crate) mod host;
pub(crate) mod process;
pub(crate) mod prometheus;
pub(crate) mod scrape;

use std::time::Instant;

/// The values of one read.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Reading {
    pub values: Vec<(String, f64)>,
    pub limits: Vec<(String, f64)>,
}

impl Reading {
    pub(crate) fn put(&mut self, name: &str, value: f64) {
        if value.is_finite() {
            self.values.push((name.to_string(), value));
        }
    }

    pub(crate) fn limit(&mut self, name: &str, value: Option<u64>) {
        if let Some(v) = value {
            self.limits.push((name.to_string(), v as f64));
        }
    }
}

/// What reading a source gave.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    Read(Reading),
    /// This read failed but the source may still be there (a scrape timed out).
    Failed(String),
    /// The source is gone for good (the process exited): why.
    Gone(String),
}

/// A source, read once per interval on the monitor's thread.
pub(crate) trait Sampler: Send {
    fn read(&mut self, at: Instant) -> Outcome;
}

/// `(now − before) / seconds`, or `None` for the first read, a counter that went back
/// (a reset) or no time between the reads.
pub(crate) fn rate(now: u64, before: Option<u64>, seconds: f64) -> Option<f64> {
    let before = before?;
    (now >= before && seconds > 0.0).then(|| (now - before) as f64 / seconds)
}
