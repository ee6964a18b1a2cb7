//! `loadcell collect`'s flags: where to listen, how many parts, where the merged folder goes,
//! and the thresholds judged on the fleet's merged data.

use clap::Args;
use loadcell_units::parse_duration;
use std::path::PathBuf;
use std::time::Duration;

/// `loadcell collect --listen ADDR --expect N`.
#[derive(Debug, Args)]
pub struct CollectArgs {
    /// Address to listen on for the parts (`loadcell run … --collect http://ADDR`), e.g.
    /// 0.0.0.0:7070; port 0 lets the system choose (the address is printed on stderr).
    #[arg(long, value_name = "ADDR")]
    pub listen: String,

    /// How many parts the test has: the parts run with --segment I/N, N = this.
    #[arg(long, value_name = "N")]
    pub expect: u64,

    /// The merged results folder (the parts' own copies go under DIR/parts/)
    /// [default: ./loadcell-results/<time>-collect].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// SLO judged on the fleet's merged data, besides the parts' own thresholds; repeatable.
    #[arg(long = "threshold", value_name = "EXPR", help_heading = "Verdict")]
    pub thresholds: Vec<String>,

    /// Stop every part as soon as a threshold fails on the merged data.
    #[arg(long, help_heading = "Verdict")]
    pub abort_on_fail: bool,

    /// With --abort-on-fail: do not judge thresholds before this much measured time.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "0s", help_heading = "Verdict")]
    pub abort_delay: Duration,

    /// A part that sends nothing this long is reported lost (the others go on).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "5s")]
    pub lost_after: Duration,

    /// Serve the fleet's merged metrics (Prometheus/OpenMetrics) at http://ADDR/metrics while
    /// the parts run, as `run --prometheus` serves one run's.
    #[arg(long, value_name = "ADDR")]
    pub prometheus: Option<String>,

    /// No progress lines on stderr (what happens to the parts is still said).
    #[arg(short = 'q', long)]
    pub quiet: bool,
}
