//! Thresholds against measured results: the metric source that answers k6-named queries
//! from merged histograms and counters, and the verdict list for the summary.

use crate::filters::{check_matches, custom_match, endpoint_matches, nothing_matched};
use loadcell_engine::{CheckName, EndpointName, Outcome};
use loadcell_metrics::{EndpointMetrics, LatencyHistogram, Recorder};
use loadcell_schema::ThresholdResult;
use loadcell_threshold::{Aggregation, Metric, MetricSource, TagFilter, TagKey, Threshold};

/// Measured results as a source of threshold values.
pub struct Measured<'a> {
    pub total: &'a Recorder,
    pub endpoints: &'a [EndpointName],
    /// Journey names, in the order of `total.journeys` (empty: no per-journey iterations).
    pub journeys: &'a [String],
    pub checks: &'a [CheckName],
    /// Measured seconds, for per-second rates.
    pub seconds: f64,
    /// The configured VU ceiling (`vus_max`).
    pub vus_limit: u64,
}

impl<'a> Measured<'a> {
    /// The measured results of a whole run (warm-up excluded).
    pub fn of(outcome: &'a Outcome) -> Measured<'a> {
        Measured {
            total: &outcome.total,
            endpoints: &outcome.endpoints,
            journeys: &outcome.journeys,
            checks: &outcome.checks,
            seconds: outcome.measured.as_secs_f64(),
            vus_limit: outcome.model.vus_limit(),
        }
    }

    /// Endpoints matching the filter's request tags (all but `status`), merged; `None` when
    /// no request slot has them all.
    fn endpoints_matching(&self, filter: &TagFilter) -> Option<EndpointMetrics> {
        let mut merged = EndpointMetrics::default();
        let mut any = false;
        for (name, metrics) in self.endpoints.iter().zip(&self.total.endpoints) {
            if filter
                .tags
                .iter()
                .all(|(key, value)| endpoint_matches(name, *key, value))
                && custom_match(&name.tags, filter)
            {
                merged.merge(metrics);
                any = true;
            }
        }
        any.then_some(merged)
    }

    /// Iterations of the journeys the filter selects (by name, group, scenario or the
    /// file's own tags, which a journey's requests carry); all iterations without a filter.
    fn iterations_matching(&self, filter: &TagFilter) -> Option<u64> {
        if filter.is_empty() {
            return Some(self.total.iterations);
        }
        let mut any = false;
        let mut sum = 0;
        for (j, name) in self.journeys.iter().enumerate() {
            let tags = self
                .endpoints
                .iter()
                .find(|e| e.journey.as_deref() == Some(name.as_str()))
                .map_or(&[][..], |e| &e.tags[..]);
            let probe = EndpointName {
                journey: Some(name.clone()),
                tags: tags.to_vec(),
                ..EndpointName::default()
            };
            let selected = filter.tags.iter().all(|(key, value)| match key {
                TagKey::Journey | TagKey::Group | TagKey::Scenario => endpoint_matches(&probe, *key, value),
                _ => true,
            }) && custom_match(tags, filter);
            if selected {
                any = true;
                sum += self.total.journeys.get(j).map_or(0, |m| m.iterations);
            }
        }
        any.then_some(sum)
    }

    /// The pass rate (or count of runs) of the checks matching the filter's check, name,
    /// journey and step tags.
    fn checks_matching(&self, filter: &TagFilter, aggregation: Aggregation) -> Option<f64> {
        let mut passed = 0;
        let mut runs = 0;
        for (name, counts) in self.checks.iter().zip(&self.total.checks) {
            let matches = filter.tags.iter().all(|(key, value)| check_matches(name, *key, value))
                && custom_match(&name.tags, filter);
            if matches {
                passed += counts.passed;
                runs += counts.passed + counts.failed;
            }
        }
        match aggregation {
            Aggregation::Rate => (runs > 0).then(|| passed as f64 / runs as f64),
            Aggregation::Count => Some(runs as f64),
            _ => None,
        }
    }
}

fn trend(h: &LatencyHistogram, aggregation: Aggregation) -> Option<f64> {
    if h.is_empty() {
        return None;
    }
    let ms = |us: u64| us as f64 / 1000.0;
    Some(match aggregation {
        Aggregation::Percentile(p) => ms(h.value_at_quantile(p / 100.0)),
        Aggregation::Avg => h.mean() / 1000.0,
        Aggregation::Min => ms(h.min()),
        Aggregation::Max => ms(h.max()),
        Aggregation::Med => ms(h.value_at_quantile(0.5)),
        _ => return None,
    })
}

impl MetricSource for Measured<'_> {
    fn query(&self, metric: Metric, filter: &TagFilter, aggregation: Aggregation) -> Option<f64> {
        let per_s = |count: u64| {
            if self.seconds > 0.0 {
                Some(count as f64 / self.seconds)
            } else {
                None
            }
        };
        let counter = |count: u64| match aggregation {
            Aggregation::Count => Some(count as f64),
            Aggregation::Rate => per_s(count),
            _ => None,
        };
        // Parsing refused every tag a metric is not split by; `scenario` names the run's
        // own (checked before the run), so it selects everything.
        match metric {
            Metric::HttpReqDuration => trend(&self.endpoints_matching(filter)?.latency, aggregation),
            Metric::HttpReqWaiting => trend(&self.endpoints_matching(filter)?.ttfb, aggregation),
            Metric::HttpReqConnecting => trend(&self.total.connect, aggregation),
            Metric::HttpReqFailed => {
                let ep = self.endpoints_matching(filter)?;
                let (failed, n) = match filter.get(TagKey::ExpectedResponse) {
                    Some("true") => (0, ep.ok),
                    Some(_) => (ep.failed, ep.failed),
                    None => (ep.failed, ep.requests()),
                };
                (n > 0).then(|| failed as f64 / n as f64)
            }
            Metric::HttpReqs
                if filter.get(TagKey::ExpectedResponse).is_some() || filter.get(TagKey::Error).is_some() =>
            {
                let ep = self.endpoints_matching(filter)?;
                let n = match (filter.get(TagKey::ExpectedResponse), filter.get(TagKey::Error)) {
                    (_, Some(kind)) => {
                        loadcell_schema::ErrorKind::from_name(kind).map_or(0, |k| ep.errors[k.as_index()])
                    }
                    (Some("true"), None) => ep.ok,
                    _ => ep.failed,
                };
                counter(n)
            }
            Metric::HttpReqs => {
                let ep = self.endpoints_matching(filter)?;
                let n = match filter.status() {
                    Some(status) => {
                        let (lo, hi) = status.range();
                        ep.status
                            .sorted()
                            .iter()
                            .filter(|(c, _)| (lo..=hi).contains(c))
                            .map(|(_, n)| n)
                            .sum()
                    }
                    None => ep.requests(),
                };
                counter(n)
            }
            Metric::DataReceived => counter(self.endpoints_matching(filter)?.received_bytes),
            Metric::DataSent => counter(self.endpoints_matching(filter)?.sent_bytes),
            Metric::Iterations => counter(self.iterations_matching(filter)?),
            Metric::DroppedIterations => counter(self.total.dropped),
            Metric::Vus => Some(self.total.active_vus as f64),
            Metric::VusMax => Some(self.vus_limit as f64),
            Metric::Checks => self.checks_matching(filter, aggregation),
            Metric::TargetCpu | Metric::TargetRss | Metric::TargetFds => None,
        }
    }
}

/// Every threshold's verdict on a whole run.
pub fn verdicts(thresholds: &[Threshold], outcome: &Outcome) -> Vec<ThresholdResult> {
    evaluate(thresholds, &Measured::of(outcome))
}

/// Evaluates every threshold.
pub fn evaluate(thresholds: &[Threshold], source: &dyn MetricSource) -> Vec<ThresholdResult> {
    thresholds
        .iter()
        .map(|t| {
            let verdict = t.evaluate(source);
            ThresholdResult {
                expr: t.expr.clone(),
                passed: verdict.passed,
                actual: verdict.actual,
                actual_text: verdict
                    .actual
                    .map_or_else(|| nothing_matched(&t.filter, t.metric), |v| t.format_value(v)),
                limit: t.describe_limit(),
            }
        })
        .collect()
}
