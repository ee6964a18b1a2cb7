//! `loadcell suite PLAN`: a whole performance test plan — smoke, load, stress, spike, soak,
//! breakpoint, capacity, scale, bench — run in order with one verdict and one report; and
//! `loadcell init`'s starter plan (`init.rs`).
//!
//! The plan file is read into a [`Plan`] (`parse.rs`, positions and did-you-mean as for
//! scenario files); each test becomes the `loadcell` command line it stands for
//! ([`Invocation`], `invoke.rs`), so a test's options are exactly the flags of `run`,
//! `capacity`, `scale` or `bench`; the [`runner`] hands each to a [`Launcher`] (the CLI, which runs
//! it in-process), reads the `summary.json` the test wrote, judges it (`judge.rs`) and
//! rewrites `suite.json`, `junit.xml` and `suite.md` after every test (`report/`).
//!
//! This crate sends no request and parses no flag itself: the CLI owns both.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod baseline;
mod error;
pub mod init;
mod invoke;
mod judge;
mod model;
mod parse;
pub mod report;
pub mod runner;
mod schema;

pub use baseline::COMPARISON_FILE;
pub use error::{PlanError, SuiteError};
pub use invoke::{Invocation, Origin};
pub use judge::{Headline, TestResult, judge};
pub use model::{Command, Flag, Kind, Opt, Plan, System, Test, Vocabulary};
pub use parse::{is_plan, load, parse};
pub use runner::{Launched, Launcher, Options, Progress, SuiteOutcome, run};
pub use schema::json_schema;
