//! The command line as clap sees it: one struct per subcommand, built from shared groups
//! flattened into each ([`RequestArgs`] on `run`, `capacity` and `scale` alike,
//! [`FolderArgs`], [`Workers`]), so a flag means the same wherever it appears. Turning
//! them into plans and specs is `commands/`'s; checking combinations is the library crates'.

mod collect;
pub mod compare;
mod k8s;
mod monitor;
mod run;
mod suite;
mod sweep;

pub use collect::CollectArgs;
pub use k8s::{CLUSTER_IDS, K8sArgs};
pub use monitor::MonitorArgs;

pub use run::RunArgs;
pub use suite::{InitArgs, SuiteArgs};
pub use sweep::{CapacityArgs, ScaleArgs, SweepOutputArgs};

use clap::{Args, Parser, Subcommand};
use loadcell_session::RequestSpec;
use loadcell_units::parse_duration;
use std::path::PathBuf;
use std::time::Duration;

/// The exit codes of a run, in every help page that runs load (a literal, for `concat!`).
macro_rules! run_exit_codes {
    () => {
        "Exit codes: 0 completed and every threshold held; 1 a threshold failed, the test was interrupted \
         (Ctrl-C) or a result could not be written; 2 bad usage or input, or a target that is not there \
         (nothing listens, unknown host)."
    };
}
pub(crate) use run_exit_codes;

