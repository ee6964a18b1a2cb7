//! String-level checks of the rendered exposition: cumulative buckets, `_count`,
//! endpoint merging, label escaping and the differences between the two formats.

use super::fixture::{Fixture, PRODUCT};
use std::collections::BTreeMap;

/// `series without le` → bucket counts in order, for every `_bucket` line of `name`.
fn buckets(text: &str, name: &str) -> BTreeMap<String, Vec<u64>> {
    let prefix = format!("{name}_bucket{{");
    let mut out: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for line in text.lines().filter(|l| l.starts_with(&prefix)) {
        let (series, value) = line.rsplit_once(' ').unwrap();
        let le_at = series.rfind(",le=\"").unwrap();
        out.entry(series[prefix.len()..le_at].to_owned())
            .or_default()
            .push(value.parse().unwrap());
    }
    out
}

fn value(text: &str, series: &str) -> String {
    let line = text
        .lines()
        .find(|l| l.rsplit_once(' ').is_some_and(|(s, _)| s == series))
        .unwrap_or_else(|| panic!("no {series} in\n{text}"));
    line.rsplit_once(' ').unwrap().1.to_owned()
}

#[test]
fn buckets_are_cumulative_and_end_at_count() {
    let text = Fixture::new().render(false);
    for name in [
        "loadcell_http_request_duration_seconds",
        "loadcell_http_request_ttfb_seconds",
    ] {
        let all = buckets(&text, name);
        assert_eq!(all.len(), 3, "one series per endpoint name: {all:?}");
        for (labels, counts) in all {
            assert_eq!(counts.len(), 18, "{labels}");
            assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{labels}: {counts:?}");
            let count = value(&text, &format!("{name}_count{{{labels}}}"));
            assert_eq!(counts.last().unwrap().to_string(), count, "{labels}");
        }
    }
}

#[test]
fn count_is_requests_with_latency_merged_by_endpoint() {
    let text = Fixture::new().render(false);
    let product = format!("endpoint=\"{PRODUCT}\",method=\"GET\"");
    // Four responses in one journey, two in the other: one series.
    assert_eq!(
        value(
            &text,
            &format!("loadcell_http_request_duration_seconds_count{{{product}}}")
        ),
        "6"
    );
    let cart = "endpoint=\"POST /api/cart\",method=\"POST\"";
    // A refused connection has no latency; the 45 s timeout does, beyond the last bound.
    assert_eq!(
        value(
            &text,
            &format!("loadcell_http_request_duration_seconds_count{{{cart}}}")
        ),
        "2"
    );
    let cart_buckets = &buckets(&text, "loadcell_http_request_duration_seconds")[cart];
    assert_eq!(cart_buckets[16], 1, "only the 5 ms response is ≤ 30 s");
    assert_eq!(cart_buckets[17], 2);
    let requests = |class: &str, labels: &str| {
        value(
            &text,
            &format!("loadcell_http_requests_total{{{labels},status_class=\"{class}\"}}"),
        )
    };
    assert_eq!(requests("2xx", &product), "4");
    assert_eq!(requests("4xx", &product), "1");
    assert_eq!(requests("5xx", &product), "1");
    assert_eq!(requests("3xx", &product), "0");
    assert_eq!(requests("error", cart), "2");
    assert_eq!(requests("3xx", cart), "1");
    let errors = |kind: &str| {
        value(
            &text,
            &format!("loadcell_http_request_errors_total{{{cart},kind=\"{kind}\"}}"),
        )
    };
    assert_eq!(errors("connect_refused"), "1");
    assert_eq!(errors("request_timeout"), "1");
    assert_eq!(errors("dns"), "0");
    assert_eq!(
        value(
            &text,
            &format!("loadcell_http_responses_total{{{product},status=\"503\"}}")
        ),
        "1"
    );
    assert_eq!(value(&text, "loadcell_data_sent_bytes_total"), "1000");
    assert_eq!(value(&text, "loadcell_data_received_bytes_total"), "10000");
}

