//! What the rules read from a summary: whether the run was under pressure (latency rose,
//! the rate was not kept, requests failed) and the monitor's readings of the target.

use loadcell_schema::{IntervalSummary, MonitorKind, MonitorMetric, MonitorSummary, Summary};

/// Latency counts as having risen when the last quarter's median p95 is this many times
/// the first quarter's …
pub const LATENCY_RISE_RATIO: f64 = 1.5;
/// … and at least this many milliseconds higher (sub-millisecond jitter is not a rise).
pub const LATENCY_RISE_MIN_MS: f64 = 2.0;
/// The open model's rate counts as not kept below this share of the target rate.
pub const RATE_KEPT_SHARE: f64 = 0.95;
/// Failed requests above this percentage put the run under pressure.
pub const ERROR_PERCENT: f64 = 1.0;

/// Signs that the target (or loadcell) was at a limit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pressure {
    /// p95 (ms) at the start and at the end of the measured window, when it rose.
    pub latency_rose: Option<(f64, f64)>,
    /// Open model: target and achieved rate (per second), when the rate was not kept.
    pub rate_short: Option<(f64, f64)>,
    pub dropped: u64,
    /// Failed requests as a percentage of all, when above [`ERROR_PERCENT`].
    pub error_percent: Option<f64>,
}

impl Pressure {
    pub fn of(summary: &Summary) -> Pressure {
        let failed = summary.requests.failed as f64;
        let total = summary.requests.total as f64;
        let error_percent = (total > 0.0)
            .then(|| 100.0 * failed / total)
            .filter(|p| *p > ERROR_PERCENT);
        let rate_short = summary
            .arrival_rate
            .as_ref()
            .filter(|r| r.target_per_s > 0.0 && r.achieved_per_s < RATE_KEPT_SHARE * r.target_per_s)
            .map(|r| (r.target_per_s, r.achieved_per_s));
        Pressure {
            latency_rose: latency_rise(&summary.timeseries),
            rate_short,
            dropped: summary.dropped_iterations,
            error_percent,
        }
    }

    pub fn any(&self) -> bool {
        self.latency_rose.is_some() || self.rate_short.is_some() || self.dropped > 0 || self.error_percent.is_some()
    }

    /// The pressure as evidence sentences.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some((from, to)) = self.latency_rose {
            lines.push(format!("p95 rose from {from:.1} ms to {to:.1} ms during the run"));
        }
        if let Some((target, achieved)) = self.rate_short {
            lines.push(format!("{achieved:.0}/s achieved of {target:.0}/s asked"));
        }
        if self.dropped > 0 {
            lines.push(format!("{} scheduled iterations dropped", self.dropped));
        }
        if let Some(p) = self.error_percent {
            lines.push(format!("{p:.1}% of requests failed"));
        }
        lines
    }
}

/// An interval shorter than this share of the run's typical one is left out of the trend.
/// The last interval of a run is its tail after the last whole second: a few milliseconds
/// holding only the requests still in flight at the end, the slowest by selection. In a 5 s
/// run at 20,000/s, 68 such requests (p95 4.1 ms, a hold of the machine's) made a quarter
/// of the run and "p95 rose from 0.5 ms to 4.1 ms" of an nginx steady at 0.46 ms.
const PARTIAL_SHARE: f64 = 0.5;

/// The median p95 of the first and last quarter of the measured seconds, when it rose.
fn latency_rise(series: &[IntervalSummary]) -> Option<(f64, f64)> {
    let measured: Vec<&IntervalSummary> = series.iter().filter(|i| !i.warmup && i.requests > 0).collect();
    let typical_len = median(&measured.iter().map(|i| i.len_s).collect::<Vec<_>>());
    let p95: Vec<f64> = measured
        .iter()
        .filter(|i| i.len_s >= PARTIAL_SHARE * typical_len)
        .map(|i| i.latency_ms.p95)
        .collect();
    if p95.len() < 4 {
        return None;
    }
    let quarter = p95.len() / 4;
    let first = median(&p95[..quarter]);
    let last = median(&p95[p95.len() - quarter..]);
    (last >= LATENCY_RISE_RATIO * first && last - first >= LATENCY_RISE_MIN_MS).then_some((first, last))
}

