//! From what the user asked for to what the engine runs: load flags ([`LoadFlags`]) or a
//! scenario file's `load:` section, with test-type profiles expanded into stages that carry
//! a name for people and a [`StageRole`] for the analyses, become [`LoadInputs`]; [`plan`]
//! checks every combination and builds the engine's [`Model`](loadcell_engine::Model), the
//! run length and the thread count — all before any request.
//!
//! Pure: no clap, no terminal, no files. The command line maps its arguments to
//! [`LoadFlags`]; running the plan is `loadcell-session`'s.

mod error;
mod flags;
mod inputs;
mod parts;
mod profile;
mod scenario;
mod thresholds;

pub use error::PlanError;
pub use flags::{LoadFlags, ProfileFlags, from_flags};
pub use inputs::{LoadInputs, LoadPlan, plan};
pub use loadcell_schema::{Profile, StageLabel, StageRole};
pub use parts::from_scenarios;
pub use profile::{Expansion, Params, Target, expand, parse_profile};
pub use scenario::from_scenario;
pub use thresholds::{SMOKE_THRESHOLDS, profile_thresholds};
