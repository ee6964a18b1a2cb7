//! Thresholds on the target's resources (`target_cpu<80%`, `target_rss<500MB`,
//! `target_fds<1000`) answered from the `--monitor` readings: the worst (highest) of the
//! `pid:`, `process:` and `cgroup:` sources. `target_rss` is a process's `rss_bytes` or a
//! cgroup's `memory_bytes`.
//!
//! [`TargetResources`] answers from a run's summaries (the readings after the warm-up);
//! [`Tally`] from readings as they come, over a window: the run so far for
//! `--abort-on-fail`, one stage of a staged run, one step of a sweep ([`Tally::target_use`]).

use std::collections::BTreeMap;

use loadcell_schema::{MonitorKind, MonitorSample, MonitorSummary, TargetUse};
use loadcell_threshold::{Aggregation, Metric, MetricSource, TagFilter};

use crate::spec::SourceSpec;

/// The metrics a `target_*` threshold reads.
fn names_of(metric: Metric) -> Option<&'static [&'static str]> {
    match metric {
        Metric::TargetCpu => Some(&["cpu_percent"]),
        Metric::TargetRss => Some(&["rss_bytes", "memory_bytes"]),
        Metric::TargetFds => Some(&["fds"]),
        _ => None,
    }
}

/// Every metric some `target_*` threshold reads.
const TRACKED: [&str; 4] = ["cpu_percent", "rss_bytes", "memory_bytes", "fds"];

/// The monitor summaries of a run as a threshold metric source.
pub struct TargetResources<'a>(pub &'a [MonitorSummary]);

impl MetricSource for TargetResources<'_> {
    fn query(&self, metric: Metric, filter: &TagFilter, aggregation: Aggregation) -> Option<f64> {
        let names = names_of(metric).filter(|_| filter.is_empty())?;
        self.0
            .iter()
            .filter(|s| s.kind.is_target())
            .flat_map(|s| s.metrics.iter().filter(|m| names.contains(&m.name.as_str())))
            .filter_map(|m| match aggregation {
                Aggregation::Max => m.max,
                Aggregation::Avg => m.mean,
                Aggregation::Min => m.min,
                Aggregation::Value => m.last,
                _ => None,
            })
            .reduce(f64::max)
    }
}

/// Running statistics of one metric of one source.
#[derive(Debug, Clone, Copy)]
struct Stat {
    min: f64,
    max: f64,
    sum: f64,
    n: u64,
    last: f64,
}

impl Stat {
    fn new(v: f64) -> Stat {
        Stat {
            min: v,
            max: v,
            sum: v,
            n: 1,
            last: v,
        }
    }

    fn add(&mut self, v: f64) {
        self.min = self.min.min(v);
        self.max = self.max.max(v);
        self.sum += v;
        self.n += 1;
        self.last = v;
    }

    fn get(&self, aggregation: Aggregation) -> Option<f64> {
        match aggregation {
            Aggregation::Max => Some(self.max),
            Aggregation::Min => Some(self.min),
            Aggregation::Avg => Some(self.sum / self.n as f64),
            Aggregation::Value => Some(self.last),
            _ => None,
        }
    }
}

/// The `target_*` values of the readings whose second lies in a window, taken in as they
/// come (cheap: a few numbers per source, whatever the run's length).
///
/// A reading's rates cover the time since its source's previous reading; it belongs to
/// the window when the middle of that time is in `(from_s, to_s]` (a source's first
/// reading, levels only, when its own time is). Readings cut on the run's interval
/// boundaries therefore fall in the same stage as the interval they close, and a reading
/// at the end of the warm-up is left out, as the summaries leave it out.
#[derive(Debug, Clone)]
pub struct Tally {
    from_s: f64,
    to_s: f64,
    /// Each source's kind (`None`: not the target's own, skipped) and previous reading.
    seen: BTreeMap<String, (Option<MonitorKind>, Option<f64>)>,
    stats: BTreeMap<(String, &'static str), Stat>,
}

impl Tally {
    /// An empty tally of the readings in `(from_s, to_s]`.
    pub fn new(from_s: f64, to_s: f64) -> Tally {
        Tally {
            from_s,
            to_s,
            seen: BTreeMap::new(),
            stats: BTreeMap::new(),
        }
    }

    /// The readings of `samples` (in time order) within the window.
    pub fn of(samples: &[MonitorSample], from_s: f64, to_s: f64) -> Tally {
        let mut tally = Tally::new(from_s, to_s);
        tally.add(samples);
        tally
    }

    /// Takes in more readings, in time order.
    pub fn add(&mut self, samples: &[MonitorSample]) {
        for s in samples {
            let (kind, prev) = self.seen.entry(s.source.clone()).or_insert_with(|| {
                let kind = SourceSpec::parse(&s.source).ok().map(|spec| spec.kind());
                (kind.filter(|k| k.is_target()), None)
            });
            if kind.is_none() || s.values.is_empty() {
                continue;
            }
            let middle = prev.map_or(s.t_s, |p| (p + s.t_s) / 2.0);
            *prev = Some(s.t_s);
            if middle <= self.from_s || middle > self.to_s {
                continue;
            }
            for name in TRACKED {
                if let Some(&v) = s.values.get(name) {
                    self.stats
                        .entry((s.source.clone(), name))
                        .and_modify(|st| st.add(v))
                        .or_insert_with(|| Stat::new(v));
                }
            }
        }
    }

