//! `loadcell run URL|FILE`: the load model, test-type profiles, the verdict and the run's
//! own outputs, besides the shared groups.

use super::{FolderArgs, MonitorArgs, RequestArgs, Workers};
use clap::Args;
use loadcell_plan::{LoadFlags, ProfileFlags};
use loadcell_units::{Segment, parse_count, parse_duration, parse_rate};
use std::path::PathBuf;
use std::time::Duration;

/// `loadcell run URL [flags]`
#[derive(Debug, Args)]
#[command(
    after_help = concat!(
        "Examples:\n  loadcell run http://127.0.0.1:8080/ -c 50 -d 30s\n  loadcell run http://127.0.0.1:8080/ -r 500/s -d 1m --threshold 'p95<200ms'\n  loadcell run http://127.0.0.1:8080/ -c 10 --stages '30s:100,2m:100,10s:0'\n\n",
        super::run_exit_codes!()
    )
)]
pub struct RunArgs {
    /// The URL to load-test (http:// or https://), or a scenario file (.yaml, .yml or .json).
    #[arg(value_name = "URL|FILE")]
    pub target: String,

    #[command(flatten)]
    pub load: LoadArgs,

    #[command(flatten)]
    pub profile: ProfileArgs,

    #[command(flatten)]
    pub request: RequestArgs,

    #[command(flatten)]
    pub verdict: VerdictArgs,

    #[command(flatten)]
    pub folder: FolderArgs,

    #[command(flatten)]
    pub monitor: MonitorArgs,

    /// Write the summary as JSON to this file (see docs/summary-schema.md).
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub summary_json: Option<PathBuf>,

    /// Also write the summary in the shape of k6's --summary-export (metrics.NAME with k6's
    /// fields and threshold results), for CI scripts written for k6. See docs/k6.md.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub summary_export: Option<PathBuf>,

    /// Serve live Prometheus/OpenMetrics metrics at http://ADDR/metrics while the test runs
    /// [default address: 127.0.0.1:9464]. A URL or file after a bare --prometheus is the
    /// target, not its address.
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "127.0.0.1:9464", help_heading = "Output")]
    pub prometheus: Option<String>,

    /// Send the results folder's lines, as they are written, to `loadcell collect` at this
    /// URL (http://HOST:PORT), which merges the test's parts live; the run stops when the
    /// collector says a fleet-wide threshold failed. The run keeps its own folder.
    #[arg(long, value_name = "URL", help_heading = "Output")]
    pub collect: Option<String>,

    /// Write every request to this file as NDJSON (or CSV when it ends in .csv), for your own analysis.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub samples: Option<PathBuf>,

    #[command(flatten)]
    pub baseline: super::compare::BaselineFlags,
}

/// The load model and its length.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// Closed model: number of virtual users, each looping request → response → request
    /// (k6's -u/--vus).
    #[arg(
        short = 'c',
        long,
        visible_short_alias = 'u',
        visible_alias = "vus",
        value_name = "VUS",
        help_heading = "Load"
    )]
    pub concurrency: Option<u64>,

    /// Open model: new iterations per second on a fixed schedule (500, 500/s, 30000/m, 1M/month).
    #[arg(short = 'r', long, value_name = "RATE", value_parser = parse_rate, allow_hyphen_values = true, help_heading = "Load")]
    pub rate: Option<f64>,

    /// How long to generate load (warm-up not included) [default: 10s unless --requests or --stages].
    #[arg(short = 'd', long, value_name = "DURATION", value_parser = parse_duration, help_heading = "Load")]
    pub duration: Option<Duration>,

    /// Stop after this many requests in total (10000, 10k); in scenario files, iterations
    /// (k6's -i/--iterations: in quick mode an iteration is one request).
    #[arg(short = 'n', long, visible_short_alias = 'i', visible_alias = "iterations", value_name = "N", value_parser = parse_count, help_heading = "Load")]
    pub requests: Option<u64>,

    /// Ramp VUs (or the rate with --rate) linearly through stages: "30s:100,2m:100,10s:0".
    #[arg(long, value_name = "STAGES", help_heading = "Load")]
    pub stages: Option<String>,

    /// One stage in k6's form, DURATION:TARGET ("30s:10"); repeatable, in order — the same
    /// as --stages with the stages joined by commas.
    #[arg(
        short = 's',
        long = "stage",
        value_name = "DURATION:TARGET",
        conflicts_with = "stages",
        help_heading = "Load"
    )]
    pub stage: Vec<String>,

    /// Run this long first and leave it out of the results.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, help_heading = "Load")]
    pub warmup: Option<Duration>,

    /// Open model: most VUs to use at once; an arrival that finds none free is dropped and counted
    /// [default: at least twice the peak rate (1000 to 20000), raised during the run to the peak
    /// rate × 4 × the measured p99 iteration time, up to 200000].
    #[arg(long, value_name = "N", value_parser = parse_count, help_heading = "Load")]
    pub max_vus: Option<u64>,

    /// Open model: VUs to allocate before the first arrival (k6's preAllocatedVUs); more are
    /// started on demand up to --max-vus [default: 10 ms of arrivals at the peak rate, 1 to 1000].
    #[arg(long, value_name = "N", value_parser = parse_count, help_heading = "Load")]
    pub pre_vus: Option<u64>,

    #[command(flatten)]
    pub workers: Workers,

    /// How long in-flight requests may finish after the end (at most 1s after Ctrl-C) before they are cut
    /// and counted as failed (`unfinished`).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "5s", help_heading = "Load")]
    pub grace: Duration,

    /// Run part I of N of the test (k6's execution segments): VUs, arrivals, -n iterations and
    /// unique data rows are striped so that the N parts together are exactly the whole; merge
    /// their results folders with `loadcell merge` (overrides a scenario's `segment:`).
    #[arg(long, value_name = "I/N", value_parser = Segment::parse, help_heading = "Distributed")]
    pub segment: Option<Segment>,

    /// Start the load at this wall-clock time, RFC 3339 (2026-12-04T13:00:00Z) or from now
    /// (+10s), after the setup: every part of a segmented test starts at the same instant.
    #[arg(long, value_name = "TIME", help_heading = "Distributed")]
    pub start_at: Option<String>,
}

