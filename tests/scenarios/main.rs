//! Scenario files end to end: the real `loadcell` binary runs YAML scenarios against the
//! built-in shop target (or a recording server) on 127.0.0.1, and every test checks
//! loadcell's `--summary-json` against what the server itself counted or received.
//! Each module covers one topic; `support` names the test kit (`loadcell-testkit`).
#![cfg(test)]

mod support;

mod batch;
mod checks;
mod cli;
mod correlation;
mod custom_metrics;
mod data;
mod demo;
mod endpoints;
mod graceful;
mod lifecycle;
mod malformed;
mod requests;
mod several;
mod slow_server;
mod templating;
mod weights;
