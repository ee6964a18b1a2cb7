//! `loadcell collect`: the fleet's side. Parts of one test (`run --segment I/N --collect
//! URL`) send their results folder piece by piece; the collector keeps each part's copy
//! (`OUT/parts/I-of-N`, as crash-safe as the part's own folder), merges the intervals live
//! into its own results folder `OUT` ([`LiveMerge`]: a second is written once every running
//! part has gone past it), shows the fleet's progress, judges the thresholds on the merged
//! data and, under `--abort-on-fail`, answers every part's next message with `stop`;
//! `--prometheus` serves the merged seconds as a run serves its own.
//!
//! A part is lost when its connection closes without its `end.json`, or when it sends
//! nothing for [`CollectSpec::silence`]: it is reported with its time and the others go on.
//! The run is over when every expected part ended or was lost (or Ctrl-C): `OUT` is then
//! merged again from the parts' copies by `loadcell merge`'s code (every interval in its own
//! second, late ones included) and rebuilt as `loadcell report` does.

mod judge;
mod parts;

use super::server::{self, Event, Reply};
use super::wire::{Answer, Kind, PartId};
use crate::error::{SessionError, invalid};
use crate::live::Live;
use crate::merge::MergeDone;
use crate::rebuild::rebuild;
use loadcell_engine::CheckName;
use loadcell_results::{LiveMerge, PartCopy, RunMeta};
use loadcell_threshold::Threshold;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How often the loop looks at the clock when no message comes.
const TICK: Duration = Duration::from_millis(200);

/// What `loadcell collect` was asked.
#[derive(Debug, Clone)]
pub struct CollectSpec {
    /// `--listen ADDR`.
    pub listen: String,
    /// `--expect N`: the parts of the test (their segments are I/N).
    pub expect: u64,
    /// `--out DIR`: the merged results folder (the parts' copies under `parts/`).
    pub out: PathBuf,
    /// `--threshold`s of the collector's own, judged with the parts' on the merged data.
    pub thresholds: Vec<String>,
    /// `--abort-on-fail`: a failing fleet-wide threshold stops every part.
    pub abort_on_fail: bool,
    pub abort_delay: Duration,
    /// A part that sends nothing this long is lost.
    pub silence: Duration,
    /// `--prometheus ADDR`: the fleet's merged metrics served live.
    pub prometheus: Option<String>,
}

/// The fleet as it goes, for the CLI to show.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// Parts sending now (joined, neither ended nor lost), and parts expected.
    pub sending: u64,
    pub expected: u64,
    /// Seconds merged, on the merged clock.
    pub t_s: f64,
    /// Requests per second in the last merged second.
    pub rate_per_s: f64,
    /// Requests, failed requests and the latency p95 (ms) of the merged seconds so far.
    pub requests: u64,
    pub failed: u64,
    pub p95_ms: f64,
}

/// How the collector is shown (the CLI's lines).
pub trait FleetView {
    /// Listening on `addr` (port 0 chosen by the system).
    fn listening(&mut self, addr: SocketAddr, out: &Path);
    /// Merged seconds were written.
    fn progress(&mut self, progress: &Progress);
    /// Something happened to a part (joined, ended, lost, back) or to the fleet (stopped).
    fn note(&mut self, line: &str);
}

/// The collected test: the merge, the parts lost, and the fleet-wide threshold that
/// stopped the parts.
#[derive(Debug)]
pub struct Collected {
    pub done: MergeDone,
    pub lost: Vec<String>,
    pub stopped: Option<String>,
}

/// One part, once it sent its `meta.json` at the load's start.
struct Part {
    id: String,
    copy: PartCopy,
    ended: bool,
    /// Why and when it was lost.
    lost: Option<String>,
    last_heard: Instant,
}

/// The collector's state, owned by its loop.
struct Fleet<'v> {
    spec: CollectSpec,
    view: &'v mut dyn FleetView,
    /// The first `meta.json` seen: every other part must be of the same test.
    reference: Option<RunMeta>,
    parts: BTreeMap<u64, Part>,
    live: Option<LiveMerge>,
    /// The thresholds judged live (the parts' and the collector's), once known.
    judged: Option<Judged>,
    /// A fleet-wide threshold failed (`--abort-on-fail`): every part is told to stop.
    stop: Option<String>,
    lost: Vec<String>,
    /// When the last part joined (a test whose missing parts never come still ends).
    last_join: Instant,
    /// `--prometheus`: the merged seconds, published as they are written.
    metrics: Option<Live>,
}

/// The thresholds and the slots they are judged with.
struct Judged {
    thresholds: Vec<Threshold>,
    checks: Vec<CheckName>,
    custom_sites: Vec<CheckName>,
    vus_limit: u64,
    warmup: Duration,
}