/// The median; of an even count, the mean of the middle two. (Taking the upper one made a
/// quarter of two seconds its worse second: one noisy second at the end of a calm run was
/// enough to call its latency risen.)
fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    loadcell_schema::median_of_sorted(&sorted)
}

/// Sources that watch the target (every kind but the host).
pub fn target_sources(summary: &Summary) -> impl Iterator<Item = &MonitorSummary> {
    summary.monitor.iter().filter(|m| m.kind != MonitorKind::Host)
}

/// The host source, when there is one.
pub fn host(summary: &Summary) -> Option<&MonitorSummary> {
    summary.monitor.iter().find(|m| m.kind == MonitorKind::Host)
}

/// A metric of a source by name (labels included, when written).
pub fn metric<'a>(source: &'a MonitorSummary, name: &str) -> Option<&'a MonitorMetric> {
    source.metrics.iter().find(|m| m.name == name)
}

/// The largest `max` over metrics whose name starts with `prefix` (labelled series).
pub fn max_of(source: &MonitorSummary, prefix: &str) -> Option<f64> {
    source
        .metrics
        .iter()
        .filter(|m| m.name == prefix || m.name.starts_with(&format!("{prefix}{{")))
        .filter_map(|m| m.max)
        .reduce(f64::max)
}

/// The mean time a source's threads waited, runnable, for a CPU (percent of one core).
pub fn cpu_wait(source: &MonitorSummary) -> Option<f64> {
    metric(source, "cpu_wait_percent").and_then(|m| m.mean)
}

/// True when there is anything beyond loadcell's own numbers to decide from.
pub fn has_resource_evidence(summary: &Summary) -> bool {
    target_sources(summary).next().is_some() || !summary.postgres.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn second(p95: f64) -> IntervalSummary {
        let mut i = IntervalSummary {
            requests: 100,
            len_s: 1.0,
            ..IntervalSummary::default()
        };
        i.latency_ms.p95 = p95;
        i
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&[1.0, 3.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0]), 3.0);
        assert_eq!(median(&[5.0]), 5.0);
    }

    #[test]
    fn one_noisy_second_at_the_end_of_a_calm_run_is_not_a_rise() {
        // 11 seconds at about 1.3 ms; the last one at 4 ms. Quarters of two seconds.
        let mut calm: Vec<IntervalSummary> = (0..10).map(|_| second(1.3)).collect();
        calm.push(second(4.0));
        assert_eq!(latency_rise(&calm), None);
        // Both of the last quarter's seconds high: a rise.
        let mut rising: Vec<IntervalSummary> = (0..9).map(|_| second(1.3)).collect();
        rising.extend([second(4.0), second(4.2)]);
        assert_eq!(latency_rise(&rising), Some((1.3, 4.1)));
    }

    #[test]
    fn the_tail_after_the_last_whole_second_is_not_a_quarter_of_the_run() {
        // Five steady seconds, then the 8 ms tail of the requests in flight at the end.
        let mut run: Vec<IntervalSummary> = (0..5).map(|_| second(0.46)).collect();
        let mut tail = second(4.1);
        tail.len_s = 0.008;
        tail.requests = 68;
        run.push(tail);
        assert_eq!(latency_rise(&run), None);
        // A rise over whole seconds is still one, tail or not.
        let mut rising: Vec<IntervalSummary> = (0..3).map(|_| second(0.46)).collect();
        rising.extend([second(4.0), second(4.2)]);
        let mut tail = second(0.5);
        tail.len_s = 0.008;
        rising.push(tail);
        assert_eq!(latency_rise(&rising), Some((0.46, 4.2)));
    }
}
