//! loadcell's integration tests: the real binary against servers on 127.0.0.1.
//! Each module covers one topic; `support` names the test kit (`loadcell-testkit`).
//! Runs whose verdict depends on timing take the machine alone (see the kit's docs).
#![cfg(test)]

mod support;

mod collect;
mod counts;
mod errors;
mod k6_flags;
mod k8s;
mod limits;
mod merge;
mod netns;
mod open_model;
mod outputs;
mod progress;
mod prometheus;
mod protocols;
mod results;
mod segments;
mod signals;
mod stall;
mod summary_json;
mod thresholds;
mod usage;
