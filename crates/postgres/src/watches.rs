//! [`Watches`]: every `--postgres URL` of one run together — connected before the first
//! request (a database that refuses us is an error then, not a surprise after the load),
//! begun together, cut (a sweep: one window per step) and finished into the summary's `postgres[]`.

use std::time::Duration;

use loadcell_schema::PostgresSummary;

use crate::{PostgresError, Watch};

/// The databases one run watches (none without `--postgres`).
#[derive(Default)]
pub struct Watches(Vec<Watch>);

impl Watches {
    /// Connects to every URL; the first that fails is the error (the rest are dropped).
    pub fn connect(urls: &[String], interval: Duration) -> Result<Watches, PostgresError> {
        urls.iter()
            .map(|url| Watch::connect(url, interval))
            .collect::<Result<Vec<_>, _>>()
            .map(Watches)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The start of the window, for every database.
    pub fn begin(&self) {
        for watch in &self.0 {
            watch.begin();
        }
    }

    /// The end of a window (another may begin): one summary per database, in the order
    /// given. `requests` is the HTTP requests completed in the window.
    pub fn cut(&self, requests: u64) -> Vec<PostgresSummary> {
        self.0.iter().map(|watch| watch.cut(requests)).collect()
    }

    /// The end of the last window: one summary per database, in the order given. `requests`
    /// is the HTTP requests completed in the window.
    pub fn finish(self, requests: u64) -> Vec<PostgresSummary> {
        self.0.into_iter().map(|watch| watch.finish(requests)).collect()
    }
}
