//! `waiting`: latency grew (or the rate was not kept) while the target's CPU stayed low —
//! time spent waiting, not working: a lock, a pool or a downstream call, the classic sign of
//! a serialization point. Needs the monitor's CPU reading to say "low" ([`LOW_CPU`]): the
//! time the target ran plus the time it waited, runnable, for a CPU — a thread starved of
//! CPU by other work on the machine shows low CPU too, but it is not waiting on a lock;
//! candidates come from what the evidence allows (database lock waits, a full pool).

use std::collections::BTreeMap;

use loadcell_schema::{Bottleneck, BottleneckKind, Confidence, Summary};

use super::{Pressure, evidence};

/// CPU (percent of one core) below which the target was not working hard.
pub const LOW_CPU: f64 = 50.0;

pub fn verdict(summary: &Summary, pressure: &Pressure) -> Option<Bottleneck> {
    if pressure.latency_rose.is_none() && pressure.rate_short.is_none() {
        return None;
    }
    let (source, cpu) = evidence::target_sources(summary).find_map(|s| {
        evidence::metric(s, "cpu_percent")
            .and_then(|m| m.mean)
            .map(|mean| (s, mean))
    })?;
    let wait = evidence::cpu_wait(source).unwrap_or(0.0);
    if cpu + wait >= LOW_CPU {
        return None;
    }
    let mut evidence = vec![format!(
        "{}: cpu_percent mean {cpu:.0}% (100% = one core), waiting for a CPU {wait:.0}%",
        source.source
    )];
    evidence.extend(pressure.describe());
    let mut candidates = Vec::new();
    for db in &summary.postgres {
        if db.activity.mean_lock_waits > 0.0 {
            candidates.push(format!(
                "lock waits in {} ({:.1} on average)",
                db.database, db.activity.mean_lock_waits
            ));
        }
    }
    if candidates.is_empty() {
        candidates.push("a lock or mutex, a connection or worker pool, or a downstream call".to_string());
    }
    Some(Bottleneck {
        kind: BottleneckKind::Waiting,
        confidence: Confidence::Medium,
        verdict: format!(
            "requests waited rather than worked: latency grew while the CPU stayed at {cpu:.0}% — a serialization point ({})",
            candidates.join("; ")
        ),
        evidence,
        numbers: BTreeMap::from([("target_cpu_percent_mean".to_string(), cpu)]),
        recommendations: vec![
            "find what requests queue for: a global lock, a pool sized too small, a slow dependency (trace one slow request)".to_string(),
            "more CPU will not help; shorten the serialized section or split the shared resource".to_string(),
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::super::{decide, testing};
    use loadcell_schema::{BottleneckKind, MonitorKind};

    #[test]
    fn latency_rising_on_an_idle_cpu_is_waiting_not_cpu() {
        let s = testing::rising(testing::open(300.0, 200.0), 5.0, 900.0);
        let s = testing::monitored(s, "process:target", MonitorKind::Process, &[("cpu_percent", 6.0, 9.0)]);
        let found = decide(&s);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].kind, BottleneckKind::Waiting);
        assert!(found[0].verdict.contains("serialization point"), "{}", found[0].verdict);
    }

    #[test]
    fn pressure_without_any_resource_evidence_asks_for_monitor() {
        let s = testing::rising(testing::open(300.0, 200.0), 5.0, 900.0);
        let found = decide(&s);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].kind, BottleneckKind::Unknown);
        assert!(
            found[0].verdict.starts_with("no resource evidence: add --monitor"),
            "{}",
            found[0].verdict
        );
        assert!(
            found[0].evidence.iter().any(|e| e.contains("p95 rose")),
            "{:?}",
            found[0].evidence
        );
    }

    #[test]
    fn a_calm_run_has_no_verdict() {
        assert!(decide(&testing::open(100.0, 100.0)).is_empty());
    }
}
