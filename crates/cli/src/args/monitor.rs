//! `--monitor`, `--monitor-series`, `--flamegraph` and `--postgres`: the target's resources
//! and its databases beside the load (`run`, `capacity` and `scale` alike; see
//! docs/monitor.md and docs/postgres.md).

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

    /// Watch this PostgreSQL database during the measured window (repeatable; each step's
    /// own window in capacity and scale): the top statements by time from
    /// pg_stat_statements, table scans, waits; feeds the `database` bottleneck verdict.
    /// Replaces a scenario's postgres:. The password is never shown. See docs/postgres.md.
    #[arg(long, value_name = "URL", help_heading = "Evidence")]
    pub postgres: Vec<String>,
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
