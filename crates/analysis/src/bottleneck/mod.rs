//! `bottlenecks[]`: which resource limited the target, decided from the finished summary
//! alone (a pure function, so `loadcell report` decides the same as the live run). Each
//! rule lives in its own module with its thresholds named and documented in
//! `docs/bottlenecks.md`:
//!
//! - [`generator`]: loadcell's own CPU saturated (the numbers describe loadcell);
//! - [`connections`]: connect errors, with the kernel's listen-queue counters as proof;
//! - [`resources`]: memory and file descriptors growing or near their limit (monitor leak
//!   verdicts), the target's CPU at a limit (cores, cgroup quota);
//! - [`swap`]: memory by swapping — the target's pages on swap while the machine swapped;
//! - [`database`]: database time a large share of latency, or the database busy all the
//!   time; names the top statement, sequential scans, lock waits and a full pool;
//! - [`waiting`]: latency grew while the CPU stayed low — a serialization point;
//! - [`network`]: an interface near its link speed (the host source reads it from
//!   `/sys/class/net/IF/speed`); loopback has none, so its traffic is never judged.
//!
//! Each stage of a staged run and each step of a sweep gets the load-level verdicts of its
//! own evidence too ([`stages`]).
//!
//! When the run was under pressure but nothing above could name a cause because there was
//! no evidence to look at, the one verdict is `unknown`: "no resource evidence: add
//! --monitor".

mod connections;
mod database;
mod evidence;
mod generator;
pub mod network;
mod resources;
pub mod stages;
mod swap;
mod waiting;

#[cfg(test)]
mod testing;

use loadcell_schema::{Bottleneck, BottleneckKind, Confidence, Summary};

pub use evidence::Pressure;

/// Decides `summary.bottlenecks` from the rest of it. Whoever adds evidence to a summary
/// after [`crate::summarise`] (`monitor[]`, `postgres[]`) calls this again.
pub fn attach(summary: &mut Summary) {
    summary.bottlenecks = decide(summary);
}

/// Every verdict the summary's evidence allows, most certain first.
pub fn decide(summary: &Summary) -> Vec<Bottleneck> {
    let pressure = Pressure::of(summary);
    let mut found = Vec::new();
    found.extend(generator::verdict(summary, &pressure));
    found.extend(connections::verdict(summary));
    found.extend(resources::memory(summary));
    found.extend(swap::verdict(summary));
    found.extend(resources::file_descriptors(summary));
    found.extend(resources::target_cpu(summary, &pressure));
    found.extend(database::verdicts(summary, &pressure));
    found.extend(network::verdict(summary, &pressure));
    let explained = found
        .iter()
        .any(|b: &Bottleneck| b.confidence >= Confidence::Medium && b.kind != BottleneckKind::Memory);
    if !explained {
        found.extend(waiting::verdict(summary, &pressure));
    }
    if found.is_empty() && pressure.any() && !evidence::has_resource_evidence(summary) {
        found.push(no_evidence(&pressure));
    }
    found.sort_by(|a, b| b.confidence.cmp(&a.confidence).then(a.kind.cmp(&b.kind)));
    found
}

fn no_evidence(pressure: &Pressure) -> Bottleneck {
    Bottleneck {
        kind: BottleneckKind::Unknown,
        confidence: Confidence::Low,
        verdict: "no resource evidence: add --monitor (and --postgres for a database) to learn what limited the target"
            .to_string(),
        evidence: pressure.describe(),
        numbers: Default::default(),
        recommendations: vec![
            "run again with --monitor process:NAME (or pid:N, cgroup:PATH) for the target's CPU, memory and descriptors"
                .to_string(),
        ],
    }
}
