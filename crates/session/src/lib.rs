//! Running loadcell's commands, between the command line (which parses flags and shows
//! results) and the engine (which generates load): a [`Target`] prepared once for a URL or a
//! scenario file; one [`execute`] for a run, observed by small composed parts; one
//! [`sweep`] driver that capacity and scale both use; the results folder, written
//! atomically; a test's parts collected live as one (`fleet`); live metrics, the samples file, run metadata; and `loadcell report`'s
//! rebuild of a folder.
//!
//! Everything that can be checked is checked before the first request, and returned as a
//! [`SessionError`]; a result that cannot be written after load was sent is kept beside the
//! verdict ([`Finished::failures`]), never in its place.

pub mod capacity;
pub mod databases;
mod error;
pub mod fleet;
pub mod folder;
mod live;
pub mod merge;
pub mod metadata;
pub mod observe;
pub mod outputs;
mod reach;
pub mod rebuild;
mod run;
mod samples;
pub mod scale;
pub mod sweep;
mod target;
pub mod watch;

pub use error::SessionError;
pub use observe::{Display, Silent};
pub use run::{Finished, RunOutputs, RunSpec, Start, execute};
pub use target::{DEFAULT_TIMEOUT, Job, RequestSpec, Target, Work, load_file};
pub use watch::MonitorRequest;

use loadcell_schema::{CapacitySummary, SCHEMA_VERSION, ScaleSummary};
use serde::Serialize;

/// What `capacity --json` and `scale --json` write: the section `summary.json` has, under
/// the same name, beside the target.
#[derive(Debug, Serialize)]
pub struct SectionFile<'a> {
    pub schema_version: u32,
    pub target: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<&'a CapacitySummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale: Option<&'a ScaleSummary>,
}

impl<'a> SectionFile<'a> {
    /// The `capacity` section of a search of `target`.
    pub fn capacity(target: &'a str, section: &'a CapacitySummary) -> SectionFile<'a> {
        SectionFile {
            schema_version: SCHEMA_VERSION,
            target,
            capacity: Some(section),
            scale: None,
        }
    }

    /// The `scale` section of a sweep of `target`.
    pub fn scale(target: &'a str, section: &'a ScaleSummary) -> SectionFile<'a> {
        SectionFile {
            schema_version: SCHEMA_VERSION,
            target,
            capacity: None,
            scale: Some(section),
        }
    }
}
