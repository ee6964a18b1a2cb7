//! `loadcell capacity` and `loadcell scale`: what each sweep is asked, besides the shared
//! groups.

use super::{FolderArgs, MonitorArgs, RequestArgs, Workers};
use clap::Args;
use loadcell_units::{parse_count, parse_duration, parse_fraction, parse_rate};
use std::path::PathBuf;
use std::time::Duration;

/// `loadcell capacity URL|FILE --slo EXPR [flags]`
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  loadcell capacity http://127.0.0.1:8080/ --slo 'p95<200ms' --slo 'error_rate<1%'\n  loadcell capacity shop.yaml --slo 'p99<500ms' --step-duration 20s --max-time 10m --json capacity.json\n\n\
                  Exit codes: 0 a sustainable rate was found; 1 none was (even the lowest rate failed) or a \
                  result could not be written; 2 bad usage or input."
)]
pub struct CapacityArgs {
    /// The URL to test (http:// or https://), or a scenario file (.yaml, .yml or .json).
    #[arg(value_name = "URL|FILE")]
    pub target: String,

    /// SLO every step must hold, threshold syntax ("p95<200ms", "error_rate<1%"); repeatable
    /// [default for scenario files: the file's thresholds].
    #[arg(long = "slo", value_name = "EXPR", help_heading = "Search")]
    pub slos: Vec<String>,

    /// How long each steady step is measured (a warm-up of a fifth of it, at most 2s, comes first).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "10s", help_heading = "Search")]
    pub step_duration: Duration,

    /// The whole search never takes longer than this.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "5m", help_heading = "Search")]
    pub max_time: Duration,

    /// Rate of the first step; the search doubles it (or halves it) to bracket the capacity.
    #[arg(long, value_name = "RATE", value_parser = parse_rate, allow_hyphen_values = true, default_value = "10", help_heading = "Search")]
    pub start_rate: f64,

    /// Lowest rate tried when even the start rate fails.
    #[arg(long, value_name = "RATE", value_parser = parse_rate, allow_hyphen_values = true, default_value = "1", help_heading = "Search")]
    pub min_rate: f64,

    /// Highest rate tried; passing it ends the search.
    #[arg(long, value_name = "RATE", value_parser = parse_rate, allow_hyphen_values = true, default_value = "100000", help_heading = "Search")]
    pub max_rate: f64,

    /// Stop when the lowest failing rate is within this of the highest passing one (5%, 0.05).
    #[arg(long, value_name = "PCT", value_parser = positive_fraction, default_value = "5%", help_heading = "Search")]
    pub precision: f64,

    /// Most VUs per step; an arrival that finds none free is dropped and counted
    /// [default: twice the rate, at least 1000, at most 20000].
    #[arg(long, value_name = "N", value_parser = parse_count, help_heading = "Load")]
    pub max_vus: Option<u64>,

    #[command(flatten)]
    pub workers: Workers,

    #[command(flatten)]
    pub request: RequestArgs,

    #[command(flatten)]
    pub output: SweepOutputArgs,

    #[command(flatten)]
    pub monitor: MonitorArgs,
}

/// `loadcell scale URL|FILE --vus LIST [flags]`
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  loadcell scale http://127.0.0.1:8080/ --vus 1,2,4,8,16,32,64\n  loadcell scale shop.yaml --vus 1,4,16,64 --step-duration 30s --json scale.json\n\n\
                  Exit codes: 0 the levels were fitted; 1 they could not be fitted or a result could not be \
                  written; 2 bad usage or input."
)]
pub struct ScaleArgs {
    /// The URL to test (http:// or https://), or a scenario file (.yaml, .yml or .json).
    #[arg(value_name = "URL|FILE", required_unless_present = "points")]
    pub target: Option<String>,

    /// Concurrency levels (closed-model VUs), comma-separated; at least 3 distinct levels.
    #[arg(
        long,
        value_name = "LIST",
        required_unless_present = "points",
        help_heading = "Sweep"
    )]
    pub vus: Option<String>,

    /// Fit throughputs measured elsewhere instead of sweeping: `VUS:REQ_PER_S` pairs,
    /// comma-separated, e.g. `1:43,2:80.5,4:152,8:264.5,16:422.5`. Sends no request.
    #[arg(long, value_name = "LIST", conflicts_with_all = ["target", "vus", "out"], help_heading = "Sweep")]
    pub points: Option<String>,

    /// How long each level is measured.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "10s", help_heading = "Sweep")]
    pub step_duration: Duration,

    /// Warm-up before each level's measured window [default: a fifth of --step-duration, at most 2s].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, help_heading = "Sweep")]
    pub warmup: Option<Duration>,

    #[command(flatten)]
    pub workers: Workers,

    #[command(flatten)]
    pub request: RequestArgs,

    #[command(flatten)]
    pub output: SweepOutputArgs,

    #[command(flatten)]
    pub monitor: MonitorArgs,
}

/// What a sweep writes besides stdout.
#[derive(Debug, Args)]
pub struct SweepOutputArgs {
    /// Write the sweep's section of summary.json (`capacity`: steps, bracket, capacity, knee;
    /// `scale`: points, fit, fitted curve) to this file.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub json: Option<PathBuf>,

    #[command(flatten)]
    pub folder: FolderArgs,
}

/// A fraction written as `5%` or `0.05`, above 0.
fn positive_fraction(s: &str) -> Result<f64, String> {
    match parse_fraction(s) {
        Ok(v) if v > 0.0 => Ok(v),
        _ => Err(format!("'{s}' is not a positive fraction (e.g. 5% or 0.05)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_take_percent_or_plain_form() {
        assert_eq!(positive_fraction("5%"), Ok(0.05));
        assert_eq!(positive_fraction(" 0.1 "), Ok(0.1));
        for bad in ["0", "-1%", "x", "%", "nan"] {
            assert!(positive_fraction(bad).is_err(), "{bad}");
        }
    }
}
