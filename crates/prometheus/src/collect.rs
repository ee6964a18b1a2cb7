//! Builds the families of one exposition from a [`View`] of the run: request slots merged
//! by endpoint name, checks and journeys merged by their labels, global counters and
//! gauges. Label sets are bounded: templated endpoint names, never raw URLs.

use crate::buckets::from_histogram;
use crate::live::View;
use crate::model::{Family, Value};
use crate::names::*;
use loadcell_metrics::{CheckCounts, CustomValues, EndpointMetrics};
use loadcell_schema::{CustomKind, ErrorKind};
use std::borrow::Cow;

/// Status classes always written for every endpoint, so that rates start at zero.
const CLASSES: [&str; 4] = ["2xx", "3xx", "4xx", "5xx"];

/// Every family of the exposition, in order.
pub(crate) fn collect(view: &View<'_>) -> Vec<Family> {
    let mut families = endpoint_families(view);
    families.extend(run_families(view));
    families
}

/// Request slots grouped by `METHOD path`, in first-seen order, merged when several
/// (journey steps) share one.
fn endpoints<'a>(view: &View<'a>) -> Vec<(String, &'a str, Cow<'a, EndpointMetrics>)> {
    let mut out: Vec<(String, &'a str, Cow<'a, EndpointMetrics>)> = Vec::new();
    for (name, metrics) in view.endpoints.iter().zip(&view.total.endpoints) {
        // A step's redirect slot appears once a hop happened, as in the summary.
        if name.counts_redirects() && metrics.requests() == 0 && metrics.skipped == 0 {
            continue;
        }
        let display = name.display();
        match out.iter_mut().find(|(d, _, _)| *d == display) {
            Some((_, _, merged)) => merged.to_mut().merge(metrics),
            None => out.push((display, name.method.as_str(), Cow::Borrowed(metrics))),
        }
    }
    out
}

fn endpoint_families(view: &View<'_>) -> Vec<Family> {
    let mut requests = Family::new(&HTTP_REQUESTS);
    let mut responses = Family::new(&HTTP_RESPONSES);
    let mut errors = Family::new(&HTTP_ERRORS);
    let mut duration = Family::new(&HTTP_DURATION);
    let mut ttfb = Family::new(&HTTP_TTFB);
    let (mut sent, mut received) = (0, 0);
    for (endpoint, method, m) in endpoints(view) {
        let labels = |extra: Option<(&'static str, String)>| {
            let mut l = vec![("endpoint", endpoint.clone()), ("method", method.to_owned())];
            l.extend(extra);
            l
        };
        let statuses = m.status.sorted();
        let mut by_class = [0u64; 6]; // 1xx..5xx, other
        for &(code, n) in &statuses {
            let class = match code {
                100..=599 => usize::from(code / 100 - 1),
                _ => 5,
            };
            by_class[class] += n;
        }
        for (i, class) in ["1xx", "2xx", "3xx", "4xx", "5xx", "other"].into_iter().enumerate() {
            if by_class[i] > 0 || CLASSES.contains(&class) {
                requests.push(labels(Some(("status_class", class.into()))), Value::Count(by_class[i]));
            }
        }
        requests.push(
            labels(Some(("status_class", "error".into()))),
            Value::Count(m.error_total()),
        );
        for (code, n) in statuses {
            responses.push(labels(Some(("status", code.to_string()))), Value::Count(n));
        }
        for kind in ErrorKind::ALL {
            let n = m.errors[kind.as_index()];
            errors.push(labels(Some(("kind", kind.as_str().into()))), Value::Count(n));
        }
        duration.push(labels(None), Value::Histogram(from_histogram(&m.latency)));
        ttfb.push(labels(None), Value::Histogram(from_histogram(&m.ttfb)));
        sent += m.sent_bytes;
        received += m.received_bytes;
    }
    let mut data_sent = Family::new(&DATA_SENT);
    data_sent.push(Vec::new(), Value::Count(sent));
    let mut data_received = Family::new(&DATA_RECEIVED);
    data_received.push(Vec::new(), Value::Count(received));
    vec![requests, responses, errors, duration, ttfb, data_sent, data_received]
}

