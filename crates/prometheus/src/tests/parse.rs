//! The exposition read back by a real, strict parser of both text formats
//! (`openmetrics-parser`), asserting on the values it finds.

use super::fixture::{Fixture, HOSTILE_PATH, PRODUCT};
use openmetrics_parser::openmetrics::parse_openmetrics;
use openmetrics_parser::prometheus::parse_prometheus;
use openmetrics_parser::{
    HistogramValue, MetricFamily, OpenMetricsType, OpenMetricsValue, PrometheusType, PrometheusValue,
    RenderableMetricValue, Sample,
};

/// The sample of `family` whose labels include every pair of `want`.
pub fn sample<'a, T, V>(family: &'a MetricFamily<T, V>, want: &[(&str, &str)]) -> &'a Sample<V>
where
    T: Clone,
    V: RenderableMetricValue + Clone,
{
    family
        .iter_samples()
        .find(|s| {
            let labels = s.get_labelset().unwrap();
            want.iter().all(|(k, v)| labels.get_label_value(k) == Some(*v))
        })
        .unwrap_or_else(|| panic!("no sample {want:?} in {}", family.family_name))
}

fn prom_number(v: &PrometheusValue) -> f64 {
    match v {
        PrometheusValue::Counter(c) => c.value.as_f64(),
        PrometheusValue::Gauge(n) | PrometheusValue::Unknown(n) => n.as_f64(),
        other => panic!("not a number: {other:?}"),
    }
}

/// `om` without the UNIT lines of histogram families. OpenMetrics 1.0 allows a unit on
/// any family but info and stateset (its own examples put one on a summary), and
/// Prometheus reads them; this parser accepts units on counters, gauges and unknowns
/// only. Everything else still goes through it.
pub fn for_parser(om: &str) -> String {
    let histograms: Vec<&str> = om
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE ")?.strip_suffix(" histogram"))
        .collect();
    om.lines()
        .filter(|l| {
            let unit_of = l.strip_prefix("# UNIT ").and_then(|rest| rest.split(' ').next());
            !unit_of.is_some_and(|name| histograms.contains(&name))
        })
        .flat_map(|l| [l, "\n"])
        .collect()
}

fn check_histogram(h: &HistogramValue, count: u64) {
    assert_eq!(h.count, Some(count));
    assert_eq!(h.buckets.len(), 18);
    assert_eq!(h.buckets.last().unwrap().upper_bound, f64::INFINITY);
    assert_eq!(h.buckets.last().unwrap().count.as_f64(), count as f64);
    assert!(h.buckets.windows(2).all(|w| w[0].upper_bound < w[1].upper_bound));
    assert!(h.buckets.windows(2).all(|w| w[0].count.as_f64() <= w[1].count.as_f64()));
}

