//! The target's own resources from `--monitor`: `memory` (a growing RSS or cgroup memory,
//! or its maximum near the limit), `file_descriptors` (growing, or near `RLIMIT_NOFILE`),
//! and `target_cpu` — at its limit when a cgroup throttled it ([`THROTTLED_PERCENT`]), when
//! it used [`NEAR_LIMIT`] of every core of the machine, or when its CPU demand sat on a
//! plateau at a whole number of cores (within [`PLATEAU_MARGIN`] percentage points): a
//! single-threaded hot path, or N busy threads, cannot go higher. Demand is the time its
//! threads ran plus the time they waited, runnable, for a CPU (`cpu_wait_percent`): on a
//! machine whose cores other work takes, a CPU-bound thread shows less CPU than a core, but
//! it is never idle — it is running or queued to run.

use std::collections::BTreeMap;

use loadcell_schema::{Bottleneck, BottleneckKind, Confidence, LeakState, MonitorSummary, Summary};

use super::{Pressure, evidence};

/// A limit is "near" at this share of it.
pub const NEAR_LIMIT: f64 = 0.9;
/// A cgroup throttled this percentage of its periods (mean): the quota is the limit.
pub const THROTTLED_PERCENT: f64 = 25.0;
/// Mean CPU within this many percentage points of a whole number of cores is a plateau.
pub const PLATEAU_MARGIN: f64 = 12.0;

const MEMORY_METRICS: [&str; 3] = ["rss_bytes", "memory_bytes", "anon_bytes"];

pub fn memory(summary: &Summary) -> Vec<Bottleneck> {
    let mut found = Vec::new();
    for source in evidence::target_sources(summary) {
        if let Some(b) = limited(source, &MEMORY_METRICS, BottleneckKind::Memory, "memory") {
            found.push(b);
        }
    }
    found
}

pub fn file_descriptors(summary: &Summary) -> Vec<Bottleneck> {
    evidence::target_sources(summary)
        .filter_map(|source| {
            limited(
                source,
                &["fds"],
                BottleneckKind::FileDescriptors,
                "open file descriptors",
            )
        })
        .collect()
}

/// A growing metric (leak verdict) or one whose maximum is near its limit.
fn limited(source: &MonitorSummary, names: &[&str], kind: BottleneckKind, what: &str) -> Option<Bottleneck> {
    let leak = source.leaks.iter().find(|l| names.contains(&l.metric.as_str()))?;
    let max = evidence::metric(source, &leak.metric).and_then(|m| m.max);
    let near = match (max, leak.limit) {
        (Some(max), Some(limit)) if limit > 0.0 => max >= NEAR_LIMIT * limit,
        _ => false,
    };
    if leak.state != LeakState::Growing && !near {
        return None;
    }
    let mut evidence = vec![format!("{}: {}", source.source, leak.verdict)];
    let mut numbers = BTreeMap::new();
    if let (Some(max), Some(limit)) = (max, leak.limit) {
        evidence.push(format!(
            "{}: {} reached {max:.0} of its limit {limit:.0}",
            source.source, leak.metric
        ));
        numbers.insert(format!("{}_max", leak.metric), max);
        numbers.insert(format!("{}_limit", leak.metric), limit);
    }
    if let Some(hours) = leak.hours_to_limit {
        numbers.insert("hours_to_limit".to_string(), hours);
    }
    let verdict = if leak.state == LeakState::Growing {
        format!("{what} of {} grew during the run: a leak", source.source)
    } else {
        format!("{what} of {} were near their limit", source.source)
    };
    let recommendations = if kind == BottleneckKind::Memory {
        vec![
            "find what holds memory per request (a heap profile of a soak run); until then, restart before the limit"
                .to_string(),
        ]
    } else {
        vec![
            "close what each request opens (sockets, files); raise the limit (ulimit -n, LimitNOFILE) only after"
                .to_string(),
        ]
    };
    Some(Bottleneck {
        kind,
        confidence: Confidence::High,
        verdict,
        evidence,
        numbers,
        recommendations,
    })
}