#[test]
fn run_counters_gauges_checks_and_journeys() {
    let text = Fixture::new().render(false);
    assert_eq!(value(&text, "loadcell_iterations_total"), "3");
    assert_eq!(value(&text, "loadcell_dropped_iterations_total"), "2");
    assert_eq!(value(&text, "loadcell_iterations_scheduled_total"), "5");
    assert_eq!(value(&text, "loadcell_connections_opened_total"), "4");
    assert_eq!(value(&text, "loadcell_vus"), "7");
    assert_eq!(value(&text, "loadcell_vus_max"), "20");
    assert_eq!(value(&text, "loadcell_elapsed_seconds"), "12.25");
    assert_eq!(value(&text, "loadcell_warmup"), "0");
    assert_eq!(value(&text, "loadcell_target_arrival_rate"), "12.5");
    let status_check = "journey=\"browse\",step=\"view product\",check=\"status is 200\"";
    assert_eq!(
        value(
            &text,
            &format!("loadcell_checks_total{{{status_check},result=\"pass\"}}")
        ),
        "5"
    );
    assert_eq!(
        value(
            &text,
            &format!("loadcell_checks_total{{{status_check},result=\"fail\"}}")
        ),
        "1"
    );
    let body_check = "journey=\"buy\",step=\"add\",check=\"body has \\\"ok\\\"\"";
    assert_eq!(
        value(&text, &format!("loadcell_checks_total{{{body_check},result=\"fail\"}}")),
        "1"
    );
    assert_eq!(
        value(&text, "loadcell_journey_iterations_total{journey=\"browse\"}"),
        "2"
    );
    assert_eq!(
        value(&text, "loadcell_journey_failed_iterations_total{journey=\"buy\"}"),
        "1"
    );
    // Journeys and steps label only journey metrics, never the per-endpoint ones.
    assert!(
        text.lines()
            .filter(|l| l.starts_with("loadcell_http_"))
            .all(|l| !l.contains("journey="))
    );
}

#[test]
fn hostile_endpoint_names_are_escaped() {
    let text = Fixture::new().render(false);
    let escaped = r#"endpoint="GET /x\"y\\z\nw{le=\"1\"}",method="GET""#;
    assert_eq!(
        value(
            &text,
            &format!("loadcell_http_request_duration_seconds_count{{{escaped}}}")
        ),
        "1"
    );
    // Every sample stays on one line: name, labels, one space, one value.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        assert!(line.starts_with("loadcell_"), "{line}");
    }
}

#[test]
fn formats_differ_only_where_the_specs_do() {
    let f = Fixture::new();
    let text = f.render(false);
    let om = f.render(true);
    assert!(text.contains("# TYPE loadcell_http_requests_total counter\n"));
    assert!(om.contains("# TYPE loadcell_http_requests counter\n"));
    assert!(om.contains("# UNIT loadcell_http_request_duration_seconds seconds\n"));
    assert!(om.ends_with("\n# EOF\n") && !text.contains("# EOF"));
    let samples = |s: &str| {
        s.lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(samples(&text), samples(&om), "same samples in both formats");
}

#[test]
fn optional_gauges_and_the_empty_run() {
    let mut f = Fixture::new();
    f.target_rate = None;
    assert!(!f.render(false).contains("loadcell_target_arrival_rate"));
    let empty = crate::LiveMetrics::new().render(false);
    assert!(empty.contains("\nloadcell_iterations_total 0\n"), "{empty}");
    assert!(!empty.contains("loadcell_http_request_duration_seconds_bucket"));
}

#[test]
fn a_scenarios_own_metrics_have_a_family_per_kind() {
    for openmetrics in [false, true] {
        let text = Fixture::new().render(openmetrics);
        assert_eq!(value(&text, "loadcell_custom_counter_total{metric=\"orders\"}"), "2.5");
        assert_eq!(
            value(&text, "loadcell_custom_rate_total{metric=\"ok\",result=\"true\"}"),
            "2"
        );
        assert_eq!(
            value(&text, "loadcell_custom_rate_total{metric=\"ok\",result=\"false\"}"),
            "1"
        );
        assert_eq!(value(&text, "loadcell_custom_gauge{metric=\"stock\"}"), "7");
        assert_eq!(
            value(&text, "loadcell_custom_trend{metric=\"total\",stat=\"max\"}"),
            "100"
        );
        assert_eq!(
            value(&text, "loadcell_custom_trend{metric=\"total\",stat=\"avg\"}"),
            "50.5"
        );
        let p95: f64 = value(&text, "loadcell_custom_trend{metric=\"total\",stat=\"p95\"}")
            .parse()
            .unwrap();
        assert!((p95 - 95.0).abs() < 0.1, "{p95}");
        assert_eq!(value(&text, "loadcell_custom_invalid_total{metric=\"total\"}"), "1");
        assert!(
            !text.contains("loadcell_custom_gauge{metric=\"never\"}"),
            "a gauge with no value has no series"
        );
        assert_eq!(value(&text, "loadcell_custom_invalid_total{metric=\"never\"}"), "0");
    }
}
