//! The results folder of a run: written as the test runs, so that a run killed at any
//! moment still leaves every completed second on disk, and read back into what the CLI
//! needs to rebuild the summary and reports.
//!
//! A folder holds `meta.json` (everything known at the start), `intervals.ndjson` (one
//! line per interval, appended and flushed as the run goes, with every HDR histogram kept
//! so percentiles can be recomputed exactly for any time window) and `end.json` (written
//! when the run ends). The layout is versioned ([`FORMAT_VERSION`]) and documented in
//! `docs/results-format.md`.
//!
//! Several folders — the segments of one test — merge into one ([`merge()`]), interval by
//! interval on the wall clock — also live, as `loadcell collect` receives their lines
//! ([`LiveMerge`], each part kept as it is sent in a [`PartCopy`]).
//!
//! Nothing here renders reports or builds summaries: [`Recorded::outcome`] gives back the
//! engine's [`loadcell_engine::Outcome`] and the CLI takes it from there.

mod copy;
mod dir;
mod end;
mod error;
mod histogram;
mod merge;
mod meta;
mod model;
mod outcome;
mod read;
mod record;
mod write;

pub use copy::PartCopy;
pub use dir::{DEFAULT_ROOT, default_dir, slug};
pub use end::RunEnd;
pub use error::ResultsError;
pub use merge::{Difference, LiveMerge, MergeError, Merged, merge, merge_with, same_test};
pub use meta::{CheckSlot, EndpointSlot, RunMeta, ScenarioStart};
pub use model::{CurveSegment, ModelSpec};
pub use read::{Rebuilt, Recorded, RecordedInterval, parse_line, read, read_meta, read_outcome, read_outcome_with};
pub use write::ResultsWriter;

/// Version of the folder layout; see `docs/results-format.md`. Readers refuse folders
/// written with a newer version.
pub const FORMAT_VERSION: u32 = 1;

/// The value of `format` in `meta.json`, naming what the folder is.
pub const FORMAT_NAME: &str = "loadcell-results";

/// File names inside a results folder.
pub const META_FILE: &str = "meta.json";
pub const INTERVALS_FILE: &str = "intervals.ndjson";
pub const END_FILE: &str = "end.json";