/// Load and performance testing for HTTP services: true numbers, verdicts, evidence.
#[derive(Debug, Parser)]
#[command(
    name = "loadcell",
    version,
    propagate_version = true,
    max_term_width = 100,
    after_help = concat!(
        "Examples:\n  loadcell demo\n  loadcell run http://127.0.0.1:8080/ -c 50 -d 30s --threshold 'p95<200ms'\n  \
         loadcell run shop.yaml\n  loadcell run --help\n  \
         loadcell k8s shop.yaml --parallelism 4 | kubectl apply -f -\n\n",
        run_exit_codes!()
    )
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load-test a URL (quick mode) or run a scenario file.
    Run(Box<RunArgs>),
    /// Check a scenario file or a suite plan without sending anything.
    #[command(
        after_help = "Examples:\n  loadcell validate examples/shop.yaml\n  loadcell validate shop.yaml && loadcell run shop.yaml\n\n\
                      Exit codes: 0 the file is valid (a one-line summary of it is printed); 2 it is not (one line \
                      naming file:line:col)."
    )]
    Validate {
        /// The scenario file, or a plan file (one with `tests:`).
        file: PathBuf,
    },
    /// Print the JSON Schema of scenario files, or of suite plans with --plan (for editor completion).
    #[command(
        after_help = "Examples:\n  loadcell schema > loadcell.schema.json\n  loadcell schema --plan > plan.schema.json\n  \
                      # then in a scenario file, for editors with the YAML language server:\n  \
                      # yaml-language-server: $schema=./loadcell.schema.json\n\n\
                      Exit codes: 0 printed; 2 bad usage."
    )]
    Schema {
        /// The schema of plan files (`loadcell suite`) instead of scenario files.
        #[arg(long)]
        plan: bool,
    },
    /// Rebuild summary.json and the reports of a results folder (also of a killed run), or a whole suite.
    #[command(
        after_help = "Examples:\n  loadcell report loadcell-results/20250101T120000Z-shop\n  \
                      loadcell run shop.yaml --out results/ && loadcell report results/\n\n\
                      Exit codes: 0 every threshold held (as in the run); 1 a threshold failed, or the run was \
                      interrupted or never finished; 2 not a results folder, or bad usage."
    )]
    Report {
        /// The results folder (written by --out), or a suite's folder (`loadcell suite`).
        dir: PathBuf,
    },
    /// Merge the results folders of a test's segments (`run --segment I/N`) into one: intervals
    /// on the wall clock, histograms merged, thresholds judged on the whole.
    #[command(after_help = "Examples:\n  loadcell merge part1/ part2/ part3/ --out merged/\n\n\
                      Exit codes: 0 every threshold held on the merged data; 1 a threshold failed, or a part \
                      was interrupted, never finished (killed), lost intervals or is missing; 2 folders that \
                      cannot be merged (not results folders, another test, overlapping segments), or bad usage.")]
    Merge {
        /// The parts' results folders (written by `loadcell run --segment I/N --out DIR`).
        #[arg(required = true, value_name = "DIR")]
        dirs: Vec<PathBuf>,
        /// The new results folder for the merged test (refused when it already holds a run).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Collect a test's parts live (`run --segment I/N --collect URL`): merge their intervals as they
    /// arrive, judge the thresholds on the whole fleet, stop every part when one fails.
    #[command(
        after_help = "Examples:\n  loadcell collect --listen 0.0.0.0:7070 --expect 3 --out fleet/ --abort-on-fail\n  \
                      loadcell run shop.yaml --segment 1/3 --start-at +10s --collect http://collector:7070\n\n\
                      Exit codes: 0 every part ended and every threshold held on the merged data; 1 a threshold \
                      failed, or a part was lost (killed, silent) or never came; 2 bad usage (a taken port, an \
                      --out that holds a run)."
    )]
    Collect(Box<CollectArgs>),
    /// Print Kubernetes manifests that run the test split into N parts: an Indexed Job of
    /// `run --segment I/N --collect` pods, the collector, the scenario's files in a ConfigMap.
    #[command(
        after_help = "Examples:\n  loadcell k8s shop.yaml --parallelism 4 --image reg.example/loadcell:0.1.0 | kubectl apply -f -\n  \
                      loadcell k8s http://shop.default.svc:8080/ --parallelism 3 -r 3000/s -d 5m --output t.yaml\n\n\
                      The run flags are checked as `loadcell run` checks them and given to every part as typed; \
                      --segment, --collect and --out are the manifests' own. See docs/k8s.md.\n\n\
                      Exit codes: 0 printed; 2 bad flags, a scenario that does not load, files over a ConfigMap's 1 MiB."
    )]
    K8s(Box<K8sArgs>),
    /// Start the demo shop, run the bundled shop scenario against it for about 20 s, print the summary; then, with PostgreSQL installed, a database bottleneck and its index (~10 s).
    #[command(after_help = concat!(
        "Examples:\n  loadcell demo\n  loadcell demo -q --summary-json demo.json\n  loadcell demo --only database\n  loadcell demo --suite\n\n",
        run_exit_codes!()
    ))]
    Demo(Box<DemoArgs>),
    /// Run a test plan (smoke, load, stress, spike, soak, breakpoint, capacity, scale, bench): one verdict, one report.
    Suite(Box<SuiteArgs>),
    /// Write a commented starter plan for `loadcell suite`: probe a URL, or add a project's benchmarks.
    Init(Box<InitArgs>),
    /// Find the highest rate the target sustains under SLOs (open model, bracket then bisect).
    Capacity(Box<CapacityArgs>),
    /// Sweep closed-model concurrency levels and fit the Universal Scalability Law (σ, κ, peak).
    Scale(Box<ScaleArgs>),
    /// Start the built-in demo shop API (the system under test for demos and tests).
    #[command(after_help = "Examples:\n  loadcell target --port 8080\n  \
                      loadcell target --port 8080 &  loadcell run http://127.0.0.1:8080/api/products -c 10 -d 10s\n\n\
                      Exit codes: 0 stopped (Ctrl-C); 2 bad flags or a port that is taken.")]
    Target(Box<loadcell_target::TargetArgs>),
    /// Compare two runs (results folders, summary.json or bench.json): regressed, unchanged or improved.
    Compare(Box<compare::CompareArgs>),
    /// Keep performance-baselines.json: save a run, check a new one, find change points.
    #[command(subcommand)]
    Baseline(compare::BaselineCommand),
    /// Time commands like hyperfine (-- 'CMD' …), or run the project's own benchmarks (--detect).
    Bench(Box<compare::BenchArgs>),
    /// Read benchmark results made elsewhere (criterion, go, pytest-benchmark, hyperfine, google-benchmark, libtest).
    Ingest(Box<compare::IngestArgs>),
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

    /// Scenario files: the most redirects a step follows unless its `follow_redirects:` says
    /// otherwise (0: none) [default: 10]. URL targets never follow redirects.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=100), help_heading = "Request")]
    pub max_redirects: Option<u32>,

    /// Connect to ADDRESS for HOST:PORT, keeping the name for Host and TLS SNI, as curl (repeatable).
    #[arg(long, value_name = "HOST:PORT:ADDRESS", help_heading = "Request")]
    pub resolve: Vec<String>,

    /// PEM bundle of CA certificates to trust instead of the system roots.
    #[arg(long, value_name = "FILE", help_heading = "Request")]
    pub cacert: Option<PathBuf>,

    /// PEM client certificate for mutual TLS (with --key).
    #[arg(long, value_name = "FILE", requires = "key", help_heading = "Request")]
    pub cert: Option<PathBuf>,

    /// PEM private key of --cert.
    #[arg(long, value_name = "FILE", requires = "cert", help_heading = "Request")]
    pub key: Option<PathBuf>,
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
            max_redirects: self.max_redirects,

            resolve: self.resolve.clone(),
            cacert: self.cacert.clone(),
            cert: self.cert.clone(),
            key: self.key.clone(),
        }
    }
}

