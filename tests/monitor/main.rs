//! The target's resources as `loadcell-monitor` sees them, against real processes: the
//! built `loadcell target` under load from the built `loadcell run`, children of this test,
//! a cgroup, the monitor's own cost, and the bottleneck verdicts that rest on its readings.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cgroup;
mod cli;
mod cpu;
mod flame;
mod leak;
mod process;
mod support;
mod verdicts;