/// The first target source whose CPU was at a limit.
pub fn target_cpu(summary: &Summary, pressure: &Pressure) -> Option<Bottleneck> {
    let cores = summary.metadata.cpus.max(1) as f64;
    evidence::target_sources(summary).find_map(|source| cpu_of(source, cores, pressure, summary))
}

fn cpu_of(source: &MonitorSummary, cores: f64, pressure: &Pressure, summary: &Summary) -> Option<Bottleneck> {
    let cpu = evidence::metric(source, "cpu_percent")?;
    let mean = cpu.mean?;
    let throttled = evidence::metric(source, "throttled_percent")
        .and_then(|m| m.mean)
        .unwrap_or(0.0);
    let wait = evidence::cpu_wait(source).unwrap_or(0.0);
    let demand = mean + wait;
    let whole = (demand / 100.0).round().max(1.0);
    let plateau = demand >= 100.0 - PLATEAU_MARGIN && (demand - 100.0 * whole).abs() <= PLATEAU_MARGIN;
    let machine = mean >= NEAR_LIMIT * 100.0 * cores;
    let (limit, confidence) = if throttled >= THROTTLED_PERCENT {
        (
            format!("its cgroup CPU quota (throttled in {throttled:.0}% of periods)"),
            Confidence::High,
        )
    } else if machine {
        (format!("every core of the machine ({cores:.0})"), Confidence::High)
    } else if plateau {
        let level = if pressure.any() {
            Confidence::Medium
        } else {
            Confidence::Low
        };
        let queued = if wait >= 1.0 {
            format!(" (running {mean:.0}%, waiting for a CPU {wait:.0}%: the machine's other work took the rest)")
        } else {
            String::new()
        };
        (format!("a plateau at {whole:.0} core(s)' worth{queued}"), level)
    } else {
        return None;
    };
    let mut evidence = vec![format!(
        "{}: cpu_percent mean {mean:.0}%, max {:.0}% (100% = one core)",
        source.source,
        cpu.max.unwrap_or(mean)
    )];
    if wait > 0.0 {
        evidence.push(format!(
            "{}: cpu_wait_percent mean {wait:.0}% (runnable, waiting for a CPU)",
            source.source
        ));
    }
    evidence.extend(pressure.describe());
    let mut numbers = BTreeMap::from([
        ("target_cpu_percent_mean".to_string(), mean),
        ("machine_cores".to_string(), cores),
    ]);
    if wait > 0.0 {
        numbers.insert("target_cpu_wait_percent_mean".to_string(), wait);
    }
    if throttled > 0.0 {
        numbers.insert("throttled_percent_mean".to_string(), throttled);
    }
    let verdict = format!("the target's CPU was at its limit: {mean:.0}% of one core, at {limit}");
    Some(Bottleneck {
        kind: BottleneckKind::TargetCpu,
        confidence,
        verdict,
        evidence,
        numbers,
        recommendations: cpu_advice(source, summary),
    })
}

/// What to cut, from the flame graph when there is one.
fn cpu_advice(source: &MonitorSummary, summary: &Summary) -> Vec<String> {
    let mut advice = Vec::new();
    match source.flamegraph.as_ref().and_then(|f| f.top.first()) {
        Some(top) => advice.push(format!(
            "cut CPU per request: `{}` is the widest frame ({:.0}% of on-CPU samples, self)",
            top.function, top.self_percent
        )),
        None => advice.push("record where the CPU goes with --flamegraph, then cut CPU per request".to_string()),
    }
    let per_core = summary.requests.rate_per_s;
    advice.push(format!(
        "or scale out: more cores, workers or instances ({per_core:.0} req/s is what this CPU gave)"
    ));
    advice
}

