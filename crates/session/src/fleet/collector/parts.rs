//! What the collector does with each part's messages: admitting a part (same test, a
//! segment of the expected split, one process per segment), keeping its copy, merging its
//! lines, and deciding it is lost (connection closed without its end, or silent) or back.

use super::{Fleet, Part};
use crate::fleet::server::Reply;
use crate::fleet::wire::PartId;
use loadcell_results::{LiveMerge, PartCopy, RunMeta};
use loadcell_schema::rfc3339_utc;
use loadcell_units::Segment;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

impl Fleet<'_> {
    /// Whether `part` with `meta.json` `body` belongs here: its meta, or why not.
    pub(super) fn admit(&mut self, part: &PartId, body: &[u8]) -> Result<RunMeta, Reply> {
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
    pub(super) fn join(&mut self, part: &PartId, body: &[u8]) -> Result<(), Reply> {
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
    pub(super) fn interval(&mut self, part: &PartId, body: &[u8]) -> Result<(), Reply> {
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
    pub(super) fn end(&mut self, part: &PartId, body: &[u8]) -> Result<(), Reply> {
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
    pub(super) fn known(&mut self, part: &PartId) -> Result<&mut Part, Reply> {
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
    pub(super) fn back(&mut self, index: u64) {
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
    pub(super) fn closed(&mut self, part: &PartId) {
        let index = part.segment.index();
        match self.parts.get(&index) {
            Some(known) if known.id == part.id && !known.ended && known.lost.is_none() => {
                self.lose(index, "its connection closed without its end.json (killed?)");
            }
            _ => {}
        }
    }

    /// Parts silent for longer than `--silence` are lost.
    pub(super) fn watch_silence(&mut self) {
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

    pub(super) fn lose(&mut self, index: u64, why: &str) {
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
}

/// Where the copy of `segment` goes: `OUT/parts/I-of-N`.
fn part_dir(out: &Path, segment: Segment) -> PathBuf {
    out.join("parts")
        .join(format!("{}-of-{}", segment.index(), segment.count()))
}
