//! A run with `--monitor pid:4242 --monitor host --flamegraph`: the process leaks memory
//! and exits before the end, the host is read throughout.

use loadcell_schema::*;

fn metric(name: &str, unit: &str, values: Vec<Option<f64>>) -> MonitorMetric {
    let seen: Vec<f64> = values.iter().flatten().copied().collect();
    MonitorMetric {
        name: name.into(),
        unit: unit.into(),
        min: seen.iter().copied().reduce(f64::min),
        mean: (!seen.is_empty()).then(|| seen.iter().sum::<f64>() / seen.len() as f64),
        max: seen.iter().copied().reduce(f64::max),
        last: seen.last().copied(),
        values,
    }
}

/// [`super::summary`] of `seconds` with two monitor sources.
pub fn monitored(seconds: usize) -> Summary {
    let mut s = super::summary(seconds);
    let alive = seconds.saturating_sub(3);
    let t_s: Vec<f64> = (0..=alive).map(|i| i as f64).collect();
    let series = |f: &dyn Fn(f64) -> f64| t_s.iter().map(|&t| Some(f(t))).collect::<Vec<_>>();
    let mut cpu = series(&|t| 30.0 + (t % 3.0));
    cpu[0] = None;
    let process = MonitorSummary {
        source: "pid:4242".into(),
        kind: MonitorKind::Pid,
        processes: None,
        samples: t_s.len() as u64 + 1,
        failed_samples: 0,
        disappeared_at_s: Some(alive as f64 + 1.0),
        disappeared: Some("process 4242 exited".into()),
        metrics: vec![
            metric("cpu_percent", "percent", cpu),
            metric("rss_bytes", "bytes", series(&|t| 50.0 * 1_048_576.0 + 204_800.0 * t)),
            metric("threads", "count", series(&|_| 3.0)),
            metric("fds", "count", series(&|_| 17.0)),
            metric("read_bytes_per_s", "bytes/s", series(&|_| 0.0)),
        ],
        t_s: t_s.clone(),
        leaks: vec![LeakVerdict {
            metric: "rss_bytes".into(),
            state: LeakState::Growing,
            from_s: 5.0,
            to_s: alive as f64,
            points: alive as u64 - 5,
            trend: None,
            floor_per_hour: 16.0 * 1_048_576.0,
            floor_rise: 1_048_576.0,
            limit: None,
            hours_to_limit: None,
            verdict: "rss_bytes grows 703 MiB per hour (p < 0.001, 95% CI 690 MiB to 716 MiB)".into(),
        }],
        flamegraph: Some(FlameGraphSummary {
            file: "flamegraph.svg".into(),
            from_s: 5.0,
            to_s: alive as f64,
            samples: 1980,
            top: vec![
                FunctionShare {
                    function: "__vdso_clock_gettime".into(),
                    self_samples: 900,
                    self_percent: 45.5,
                    total_samples: 900,
                },
                FunctionShare {
                    function: "loadcell_target::app::spin".into(),
                    self_samples: 500,
                    self_percent: 25.3,
                    total_samples: 1500,
                },
            ],
        }),
    };
    let host_t: Vec<f64> = (0..=seconds).map(|i| i as f64).collect();
    let host = MonitorSummary {
        source: "host".into(),
        kind: MonitorKind::Host,
        processes: None,
        samples: host_t.len() as u64,
        failed_samples: 0,
        disappeared_at_s: None,
        disappeared: None,
        metrics: vec![
            metric(
                "cpu_busy_percent",
                "percent",
                host_t.iter().map(|t| Some(20.0 + t)).collect(),
            ),
            metric("load1", "", host_t.iter().map(|_| Some(0.5)).collect()),
        ],
        t_s: host_t,
        leaks: vec![],
        flamegraph: None,
    };
    s.monitor = vec![process, host];
    s
}