/// `--profile` and what shapes it.
#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// Test-type profile expanded into stages around --target-rate or --target-vus:
    /// smoke, load, stress, spike, soak, breakpoint (see docs/profiles.md).
    #[arg(long, value_name = "PROFILE", help_heading = "Profiles")]
    pub profile: Option<String>,

    /// With --profile: the target arrival rate (open model).
    #[arg(long, value_name = "RATE", value_parser = parse_rate, allow_hyphen_values = true, help_heading = "Profiles")]
    pub target_rate: Option<f64>,

    /// With --profile: the target number of VUs (closed model).
    #[arg(long, value_name = "VUS", value_parser = parse_count, conflicts_with = "target_rate", help_heading = "Profiles")]
    pub target_vus: Option<u64>,

    /// With --profile: length of each ramp [default: 30s; 10s between stress steps; 10m for breakpoint].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, help_heading = "Profiles")]
    pub ramp: Option<Duration>,

    /// With --profile: how long to hold the level [default: 2m (per step for stress); 30s smoke; 1h soak].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, help_heading = "Profiles")]
    pub hold: Option<Duration>,

    /// With --profile spike: the spike is this many times the target [default: 5].
    #[arg(long, value_name = "N", help_heading = "Profiles")]
    pub spike_factor: Option<f64>,

    /// With --profile spike: how long the spike lasts [default: 30s].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, help_heading = "Profiles")]
    pub spike_hold: Option<Duration>,

    /// With --profile spike: the rolling window (whole seconds) on which the recovery after the
    /// spike is judged [default: 5s].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, help_heading = "Profiles")]
    pub recovery_window: Option<Duration>,
}

/// Thresholds and what happens when one fails.
#[derive(Debug, Args)]
pub struct VerdictArgs {
    /// SLO to check, k6 syntax ("http_req_duration: p(95)<200") or short ("p95<200ms", "error_rate<1%"); repeatable.
    #[arg(long = "threshold", value_name = "EXPR", help_heading = "Verdict")]
    pub thresholds: Vec<String>,

    /// Judge no thresholds (the command line's, the scenario's or a profile's): they are still
    /// checked for mistakes, but the exit code no longer depends on them (as k6's flag).
    #[arg(long, help_heading = "Verdict")]
    pub no_thresholds: bool,

    /// End the run as soon as a threshold fails.
    #[arg(long, help_heading = "Verdict")]
    pub abort_on_fail: bool,

    /// With --abort-on-fail: do not judge thresholds before this much measured time.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "0s", help_heading = "Verdict")]
    pub abort_delay: Duration,
}

impl RunArgs {
    /// The load flags as the planner takes them.
    pub fn load_flags(&self) -> LoadFlags {
        let (l, p) = (&self.load, &self.profile);
        LoadFlags {
            concurrency: l.concurrency,
            rate: l.rate,
            duration: l.duration,
            requests: l.requests,
            stages: l
                .stages
                .clone()
                .or_else(|| (!l.stage.is_empty()).then(|| l.stage.join(","))),
            warmup: l.warmup,
            max_vus: l.max_vus,
            pre_vus: l.pre_vus,
            threads: l.workers.threads,
            profile: ProfileFlags {
                name: p.profile.clone(),
                target_rate: p.target_rate,
                target_vus: p.target_vus,
                ramp: p.ramp,
                hold: p.hold,
                spike_factor: p.spike_factor,
                spike_hold: p.spike_hold,
                recovery_window: p.recovery_window,
            },
        }
    }
}
