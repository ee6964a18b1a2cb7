//! From a run's readings to `summary.json`'s `monitor[]`: per source the time axis, each
//! metric's series with min/mean/max over the readings after the warm-up, when it
//! disappeared, and the leak verdicts. The same function serves a live run and a results
//! folder read back, so both give the same summary.

use std::collections::BTreeMap;

use loadcell_schema::{FlameGraphSummary, MonitorKind, MonitorMetric, MonitorSample, MonitorSummary};

use crate::leak;
use crate::spec::SourceSpec;
use crate::units::unit_of;

/// Metrics listed first, in this order; the rest follow by name.
const ORDER: [&str; 17] = [
    "cpu_percent",
    "cpu_user_percent",
    "cpu_system_percent",
    "cpu_busy_percent",
    "throttled_percent",
    "rss_bytes",
    "memory_bytes",
    "anon_bytes",
    "file_bytes",
    "virtual_bytes",
    "threads",
    "fds",
    "pids",
    "processes",
    "load1",
    "mem_available_bytes",
    "read_bytes_per_s",
];

/// Summaries of `sources` (name and kind, in order) from `samples`; leak lines are fitted
/// on the readings with `from_s < t_s ≤ to_s`.
pub fn summarize(
    sources: &[(String, MonitorKind)],
    samples: &[MonitorSample],
    from_s: f64,
    to_s: f64,
) -> Vec<MonitorSummary> {
    sources
        .iter()
        .map(|(name, kind)| {
            let own: Vec<&MonitorSample> = samples.iter().filter(|s| s.source == *name).collect();
            one(name, *kind, &own, from_s, to_s)
        })
        .collect()
}

/// Puts the flame graph's summary on the profiled source: the first `pid:` or `process:`
/// one (`--flamegraph` takes exactly one).
pub fn attach_flamegraph(summaries: &mut [MonitorSummary], graph: &FlameGraphSummary) {
    if let Some(s) = summaries
        .iter_mut()
        .find(|s| matches!(s.kind, MonitorKind::Pid | MonitorKind::Process))
    {
        s.flamegraph = Some(graph.clone());
    }
}

/// The sources of samples read back from a results folder, in order of first reading.
pub fn sources_of(samples: &[MonitorSample]) -> Vec<(String, MonitorKind)> {
    let mut out: Vec<(String, MonitorKind)> = Vec::new();
    for s in samples {
        if !out.iter().any(|(n, _)| *n == s.source) {
            let kind = SourceSpec::parse(&s.source).map_or(MonitorKind::Host, |spec| spec.kind());
            out.push((s.source.clone(), kind));
        }
    }
    out
}

fn one(name: &str, kind: MonitorKind, own: &[&MonitorSample], from_s: f64, to_s: f64) -> MonitorSummary {
    let gone = own.iter().find(|s| s.gone.is_some());
    let readings: Vec<&MonitorSample> = own.iter().copied().filter(|s| s.gone.is_none()).collect();
    let t_s: Vec<f64> = readings.iter().map(|s| s.t_s).collect();
    let mut names: Vec<&str> = readings
        .iter()
        .flat_map(|s| s.values.keys().map(String::as_str))
        .collect();
    names.sort_by_key(|n| (ORDER.iter().position(|o| o == n).unwrap_or(ORDER.len()), *n));
    names.dedup();
    let measured = |t: f64| t > from_s;
    let any_measured = t_s.iter().any(|&t| measured(t));
    let metrics: Vec<MonitorMetric> = names
        .iter()
        .map(|&m| metric(m, &readings, |t| !any_measured || measured(t)))
        .collect();
    let leaks = metrics
        .iter()
        .filter_map(|m| {
            let floor = leak::floor_of(&m.name)?;
            let points: Vec<(f64, f64)> = t_s
                .iter()
                .zip(&m.values)
                .filter(|(t, _)| **t > from_s && **t <= to_s)
                .filter_map(|(t, v)| Some((*t, (*v)?)))
                .collect();
            let limit = readings.iter().rev().find_map(|s| s.limits.get(&m.name).copied());
            Some(leak::verdict(&m.name, floor, &points, from_s, to_s, limit))
        })
        .collect();
    let processes = metrics
        .iter()
        .find(|m| m.name == "processes")
        .and_then(|m| m.max)
        .map(|v| v as u64);
    MonitorSummary {
        source: name.to_string(),
        kind,
        processes,
        samples: own.len() as u64,
        failed_samples: own.iter().filter(|s| s.error.is_some()).count() as u64,
        disappeared_at_s: gone.map(|s| s.t_s),
        disappeared: gone.and_then(|s| s.gone.clone()),
        t_s,
        metrics,
        leaks,
        flamegraph: None,
    }
}

