//! Verdicts for each stage of a staged run and each step of a sweep: the rules of the whole
//! run applied to a view of the summary narrowed to the stage — its own requests, latency,
//! errors and dropped iterations, the measured seconds of the time series inside it, what
//! `--monitor` read during its measured window and its own `--postgres` window (sweeps) —
//! so a stress run names the stage that broke on its own evidence ("stage 4 (400 VUs):
//! target_cpu"). Memory, file descriptors and the generator are judged on the whole run
//! only: a stage is too short for a leak's trend, and loadcell's CPU is measured per run.
//! The open model's target rate is not part of a stage's view (a ramp has none): a stage
//! under pressure shows it by latency, drops or errors.

use loadcell_schema::{Bottleneck, BottleneckKind, Generator, MonitorSummary, PhaseSummary, Requests, Summary};

/// Decides `bottlenecks` of every phase of `summary`; `monitor_of(i, phase)` gives what
/// `--monitor` read during phase `i`'s measured window (empty without `--monitor`).
pub fn attach(summary: &mut Summary, monitor_of: impl Fn(usize, &PhaseSummary) -> Vec<MonitorSummary>) {
    let verdicts: Vec<Vec<Bottleneck>> = summary
        .phases
        .iter()
        .enumerate()
        .map(|(i, phase)| decide(summary, phase, monitor_of(i, phase)))
        .collect();
    for (phase, found) in summary.phases.iter_mut().zip(verdicts) {
        phase.bottlenecks = found;
    }
}

/// The load-level verdicts of one phase, from its own evidence.
pub fn decide(summary: &Summary, phase: &PhaseSummary, monitor: Vec<MonitorSummary>) -> Vec<Bottleneck> {
    super::decide(&view(summary, phase, monitor))
        .into_iter()
        .filter(|b| {
            !matches!(
                b.kind,
                BottleneckKind::Memory | BottleneckKind::FileDescriptors | BottleneckKind::Generator
            )
        })
        .collect()
}

/// The summary as if the run had been this phase alone.
fn view(summary: &Summary, phase: &PhaseSummary, monitor: Vec<MonitorSummary>) -> Summary {
    let failed = (phase.error_rate * phase.requests as f64).round() as u64;
    let inside = |t: f64| t >= phase.start_s && t < phase.end_s;
    Summary {
        requests: Requests {
            total: phase.requests,
            ok: phase.requests.saturating_sub(failed),
            failed,
            rate_per_s: phase.rate_per_s,
            ..summary.requests.clone()
        },
        dropped_iterations: phase.dropped_iterations,
        latency_ms: phase.latency_ms.clone(),
        service_time_ms: None,
        errors: phase.errors.clone(),
        arrival_rate: None,
        timeseries: summary
            .timeseries
            .iter()
            .filter(|iv| !iv.warmup && inside(iv.t_s - iv.len_s / 2.0))
            .cloned()
            .collect(),
        generator: Generator::default(),
        monitor,
        postgres: phase.postgres.clone(),
        phases: Vec::new(),
        bottlenecks: Vec::new(),
        ..summary.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;
    use loadcell_schema::{IntervalSummary, MonitorKind};

    fn phase(name: &str, start_s: f64, end_s: f64, level: f64, p95: f64) -> PhaseSummary {
        let mut p = PhaseSummary {
            name: name.to_string(),
            start_s,
            end_s,
            level,
            seconds: end_s - start_s,
            requests: (level * (end_s - start_s)) as u64,
            rate_per_s: level,
            ..PhaseSummary::default()
        };
        p.latency_ms.p95 = p95;
        p.latency_ms.mean = p95 / 2.0;
        p
    }

    fn cpu(mean: f64) -> Vec<MonitorSummary> {
        testing::monitored(
            testing::open(100.0, 100.0),
            "pid:1",
            MonitorKind::Pid,
            &[("cpu_percent", mean, mean + 3.0)],
        )
        .monitor
    }

    #[test]
    fn each_stage_is_judged_on_its_own_readings_and_seconds() {
        let mut s = testing::open(450.0, 450.0);
        s.timeseries = (1..=10)
            .map(|t| {
                let mut iv = IntervalSummary {
                    t_s: f64::from(t),
                    len_s: 1.0,
                    requests: 100,
                    ..IntervalSummary::default()
                };
                // Calm in the first stage, climbing in the second.
                iv.latency_ms.p95 = if t <= 5 { 3.0 } else { 3.0 * f64::from(t - 4) * 4.0 };
                iv
            })
            .collect();
        s.phases = vec![
            phase("stage 1", 0.0, 5.0, 100.0, 3.0),
            phase("stage 2", 5.0, 10.0, 800.0, 60.0),
        ];
        attach(&mut s, |i, _| if i == 0 { cpu(20.0) } else { cpu(97.0) });
        assert!(s.phases[0].bottlenecks.is_empty(), "{:?}", s.phases[0].bottlenecks);
        let heavy = &s.phases[1].bottlenecks;
        assert_eq!(
            heavy.first().map(|b| b.kind),
            Some(BottleneckKind::TargetCpu),
            "{heavy:?}"
        );
        assert!(
            heavy[0].evidence.iter().any(|e| e.contains("p95 rose")),
            "the stage's own seconds: {heavy:?}"
        );
    }

    #[test]
    fn leaks_and_the_generator_are_left_to_the_whole_run() {
        let mut s = testing::open(100.0, 100.0);
        s.generator.cpu_percent = 99.0;
        s.phases = vec![
            phase("stage 1", 0.0, 5.0, 100.0, 3.0),
            phase("stage 2", 5.0, 10.0, 100.0, 3.0),
        ];
        let monitored = testing::monitored(
            testing::open(100.0, 100.0),
            "pid:7",
            MonitorKind::Pid,
            &[("rss_bytes", 5e8, 9e8)],
        );
        let leaking = testing::leak(monitored, "rss_bytes", loadcell_schema::LeakState::Growing, None, None);
        attach(&mut s, |_, _| leaking.monitor.clone());
        assert!(s.phases.iter().all(|p| p.bottlenecks.is_empty()), "{:?}", s.phases);
    }
}
