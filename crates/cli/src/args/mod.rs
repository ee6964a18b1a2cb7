//! The command line as clap sees it: one struct per subcommand, built from shared groups
//! flattened into each ([`RequestArgs`] on `run`, `capacity` and `scale` alike,
//! [`FolderArgs`], [`Workers`]), so a flag means the same wherever it appears. Turning
//! them into plans and specs is `commands/`'s; checking combinations is the library crates'.

mod monitor;
mod run;
mod sweep;

pub use monitor::MonitorArgs;

pub use run::RunArgs;
pub use sweep::{CapacityArgs, ScaleArgs, SweepOutputArgs};

use clap::{Args, Parser, Subcommand};
use loadcell_session::RequestSpec;
use loadcell_units::parse_duration;
use std::path::PathBuf;
use std::time::Duration;

/// Load and performance testing for HTTP services: true numbers, verdicts, evidence.
#[derive(Debug, Parser)]
#[command(name = "loadcell", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load-test a URL (quick mode) or run a scenario file.
    Run(Box<RunArgs>),
    /// Check a scenario file without sending anything.
    Validate {
        /// The scenario file.
        file: PathBuf,
    },
    /// Print the JSON Schema of scenario files (for editor completion).
    Schema,
    /// Rebuild summary.json and the reports of a results folder (also of a killed run).
    Report {
        /// The results folder (written by --out).
        dir: PathBuf,
    },
    /// Start the demo shop, run the bundled shop scenario against it for about 20 s, print the summary.
    Demo(Box<DemoArgs>),
    /// Find the highest rate the target sustains under SLOs (open model, bracket then bisect).
    Capacity(Box<CapacityArgs>),
    /// Sweep closed-model concurrency levels and fit the Universal Scalability Law (σ, κ, peak).
    Scale(Box<ScaleArgs>),
    /// Start the built-in demo shop API (the system under test for demos and tests).
    Target(Box<loadcell_target::TargetArgs>),
}

/// The request and the connection: what a URL target sends, how any target is reached.
#[derive(Debug, Args)]
pub struct RequestArgs {
    /// Scenario files: send to this base URL instead of the file's `target:`.
    #[arg(long, value_name = "URL", help_heading = "Load")]
    pub base_url: Option<String>,

    /// HTTP method (URL targets).
    #[arg(short = 'm', long, default_value = "GET", help_heading = "Request")]
    pub method: String,

    /// Request header "Name: value" (repeatable; URL targets).
    #[arg(short = 'H', long = "header", value_name = "HEADER", help_heading = "Request")]
    pub headers: Vec<String>,

    /// Request body (URL targets).
    #[arg(
        short = 'b',
        long,
        value_name = "BODY",
        conflicts_with = "body_file",
        help_heading = "Request"
    )]
    pub body: Option<String>,

    /// Read the request body from a file (URL targets).
    #[arg(long, value_name = "FILE", help_heading = "Request")]
    pub body_file: Option<PathBuf>,

    /// Per-request timeout, from the send to the end of the response [default: 30s, or the scenario's].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, help_heading = "Request")]
    pub timeout: Option<Duration>,

    /// Timeout for opening a connection (DNS, TCP and TLS).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "10s", help_heading = "Request")]
    pub connect_timeout: Duration,

    /// Speak HTTP/2 (prior knowledge for http://, ALPN for https://).
    #[arg(long, help_heading = "Request")]
    pub http2: bool,

    /// Accept any TLS certificate.
    #[arg(short = 'k', long, help_heading = "Request")]
    pub insecure: bool,
}

impl RequestArgs {
    /// The request flags as the session takes them.
    pub fn spec(&self) -> RequestSpec {
        RequestSpec {
            method: self.method.clone(),
            headers: self.headers.clone(),
            body: self.body.clone(),
            body_file: self.body_file.clone(),
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            http2: self.http2,
            insecure: self.insecure,
        }
    }
}

/// The results folder and the progress on stderr.
#[derive(Debug, Args)]
pub struct FolderArgs {
    /// Results folder: summary.json, report.html, junit.xml, summary.md and timeseries.csv (and a
    /// run's interval log, written as it goes; capacity and scale rewrite it after every step)
    /// [default for scenario files, capacity and scale: ./loadcell-results/<time>-<name>].
    #[arg(long, value_name = "DIR", help_heading = "Output")]
    pub out: Option<PathBuf>,

    /// Write no results folder.
    #[arg(long, conflicts_with = "out", help_heading = "Output")]
    pub no_out: bool,

    /// No progress on stderr.
    #[arg(short = 'q', long, help_heading = "Output")]
    pub quiet: bool,
}

/// The generator's own threads.
#[derive(Debug, Args)]
pub struct Workers {
    /// Worker threads, each with its own event loop [default: the CPUs loadcell may use].
    #[arg(long, value_name = "N", help_heading = "Load")]
    pub threads: Option<usize>,
}

/// `loadcell demo`
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Write the summary as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub summary_json: Option<PathBuf>,

    /// No live progress on stderr.
    #[arg(short = 'q', long)]
    pub quiet: bool,
}
