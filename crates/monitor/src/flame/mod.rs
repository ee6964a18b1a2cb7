//! `--flamegraph`: the target's on-CPU stacks recorded with `perf record -F 99 -g` during the
//! steady part of the run, folded and drawn as an SVG flame graph by the `inferno` crate,
//! with the ten functions that had the most self time.
//!
//! Recording is split from rendering: [`Profiler::start`] and [`Profiler::interrupt`] are
//! quick (the monitor's thread calls them at the window's edges), [`Profiler::render`]
//! runs `perf script` and the folding, which may take seconds, after the run.
//!
//! What the stacks show depends on the binary: `-g` walks frame pointers, so code built
//! without them (optimised Rust, most of the C library) shows shortened stacks whose frames
//! still name the function that was running; a stripped binary shows addresses only.

mod fold;
mod perf;

pub use fold::{FlameGraph, top_functions};
pub use perf::Profiler;

use thiserror::Error;

/// Why there is no flame graph. The run goes on without one; the CLI prints the message.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum FlameGraphError {
    #[error("no flame graph: perf is not installed (Debian: apt-get install linux-perf)")]
    PerfMissing,
    #[error("no flame graph: perf may not record the target ({0}); run as root or lower kernel.perf_event_paranoid")]
    NotPermitted(String),
    #[error("no flame graph: {0}")]
    Failed(String),
    #[error("no flame graph: perf recorded no on-CPU stacks of the target (was it idle?)")]
    NoSamples,
}
