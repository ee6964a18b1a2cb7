//! What a part and the collector say to each other. Every message is one POST whose body is
//! exactly what the part writes to its own results folder — `meta.json`, one
//! `intervals.ndjson` line, `end.json` (docs/results-format.md): no second encoding. The
//! path names the part (`/v1/part/I/N/ID/KIND`: its segment and a per-process id, so a
//! second process claiming a segment is refused) and what the body is. The answer is
//! `go`, or `stop REASON` once a fleet-wide threshold failed under `--abort-on-fail`; 409
//! with a sentence when the collector refuses the part.

use loadcell_units::Segment;

/// What a POST carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `meta.json` before the load, to be checked (nothing is recorded): refused parts
    /// learn it before they send a request.
    Hello,
    /// `meta.json` as the load starts (its `started_at` is the load's t0).
    Meta,
    /// One interval line.
    Interval,
    /// `end.json`.
    End,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Hello => "hello",
            Kind::Meta => "meta",
            Kind::Interval => "interval",
            Kind::End => "end",
        }
    }

    fn parse(text: &str) -> Option<Kind> {
        [Kind::Hello, Kind::Meta, Kind::Interval, Kind::End]
            .into_iter()
            .find(|k| k.name() == text)
    }
}

/// Who sends: its segment of the test and the id of its process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartId {
    pub segment: Segment,
    pub id: String,
}

/// The path of a `kind` message from `part`.
pub fn path(part: &PartId, kind: Kind) -> String {
    format!(
        "/v1/part/{}/{}/{}/{}",
        part.segment.index(),
        part.segment.count(),
        part.id,
        kind.name()
    )
}

/// The part and kind a path names.
pub fn parse_path(path: &str) -> Option<(PartId, Kind)> {
    let rest = path.strip_prefix("/v1/part/")?;
    let mut words = rest.split('/');
    let (i, n, id, kind) = (words.next()?, words.next()?, words.next()?, words.next()?);
    if words.next().is_some() || id.is_empty() {
        return None;
    }
    let segment = Segment::new(i.parse().ok()?, n.parse().ok()?)?;
    Some((
        PartId {
            segment,
            id: id.to_string(),
        },
        Kind::parse(kind)?,
    ))
}

/// The collector's answer to a message it took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Go,
    /// A fleet-wide threshold failed (`--abort-on-fail`): stop as on a failing threshold.
    Stop(String),
}

impl Answer {
    pub fn body(&self) -> String {
        match self {
            Answer::Go => "go".to_string(),
            Answer::Stop(reason) => format!("stop {reason}"),
        }
    }

    pub fn parse(body: &[u8]) -> Answer {
        let text = String::from_utf8_lossy(body);
        match text.strip_prefix("stop") {
            Some(reason) => Answer::Stop(reason.trim().to_string()),
            None => Answer::Go,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_the_part_and_what_it_sends() {
        let part = PartId {
            segment: Segment::new(2, 3).unwrap_or_default(),
            id: "4242-17".to_string(),
        };
        let p = path(&part, Kind::Interval);
        assert_eq!(p, "/v1/part/2/3/4242-17/interval");
        assert_eq!(parse_path(&p), Some((part, Kind::Interval)));
        assert_eq!(parse_path("/v1/part/4/3/x/meta"), None);
        assert_eq!(parse_path("/v1/part/1/3/x/nope"), None);
        assert_eq!(parse_path("/metrics"), None);
        assert_eq!(
            Answer::parse(b"stop http_reqs: count<400"),
            Answer::Stop("http_reqs: count<400".into())
        );
        assert_eq!(Answer::parse(Answer::Go.body().as_bytes()), Answer::Go);
    }
}