#[cfg(test)]
mod tests {
    use super::super::{decide, testing};
    use loadcell_schema::{BottleneckKind, Confidence, FlameGraphSummary, FunctionShare, LeakState, MonitorKind};

    #[test]
    fn one_core_pinned_while_latency_rose_is_target_cpu_with_the_flame_graphs_advice() {
        let s = testing::rising(testing::open(600.0, 480.0), 3.0, 180.0);
        let mut s = testing::monitored(
            s,
            "process:target",
            MonitorKind::Process,
            &[("cpu_percent", 98.0, 101.0)],
        );
        s.monitor[0].flamegraph = Some(FlameGraphSummary {
            top: vec![FunctionShare {
                function: "json::encode".into(),
                self_percent: 41.0,
                ..Default::default()
            }],
            ..Default::default()
        });
        let found = decide(&s);
        assert_eq!(found[0].kind, BottleneckKind::TargetCpu, "{found:?}");
        assert_eq!(found[0].confidence, Confidence::Medium);
        assert!(
            found[0].recommendations[0].contains("json::encode"),
            "{:?}",
            found[0].recommendations
        );
        assert!(found.iter().all(|b| b.kind != BottleneckKind::Waiting));
    }

    #[test]
    fn a_cpu_bound_thread_starved_by_the_machine_is_target_cpu_not_waiting() {
        // Measured on a busy 2-core machine: `--cpu-work 2ms` past its capacity ran 45% of
        // a core and waited runnable for the rest.
        let s = testing::rising(testing::open(800.0, 217.0), 5.0, 470.0);
        let s = testing::monitored(
            s,
            "pid:9",
            MonitorKind::Pid,
            &[("cpu_percent", 45.0, 70.0), ("cpu_wait_percent", 50.0, 60.0)],
        );
        let found = decide(&s);
        assert_eq!(found[0].kind, BottleneckKind::TargetCpu, "{found:?}");
        assert_eq!(found[0].confidence, Confidence::Medium);
        assert!(
            found[0].verdict.contains("waiting for a CPU 50%"),
            "{}",
            found[0].verdict
        );
        assert!(found.iter().all(|b| b.kind != BottleneckKind::Waiting), "{found:?}");
    }

    #[test]
    fn a_throttled_cgroup_is_certain_and_a_half_busy_core_is_no_verdict() {
        let s = testing::monitored(
            testing::open(100.0, 100.0),
            "cgroup:/app",
            MonitorKind::Cgroup,
            &[("cpu_percent", 50.0, 52.0), ("throttled_percent", 60.0, 80.0)],
        );
        assert_eq!(decide(&s)[0].confidence, Confidence::High);
        let calm = testing::monitored(
            testing::open(100.0, 100.0),
            "pid:1",
            MonitorKind::Pid,
            &[("cpu_percent", 55.0, 60.0)],
        );
        assert!(decide(&calm).is_empty(), "{:?}", decide(&calm));
    }

    #[test]
    fn a_growing_rss_is_memory_and_fds_near_their_limit_are_file_descriptors() {
        let s = testing::monitored(
            testing::open(100.0, 100.0),
            "pid:7",
            MonitorKind::Pid,
            &[("rss_bytes", 5e8, 9e8), ("fds", 900.0, 1000.0)],
        );
        let s = testing::leak(s, "rss_bytes", LeakState::Growing, Some(2e9), Some(2.1));
        let s = testing::leak(s, "fds", LeakState::Flat, Some(1024.0), None);
        let found = decide(&s);
        let kinds: Vec<_> = found.iter().map(|b| b.kind).collect();
        assert!(kinds.contains(&BottleneckKind::Memory), "{kinds:?}");
        assert!(kinds.contains(&BottleneckKind::FileDescriptors), "{kinds:?}");
        let memory = found.iter().find(|b| b.kind == BottleneckKind::Memory).unwrap();
        assert_eq!(memory.numbers["hours_to_limit"], 2.1);
    }
}
