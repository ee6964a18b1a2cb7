//! Thresholds against measured results: the metric source that answers k6-named queries
//! from merged histograms and counters, and the verdict list for the summary.

use crate::filters::{check_matches, custom_match, endpoint_matches, nothing_matched};
use loadcell_engine::{CheckName, EndpointName, Outcome};
use loadcell_metrics::{CustomValues, EndpointMetrics, LatencyHistogram, Recorder};
use loadcell_schema::ThresholdResult;
use loadcell_threshold::{Aggregation, Metric, MetricKind, MetricSource, TagFilter, TagKey, Threshold};

/// Measured results as a source of threshold values.
pub struct Measured<'a> {
    pub total: &'a Recorder,
    pub endpoints: &'a [EndpointName],
    /// Journey names, in the order of `total.journeys` (empty: no per-journey iterations).
    pub journeys: &'a [String],
    pub checks: &'a [CheckName],
    /// Where a scenario's own metrics are added to, in the order of `total.custom`.
    pub custom_sites: &'a [CheckName],
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
            custom_sites: &outcome.custom_sites,
            seconds: outcome.measured.as_secs_f64(),
            vus_limit: outcome.vus_limit,
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
            if self.journey_selected(name, filter) {
                any = true;
                sum += self.total.journeys.get(j).map_or(0, |m| m.iterations);
            }
        }
        any.then_some(sum)
    }

    /// Whether journey `name`'s iterations are selected by the filter's journey, group,
    /// scenario and custom tags (the tags its requests carry; other keys do not apply).
    fn journey_selected(&self, name: &str, filter: &TagFilter) -> bool {
        let tags = self
            .endpoints
            .iter()
            .find(|e| e.journey.as_deref() == Some(name))
            .map_or(&[][..], |e| &e.tags[..]);
        let probe = EndpointName {
            journey: Some(name.to_string()),
            tags: tags.to_vec(),
            ..EndpointName::default()
        };
        filter.tags.iter().all(|(key, value)| match key {
            TagKey::Journey | TagKey::Group | TagKey::Scenario => endpoint_matches(&probe, *key, value),
            _ => true,
        }) && custom_match(tags, filter)
    }

    /// Iteration durations of the journey the filter names (all journeys without one); in
    /// quick mode, where an iteration is one request, the requests' latency — but a group
    /// (`group_duration`) is a journey, so quick mode has none.
    fn durations_matching(&self, metric: Metric, filter: &TagFilter) -> Option<LatencyHistogram> {
        if self.total.journeys.is_empty() {
            return (metric == Metric::IterationDuration).then(|| self.total.overall().latency);
        }
        let mut merged = loadcell_metrics::new_histogram();
        for (name, journey) in self.journeys.iter().zip(&self.total.journeys) {
            if self.journey_selected(name, filter) {
                loadcell_metrics::merge_into(&mut merged, &journey.duration);
            }
        }
        Some(merged)
    }

    /// The values added to custom metric `name` at the places the filter selects (by journey,
    /// step, scenario, group and the file's own tags), merged; `None` when no place adds to it.
    fn custom_matching(&self, name: &str, filter: &TagFilter) -> Option<CustomValues> {
        crate::filters::custom_values(self.custom_sites, &self.total.custom, name, filter)
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
            Metric::HttpReqDuration => {
                let ep = self.endpoints_matching(filter)?;
                match filter.get(TagKey::ExpectedResponse) {
                    Some("true") => trend(&ep.latency_expected, aggregation),
                    // The failed requests' latencies: all of them less the others'.
                    Some(_) => {
                        let mut failed = ep.latency.clone();
                        failed.subtract(&ep.latency_expected).ok()?;
                        trend(&failed, aggregation)
                    }
                    None => trend(&ep.latency, aggregation),
                }
            }
            Metric::HttpReqWaiting => trend(&self.endpoints_matching(filter)?.ttfb, aggregation),
            Metric::HttpReqConnecting => trend(&self.endpoints_matching(filter)?.connecting, aggregation),
            Metric::HttpReqBlocked => trend(&self.endpoints_matching(filter)?.blocked, aggregation),
            Metric::HttpReqTlsHandshaking => trend(&self.endpoints_matching(filter)?.tls_handshaking, aggregation),
            Metric::HttpReqSending => trend(&self.endpoints_matching(filter)?.sending, aggregation),
            Metric::HttpReqReceiving => trend(&self.endpoints_matching(filter)?.receiving, aggregation),
            Metric::IterationDuration | Metric::GroupDuration => {
                trend(&self.durations_matching(metric, filter)?, aggregation)
            }
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
            Metric::Custom(c) => custom(
                &self.custom_matching(c.name, filter)?,
                c.kind,
                aggregation,
                self.seconds,
            ),
        }
    }
}

