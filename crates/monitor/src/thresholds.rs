//! Thresholds on the target's resources (`target_cpu<80%`, `target_rss<500MB`,
//! `target_fds<1000`) answered from the `--monitor` summaries: the worst (highest) of the
//! `pid:`, `process:` and `cgroup:` sources, over the readings after the warm-up.
//! `target_rss` is a process's `rss_bytes` or a cgroup's `memory_bytes`.

use loadcell_schema::{MonitorKind, MonitorSummary};
use loadcell_threshold::{Aggregation, Metric, MetricSource, TagFilter};

/// The monitor summaries of a run as a threshold metric source.
pub struct TargetResources<'a>(pub &'a [MonitorSummary]);

impl MetricSource for TargetResources<'_> {
    fn query(&self, metric: Metric, filter: &TagFilter, aggregation: Aggregation) -> Option<f64> {
        if !filter.is_empty() {
            return None;
        }
        let names: &[&str] = match metric {
            Metric::TargetCpu => &["cpu_percent"],
            Metric::TargetRss => &["rss_bytes", "memory_bytes"],
            Metric::TargetFds => &["fds"],
            _ => return None,
        };
        self.0
            .iter()
            .filter(|s| matches!(s.kind, MonitorKind::Pid | MonitorKind::Process | MonitorKind::Cgroup))
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
}
