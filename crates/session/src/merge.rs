//! `loadcell merge DIR… --out DIR`: the parts' results folders merged into one by
//! `loadcell-results` (intervals on the wall clock, histograms merged), then rebuilt and
//! written exactly as `loadcell report DIR` does ([`crate::rebuild`], [`crate::folder`]):
//! the summary, its reports and the thresholds judged on the merged data. Showing it is
//! the caller's.

use crate::error::SessionError;
use crate::folder;
use crate::rebuild::{Rebuilt, rebuild};
use loadcell_results::Merged;
use std::path::{Path, PathBuf};

/// A merge done: what was merged, the merged summary, and the files written.
#[derive(Debug)]
pub struct MergeDone {
    pub merged: Merged,
    pub rebuilt: Rebuilt,
    pub written: Vec<PathBuf>,
}

/// Merges `parts` into the new results folder `out` and writes its summary and reports.
pub fn merge(parts: &[PathBuf], out: &Path) -> Result<MergeDone, SessionError> {
    let merged = loadcell_results::merge(parts, out)?;
    let rebuilt = rebuild(out)?;
    let written = folder::write(out, &rebuilt.summary)?;
    Ok(MergeDone {
        merged,
        rebuilt,
        written,
    })
}
