//! Whether results folders can be merged into one test, checked before anything is
//! written: each a results folder, all of the same test (target, load model, warm-up,
//! request slots, thresholds), and as segments each part once, of one split.

use crate::ResultsError;
use crate::meta::RunMeta;
use loadcell_schema::MergedPart;
use loadcell_units::Segment;
use std::path::{Path, PathBuf};

/// Why folders cannot be merged (or the merge could not be written).
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("loadcell merge needs at least one results folder")]
    NoParts,
    /// A folder that is not a results folder, or could not be read.
    #[error("{0}")]
    Read(ResultsError),
    /// `--out` is one of the folders merged.
    #[error("{}: --out is one of the folders to merge; choose a new folder", .0.display())]
    OutIsPart(PathBuf),
    /// Two folders are not parts of one test.
    #[error("{} and {} cannot be merged: different {what} ({left} vs {right})", first.display(), other.display())]
    Different {
        first: PathBuf,
        other: PathBuf,
        what: &'static str,
        left: String,
        right: String,
    },
    /// Two folders hold the same segment, or one holds the whole test beside others.
    #[error("{} and {} overlap: {why}", first.display(), other.display())]
    Overlap {
        first: PathBuf,
        other: PathBuf,
        why: String,
    },
    /// The merged folder could not be written.
    #[error("{0}")]
    Write(ResultsError),
}

/// The folders' `meta.json`, once they are known to be parts of one test.
pub fn compatible(parts: &[PathBuf], out: &Path) -> Result<Vec<RunMeta>, MergeError> {
    if parts.is_empty() {
        return Err(MergeError::NoParts);
    }
    let same_place = |a: &Path| {
        a == out
            || a.canonicalize()
                .ok()
                .is_some_and(|c| out.canonicalize().ok() == Some(c))
    };
    if let Some(p) = parts.iter().find(|p| same_place(p)) {
        return Err(MergeError::OutIsPart(p.clone()));
    }
    let metas = parts
        .iter()
        .map(|p| crate::read_meta(p).map_err(MergeError::Read))
        .collect::<Result<Vec<_>, _>>()?;
    let first = &metas[0];
    for (dir, meta) in parts.iter().zip(&metas).skip(1) {
        if let Err(d) = same_test(first, meta) {
            return Err(MergeError::Different {
                first: parts[0].clone(),
                other: dir.clone(),
                what: d.what,
                left: d.left,
                right: d.right,
            });
        }
    }
    no_overlap(parts, &metas)?;
    Ok(metas)
}

/// How two parts are not of one test: what differs, and its value in each.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub what: &'static str,
    pub left: String,
    pub right: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "different {} ({} vs {})", self.what, self.left, self.right)
    }
}

/// Whether `meta` is of the same test as `first`: target, load model and warm-up, request
/// slots and thresholds (what `loadcell merge` and `loadcell collect` require of parts).
pub fn same_test(first: &RunMeta, meta: &RunMeta) -> Result<(), Difference> {
    let differ = |what: &'static str, left: String, right: String| Err(Difference { what, left, right });
    if meta.target != first.target {
        return differ("targets", first.target.clone(), meta.target.clone());
    }
    if meta.model != first.model || meta.warmup_s != first.warmup_s {
        let model = |m: &RunMeta| format!("{:?} model, warm-up {} s", m.model.kind, m.warmup_s);
        return differ("load models", model(first), model(meta));
    }
    let slots = |m: &RunMeta| {
        (
            m.endpoints.clone(),
            m.journeys.clone(),
            m.checks.clone(),
            m.custom_sites.clone(),
        )
    };
    if slots(meta) != slots(first) {
        let n = |m: &RunMeta| {
            format!(
                "{} endpoints, {} journeys, {} checks",
                m.endpoints.len(),
                m.journeys.len(),
                m.checks.len()
            )
        };
        return differ("requests (endpoints, journeys or checks)", n(first), n(meta));
    }
    if meta.thresholds != first.thresholds {
        let t = |m: &RunMeta| format!("[{}]", m.thresholds.join(", "));
        return differ("thresholds", t(first), t(meta));
    }
    Ok(())
}

/// Each segment at most once, all of one split; a whole test only alone.
fn no_overlap(parts: &[PathBuf], metas: &[RunMeta]) -> Result<(), MergeError> {
    let segments: Vec<Option<Segment>> = metas.iter().map(RunMeta::segment).collect();
    for (i, a) in segments.iter().enumerate() {
        for (j, b) in segments.iter().enumerate().skip(i + 1) {
            let overlap = |why: String| MergeError::Overlap {
                first: parts[i].clone(),
                other: parts[j].clone(),
                why,
            };
            match (a, b) {
                (Some(a), Some(b)) if a.count() != b.count() => {
                    return Err(overlap(format!("segments {a} and {b} split the test differently")));
                }
                (Some(a), Some(b)) if a == b => return Err(overlap(format!("both are segment {a}"))),
                (None, _) | (_, None) => {
                    return Err(overlap("a folder without --segment holds the whole test".to_string()));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Marks the merge incomplete when segments of the split are missing (on the first part,
/// which names them).
pub fn missing_segments(metas: &[RunMeta], listed: &mut [MergedPart]) {
    let Some(n) = metas.iter().find_map(RunMeta::segment).map(|s| s.count()) else {
        return;
    };
    let have: Vec<u64> = metas.iter().filter_map(RunMeta::segment).map(|s| s.index()).collect();
    let missing: Vec<String> = (1..=n)
        .filter(|i| !have.contains(i))
        .map(|i| format!("{i}/{n}"))
        .collect();
    if missing.is_empty() {
        return;
    }
    let why = format!("segment(s) {} of the test missing from the merge", missing.join(", "));
    if let Some(first) = listed.first_mut() {
        first.incomplete = Some(match first.incomplete.take() {
            Some(own) => format!("{own}; {why}"),
            None => why,
        });
    }
}
