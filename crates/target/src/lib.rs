//! `loadcell target`: an in-memory demo shop HTTP service (HTTP/1.1 and h2c) that
//! loadcell's demo, docs and integration tests load-test, with knobs that make it
//! behave like any system under test, and with `--postgres URL` endpoints backed by real SQL. This file wires the modules together and
//! re-exports the public API.

mod app;
mod args;
mod catalog;
mod config;
mod db;
mod error;
pub mod knobs;
mod rng;
mod server;
mod shop;
mod stats;
mod store;

pub use args::TargetArgs;
pub use catalog::{PRODUCT_COUNT, USER_COUNT, users_csv};
pub use config::Config;
pub use db::{CATEGORIES, PostgresConfig, PostgresUrl, SEARCH_SQL};
pub use error::TargetError;
pub use knobs::{Latency, Stall};
pub use server::{TargetHandle, run};
pub use stats::{CorrelationFailures, StatsSnapshot};
