//! Issue #15 through the real binary: `loadcell compare`, `run --baseline`, `baseline save |
//! check | trend`, `bench -- CMD…`, `bench --detect` and `ingest`, against `loadcell target`
//! on 127.0.0.1 and the benchmark fixtures in `tests/fixtures/`. Every loadcell process is
//! bounded in time ([`support::LIMIT`]) and every load in duration.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod baselines;
mod bench;
mod cli;
mod load;
mod support;