fn run_families(view: &View<'_>) -> Vec<Family> {
    let total = view.total;
    let count = |def, n| {
        let mut f = Family::new(def);
        f.push(Vec::new(), Value::Count(n));
        f
    };
    let gauge = |def, v: f64| {
        let mut f = Family::new(def);
        if v.is_finite() {
            f.push(Vec::new(), Value::Gauge(v));
        }
        f
    };
    let mut journey_iterations = Family::new(&JOURNEY_ITERATIONS);
    let mut journey_failed = Family::new(&JOURNEY_FAILED);
    let mut journeys: Vec<(&str, u64, u64)> = Vec::new();
    for (name, j) in view.journeys.iter().zip(&total.journeys) {
        match journeys.iter_mut().find(|(n, _, _)| *n == name.as_str()) {
            Some((_, it, failed)) => (*it, *failed) = (*it + j.iterations, *failed + j.failed),
            None => journeys.push((name, j.iterations, j.failed)),
        }
    }
    for (name, iterations, failed) in journeys {
        journey_iterations.push(vec![("journey", name.to_owned())], Value::Count(iterations));
        journey_failed.push(vec![("journey", name.to_owned())], Value::Count(failed));
    }
    vec![
        count(&CONNECTIONS, total.connections_opened),
        count(&ITERATIONS, total.iterations),
        count(&DROPPED, total.dropped),
        count(&SCHEDULED, total.scheduled),
        journey_iterations,
        journey_failed,
        checks(view),
    ]
    .into_iter()
    .chain(custom(view))
    .chain([
        gauge(&VUS, view.active_vus as f64),
        gauge(&VUS_MAX, view.vus_max as f64),
        gauge(&TARGET_RATE, view.target_rate_per_s.unwrap_or(f64::NAN)),
        gauge(&ELAPSED, view.elapsed_s),
        gauge(&WARMUP, if view.warmup { 1.0 } else { 0.0 }),
    ])
    .collect()
}

/// A scenario's own metrics, one family per kind, labelled by name. A gauge or a trend with
/// no value yet has no series (never a made-up 0).
fn custom(view: &View<'_>) -> [Family; 5] {
    let mut counter = Family::new(&CUSTOM_COUNTER);
    let mut rate = Family::new(&CUSTOM_RATE);
    let mut gauge = Family::new(&CUSTOM_GAUGE);
    let mut trend = Family::new(&CUSTOM_TREND);
    let mut invalid = Family::new(&CUSTOM_INVALID);
    for def in view.custom {
        // Every step that adds to it, merged.
        let mut v = CustomValues::default();
        for (_, values) in view
            .custom_sites
            .iter()
            .zip(&view.total.custom)
            .filter(|(s, _)| s.label == def.name)
        {
            v.merge(values);
        }
        let name = || vec![("metric", def.name.clone())];
        invalid.push(name(), Value::Count(v.invalid));
        match def.kind {
            CustomKind::Counter => counter.push(name(), Value::Total(v.sum)),
            CustomKind::Rate => {
                for (result, n) in [("true", v.nonzero), ("false", v.count - v.nonzero)] {
                    rate.push(
                        vec![("metric", def.name.clone()), ("result", result.to_owned())],
                        Value::Count(n),
                    );
                }
            }
            CustomKind::Gauge if v.count > 0 => gauge.push(name(), Value::Gauge(v.last)),
            CustomKind::Trend if v.count > 0 => {
                let stats = [
                    ("avg", v.mean()),
                    ("min", Some(v.min)),
                    ("max", Some(v.max)),
                    ("p50", v.quantile(0.5)),
                    ("p90", v.quantile(0.9)),
                    ("p95", v.quantile(0.95)),
                    ("p99", v.quantile(0.99)),
                ];
                for (stat, value) in stats {
                    if let Some(value) = value {
                        trend.push(
                            vec![("metric", def.name.clone()), ("stat", stat.to_owned())],
                            Value::Gauge(value),
                        );
                    }
                }
            }
            CustomKind::Gauge | CustomKind::Trend => {}
        }
    }
    [counter, rate, gauge, trend, invalid]
}

/// Checks merged by (journey, step, label), each as a pass and a fail series.
fn checks(view: &View<'_>) -> Family {
    let mut merged: Vec<(&str, &str, &str, CheckCounts)> = Vec::new();
    for (name, c) in view.checks.iter().zip(&view.total.checks) {
        let key = (name.journey.as_str(), name.step.as_str(), name.label.as_str());
        match merged.iter_mut().find(|(j, s, l, _)| (*j, *s, *l) == key) {
            Some((_, _, _, counts)) => {
                counts.passed += c.passed;
                counts.failed += c.failed;
            }
            None => merged.push((key.0, key.1, key.2, *c)),
        }
    }
    let mut family = Family::new(&CHECKS);
    for (journey, step, label, counts) in merged {
        for (result, n) in [("pass", counts.passed), ("fail", counts.failed)] {
            let labels = vec![
                ("journey", journey.to_owned()),
                ("step", step.to_owned()),
                ("check", label.to_owned()),
                ("result", result.to_owned()),
            ];
            family.push(labels, Value::Count(n));
        }
    }
    family
}
