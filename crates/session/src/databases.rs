//! `--postgres` in a session: every database connected before the first request (one that
//! refuses us is a usage error then, not a surprise after the load), its "before" snapshot
//! taken when the measured window opens — at the start, or as the warm-up's last interval
//! comes in (a few milliseconds after the warm-up ends, when the engine has merged it) —
//! and at the end `postgres[]` written into the summary, with the bottleneck verdicts
//! decided again on it. A sweep (`capacity`, `scale`) uses the same part for every step:
//! each step's window opens after its warm-up and is [`Databases::cut`] when it ends. The
//! snapshots run on each database's own thread (`loadcell-postgres`); nothing here blocks
//! the run.

use crate::error::SessionError;
use loadcell_postgres::Watches;
use loadcell_schema::{IntervalSummary, PostgresSummary, Summary};
use std::time::Duration;

/// How often each database's activity is sampled between the snapshots.
const SAMPLE_EVERY: Duration = Duration::from_secs(1);

/// The databases of one run, and whether their window is open.
pub struct Databases {
    watches: Watches,
    warmup_s: f64,
    begun: bool,
}

impl Databases {
    /// The databases to watch: the `--postgres` flags, or else the scenario file's
    /// `postgres:` (the flags override the file).
    pub fn urls(flags: &[String], scenario: Option<&loadcell_scenario::Scenario>) -> Vec<String> {
        match scenario {
            Some(s) if flags.is_empty() => s.postgres.clone(),
            _ => flags.to_vec(),
        }
    }

    /// Connects to every `--postgres URL`; `None` without any.
    pub fn connect(urls: &[String], warmup: Duration) -> Result<Option<Databases>, SessionError> {
        if urls.is_empty() {
            return Ok(None);
        }
        Ok(Some(Databases {
            watches: Watches::connect(urls, SAMPLE_EVERY)?,
            warmup_s: warmup.as_secs_f64(),
            begun: false,
        }))
    }

    /// The run started: without a warm-up the window opens now.
    pub fn start(&mut self) {
        if self.warmup_s <= 0.0 {
            self.begin();
        }
    }

    /// One interval merged: the warm-up's last one opens the window.
    pub fn see(&mut self, interval: &IntervalSummary) {
        let warmup_over = !interval.warmup || interval.t_s + 1e-6 >= self.warmup_s;
        if !self.begun && warmup_over {
            self.begin();
        }
    }

    fn begin(&mut self) {
        self.watches.begin();
        self.begun = true;
    }

    /// The window's end, another may begin (the next step of a sweep): one summary per
    /// database; `requests` is the HTTP requests measured in the window. A step that
    /// ended inside its warm-up has an empty window.
    pub fn cut(&mut self, requests: u64) -> Vec<PostgresSummary> {
        if !self.begun {
            self.begin();
        }
        self.begun = false;
        self.watches.cut(requests)
    }

    /// The run's end: `postgres[]` (database time per request counts the measured
    /// requests) and the verdicts decided again with it.
    pub fn finish(mut self, summary: &mut Summary) {
        summary.postgres = self.cut(summary.requests.total);
        loadcell_analysis::bottleneck::attach(summary);
    }
}
