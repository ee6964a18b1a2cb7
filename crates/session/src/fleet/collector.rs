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

use super::server::{self, Event, Reply};
use super::wire::{Answer, Kind, PartId};
use crate::error::{SessionError, invalid};
use crate::live::Live;
use crate::merge::MergeDone;
use crate::rebuild::rebuild;
use loadcell_analysis::AbortCheck;
use loadcell_engine::{CheckName, Control};
use loadcell_results::{LiveMerge, PartCopy, RunMeta};
use loadcell_schema::rfc3339_utc;
use loadcell_threshold::Threshold;
use loadcell_units::Segment;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

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

    /// Whether `part` with `meta.json` `body` belongs here: its meta, or why not.
    fn admit(&mut self, part: &PartId, body: &[u8]) -> Result<RunMeta, Reply> {
        let meta: RunMeta =
            serde_json::from_slice(body).map_err(|e| Reply::Bad(format!("not a loadcell meta.json: {e}")))?;
        let segment = meta.segment().unwrap_or(Segment::WHOLE);
        if segment != part.segment {
            return Err(Reply::Bad(format!(
                "the path says segment {} but meta.json says {segment}",
                part.segment
            )));
        }
        if segment.count() != self.spec.expect {
            return Err(Reply::Refused(format!(
                "this collector expects a test in {} part(s) (--expect {}); this part is segment {segment} \
                 (run it with --segment I/{})",
                self.spec.expect, self.spec.expect, self.spec.expect
            )));
        }
        if let Some(reference) = &self.reference
            && let Err(d) = loadcell_results::same_test(reference, &meta)
        {
            return Err(Reply::Refused(format!("this collector collects another test: {d}")));
        }
        if let Some(known) = self.parts.get(&segment.index())
            && known.id != part.id
        {
            return Err(Reply::Refused(format!(
                "segment {segment} was already sent by another process"
            )));
        }
        if self.reference.is_none() {
            self.reference = Some(meta.clone());
        }
        Ok(meta)
    }

    /// `meta.json` at the load's start: the part joins (again, after a reconnection).
    fn join(&mut self, part: &PartId, body: &[u8]) -> Result<(), Reply> {
        let meta = self.admit(part, body)?;
        let index = part.segment.index();
        let failed = |e: loadcell_results::ResultsError| Reply::Bad(format!("the collector cannot keep it: {e}"));
        if self.live.is_none() {
            let whole = self.whole_meta(&meta);
            self.live = Some(LiveMerge::create(&self.spec.out, &whole).map_err(failed)?);
            self.judged = Some(self.judged_for(&whole));
            if let Some(metrics) = &mut self.metrics {
                metrics.set_slots(
                    whole.checks.iter().map(|c| c.to_name()).collect(),
                    whole.journeys.clone(),
                    whole.custom.clone(),
                    whole.custom_sites.iter().map(|c| c.to_name()).collect(),
                    whole.vus_limit.unwrap_or(0),
                );
            }
        }
        match self.parts.get_mut(&index) {
            Some(known) => {
                known.copy.meta(body).map_err(failed)?;
                known.last_heard = Instant::now();
                self.back(index);
            }
            None => {
                let dir = part_dir(&self.spec.out, part.segment);
                let copy = PartCopy::create(&dir, body).map_err(failed)?;
                self.parts.insert(
                    index,
                    Part {
                        id: part.id.clone(),
                        copy,
                        ended: false,
                        lost: None,
                        last_heard: Instant::now(),
                    },
                );
                self.last_join = Instant::now();
                let line = format!(
                    "part {} joined ({} of {} expected)",
                    part.segment,
                    self.parts.len(),
                    self.spec.expect
                );
                self.view.note(&line);
            }
        }
        if let Some(live) = &mut self.live {
            live.join(index, &meta);
        }
        Ok(())
    }

    /// One interval line: kept in the part's copy, merged.
    fn interval(&mut self, part: &PartId, body: &[u8]) -> Result<(), Reply> {
        let index = part.segment.index();
        let known = self.known(part)?;
        known
            .copy
            .line(body)
            .map_err(|e| Reply::Bad(format!("the collector cannot keep it: {e}")))?;
        known.last_heard = Instant::now();
        self.back(index);
        if let Some(live) = &mut self.live {
            live.add(index, body).map_err(Reply::Bad)?;
        }
        Ok(())
    }

    /// `end.json`: the part ended.
    fn end(&mut self, part: &PartId, body: &[u8]) -> Result<(), Reply> {
        let index = part.segment.index();
        let known = self.known(part)?;
        known
            .copy
            .end(body)
            .map_err(|e| Reply::Bad(format!("the collector cannot keep it: {e}")))?;
        known.ended = true;
        known.lost = None;
        let line = format!("part {} ended ({} intervals)", part.segment, known.copy.lines());
        if let Some(live) = &mut self.live {
            live.close_part(index);
        }
        self.view.note(&line);
        Ok(())
    }

    /// The part `part` names, if it joined from that process.
    fn known(&mut self, part: &PartId) -> Result<&mut Part, Reply> {
        match self.parts.get_mut(&part.segment.index()) {
            Some(known) if known.id == part.id => Ok(known),
            Some(_) => Err(Reply::Refused(format!(
                "segment {} was already sent by another process",
                part.segment
            ))),
            None => Err(Reply::Bad(format!(
                "segment {} sent data before its meta.json",
                part.segment
            ))),
        }
    }

    /// A lost part that speaks again is back.
    fn back(&mut self, index: u64) {
        let Some(part) = self.parts.get_mut(&index) else { return };
        if part.lost.take().is_some() {
            let line = format!(
                "part {index}/{} is back; its late intervals are merged",
                self.spec.expect
            );
            self.view.note(&line);
        }
    }

    /// The connection of `part` closed: lost, unless it ended.
    fn closed(&mut self, part: &PartId) {
        let index = part.segment.index();
        match self.parts.get(&index) {
            Some(known) if known.id == part.id && !known.ended && known.lost.is_none() => {
                self.lose(index, "its connection closed without its end.json (killed?)");
            }
            _ => {}
        }
    }

    /// Parts silent for longer than `--silence` are lost.
    fn watch_silence(&mut self) {
        let silence = self.spec.silence;
        let silent: Vec<u64> = self
            .parts
            .iter()
            .filter(|(_, p)| !p.ended && p.lost.is_none() && p.last_heard.elapsed() > silence)
            .map(|(i, _)| *i)
            .collect();
        for index in silent {
            self.lose(index, &format!("no data for {:.0} s", silence.as_secs_f64()));
        }
    }

    fn lose(&mut self, index: u64, why: &str) {
        let Some(part) = self.parts.get_mut(&index) else { return };
        let line = format!(
            "part {index}/{} lost at {}: {why}, after {} interval(s); the others go on",
            self.spec.expect,
            rfc3339_utc(SystemTime::now()),
            part.copy.lines()
        );
        part.lost = Some(line.clone());
        if let Some(live) = &mut self.live {
            live.close_part(index);
        }
        self.lost.push(line.clone());
        self.view.note(&line);
    }

    /// Writes the seconds every running part has gone past; shows and judges them.
    fn write_ready(&mut self) -> Result<(), SessionError> {
        let Some(live) = &mut self.live else { return Ok(()) };
        // Until every expected part joined, its first seconds might still come.
        let waiting = (self.parts.len() as u64) < self.spec.expect && self.last_join.elapsed() < self.spec.silence;
        if waiting || live.write_ready()? == 0 {
            return Ok(());
        }
        let overall = live.total().overall();
        let last = live.last().cloned().unwrap_or_default();
        let progress = Progress {
            sending: self.parts.values().filter(|p| !p.ended && p.lost.is_none()).count() as u64,
            expected: self.spec.expect,
            t_s: last.t_s,
            rate_per_s: last.rate_per_s,
            requests: overall.requests(),
            failed: overall.failed,
            p95_ms: loadcell_metrics::latency_stats(&overall.latency).p95,
        };
        self.view.progress(&progress);
        if let Some(metrics) = &self.metrics {
            metrics.publish(live.total(), &live.names(), &last);
        }
        self.judge(last.t_s, last.warmup);
        Ok(())
    }

    /// Judges the thresholds on the merged data so far (`--abort-on-fail`, or a
    /// threshold's own `abortOnFail`); a failure stops every part at its next message.
    fn judge(&mut self, t_s: f64, warmup: bool) {
        let (Some(live), Some(judged)) = (&self.live, &self.judged) else {
            return;
        };
        if self.stop.is_some() || warmup {
            return;
        }
        let every = self.spec.abort_on_fail;
        if !every && judged.thresholds.iter().all(|t| t.abort_after.is_none()) {
            return;
        }
        let mut check = AbortCheck {
            thresholds: &judged.thresholds,
            endpoints: &[],
            checks: &judged.checks,
            custom_sites: &judged.custom_sites,
            vus_limit: judged.vus_limit,
            every,
            delay: self.spec.abort_delay,
            warmup: judged.warmup,
            failed: None,
        };
        let elapsed = Duration::try_from_secs_f64(t_s).unwrap_or_default();
        if check.judge_named(live.total(), &live.names(), elapsed, None) == Control::Abort {
            let why = check.failed.unwrap_or_default();
            self.view.note(&format!(
                "fleet-wide threshold failed at {t_s:.1} s: {why}; every part is told to stop"
            ));
            self.stop = Some(why);
        }
    }

    /// The merged folder's `meta.json`: the part's, made the whole test's, with the
    /// collector's own thresholds and `--abort-on-fail`.
    fn whole_meta(&self, meta: &RunMeta) -> RunMeta {
        let mut whole = meta.clone();
        whole.segment = None;
        whole.merged = Vec::new();
        adjust(&self.spec, &mut whole);
        whole
    }

    fn judged_for(&self, whole: &RunMeta) -> Judged {
        let customs = loadcell_scenario::custom_refs(&whole.custom);
        let thresholds = whole
            .thresholds
            .iter()
            .enumerate()
            .filter_map(|(i, expr)| {
                let mut t = loadcell_threshold::parse_with(expr, &customs).ok()?;
                t.abort_after = whole
                    .threshold_abort_after_s
                    .get(i)
                    .copied()
                    .flatten()
                    .map(|s| Duration::try_from_secs_f64(s).unwrap_or_default());
                Some(t)
            })
            .collect();
        Judged {
            thresholds,
            checks: whole.checks.iter().map(|c| c.to_name()).collect(),
            custom_sites: whole.custom_sites.iter().map(|c| c.to_name()).collect(),
            // As the final rebuild judges it, so the live verdict and the summary agree.
            vus_limit: whole.vus_limit.unwrap_or_else(|| whole.model.to_model().vus_limit()),
            warmup: whole.warmup(),
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

/// Where the copy of `segment` goes: `OUT/parts/I-of-N`.
fn part_dir(out: &Path, segment: Segment) -> PathBuf {
    out.join("parts")
        .join(format!("{}-of-{}", segment.index(), segment.count()))
}
