//! The stable contract between loadcell and the tools that read its results: the
//! `summary.json` document, the comparison of two runs, normalized benchmark results, the
//! names of error kinds, and the process exit codes.
//!
//! Nothing here measures or formats for a terminal; the engine fills these types and the
//! CLI writes them. Changing a field name here is a breaking change for users' pipelines,
//! so fields are only ever added (and `SCHEMA_VERSION` bumped when meaning changes).

mod bench;
mod bottleneck;
mod comparison;
mod custom;
mod error_kind;
pub mod exit;
mod monitor;
mod postgres;
mod profile;
mod search;
mod stability;
mod summary;
mod time;

pub use bench::*;
pub use bottleneck::*;
pub use comparison::*;
pub use custom::*;
pub use error_kind::ErrorKind;
pub use monitor::*;
pub use postgres::*;
pub use profile::{Profile, StageLabel, StageRole};
pub use search::*;
pub use stability::*;
pub use summary::*;
pub use time::rfc3339_utc;

/// Version of the `summary.json` layout; see `docs/summary-schema.md`.
pub const SCHEMA_VERSION: u32 = 1;
