//! The target's own resource use, as `--monitor` sources saw it: one [`MonitorSample`] per
//! source per interval (what the results folder's interval lines carry), and per source a
//! [`MonitorSummary`] in `summary.json` with min/mean/max of each metric, the series, when
//! the source disappeared, the leak verdicts and the flame graph's top functions.
//!
//! Metric names are plain strings with the unit in their suffix (`cpu_percent`,
//! `rss_bytes`, `read_bytes_per_s`, `fds`), optionally with Prometheus-style labels
//! (`net_rx_bytes_per_s{iface="eth0"}`); series kept from a `prometheus:` source keep their
//! own names (`rate(…)` for counters). `docs/summary-schema.md` lists them all.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::Trend;

/// One source's reading at one moment of the run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MonitorSample {
    /// The source as written, e.g. `pid:4242`, `process:nginx`, `host`.
    pub source: String,
    /// Seconds since the start of the run (warm-up included): the end of the interval whose
    /// rates (`*_per_s`, CPU percentages) this reading gives.
    pub t_s: f64,
    /// Metric name → value. Rates are absent in a source's first reading.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, f64>,
    /// Known limits of some metrics, keyed like `values`: `fds` → the process's
    /// `RLIMIT_NOFILE`, `rss_bytes` / `memory_bytes` → the cgroup's `memory.max`,
    /// `pids` → `pids.max`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub limits: BTreeMap<String, f64>,
    /// Set in the one reading at which the source was found gone (the process exited, the
    /// cgroup was removed): why. No readings of this source follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gone: Option<String>,
    /// Set when this reading failed but the source is still there (a scrape timed out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What kind of thing a source watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonitorKind {
    Pid,
    Process,
    Cgroup,
    Host,
    Prometheus,
}

impl MonitorKind {
    /// `pid:`, `process:` and `cgroup:` sources watch the target itself; `host` and
    /// `prometheus:` sources do not (their figures are the machine's, or whatever the
    /// endpoint exports), so `target_*` thresholds and step figures leave them out.
    pub fn is_target(self) -> bool {
        matches!(self, MonitorKind::Pid | MonitorKind::Process | MonitorKind::Cgroup)
    }
}

/// The target's resources during one step of a capacity search or a scale sweep (its
/// measured window), from the same sources and by the same rule as the `target_*`
/// thresholds: the worst (highest) of the `pid:`, `process:` and `cgroup:` sources.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TargetUse {
    /// Mean CPU over the step's readings, percent of one core.
    pub cpu_mean_percent: Option<f64>,
    /// Highest CPU reading of the step, percent of one core.
    pub cpu_max_percent: Option<f64>,
    /// Highest resident memory (a process's `rss_bytes`, a cgroup's `memory_bytes`).
    pub rss_max_bytes: Option<f64>,
    /// Most open file descriptors.
    pub fds_max: Option<f64>,
}

/// One `--monitor` source over the whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonitorSummary {
    /// The source as written, e.g. `process:nginx`.
    pub source: String,
    pub kind: MonitorKind,
    /// `process:NAME`: the most processes counted at once (the matches and their children).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processes: Option<u64>,
    /// Readings taken (including failed ones).
    pub samples: u64,
    /// Readings that failed while the source was still there.
    #[serde(default)]
    pub failed_samples: u64,
    /// When the source was found gone (seconds since the start), and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disappeared_at_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disappeared: Option<String>,
    /// The time axis of every metric's `values`: each reading's `t_s`.
    pub t_s: Vec<f64>,
    pub metrics: Vec<MonitorMetric>,
    /// One verdict per leak-prone metric (RSS, file descriptors, threads, heap-like series).
    #[serde(default)]
    pub leaks: Vec<LeakVerdict>,
    /// `--flamegraph`: the on-CPU profile of this source's process(es).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flamegraph: Option<FlameGraphSummary>,
}

/// One metric of a source: statistics over the measured readings and the whole series.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MonitorMetric {
    pub name: String,
    /// `percent` (of one CPU core for processes and cgroups, of the whole machine for
    /// `host`), `bytes`, `bytes/s`, `/s`, `count`, or empty when unknown (Prometheus gauges).
    pub unit: String,
    /// Over the readings after the warm-up (all readings when none came after it);
    /// `null` when the metric had no reading there.
    pub min: Option<f64>,
    pub mean: Option<f64>,
    pub max: Option<f64>,
    /// The last reading's value.
    pub last: Option<f64>,
    /// One value per `t_s` of the source (`null` where this metric had no reading).
    pub values: Vec<Option<f64>>,
}

/// Whether a leak-prone metric grew during the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeakState {
    /// A significant upward slope whose growth over one hour is above the metric's floor.
    Growing,
    /// No such growth.
    Flat,
    /// Too few readings after the warm-up to fit a line.
    NotEnoughData,
}

impl LeakState {
    /// The name used in JSON and text: `growing`, `flat`, `not enough data`.
    pub fn as_str(self) -> &'static str {
        match self {
            LeakState::Growing => "growing",
            LeakState::Flat => "flat",
            LeakState::NotEnoughData => "not enough data",
        }
    }
}

/// The leak verdict on one metric of one source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeakVerdict {
    pub metric: String,
    pub state: LeakState,
    /// The readings the line was fitted on: from the end of the warm-up to `to_s`.
    pub from_s: f64,
    pub to_s: f64,
    pub points: u64,
    /// The fitted line, per hour (absent with `not_enough_data`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trend: Option<Trend>,
    /// Growth over one hour must be at least this (in the metric's unit) to be `growing`.
    pub floor_per_hour: f64,
    /// ... and the fitted line must have risen at least this much within the readings.
    pub floor_rise: f64,
    /// The known limit of the metric (`RLIMIT_NOFILE`, `memory.max`, `pids.max`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<f64>,
    /// `growing` with a known limit: hours from the last reading until the fitted line
    /// reaches the limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours_to_limit: Option<f64>,
    /// The answer in one sentence, e.g. `rss_bytes grows 712 MiB per hour (p < 0.001);
    /// reaches memory.max (2 GiB) in about 2.1 h`.
    pub verdict: String,
}

/// `--flamegraph`: where the profile is and what was hottest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FlameGraphSummary {
    /// The SVG's file name in the results folder (`flamegraph.svg`).
    pub file: String,
    /// Seconds since the start of the run during which stacks were recorded.
    pub from_s: f64,
    pub to_s: f64,
    /// Stacks recorded (at 99 per second of on-CPU time).
    pub samples: u64,
    /// The ten functions with the most self time (samples where they were the leaf frame).
    pub top: Vec<FunctionShare>,
}

/// One function's share of the recorded on-CPU stacks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FunctionShare {
    pub function: String,
    /// Samples in which it was the leaf frame.
    pub self_samples: u64,
    /// `self_samples` as a percentage of all samples.
    pub self_percent: f64,
    /// Samples in which it was anywhere on the stack.
    pub total_samples: u64,
}
