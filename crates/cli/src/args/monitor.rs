//! `--monitor`, `--monitor-series` and `--flamegraph`: the target's resources beside the
//! load (`run`, `capacity` and `scale` alike; see docs/monitor.md).

use clap::Args;
use loadcell_session::MonitorRequest;

/// What to watch of the target while it is under load.
#[derive(Debug, Args)]
pub struct MonitorArgs {
    /// Sample the target's resources once a second: pid:N, process:NAME, cgroup:PATH, host or
    /// prometheus:URL (repeatable; see docs/monitor.md).
    #[arg(long = "monitor", value_name = "SOURCE", help_heading = "Target resources")]
    pub sources: Vec<String>,

    /// With a prometheus: source: the series to keep, comma-separated names or name{label="v"}
    /// (repeatable) [default: a node_exporter set].
    #[arg(long = "monitor-series", value_name = "SERIES", help_heading = "Target resources")]
    pub series: Vec<String>,

    /// Record the one pid:/process: source's on-CPU stacks with perf during the steady part and
    /// draw flamegraph.svg in the results folder.
    #[arg(long, help_heading = "Target resources")]
    pub flamegraph: bool,
}

impl MonitorArgs {
    /// The flags as the session takes them.
    pub fn request(&self) -> MonitorRequest {
        MonitorRequest {
            sources: self.sources.clone(),
            series: self.series.clone(),
            flamegraph: self.flamegraph,
        }
    }
}
