//! PostgreSQL evidence against a real database: a throw-away cluster from the test kit
//! (`loadcell_testkit::postgres`, skipped with a printed reason only when PostgreSQL is not
//! installed), the built-in target's `--postgres` routes, and the built `loadcell`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod demo;
mod run;
mod sweeps;
mod target;
mod verdicts;
