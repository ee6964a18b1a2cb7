//! `bottlenecks[]`: which resource limited the target, how sure loadcell is, the numbers
//! that say so and what to do about it. Decided by `loadcell-analysis` from the rest of
//! the summary (latency, throughput, errors, the generator's health, `monitor[]`,
//! `postgres[]`); see `docs/bottlenecks.md` for every rule.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The resource a verdict names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BottleneckKind {
    /// loadcell itself: its CPU saturated, arrivals dropped for want of it.
    Generator,
    /// Connect errors, refused connections, listen-queue overflows.
    Connections,
    /// Open descriptors near their limit, or growing.
    FileDescriptors,
    /// Resident memory growing (leak) or near its limit.
    Memory,
    /// The target's CPU at its limit (cores or cgroup quota).
    TargetCpu,
    /// Database time is most of the latency, or the database was busy all the time.
    Database,
    /// Latency grew while the CPU stayed low: a lock, a pool or a downstream call.
    Waiting,
    /// Bytes per second near the interface's capacity.
    Network,
    /// The run was under pressure but there was no resource evidence to name a cause.
    Unknown,
}

impl BottleneckKind {
    /// The JSON and terminal name: `target_cpu`, `file_descriptors`, …
    pub fn as_str(self) -> &'static str {
        match self {
            BottleneckKind::Generator => "generator",
            BottleneckKind::Connections => "connections",
            BottleneckKind::FileDescriptors => "file_descriptors",
            BottleneckKind::Memory => "memory",
            BottleneckKind::TargetCpu => "target_cpu",
            BottleneckKind::Database => "database",
            BottleneckKind::Waiting => "waiting",
            BottleneckKind::Network => "network",
            BottleneckKind::Unknown => "unknown",
        }
    }
}

/// How sure a verdict is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// One verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bottleneck {
    pub kind: BottleneckKind,
    pub confidence: Confidence,
    /// The answer in one sentence, e.g. `the target's CPU was at its limit: 99% of one core
    /// while p95 rose from 3 ms to 180 ms`.
    pub verdict: String,
    /// The supporting numbers as sentences, each with its source.
    pub evidence: Vec<String>,
    /// The same numbers by name (`target_cpu_percent`, `db_share_of_latency_percent`, …).
    #[serde(default)]
    pub numbers: BTreeMap<String, f64>,
    /// One or two concrete things to do.
    pub recommendations: Vec<String>,
}