/// A scenario's own metric: `None` until a value was added to it.
fn custom(v: &CustomValues, kind: MetricKind, aggregation: Aggregation, seconds: f64) -> Option<f64> {
    if v.count == 0 {
        return None;
    }
    match (kind, aggregation) {
        (MetricKind::Counter, Aggregation::Count) => Some(v.sum),
        (MetricKind::Counter, Aggregation::Rate) => (seconds > 0.0).then(|| v.sum / seconds),
        (MetricKind::Rate, Aggregation::Rate) => Some(v.nonzero as f64 / v.count as f64),
        (MetricKind::Gauge, Aggregation::Value) => Some(v.last),
        (MetricKind::Trend, Aggregation::Avg) => v.mean(),
        (MetricKind::Trend, Aggregation::Min) => Some(v.min),
        (MetricKind::Trend, Aggregation::Max) => Some(v.max),
        (MetricKind::Trend, Aggregation::Med) => v.quantile(0.5),
        (MetricKind::Trend, Aggregation::Percentile(p)) => v.quantile(p / 100.0),
        _ => None,
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

#[cfg(test)]
mod tests {
    use super::*;
    use loadcell_metrics::{Outcome as Got, Sample, Shape};

    fn judge(source: &Measured<'_>, expr: &str) -> (bool, String) {
        let t = loadcell_threshold::parse(expr).unwrap_or_else(|e| panic!("{e}"));
        let r = evaluate(&[t], source).remove(0);
        (r.passed, r.actual_text)
    }

    /// The threshold holds and its actual is `ms` within the histogram's 3 digits.
    fn holds(source: &Measured<'_>, expr: &str, ms: f64) {
        let (passed, text) = judge(source, expr);
        let actual: f64 = text.trim_end_matches(" ms").parse().unwrap_or(f64::NAN);
        assert!(passed && (actual - ms).abs() <= ms * 0.002, "{expr}: {passed} {text}");
    }

    fn sample(latency_ms: u64, ttfb_ms: u64) -> Sample {
        Sample {
            endpoint: 0,
            latency_us: latency_ms * 1000,
            service_us: None,
            ttfb_us: Some(ttfb_ms * 1000),
            sending_us: None,
            outcome: Got::Status(200),
            sent_bytes: 1,
            received_bytes: 1,
            expected_interval_us: None,
        }
    }

    /// Quick mode's one endpoint, `GET /`.
    fn quick_endpoint() -> EndpointName {
        EndpointName {
            method: "GET".into(),
            path: "/".into(),
            journey: None,
            step: None,
            tags: Vec::new(),
        }
    }

    /// A second of quick mode's results in `total`.
    fn quick_source<'a>(total: &'a Recorder, endpoints: &'a [EndpointName]) -> Measured<'a> {
        Measured {
            total,
            endpoints,
            journeys: &[],
            checks: &[],
            custom_sites: &[],
            seconds: 1.0,
            vus_limit: 1,
        }
    }

    #[test]
    fn receiving_and_iteration_duration_in_quick_mode() {
        let endpoints = [quick_endpoint()];
        let mut total = Recorder::new(1);
        total.record(&sample(10, 4));
        total.record(&sample(20, 5));
        let source = quick_source(&total, &endpoints);
        holds(&source, "http_req_receiving: max<16", 15.0);
        holds(&source, "http_req_receiving: min>5.9", 6.0);
        // An iteration is one request: its latency.
        holds(&source, "iteration_duration: max<21", 20.0);
        // No journeys, so no groups: a duration that matched nothing fails.
        assert!(!judge(&source, "group_duration: max<1000").0);
    }

    #[test]
    fn duration_splits_by_expected_response_as_k6s_default_does() {
        let endpoints = [quick_endpoint()];
        let mut total = Recorder::new(1);
        total.record(&sample(10, 4));
        total.record(&sample(20, 5));
        total.record(&Sample {
            outcome: Got::Status(503),
            ..sample(900, 1)
        });
        total.record(&Sample {
            outcome: Got::Error(loadcell_schema::ErrorKind::RequestTimeout),
            ttfb_us: None,
            ..sample(3000, 0)
        });
        let source = quick_source(&total, &endpoints);
        holds(&source, "http_req_duration{expected_response:true}: max<21", 20.0);
        holds(&source, "http_req_duration{expected_response:true}: min>9", 10.0);
        holds(&source, "http_req_duration{expected_response:false}: min>899", 900.0);
        holds(&source, "http_req_duration{expected_response:false}: max<3001", 3000.0);
        holds(&source, "http_req_duration: max<3001", 3000.0);
    }

    #[test]
    fn iteration_and_group_durations_are_the_journeys() {
        let endpoints = [EndpointName {
            method: "GET".into(),
            path: "/".into(),
            journey: Some("a".into()),
            step: None,
            tags: Vec::new(),
        }];
        let journeys = ["a".to_string(), "b".to_string()];
        let mut total = Recorder::with_shape(Shape {
            endpoints: 1,
            journeys: 2,
            checks: 0,
            custom: 0,
        });
        total.record(&sample(1, 1));
        total.record_journey(0, 100_000, false);
        total.record_journey(1, 300_000, false);
        let source = Measured {
            total: &total,
            endpoints: &endpoints,
            journeys: &journeys,
            checks: &[],
            custom_sites: &[],
            seconds: 1.0,
            vus_limit: 1,
        };
        holds(&source, "iteration_duration: max<301", 300.0);
        holds(&source, "group_duration{journey:a}: max<101", 100.0);
        holds(&source, "iteration_duration{journey:b}: min>299", 300.0);
    }

    #[test]
    fn a_scenarios_own_metrics_merge_their_sites_and_filter_by_step_and_scenario() {
        use loadcell_threshold::{Custom, MetricKind, Unit, parse_with};
        let site = |journey: &str, step: &str, metric: &str, scenario: &str| CheckName {
            journey: journey.into(),
            step: step.into(),
            label: metric.into(),
            tags: vec![("scenario".into(), scenario.into())],
        };
        let sites = [
            site("buy", "product", "found", "buyers"),
            site("buy", "missing", "found", "buyers"),
            site("browse", "list", "found", "browsers"),
            site("buy", "checkout", "orders", "buyers"),
        ];
        let mut total = Recorder::with_shape(Shape {
            endpoints: 1,
            journeys: 0,
            checks: 0,
            custom: 4,
        });
        for _ in 0..3 {
            total.record_custom(0, Some(1.0), false);
            total.record_custom(1, Some(0.0), false);
        }
        total.record_custom(2, Some(1.0), false);
        total.record_custom(3, Some(2.0), false);
        total.record_custom(3, None, false);
        let source = Measured {
            total: &total,
            endpoints: &[],
            journeys: &[],
            checks: &[],
            custom_sites: &sites,
            seconds: 2.0,
            vus_limit: 1,
        };
        let own = [
            Custom::new(0, "found", MetricKind::Rate, Unit::Count),
            Custom::new(1, "orders", MetricKind::Counter, Unit::Count),
            Custom::new(2, "stock", MetricKind::Gauge, Unit::Count),
        ];
        let actual = |expr: &str| {
            let t = parse_with(expr, &own).unwrap_or_else(|e| panic!("{e}"));
            t.evaluate(&source).actual
        };
        assert_eq!(actual("found: rate>0"), Some(4.0 / 7.0));
        assert_eq!(actual("found{step:product}: rate>0"), Some(1.0));
        assert_eq!(actual("found{step:missing}: rate>0"), Some(0.0));
        assert_eq!(actual("found{scenario:browsers}: rate>0"), Some(1.0));
        assert_eq!(actual("found{journey:buy}: rate>0"), Some(0.5));
        assert_eq!(actual("orders: count>0"), Some(2.0));
        assert_eq!(actual("orders: rate>0"), Some(1.0));
        // A metric no value was added to, or a filter that selects none of its steps.
        assert_eq!(actual("stock: value>0"), None);
        assert_eq!(actual("orders{step:product}: count>0"), None);
        let t = parse_with("stock: value>0", &own).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(evaluate(&[t], &source)[0].actual_text, "no value was added to stock");
    }
}