fn metric(name: &str, readings: &[&MonitorSample], counted: impl Fn(f64) -> bool) -> MonitorMetric {
    let values: Vec<Option<f64>> = readings.iter().map(|s| s.values.get(name).copied()).collect();
    let stats: Vec<f64> = readings
        .iter()
        .zip(&values)
        .filter(|(s, _)| counted(s.t_s))
        .filter_map(|(_, v)| *v)
        .collect();
    let n = stats.len() as f64;
    MonitorMetric {
        name: name.to_string(),
        unit: unit_of(name).to_string(),
        min: stats.iter().copied().reduce(f64::min),
        mean: (n > 0.0).then(|| stats.iter().sum::<f64>() / n),
        max: stats.iter().copied().reduce(f64::max),
        last: values.iter().rev().find_map(|v| *v),
        values,
    }
}

/// The readings of each source as a map, for callers that look values up by name.
pub fn by_source(samples: &[MonitorSample]) -> BTreeMap<&str, Vec<&MonitorSample>> {
    let mut out: BTreeMap<&str, Vec<&MonitorSample>> = BTreeMap::new();
    for s in samples {
        out.entry(s.source.as_str()).or_default().push(s);
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use loadcell_schema::LeakState;

    /// One reading of `source` at `t_s` (also for the other modules' tests).
    pub(crate) fn reading(source: &str, t_s: f64, values: &[(&str, f64)]) -> MonitorSample {
        MonitorSample {
            source: source.into(),
            t_s,
            values: values.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            ..MonitorSample::default()
        }
    }

    #[test]
    fn statistics_skip_the_warm_up_and_a_disappearance_is_kept() {
        let mut samples = vec![reading("pid:7", 0.0, &[("rss_bytes", 100.0), ("fds", 5.0)])];
        for t in 1..=20 {
            let t = f64::from(t);
            samples.push(reading(
                "pid:7",
                t,
                &[("rss_bytes", 1000.0 + t), ("fds", 5.0), ("cpu_percent", 10.0)],
            ));
            samples.push(reading("host", t, &[("load1", 0.5)]));
        }
        samples.push(MonitorSample {
            gone: Some("process 7 exited".into()),
            ..reading("pid:7", 21.0, &[])
        });
        let sources = sources_of(&samples);
        assert_eq!(
            sources,
            [
                ("pid:7".to_string(), MonitorKind::Pid),
                ("host".to_string(), MonitorKind::Host)
            ]
        );
        let s = summarize(&sources, &samples, 5.0, 20.0);
        let p = &s[0];
        assert_eq!((p.samples, p.t_s.len()), (22, 21));
        assert_eq!(p.disappeared_at_s, Some(21.0));
        assert_eq!(p.disappeared.as_deref(), Some("process 7 exited"));
        let names: Vec<&str> = p.metrics.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["cpu_percent", "rss_bytes", "fds"]);
        let rss = &p.metrics[1];
        assert_eq!((rss.min, rss.max, rss.last), (Some(1006.0), Some(1020.0), Some(1020.0)));
        assert_eq!(rss.values[0], Some(100.0));
        assert_eq!(p.metrics[0].values[0], None, "no rate in the first reading");
        assert_eq!(rss.unit, "bytes");
        let leaks: Vec<(&str, LeakState)> = p.leaks.iter().map(|l| (l.metric.as_str(), l.state)).collect();
        assert_eq!(leaks, [("rss_bytes", LeakState::Flat), ("fds", LeakState::Flat)]);
        assert_eq!(p.leaks[0].points, 15);
        assert_eq!(s[1].metrics[0].mean, Some(0.5));
        assert_eq!(by_source(&samples)["host"].len(), 20);
    }
}