#[test]
fn prometheus_text_parses_with_the_right_values() {
    let text = Fixture::new().render(false);
    let parsed = parse_prometheus(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let family = |name: &str| {
        parsed
            .families
            .get(name)
            .unwrap_or_else(|| panic!("no family {name}: {:?}", parsed.families.keys()))
    };
    let requests = family("loadcell_http_requests_total");
    assert_eq!(requests.family_type, PrometheusType::Counter);
    let ok = sample(requests, &[("endpoint", PRODUCT), ("status_class", "2xx")]);
    assert_eq!(prom_number(&ok.value), 4.0);

    let duration = family("loadcell_http_request_duration_seconds");
    assert_eq!(duration.family_type, PrometheusType::Histogram);
    let PrometheusValue::Histogram(h) = &sample(duration, &[("endpoint", PRODUCT)]).value else {
        panic!("not a histogram");
    };
    check_histogram(h, 6);
    let le = |bound: f64| {
        h.buckets
            .iter()
            .find(|b| b.upper_bound == bound)
            .unwrap()
            .count
            .as_f64()
    };
    assert_eq!(le(0.001), 3.0, "three 1 ms responses");
    assert_eq!(le(0.025), 4.0, "and a 2 ms one");
    assert_eq!(le(0.05), 5.0, "and 40 ms");
    assert_eq!(le(0.3), 6.0, "and 300 ms");
    let sum = h.sum.unwrap().as_f64();
    assert!((sum - 0.345).abs() < 0.001, "{sum}");

    // The hostile name comes back exactly as it went in.
    let hostile = format!("GET {HOSTILE_PATH}");
    let odd = sample(family("loadcell_http_request_ttfb_seconds"), &[("endpoint", &hostile)]);
    let PrometheusValue::Histogram(h) = &odd.value else {
        panic!("not a histogram");
    };
    check_histogram(h, 1);

    let checks = family("loadcell_checks_total");
    let body = sample(checks, &[("check", "body has \"ok\""), ("result", "fail")]);
    assert_eq!(prom_number(&body.value), 1.0);
    assert_eq!(prom_number(&sample(family("loadcell_vus_max"), &[]).value), 20.0);
    assert_eq!(
        prom_number(&sample(family("loadcell_elapsed_seconds"), &[]).value),
        12.25
    );
}

#[test]
fn openmetrics_parses_with_the_right_values() {
    let om = Fixture::new().render(true);
    assert!(om.contains(
        "# TYPE loadcell_http_request_ttfb_seconds histogram\n# UNIT loadcell_http_request_ttfb_seconds seconds\n"
    ));
    let parsed = parse_openmetrics(&for_parser(&om)).unwrap_or_else(|e| panic!("{e}\n{om}"));
    let family = |name: &str| {
        parsed
            .families
            .get(name)
            .unwrap_or_else(|| panic!("no family {name}: {:?}", parsed.families.keys()))
    };
    let requests = family("loadcell_http_requests");
    assert_eq!(requests.family_type, OpenMetricsType::Counter);
    let OpenMetricsValue::Counter(c) =
        &sample(requests, &[("endpoint", "POST /api/cart"), ("status_class", "error")]).value
    else {
        panic!("not a counter");
    };
    assert_eq!(c.value.as_f64(), 2.0);
    let duration = family("loadcell_http_request_duration_seconds");
    let OpenMetricsValue::Histogram(h) = &sample(duration, &[("endpoint", PRODUCT)]).value else {
        panic!("not a histogram");
    };
    check_histogram(h, 6);
    assert_eq!(family("loadcell_data_sent_bytes").unit, "bytes");
    assert_eq!(family("loadcell_elapsed_seconds").unit, "seconds");
    let OpenMetricsValue::Gauge(rate) = &sample(family("loadcell_target_arrival_rate"), &[]).value else {
        panic!("not a gauge");
    };
    assert_eq!(rate.as_f64(), 12.5);
}

#[test]
fn the_empty_run_parses_in_both_formats() {
    let live = crate::LiveMetrics::new();
    parse_prometheus(&live.render(false)).unwrap();
    parse_openmetrics(&for_parser(&live.render(true))).unwrap();
}

#[test]
fn the_parser_rejects_what_the_renderer_guards_against() {
    // Not vacuous: decreasing buckets, a raw line feed in a label value and a missing
    // `# EOF` are all refused.
    let buckets = "# TYPE h histogram\nh_bucket{le=\"1.0\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n";
    assert!(parse_prometheus(buckets).is_err());
    assert!(parse_prometheus("# TYPE c_total counter\nc_total{e=\"a\nb\"} 1\n").is_err());
    assert!(parse_openmetrics("# TYPE c counter\nc_total 1\n").is_err());
    assert!(parse_openmetrics("# TYPE c counter\nc_total 1\n# EOF\n").is_ok());
}

#[test]
fn monitored_values_read_back_by_source_and_metric() {
    let text = Fixture::new().render(false);
    let exposition = parse_prometheus(&text).unwrap();
    let values = &exposition.families["loadcell_monitor_value"];
    let gauge = |want: &[(&str, &str)]| match &sample(values, want).value {
        PrometheusValue::Gauge(v) | PrometheusValue::Unknown(v) => v.as_f64(),
        other => panic!("not a gauge: {other:?}"),
    };
    assert_eq!(gauge(&[("source", "pid:4242"), ("metric", "cpu_percent")]), 37.5);
    assert_eq!(gauge(&[("source", "pid:4242"), ("metric", "rss_bytes")]), 52_428_800.0);
    assert_eq!(gauge(&[("source", "pid:4242"), ("metric", "fds")]), 17.0);
    assert_eq!(
        values.iter_samples().count(),
        3,
        "the source that disappeared has no values"
    );
    let up = &exposition.families["loadcell_monitor_up"];
    let up_of = |source: &str| match &sample(up, &[("source", source)]).value {
        PrometheusValue::Gauge(v) | PrometheusValue::Unknown(v) => v.as_f64(),
        other => panic!("not a gauge: {other:?}"),
    };
    assert_eq!((up_of("pid:4242"), up_of("process:nginx")), (1.0, 0.0));
    parse_openmetrics(&for_parser(&Fixture::new().render(true))).unwrap();
}
