//! loadcell's integration tests: the real binary against servers on 127.0.0.1.
//! Each module covers one topic; `support` has the helpers and servers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod counts;
mod errors;
mod limits;
mod open_model;
mod progress;
mod prometheus;
mod protocols;
mod results;
mod signals;
mod stall;
mod summary_json;
mod thresholds;
mod usage;