/// Runs the collector until every expected part ended or was lost (or Ctrl-C), then
/// writes `OUT` and its summary.
pub fn collect(
    spec: CollectSpec,
    view: &mut dyn FleetView,
    interrupts: Arc<AtomicUsize>,
) -> Result<Collected, SessionError> {
    check(&spec)?;
    // Started first, so a taken port is a usage error before any part comes; the slots are
    // named when the first part joins.
    let metrics = match &spec.prometheus {
        Some(addr) => Some(Live::start(
            Some(addr),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            0,
        )?),
        None => None,
    };
    let (addr, events) = server::listen(&spec.listen)?;
    std::fs::create_dir_all(&spec.out).map_err(|source| SessionError::CreateDir {
        context: "--out: ",
        path: spec.out.clone(),
        source,
    })?;
    view.listening(addr, &spec.out);
    if let Some(live) = &metrics {
        view.note(&format!("live metrics of the fleet: {}", live.url()));
    }
    let mut fleet = Fleet {
        spec,
        view,
        reference: None,
        parts: BTreeMap::new(),
        live: None,
        judged: None,
        stop: None,
        lost: Vec::new(),
        last_join: Instant::now(),
        metrics,
    };
    while !fleet.over() && interrupts.load(Ordering::Relaxed) == 0 {
        match events.recv_timeout(TICK) {
            Ok(Event::Message {
                part,
                kind,
                body,
                reply,
            }) => {
                let taken = fleet.take(&part, kind, &body);
                // The second this line completes is judged before the answer, so a failing
                // fleet-wide threshold reaches the part that completed it at once.
                fleet.write_ready()?;
                let _ = reply.send(fleet.answer(taken));
            }
            Ok(Event::Closed { part }) => fleet.closed(&part),
            Err(_) => {}
        }
        fleet.watch_silence();
        fleet.write_ready()?;
    }
    fleet.finish()
}

/// The flags, checked before listening.
fn check(spec: &CollectSpec) -> Result<(), SessionError> {
    if spec.expect == 0 {
        return Err(invalid("--expect must be at least 1 (the parts of the test)"));
    }
    if spec.out.join(loadcell_results::META_FILE).exists() {
        return Err(invalid(format!(
            "--out {}: the folder already holds a run; choose a new folder",
            spec.out.display()
        )));
    }
    for expr in &spec.thresholds {
        loadcell_threshold::parse(expr)?;
    }
    Ok(())
}

impl Fleet<'_> {
    /// Every expected part ended or was lost — or the parts that came did, and no other
    /// came for a while (missing segments are named by the merge).
    fn over(&self) -> bool {
        let settled = !self.parts.is_empty() && self.parts.values().all(|p| p.ended || p.lost.is_some());
        settled && (self.parts.len() as u64 >= self.spec.expect || self.last_join.elapsed() > self.spec.silence)
    }

    /// A message from `part`: checked, kept, merged; or why it was not taken.
    fn take(&mut self, part: &PartId, kind: Kind, body: &[u8]) -> Result<(), Reply> {
        match kind {
            Kind::Hello => self.admit(part, body).map(|_| ()),
            Kind::Meta => self.join(part, body),
            Kind::Interval => self.interval(part, body),
            Kind::End => self.end(part, body),
        }
    }

    /// The answer to a message taken: go on, or stop (a fleet-wide threshold failed).
    fn answer(&self, taken: Result<(), Reply>) -> Reply {
        match taken {
            Ok(()) => Reply::Taken(match &self.stop {
                Some(why) => Answer::Stop(why.clone()),
                None => Answer::Go,
            }),
            Err(reply) => reply,
        }
    }

    /// Merges the parts' copies into `OUT` (replacing the live merge) and rebuilds it.
    fn finish(mut self) -> Result<Collected, SessionError> {
        let waiting: Vec<u64> = self
            .parts
            .iter()
            .filter(|(_, p)| !p.ended && p.lost.is_none())
            .map(|(i, _)| *i)
            .collect();
        for index in waiting {
            self.lose(index, "the collector was interrupted before its end");
        }
        if self.parts.is_empty() {
            return Err(invalid("no part of the test came to the collector"));
        }
        // The live folder stays whole until the final one replaces it file by file.
        drop(self.live.take());
        if let Some(metrics) = self.metrics.take() {
            metrics.shutdown();
        }
        let dirs: Vec<PathBuf> = self.parts.values().map(|p| p.copy.dir().to_path_buf()).collect();
        let out = self.spec.out.clone();
        let fresh = out.join(".final");
        if fresh.exists() {
            std::fs::remove_dir_all(&fresh).map_err(|source| SessionError::WriteFile {
                path: fresh.clone(),
                source,
            })?;
        }
        let spec = self.spec.clone();
        let merged = loadcell_results::merge_with(&dirs, &fresh, |meta| adjust(&spec, meta))?;
        for file in [
            loadcell_results::META_FILE,
            loadcell_results::INTERVALS_FILE,
            loadcell_results::END_FILE,
        ] {
            std::fs::rename(fresh.join(file), out.join(file)).map_err(|source| SessionError::WriteFile {
                path: out.join(file),
                source,
            })?;
        }
        let _ = std::fs::remove_dir_all(&fresh);
        let rebuilt = rebuild(&out)?;
        let written = crate::folder::write(&out, &rebuilt.summary)?;
        Ok(Collected {
            done: MergeDone {
                merged,
                rebuilt,
                written,
            },
            lost: self.lost,
            stopped: self.stop,
        })
    }
}

/// The collector's own thresholds and `--abort-on-fail`, added to a merged `meta.json`.
fn adjust(spec: &CollectSpec, meta: &mut RunMeta) {
    for expr in &spec.thresholds {
        if !meta.thresholds.contains(expr) {
            meta.thresholds.push(expr.clone());
        }
    }
    if !meta.threshold_abort_after_s.is_empty() {
        meta.threshold_abort_after_s.resize(meta.thresholds.len(), None);
    }
    if spec.abort_on_fail {
        meta.abort_delay_s = Some(spec.abort_delay.as_secs_f64());
    }
}
