//! `end.json`: what is known about a run when it ends.

use loadcell_engine::{Lifecycle, Outcome, PhaseFailure, PhaseRun};
use loadcell_schema::{LifecycleSummary, MonitorSample, PostgresSummary, StopReason, rfc3339_utc};
use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Everything known when the run ends (`end.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunEnd {
    /// RFC 3339 UTC, for people.
    pub ended_at: String,
    /// Milliseconds since the Unix epoch, for programs.
    pub ended_at_unix_ms: u64,
    /// From the end of the warm-up to the moment iterations stopped being started.
    pub measured_s: f64,
    pub stop_reason: StopReason,
    /// Requests cut at the end after the grace period.
    pub interrupted: u64,
    /// The generator's own CPU seconds and peak resident memory.
    pub cpu_s: f64,
    pub max_rss_kib: u64,
    pub threads: usize,
    /// Lines written to `intervals.ndjson`, to tell a complete file from a damaged one.
    /// [`crate::ResultsWriter::finish`] sets it to the number it appended.
    #[serde(default)]
    pub intervals: u64,
    /// Open model: VUs allocated before the first arrival, VUs started over the run, and
    /// the VU cap the run ended with (it grows with the measured iteration time).
    #[serde(default)]
    pub pre_allocated_vus: u64,
    #[serde(default)]
    pub vus_spawned: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vus_limit: Option<u64>,
    /// Seconds the worker threads waited, runnable, for a CPU (a busy machine).
    #[serde(default)]
    pub run_delay_s: f64,
    /// Open model: times the machine held the worker threads off their CPU when they were
    /// due to run — waiting while another task ran, and paused (a virtual machine's host, a
    /// stopped process): how many, seconds in all, the longest.
    #[serde(default)]
    pub cpu_waits: u64,
    #[serde(default)]
    pub cpu_waited_s: f64,
    #[serde(default)]
    pub longest_cpu_wait_s: f64,
    #[serde(default)]
    pub pauses: u64,
    #[serde(default)]
    pub paused_s: f64,
    #[serde(default)]
    pub longest_pause_s: f64,
    /// Closed model: the most VUs asked for, and those that began an iteration.
    #[serde(default)]
    pub vus_wanted: u64,
    #[serde(default)]
    pub vus_ran: u64,
    /// Open model: the connections loadcell could hold, and how often VUs waited for one.
    #[serde(default)]
    pub connection_limit: u64,
    #[serde(default)]
    pub rationed: u64,
    /// The file-descriptor limit (soft, hard) the run had.
    #[serde(default)]
    pub descriptors: (u64, u64),
    /// `--postgres`: each database's window, as the live run summarised it (the snapshots
    /// cannot be taken again), for `loadcell report` to rebuild `postgres[]` and the
    /// verdicts that read it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub postgres: Vec<PostgresSummary>,
    /// `--monitor` readings taken after the last interval line: the monitor's last reading
    /// when it stops, a process found gone. The live summary counts them, so `loadcell
    /// report` must too (without them a rebuilt `monitor[]` lacked the last second).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub monitor: Vec<MonitorSample>,
    /// The file's `setup:` and `teardown:`: how long each ran and why it failed (their
    /// requests are in the intervals).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lifecycle: Vec<LifecycleSummary>,
    /// `--segment`: what the segment left this run without (a part with no VU of its own),
    /// in words, as the summary's warnings show it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segment_notes: Vec<String>,
}

impl RunEnd {
    /// The end record of a finished run.
    pub fn from_outcome(outcome: &Outcome) -> RunEnd {
        RunEnd {
            ended_at: rfc3339_utc(outcome.ended_at),
            ended_at_unix_ms: unix_ms(outcome.ended_at),
            measured_s: outcome.measured.as_secs_f64(),
            stop_reason: outcome.stop_reason,
            interrupted: outcome.total.interrupted,
            cpu_s: outcome.usage.cpu.as_secs_f64(),
            max_rss_kib: outcome.usage.max_rss_kib,
            threads: outcome.threads,
            intervals: outcome.intervals.len() as u64,
            pre_allocated_vus: outcome.pre_allocated_vus,
            vus_spawned: outcome.vus_spawned,
            vus_limit: Some(outcome.vus_limit),
            run_delay_s: outcome.run_delay.as_secs_f64(),
            cpu_waits: outcome.holds.waited.count,
            cpu_waited_s: outcome.holds.waited.total.as_secs_f64(),
            longest_cpu_wait_s: outcome.holds.waited.longest.as_secs_f64(),
            pauses: outcome.holds.paused.count,
            paused_s: outcome.holds.paused.total.as_secs_f64(),
            longest_pause_s: outcome.holds.paused.longest.as_secs_f64(),
            vus_wanted: outcome.vus_wanted,
            vus_ran: outcome.vus_ran,
            connection_limit: outcome.connections.limit,
            rationed: outcome.connections.rationed,
            descriptors: (
                outcome.connections.descriptors.limit,
                outcome.connections.descriptors.hard,
            ),
            postgres: Vec::new(),
            monitor: Vec::new(),
            lifecycle: outcome
                .lifecycle
                .iter()
                .map(|run| LifecycleSummary {
                    phase: run.phase.as_str().to_string(),
                    duration_s: run.duration.as_secs_f64(),
                    error: run.failure.as_ref().map(ToString::to_string),
                    ..LifecycleSummary::default()
                })
                .collect(),
            segment_notes: outcome.segment_notes.clone(),
        }
    }

    /// An end record with nothing in it (a merge whose parts all lack theirs).
    pub(crate) fn empty() -> RunEnd {
        RunEnd {
            ended_at: String::new(),
            ended_at_unix_ms: 0,
            measured_s: 0.0,
            stop_reason: StopReason::Interrupted,
            interrupted: 0,
            cpu_s: 0.0,
            max_rss_kib: 0,
            threads: 0,
            intervals: 0,
            pre_allocated_vus: 0,
            vus_spawned: 0,
            vus_limit: None,
            run_delay_s: 0.0,
            cpu_waits: 0,
            cpu_waited_s: 0.0,
            longest_cpu_wait_s: 0.0,
            pauses: 0,
            paused_s: 0.0,
            longest_pause_s: 0.0,
            vus_wanted: 0,
            vus_ran: 0,
            connection_limit: 0,
            rationed: 0,
            descriptors: (0, 0),
            postgres: Vec::new(),
            monitor: Vec::new(),
            lifecycle: Vec::new(),
            segment_notes: Vec::new(),
        }
    }

    /// The lifecycle phases as the run had them (a failure's reason in its words).
    pub fn phases(&self) -> Vec<PhaseRun> {
        self.lifecycle
            .iter()
            .filter_map(|p| {
                let phase = match p.phase.as_str() {
                    "setup" => Lifecycle::Setup,
                    "teardown" => Lifecycle::Teardown,
                    _ => return None,
                };
                Some(PhaseRun {
                    phase,
                    duration: Duration::try_from_secs_f64(p.duration_s).unwrap_or_default(),
                    failure: p.error.clone().map(PhaseFailure::Failed),
                })
            })
            .collect()
    }

    /// The end as a wall-clock instant.
    pub fn ended(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.ended_at_unix_ms)
    }
}

/// Milliseconds since the Unix epoch (0 before it).
pub(crate) fn unix_ms(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