    /// The step figures of the window; `None` when no reading of a target source fell in it.
    pub fn target_use(&self) -> Option<TargetUse> {
        if self.stats.is_empty() {
            return None;
        }
        let q = |metric, aggregation| self.query(metric, &TagFilter::default(), aggregation);
        Some(TargetUse {
            cpu_mean_percent: q(Metric::TargetCpu, Aggregation::Avg),
            cpu_max_percent: q(Metric::TargetCpu, Aggregation::Max),
            rss_max_bytes: q(Metric::TargetRss, Aggregation::Max),
            fds_max: q(Metric::TargetFds, Aggregation::Max),
        })
    }
}

impl MetricSource for Tally {
    fn query(&self, metric: Metric, filter: &TagFilter, aggregation: Aggregation) -> Option<f64> {
        let names = names_of(metric).filter(|_| filter.is_empty())?;
        self.stats
            .iter()
            .filter(|((_, name), _)| names.contains(name))
            .filter_map(|(_, st)| st.get(aggregation))
            .reduce(f64::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use loadcell_schema::MonitorMetric;

    fn source(kind: MonitorKind, metrics: &[(&str, f64, f64)]) -> MonitorSummary {
        MonitorSummary {
            source: "x".into(),
            kind,
            processes: None,
            samples: 1,
            failed_samples: 0,
            disappeared_at_s: None,
            disappeared: None,
            t_s: vec![1.0],
            metrics: metrics
                .iter()
                .map(|(n, mean, max)| MonitorMetric {
                    name: n.to_string(),
                    mean: Some(*mean),
                    max: Some(*max),
                    min: Some(0.0),
                    last: Some(*mean),
                    ..MonitorMetric::default()
                })
                .collect(),
            leaks: vec![],
            flamegraph: None,
        }
    }

    #[test]
    fn the_worst_target_source_answers() {
        let s = [
            source(MonitorKind::Pid, &[("cpu_percent", 40.0, 95.0), ("fds", 10.0, 12.0)]),
            source(
                MonitorKind::Cgroup,
                &[("cpu_percent", 60.0, 70.0), ("memory_bytes", 5e8, 6e8)],
            ),
            source(MonitorKind::Host, &[("cpu_busy_percent", 99.0, 100.0)]),
        ];
        let src = TargetResources(&s);
        let t = |e: &str| {
            loadcell_threshold::parse(e)
                .unwrap_or_else(|e| panic!("{e}"))
                .evaluate(&src)
        };
        assert_eq!(t("target_cpu<80%").actual, Some(95.0));
        assert_eq!(t("target_cpu: avg<80%").actual, Some(60.0));
        assert!(t("target_rss<700MB").passed);
        assert_eq!(t("target_fds<1000").actual, Some(12.0));
        assert_eq!(
            TargetResources(&s[2..]).query(Metric::TargetCpu, &TagFilter::default(), Aggregation::Max),
            None
        );
        assert_eq!(
            src.query(Metric::HttpReqs, &TagFilter::default(), Aggregation::Count),
            None
        );
    }

    use crate::summary::tests::reading;

    #[test]
    fn a_tally_counts_the_readings_whose_second_is_in_its_window() {
        let mut samples = vec![reading("pid:7", 0.0, &[("rss_bytes", 1e6)])];
        for t in 1..=6 {
            let t = f64::from(t);
            samples.push(reading(
                "pid:7",
                t,
                &[("cpu_percent", 10.0 * t), ("rss_bytes", 1e6 + t)],
            ));
            samples.push(reading("host", t, &[("cpu_percent", 99.0)]));
        }
        // The readings at 3, 4 and 5 close the seconds 2–3, 3–4 and 4–5.
        let tally = Tally::of(&samples, 2.0, 5.0);
        let u = tally.target_use().unwrap();
        assert_eq!(u.cpu_mean_percent, Some(40.0));
        assert_eq!(u.cpu_max_percent, Some(50.0));
        assert_eq!(u.rss_max_bytes, Some(1e6 + 5.0));
        assert_eq!(u.fds_max, None);
        // Fed in pieces, as a live run does, the same.
        let mut live = Tally::new(2.0, 5.0);
        for chunk in samples.chunks(3) {
            live.add(chunk);
        }
        assert_eq!(live.target_use(), Some(u));
        let t = loadcell_threshold::parse("target_cpu<45%").unwrap();
        assert!(!t.evaluate(&tally).passed, "max 50% breaks it");
        assert!(Tally::of(&samples, 10.0, 20.0).target_use().is_none());
        // The host alone is not the target.
        let host: Vec<MonitorSample> = samples.iter().filter(|s| s.source == "host").cloned().collect();
        assert!(Tally::of(&host, 0.0, 10.0).target_use().is_none());
    }
}