/// The results folder and the progress on stderr.
#[derive(Debug, Args)]
pub struct FolderArgs {
    /// Results folder: summary.json, report.html, junit.xml, summary.md and timeseries.csv (and a
    /// run's interval log, written as it goes; capacity and scale rewrite it after every step)
    /// [default for scenario files, capacity and scale: ./loadcell-results/<time>-<name>].
    #[arg(long, value_name = "DIR", value_parser = parse_out_dir, help_heading = "Output")]
    pub out: Option<PathBuf>,

    /// Write no results folder.
    #[arg(long, conflicts_with = "out", help_heading = "Output")]
    pub no_out: bool,

    /// No progress on stderr.
    #[arg(short = 'q', long, help_heading = "Output")]
    pub quiet: bool,
}

/// k6's `--out NAME=…` outputs, which loadcell does not write in k6's formats.
const K6_OUTPUTS: [&str; 11] = [
    "json",
    "csv",
    "cloud",
    "influxdb",
    "statsd",
    "datadog",
    "kafka",
    "experimental-prometheus-rw",
    "experimental-opentelemetry",
    "opentelemetry",
    "web-dashboard",
];

/// `--out DIR`, refusing k6's `--out json=FILE` (and its other outputs) with what to use
/// instead, rather than creating a folder named `json=FILE`.
fn parse_out_dir(text: &str) -> Result<PathBuf, String> {
    let Some((name, _)) = text.split_once('=') else {
        return Ok(PathBuf::from(text));
    };
    let hint = match name {
        "json" | "csv" => {
            "loadcell's --out takes a results folder; every request as NDJSON (or CSV for a *.csv name) is --samples FILE, the summary in k6's export shape --summary-export FILE"
        }
        "experimental-prometheus-rw" => "loadcell serves live metrics for Prometheus to scrape: --prometheus [ADDR]",
        _ if K6_OUTPUTS.contains(&name) || name.starts_with("xk6-") => {
            "loadcell's --out takes a results folder; live metrics are --prometheus [ADDR]"
        }
        _ => return Ok(PathBuf::from(text)),
    };
    Err(format!(
        "'{text}' is k6's {name} output, which loadcell does not write; {hint}"
    ))
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
    /// Write the shop act's summary as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub summary_json: Option<PathBuf>,

    /// No live progress on stderr.
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// Run one act only: `shop` (the scenario) or `database` (a throw-away PostgreSQL: the
    /// search without its index, then with it) [default: both; the database act when
    /// PostgreSQL is installed].
    #[arg(long, value_enum, value_name = "ACT", conflicts_with = "suite")]
    pub only: Option<DemoAct>,

    /// Run the example test plan (examples/plan.yaml: every test type, about 1.5 minutes)
    /// against the shop instead of the demo's acts: `loadcell suite`'s verdict and folder.
    #[arg(long, conflicts_with = "summary_json")]
    pub suite: bool,
}

/// The acts of `loadcell demo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DemoAct {
    Shop,
    Database,
}

/// `--prometheus` takes an optional address, so `--prometheus http://host/` would take the
/// target as the address. A bare `--prometheus` followed by something that is no address —
/// a URL, an existing file, another flag — gets its default address here, before parsing.
pub fn bare_prometheus(argv: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let mut out = Vec::with_capacity(argv.len());
    let mut args = argv.into_iter().peekable();
    while let Some(arg) = args.next() {
        let no_address = args.peek().is_none_or(|next| {
            let text = next.to_string_lossy();
            text.contains("://") || text.starts_with('-') || std::path::Path::new(next).is_file()
        });
        if arg == "--prometheus" && no_address {
            out.push("--prometheus=127.0.0.1:9464".into());
        } else {
            out.push(arg);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(args: &[&str]) -> Vec<String> {
        let os: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
        bare_prometheus(os)
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn a_bare_prometheus_does_not_swallow_the_target() {
        assert_eq!(
            argv(&["loadcell", "run", "--prometheus", "http://127.0.0.1:8080/"]),
            [
                "loadcell",
                "run",
                "--prometheus=127.0.0.1:9464",
                "http://127.0.0.1:8080/"
            ]
        );
        assert_eq!(
            argv(&["loadcell", "run", "http://x/", "--prometheus", "-q"]),
            ["loadcell", "run", "http://x/", "--prometheus=127.0.0.1:9464", "-q"]
        );
        assert_eq!(
            argv(&["loadcell", "run", "http://x/", "--prometheus"])[3],
            "--prometheus=127.0.0.1:9464"
        );
        assert_eq!(
            argv(&["loadcell", "run", "http://x/", "--prometheus", "127.0.0.1:9000"]),
            ["loadcell", "run", "http://x/", "--prometheus", "127.0.0.1:9000"]
        );
    }
}
