//! A results folder written from what another process sends: `loadcell collect` keeps each
//! part's `meta.json`, interval lines and `end.json` exactly as the part wrote them into
//! its own folder, with the same durability (meta and end replaced atomically, each line
//! appended in one write), so the parts' copies merge like the parts' own folders.

use crate::{END_FILE, INTERVALS_FILE, META_FILE, ResultsError};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One part's folder, as received.
pub struct PartCopy {
    dir: PathBuf,
    intervals: File,
    lines: u64,
}

impl PartCopy {
    /// Creates `dir` with `meta` (the part's `meta.json`) and an empty interval log.
    pub fn create(dir: &Path, meta: &[u8]) -> Result<PartCopy, ResultsError> {
        std::fs::create_dir_all(dir).map_err(|e| ResultsError::io(dir, e))?;
        let path = dir.join(INTERVALS_FILE);
        let intervals = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| ResultsError::io(&path, e))?;
        let mut copy = PartCopy {
            dir: dir.to_path_buf(),
            intervals,
            lines: 0,
        };
        copy.meta(meta)?;
        Ok(copy)
    }

    /// Replaces `meta.json` (a part rewrites it when its load starts).
    pub fn meta(&mut self, meta: &[u8]) -> Result<(), ResultsError> {
        crate::write::replace_file(&self.dir.join(META_FILE), meta.to_vec())
    }

    /// Appends one interval line (a newline is added when it has none).
    pub fn line(&mut self, line: &[u8]) -> Result<(), ResultsError> {
        let mut whole = line.trim_ascii_end().to_vec();
        whole.push(b'\n');
        let path = || self.dir.join(INTERVALS_FILE);
        self.intervals
            .write_all(&whole)
            .map_err(|e| ResultsError::io(path(), e))?;
        self.lines += 1;
        Ok(())
    }

    /// Writes `end.json` (the part ended).
    pub fn end(&mut self, end: &[u8]) -> Result<(), ResultsError> {
        let path = self.dir.join(INTERVALS_FILE);
        self.intervals.sync_all().map_err(|e| ResultsError::io(path, e))?;
        crate::write::replace_file(&self.dir.join(END_FILE), end.to_vec())
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Lines appended.
    pub fn lines(&self) -> u64 {
        self.lines
    }
}
