//! The target's side of a load test: its CPU, memory, I/O and network while under load,
//! read once per interval from `/proc`, cgroup v2 files or a Prometheus endpoint on a
//! thread of its own (never on the request path), with leak verdicts and a CPU flame graph.
//!
//! The flow a command follows:
//!
//! 1. [`SourceSpec::parse`] each `--monitor`, [`SeriesSelector::parse_list`] each
//!    `--monitor-series`, then [`MonitorPlan::resolve`]: every error is a usage error,
//!    before any request.
//! 2. [`Monitor::start`] with the engine's start instant (`Observer::on_start`); once per
//!    interval [`Monitor::drain`] gives the new readings (for the results folder's interval
//!    line and the live Prometheus metrics).
//! 3. [`Monitor::finish`] after the run, then [`MonitorRun::summaries`] for `summary.json`
//!    and [`TargetResources`] for `target_*` thresholds; a results folder read back goes
//!    through [`summarize`] with [`sources_of`] to the same summaries. [`Tally`] answers
//!    `target_*` over a window of readings as they come (the run so far, a stage, a step).
//!
//! [`text::one_line`] words a source's line of the terminal summary. This crate does not
//! parse flags, print, or write files other than the flame graph's.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod error;
pub mod flame;
pub mod leak;
mod plan;
pub mod procfs;
mod run;
pub mod series;
mod source;
mod spec;
mod summary;
pub mod text;
mod thresholds;
pub mod units;

pub use error::MonitorError;
pub use flame::{FlameGraph, FlameGraphError, Profiler};
pub use plan::MonitorPlan;
pub use run::{Clock, Cost, FlameWindow, Monitor, MonitorRun};
pub use series::{DEFAULT_SERIES, SeriesSelector};
pub use source::prometheus::MAX_SERIES;
pub use source::scrape::SCRAPE_TIMEOUT;
pub use spec::SourceSpec;
pub use summary::{attach_flamegraph, by_source, sources_of, summarize};
pub use thresholds::{Tally, TargetResources};
