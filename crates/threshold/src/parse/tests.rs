//! Tests of the parser: every accepted form, units, tag filters, and every
//! error message.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::{Aggregation as A, Metric as M, Op, TagKey, Threshold, ThresholdError, parse, parse_condition};

fn ok(s: &str) -> Threshold {
    parse(s).unwrap_or_else(|e| panic!("{s:?} should parse: {e}"))
}

fn err(s: &str) -> String {
    match parse(s) {
        Ok(t) => panic!("{s:?} should fail, got {t:?}"),
        Err(e) => e.to_string(),
    }
}

#[track_caller]
fn check(s: &str, metric: M, aggregation: A, op: Op, limit: f64) {
    let t = ok(s);
    assert_eq!(t.metric, metric, "{s}");
    assert_eq!(t.aggregation, aggregation, "{s}");
    assert_eq!(t.op, op, "{s}");
    assert!(
        (t.limit - limit).abs() <= 1e-9 * limit.abs().max(1.0),
        "{s}: limit {} != {limit}",
        t.limit
    );
    assert!(t.filter.is_empty(), "{s}");
    assert_eq!(t.expr, s.trim());
}

#[test]
fn short_forms() {
    let d = M::HttpReqDuration;
    check("p95<200ms", d, A::Percentile(95.0), Op::Lt, 200.0);
    check("p99<1s", d, A::Percentile(99.0), Op::Lt, 1000.0);
    check("p99.9<2s", d, A::Percentile(99.9), Op::Lt, 2000.0);
    check("p50<10ms", d, A::Percentile(50.0), Op::Lt, 10.0);
    check("p(95)<200", d, A::Percentile(95.0), Op::Lt, 200.0);
    check("median<10ms", d, A::Med, Op::Lt, 10.0);
    check("med<10ms", d, A::Med, Op::Lt, 10.0);
    check("mean<50ms", d, A::Avg, Op::Lt, 50.0);
    check("avg<50ms", d, A::Avg, Op::Lt, 50.0);
    check("min<1ms", d, A::Min, Op::Lt, 1.0);
    check("max<2s", d, A::Max, Op::Lt, 2000.0);
    check("p95<200", d, A::Percentile(95.0), Op::Lt, 200.0);
    check("error_rate<1%", M::HttpReqFailed, A::Rate, Op::Lt, 0.01);
    check("error_rate<0.01", M::HttpReqFailed, A::Rate, Op::Lt, 0.01);
    check("rps>=1000", M::HttpReqs, A::Rate, Op::Ge, 1000.0);
    check("rps >= 1000/s", M::HttpReqs, A::Rate, Op::Ge, 1000.0);
    check("ttfb_p95<100ms", M::HttpReqWaiting, A::Percentile(95.0), Op::Lt, 100.0);
    check("ttfb_p(99)<1s", M::HttpReqWaiting, A::Percentile(99.0), Op::Lt, 1000.0);
    check("ttfb_avg<20", M::HttpReqWaiting, A::Avg, Op::Lt, 20.0);
    check("p0>=0", d, A::Percentile(0.0), Op::Ge, 0.0);
    check("p100<=5s", d, A::Percentile(100.0), Op::Le, 5000.0);
}

#[test]
fn k6_forms() {
    let d = M::HttpReqDuration;
    check("http_req_duration: p(95)<200", d, A::Percentile(95.0), Op::Lt, 200.0);
    check("http_req_duration: p(99.9)<200", d, A::Percentile(99.9), Op::Lt, 200.0);
    check(
        "http_req_duration: p( 99 ) < 500",
        d,
        A::Percentile(99.0),
        Op::Lt,
        500.0,
    );
    check("http_req_duration:p(95)<200", d, A::Percentile(95.0), Op::Lt, 200.0);
    check("http_req_duration: p95<200", d, A::Percentile(95.0), Op::Lt, 200.0);
    check("http_req_failed: rate<0.01", M::HttpReqFailed, A::Rate, Op::Lt, 0.01);
    check("http_reqs: count>100", M::HttpReqs, A::Count, Op::Gt, 100.0);
    check("http_reqs: rate>=50", M::HttpReqs, A::Rate, Op::Ge, 50.0);
    check("http_req_duration: avg<100", d, A::Avg, Op::Lt, 100.0);
    check("http_req_duration: med<50", d, A::Med, Op::Lt, 50.0);
    check("http_req_duration: min<5", d, A::Min, Op::Lt, 5.0);
    check("http_req_duration: max<2000", d, A::Max, Op::Lt, 2000.0);
    check("iterations: count>10", M::Iterations, A::Count, Op::Gt, 10.0);
    check("iterations: rate>2", M::Iterations, A::Rate, Op::Gt, 2.0);
    check(
        "dropped_iterations: count<1",
        M::DroppedIterations,
        A::Count,
        Op::Lt,
        1.0,
    );
    check("checks: rate>0.99", M::Checks, A::Rate, Op::Gt, 0.99);
    check("checks: rate>99%", M::Checks, A::Rate, Op::Gt, 0.99);
    check(
        "http_req_waiting: p(95)<100",
        M::HttpReqWaiting,
        A::Percentile(95.0),
        Op::Lt,
        100.0,
    );
    check(
        "http_req_connecting: max<50",
        M::HttpReqConnecting,
        A::Max,
        Op::Lt,
        50.0,
    );
    check("data_received: count>1000", M::DataReceived, A::Count, Op::Gt, 1000.0);
    check("data_received: count>1MB", M::DataReceived, A::Count, Op::Gt, 1e6);
    check("data_sent: rate<10kB/s", M::DataSent, A::Rate, Op::Lt, 10_000.0);
    check("data_sent: count<2KiB", M::DataSent, A::Count, Op::Lt, 2048.0);
    check("vus: value<=100", M::Vus, A::Value, Op::Le, 100.0);
    check("vus_max: value<200", M::VusMax, A::Value, Op::Lt, 200.0);
}

#[test]
fn k6_vocabulary_gauges_take_only_value() {
    for bad in ["vus: min>0", "vus_max: max<200", "vus: avg<3"] {
        assert!(err(bad).contains("use value"), "{bad}: {}", err(bad));
    }
}

#[test]
fn k6_numbers_exponents_and_negative_limits() {
    check("http_reqs: count>1e3", M::HttpReqs, A::Count, Op::Gt, 1000.0);
    check(
        "http_req_duration: p(95)<2.5E2",
        M::HttpReqDuration,
        A::Percentile(95.0),
        Op::Lt,
        250.0,
    );
    check("p95<1e-1s", M::HttpReqDuration, A::Percentile(95.0), Op::Lt, 100.0);
    check("http_reqs: count>-1", M::HttpReqs, A::Count, Op::Gt, -1.0);
    check("p95>-5", M::HttpReqDuration, A::Percentile(95.0), Op::Gt, -5.0);
    // An `e` with no digits after it is not an exponent.
    assert!(err("p95<5e").contains("unit 'e'"), "{}", err("p95<5e"));
}

#[test]
fn operators() {
    let d = M::HttpReqDuration;
    check("p95<1", d, A::Percentile(95.0), Op::Lt, 1.0);
    check("p95<=1", d, A::Percentile(95.0), Op::Le, 1.0);
    check("p95>1", d, A::Percentile(95.0), Op::Gt, 1.0);
    check("p95>=1", d, A::Percentile(95.0), Op::Ge, 1.0);
    check("p95==1", d, A::Percentile(95.0), Op::Eq, 1.0);
    check("p95===1", d, A::Percentile(95.0), Op::Eq, 1.0);
    check("p95!=1", d, A::Percentile(95.0), Op::Ne, 1.0);
}

#[test]
fn whitespace_between_every_token() {
    let d = M::HttpReqDuration;
    check("  p95 < 200 ms  ", d, A::Percentile(95.0), Op::Lt, 200.0);
    check("p ( 95 ) <= 1.5 s", d, A::Percentile(95.0), Op::Le, 1500.0);
    check(
        "\thttp_req_duration :  p ( 95 )  <  200 \n",
        d,
        A::Percentile(95.0),
        Op::Lt,
        200.0,
    );
    check("error_rate < 1 %", M::HttpReqFailed, A::Rate, Op::Lt, 0.01);
    let t = ok("http_req_duration { endpoint : GET /x } : avg < 5");
    assert_eq!(t.filter.get(TagKey::Endpoint), Some("GET /x"));
}

#[test]
fn duration_units() {
    let d = M::HttpReqDuration;
    check("p95<200ms", d, A::Percentile(95.0), Op::Lt, 200.0);
    check("p95<1.5s", d, A::Percentile(95.0), Op::Lt, 1500.0);
    check("p95<500us", d, A::Percentile(95.0), Op::Lt, 0.5);
    check("p95<500µs", d, A::Percentile(95.0), Op::Lt, 0.5);
    check("p95<2m", d, A::Percentile(95.0), Op::Lt, 120_000.0);
    check("p95<1h", d, A::Percentile(95.0), Op::Lt, 3_600_000.0);
    check("p95<250000ns", d, A::Percentile(95.0), Op::Lt, 0.25);
    check("p95<.5s", d, A::Percentile(95.0), Op::Lt, 500.0);
    check("p95<+7", d, A::Percentile(95.0), Op::Lt, 7.0);
    check("http_req_duration: p(95)<200ms", d, A::Percentile(95.0), Op::Lt, 200.0);
    check("http_req_duration: p(95)<1.5s", d, A::Percentile(95.0), Op::Lt, 1500.0);
    check("http_req_duration: p(95)<500us", d, A::Percentile(95.0), Op::Lt, 0.5);
}

#[test]
fn percent_units() {
    check("error_rate<0.5%", M::HttpReqFailed, A::Rate, Op::Lt, 0.005);
    check("error_rate<=100%", M::HttpReqFailed, A::Rate, Op::Le, 1.0);
    check("error_rate==0", M::HttpReqFailed, A::Rate, Op::Eq, 0.0);
    check("http_req_failed: rate<1%", M::HttpReqFailed, A::Rate, Op::Lt, 0.01);
}

#[test]
fn tag_filters() {
    let t = ok("http_req_duration{endpoint:GET /api/x}: p(99) < 500");
    assert_eq!(t.metric, M::HttpReqDuration);
    assert_eq!(t.filter.tags, vec![(TagKey::Endpoint, "GET /api/x".to_string())]);
    assert_eq!(t.aggregation, A::Percentile(99.0));
    assert_eq!(t.limit, 500.0);

    let t = ok("http_req_duration{endpoint:GET /api/products/{{ product_id }}}: p(95)<300");
    assert_eq!(
        t.filter.get(TagKey::Endpoint),
        Some("GET /api/products/{{ product_id }}")
    );
    assert_eq!(t.limit, 300.0);

    let t = ok("http_reqs{method:POST, status:500,journey:checkout}: count<1");
    assert_eq!(
        t.filter.tags,
        vec![
            (TagKey::Method, "POST".to_string()),
            (TagKey::Status, "500".to_string()),
            (TagKey::Journey, "checkout".to_string()),
        ]
    );

    // Colons, commas and unbalanced braces inside a value.
    let t = ok("http_reqs{url:http://x:8080/a?b=1,2}: count>0");
    assert_eq!(t.filter.get(TagKey::Url), Some("http://x:8080/a?b=1,2"));
    let t = ok("http_reqs{name:a}b}: count>0");
    assert_eq!(t.filter.get(TagKey::Name), Some("a}b"));
    let t = ok("http_reqs{name:{x}: count>0");
    assert_eq!(t.filter.get(TagKey::Name), Some("{x"));

    for key in ["endpoint", "name", "method", "journey", "step", "scenario", "url"] {
        let t = ok(&format!("http_reqs{{{key}:v}}: count>0"));
        assert_eq!(t.filter.tags[0].0.as_str(), key);
    }
    assert_eq!(
        ok("checks{check:status is 200}: rate>0.9").filter.tags[0].0,
        TagKey::Check
    );
    assert!(ok("http_reqs{}: count>0").filter.is_empty());
    assert!(ok("http_reqs{ }: count>0").filter.is_empty());
    assert_eq!(
        ok("http_reqs{method:GET,status:200}: count>0").filter.to_string(),
        "{method:GET,status:200}"
    );
}

#[test]
fn parse_condition_combines_key_and_item() {
    let t = parse_condition("http_req_duration", "p(95)<200").unwrap();
    assert_eq!(t.expr, "http_req_duration: p(95)<200");
    assert_eq!(
        (t.metric, t.aggregation, t.op, t.limit),
        (M::HttpReqDuration, A::Percentile(95.0), Op::Lt, 200.0)
    );

    let t = parse_condition(" http_req_duration{endpoint:GET /p/{{ id }}} ", " p(99) < 1s ").unwrap();
    assert_eq!(t.expr, "http_req_duration{endpoint:GET /p/{{ id }}}: p(99) < 1s");
    assert_eq!(t.filter.get(TagKey::Endpoint), Some("GET /p/{{ id }}"));
    assert_eq!(t.limit, 1000.0);

    let t = parse_condition("http_reqs{url:http://a:1/}", "rate>5").unwrap();
    assert_eq!(t.filter.get(TagKey::Url), Some("http://a:1/"));

    let e = parse_condition("http_req_duration", "p(95)<abc")
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "bad threshold 'http_req_duration: p(95)<abc': expected a number after '<', found 'abc'"
    );
    assert_eq!(parse_condition(" ", "").unwrap_err(), ThresholdError::Empty);
    assert!(
        parse_condition("", "p(95)<1")
            .unwrap_err()
            .to_string()
            .contains("missing metric name")
    );
    assert!(
        parse_condition("http_reqs", "")
            .unwrap_err()
            .to_string()
            .contains("missing condition")
    );
    assert!(
        parse_condition("http_reqs{url:x", "count>1")
            .unwrap_err()
            .to_string()
            .contains("unclosed '{'")
    );
}

#[test]
fn display_prints_expr() {
    assert_eq!(ok("  p95 < 200ms ").to_string(), "p95 < 200ms");
}

#[test]
fn error_empty() {
    assert_eq!(parse("").unwrap_err(), ThresholdError::Empty);
    assert_eq!(parse(" \t\n").unwrap_err(), ThresholdError::Empty);
    assert_eq!(
        err(""),
        "empty threshold: expected e.g. 'p95<200ms' or 'http_req_duration: p(95)<200'"
    );
}

#[test]
fn error_missing_operator() {
    assert_eq!(
        err("p95"),
        "bad threshold 'p95': missing comparison operator after 'p95'; use <, <=, >, >=, == or !="
    );
    assert_eq!(
        err("p95 200ms"),
        "bad threshold 'p95 200ms': expected a comparison operator (<, <=, >, >=, == or !=) after 'p95', found '200ms'"
    );
    assert_eq!(
        err("http_req_duration: p(95)"),
        "bad threshold 'http_req_duration: p(95)': missing comparison operator after 'p(95)'; use <, <=, >, >=, == or !="
    );
    assert_eq!(
        err("p95=200"),
        "bad threshold 'p95=200': use '==' to compare for equality, not '='"
    );
    assert_eq!(
        err("p95=<200"),
        "bad threshold 'p95=<200': '=<' is not an operator; use <=, >=, <, >, == or !="
    );
}

#[test]
fn error_missing_value() {
    assert_eq!(err("p95<"), "bad threshold 'p95<': missing value after '<'");
    assert_eq!(err("rps >= "), "bad threshold 'rps >=': missing value after '>='");
    assert_eq!(
        err("http_req_duration: p(95)<"),
        "bad threshold 'http_req_duration: p(95)<': missing value after '<'"
    );
}

#[test]
fn error_bad_number() {
    assert_eq!(
        err("p95<abc"),
        "bad threshold 'p95<abc': expected a number after '<', found 'abc'"
    );
    assert!(err("p95<abc").starts_with("bad threshold 'p95<abc': expected a number after '<'"));
    assert_eq!(
        err("p95<ms"),
        "bad threshold 'p95<ms': expected a number after '<', found 'ms'"
    );
    assert_eq!(
        err("p95<."),
        "bad threshold 'p95<.': expected a number after '<', found '.'"
    );
    assert_eq!(
        err("p95<-"),
        "bad threshold 'p95<-': expected a number after '<', found '-'"
    );
    assert_eq!(
        err("p95<inf"),
        "bad threshold 'p95<inf': expected a number after '<', found 'inf'"
    );
    let huge = format!("p95<1{}", "0".repeat(400));
    assert!(err(&huge).contains("is too large"), "{}", err(&huge));
}

#[test]
fn error_bad_unit() {
    assert_eq!(
        err("p95<200xs"),
        "bad threshold 'p95<200xs': unit 'xs' does not fit p(95) of http_req_duration; use ms, s, us or m (a bare number is milliseconds)"
    );
    assert_eq!(
        err("error_rate<5ms"),
        "bad threshold 'error_rate<5ms': unit 'ms' does not fit rate of http_req_failed; use a fraction like 0.01 or a percent like 1%"
    );
    assert_eq!(
        err("p95<5%"),
        "bad threshold 'p95<5%': unit '%' does not fit p(95) of http_req_duration; use ms, s, us or m (a bare number is milliseconds)"
    );
    assert!(err("http_reqs: count>5s").contains("use a plain number"));
    assert!(err("rps>5%").contains("use a number per second"));
    assert!(err("data_sent: count>5Q").contains("use bytes"));
    assert_eq!(
        err("error_rate<5"),
        "bad threshold 'error_rate<5': rate '5' is above 100%; rates are fractions (0.01) or percents (1%)"
    );
    assert!(err("checks: rate>150%").contains("rate '150%' is above 100%"));
}

#[test]
fn error_trailing_garbage() {
    assert_eq!(
        err("p95<200ms foo"),
        "bad threshold 'p95<200ms foo': unexpected 'foo' after the value '200ms'"
    );
    assert_eq!(
        err("p95<200 5"),
        "bad threshold 'p95<200 5': unexpected '5' after the value '200'"
    );
    assert_eq!(
        err("p95<200)"),
        "bad threshold 'p95<200)': unexpected ')' after the value '200'"
    );
    assert_eq!(
        err("http_reqs{method:GET}: count>1}"),
        "bad threshold 'http_reqs{method:GET}: count>1}': unexpected '}' after the value '1'"
    );
    assert_eq!(
        err("p95<200ms<300ms"),
        "bad threshold 'p95<200ms<300ms': unexpected '<300ms' after the value '200ms'"
    );
    assert_eq!(
        err("p95<1.2.3"),
        "bad threshold 'p95<1.2.3': unexpected '.3' after the value '1.2'"
    );
}

#[test]
fn error_unknown_metric() {
    assert_eq!(
        err("http_req_duraton: p(95)<200"),
        "bad threshold 'http_req_duraton: p(95)<200': unknown metric 'http_req_duraton'; did you mean 'http_req_duration'?"
    );
    assert_eq!(
        parse("http_req_duraton: p(95)<200").unwrap_err(),
        ThresholdError::UnknownMetric {
            expr: "http_req_duraton: p(95)<200".into(),
            name: "http_req_duraton".into(),
            suggestion: Some("http_req_duration"),
            customs: Vec::new(),
        }
    );
    assert!(err("HTTP_REQS: count>1").ends_with("did you mean 'http_reqs'?"));
    assert!(err("iteration: count>1").ends_with("did you mean 'iterations'?"));
    assert_eq!(
        err("banana: count>1"),
        "bad threshold 'banana: count>1': unknown metric 'banana'; known metrics: http_req_duration, http_req_sending, http_req_waiting, http_req_connecting, http_req_blocked, http_req_tls_handshaking, http_req_receiving, iteration_duration, group_duration, http_req_failed, http_reqs, iterations, dropped_iterations, checks, data_received, data_sent, vus, vus_max, target_cpu, target_rss, target_fds"
    );
    assert!(err("http_req_duraton{endpoint:x}: p(95)<1").contains("unknown metric 'http_req_duraton'"));
    // A short-form name used as a metric.
    assert_eq!(
        err("p95: <200"),
        "bad threshold 'p95: <200': 'p95' is a short form, not a metric; write e.g. 'p95<...' without ':', or 'http_req_duration: p(95)<...' to add a tag filter"
    );
}

#[test]
fn error_unknown_short_form() {
    assert_eq!(
        err("eror_rate<1%"),
        "bad threshold 'eror_rate<1%': unknown threshold 'eror_rate'; did you mean 'error_rate'?"
    );
    assert_eq!(
        err("p9x<1"),
        "bad threshold 'p9x<1': unknown threshold 'p9x'; did you mean 'p90'?"
    );
    assert!(err("zzzzzz<1").contains("expected a short form (p95, p99.9"));
    assert_eq!(
        err("http_reqs>100"),
        "bad threshold 'http_reqs>100': missing ':' after metric 'http_reqs'; write e.g. 'http_reqs: count>100'"
    );
    assert_eq!(
        err("p<1"),
        "bad threshold 'p<1': expected a percentile after 'p', e.g. p95 or p(95)"
    );
    assert!(err("<200").contains("expected a short form like 'p95<200ms'"));
    assert!(err("{x}<200").contains("found '{x}<200'"));
    assert!(err("{endpoint:x}<200").contains("expected a metric name, found '{endpoint'"));
}

#[test]
fn error_invalid_aggregation() {
    assert_eq!(
        err("http_req_duration: rate<1"),
        "bad threshold 'http_req_duration: rate<1': 'rate' is not an aggregation of http_req_duration; use p(N), avg, min, max or med"
    );
    assert_eq!(
        parse("http_req_duration: rate<1").unwrap_err(),
        ThresholdError::InvalidAggregation {
            expr: "http_req_duration: rate<1".into(),
            metric: M::HttpReqDuration,
            aggregation: "rate".into(),
        }
    );
    assert_eq!(
        err("http_req_failed: p(95)<1"),
        "bad threshold 'http_req_failed: p(95)<1': 'p(95)' is not an aggregation of http_req_failed; use rate"
    );
    assert_eq!(
        err("http_reqs: avg<1"),
        "bad threshold 'http_reqs: avg<1': 'avg' is not an aggregation of http_reqs; use count or rate"
    );
    assert_eq!(
        err("vus: count<1"),
        "bad threshold 'vus: count<1': 'count' is not an aggregation of vus; use value"
    );
    assert!(err("checks: count>1").contains("'count' is not an aggregation of checks; use rate"));
    assert!(err("http_req_duration: median<1").contains("'median' is not an aggregation"));
    assert!(err("http_req_duration: p<1").contains("'p' is not an aggregation"));
    assert_eq!(
        err("http_req_duration: <200"),
        "bad threshold 'http_req_duration: <200': missing aggregation before the operator; use p(N), avg, min, max or med"
    );
    assert!(err("http_req_duration: (95)<200").contains("expected an aggregation of http_req_duration"));
}

#[test]
fn error_unknown_tag_key() {
    assert_eq!(
        err("http_reqs{endpont:GET /x}: count>1"),
        "bad threshold 'http_reqs{endpont:GET /x}: count>1': unknown tag key 'endpont'; did you mean 'endpoint'?"
    );
    // Any other name is a tag of the scenario file's own, checked against the run later.
    let t = ok("http_reqs{method:GET,kind:checkout}: count>1");
    assert_eq!(t.filter.custom, vec![("kind".to_string(), "checkout".to_string())]);
    assert_eq!(t.filter.to_string(), "{method:GET,kind:checkout}");
    assert!(err("http_reqs{co lor:red}: count>1").contains("unknown tag key 'co lor'"));
    assert!(err("vus{kind:x}: value<1").contains("vus cannot be filtered by the file's own tag 'kind'"));
    assert!(err("http_reqs{expected_response:yes}: count>1").contains("expected_response is true or false"));
}

#[test]
fn error_malformed_filter() {
    assert_eq!(
        err("http_reqs{GET}: count>1"),
        "bad threshold 'http_reqs{GET}: count>1': expected 'key:value' in the tag filter, found 'GET'"
    );
    assert_eq!(
        err("http_reqs{method:}: count>1"),
        "bad threshold 'http_reqs{method:}: count>1': missing value for tag 'method' in the filter"
    );
    assert!(err("http_reqs{:GET}: count>1").contains("missing tag key before ':'"));
    assert!(err("http_reqs{method:GET,method:POST}: count>1").contains("tag 'method' appears twice"));
    assert_eq!(
        err("http_reqs{method:GET: count>1"),
        "bad threshold 'http_reqs{method:GET: count>1': unclosed '{' in the tag filter"
    );
    assert_eq!(
        err("http_req_duration{url:http://x}"),
        "bad threshold 'http_req_duration{url:http://x}': missing condition after the tag filter; expected e.g. 'http_req_duration{...}: p(95)<200'"
    );
    assert_eq!(
        err("http_reqs{method:GET} count>1"),
        "bad threshold 'http_reqs{method:GET} count>1': expected ':' between the tag filter and 'count>1'"
    );
    assert_eq!(
        err("http_reqs{method:GET} x: count>1"),
        "bad threshold 'http_reqs{method:GET} x: count>1': unexpected 'x' after the tag filter"
    );
    assert_eq!(
        err("http_reqs x: count>1"),
        "bad threshold 'http_reqs x: count>1': unexpected 'x' after metric 'http_reqs'"
    );
    assert_eq!(
        err(": p(95)<1"),
        "bad threshold ': p(95)<1': missing metric name before ':'"
    );
    assert!(err("{a:b}: p(95)<1").contains("expected a metric name, found '{a:b}'"));
}

#[test]
fn error_missing_condition() {
    assert_eq!(
        err("http_req_duration:"),
        "bad threshold 'http_req_duration:': missing condition after ':'; expected e.g. 'p(95)<200'"
    );
    assert!(err("http_req_failed:  ").contains("expected e.g. 'rate<0.01'"));
}

#[test]
fn error_percentile_out_of_range() {
    assert_eq!(
        err("http_req_duration: p(101)<200"),
        "bad threshold 'http_req_duration: p(101)<200': percentile 101 is out of range; use p(N) with N from 0 to 100"
    );
    assert_eq!(
        err("http_req_duration: p(-1)<200"),
        "bad threshold 'http_req_duration: p(-1)<200': percentile -1 is out of range; use p(N) with N from 0 to 100"
    );
    assert!(err("p101<200").contains("percentile 101 is out of range"));
    assert!(err("p(100.5)<200").contains("percentile 100.5 is out of range"));
    assert!(err("http_req_duration: p150<1").contains("percentile 150 is out of range"));
    assert_eq!(
        err("p()<1"),
        "bad threshold 'p()<1': expected a number inside 'p(...)', found ')<1'"
    );
    assert_eq!(err("p(95<1"), "bad threshold 'p(95<1': expected ')' after 'p(95'");
}

#[test]
fn errors_are_one_line_and_clipped() {
    let e = err("p95<\n2x00\r\n");
    assert!(!e.contains('\n') && !e.contains('\r'), "{e}");
    let e = err("http_reqs{name:a\nb,stpe:1}: count>1");
    assert!(!e.contains('\n'), "{e}");
    assert!(e.contains("a\\nb"), "{e}");
    let long = format!("p95<{}", "x".repeat(10_000));
    let e = err(&long);
    assert!(e.len() < 600, "{}", e.len());
    assert!(e.contains('…'));
}

#[test]
fn target_resources() {
    check("target_cpu<80%", M::TargetCpu, A::Max, Op::Lt, 80.0);
    check("target_cpu<150", M::TargetCpu, A::Max, Op::Lt, 150.0);
    check("target_rss<500MB", M::TargetRss, A::Max, Op::Lt, 500e6);
    check(
        "target_rss<=1GiB",
        M::TargetRss,
        A::Max,
        Op::Le,
        1024.0 * 1024.0 * 1024.0,
    );
    check("target_fds<1000", M::TargetFds, A::Max, Op::Lt, 1000.0);
    check("target_cpu: avg<50%", M::TargetCpu, A::Avg, Op::Lt, 50.0);
    check("target_fds: value<=100", M::TargetFds, A::Value, Op::Le, 100.0);
    assert_eq!(ok("target_cpu<80%").describe_limit(), "< 80%");
    assert_eq!(ok("target_cpu<80%").format_value(91.25), "91.25%");
    assert_eq!(ok("target_rss<500MB").describe_limit(), "< 500000000 B");
    assert!(
        err("target_cpu<80ms").contains("use a percent of one CPU core"),
        "{}",
        err("target_cpu<80ms")
    );
    assert!(
        err("target_fds: p(95)<10").contains("use max, avg, min or value"),
        "{}",
        err("target_fds: p(95)<10")
    );
    assert!(err("target_rss<5%").contains("use bytes"), "{}", err("target_rss<5%"));
}

#[test]
fn every_metric_takes_only_the_tags_its_results_are_split_by() {
    // Accepted: each metric's own tags.
    for expr in [
        "http_req_duration{name:login}: p(95)<200",
        "http_req_duration{expected_response:true}: p(95)<200",
        "http_req_waiting{step:login,journey:shop}: p(95)<200",
        "http_req_failed{endpoint:GET /x}: rate<1%",
        "data_received{url:/x}: count<1MB",
        "http_reqs{status:2xx}: count>0",
        "http_reqs{status:5XX}: count<1",
        "iterations{journey:shop}: count>0",
        "checks{name:ok}: rate>0.9",
        "vus{scenario:s}: value<10",
    ] {
        ok(expr);
    }
    // Refused before any request: a filter nothing is measured by.
    assert_eq!(
        err("http_req_duration{status:200}: p(95)<200"),
        "bad threshold 'http_req_duration{status:200}: p(95)<200': http_req_duration cannot be filtered by status (it takes endpoint, name, method, url, journey, step, scenario, group or expected_response); count responses by status with http_reqs{status:…}: count"
    );
    assert!(err("data_received{status:500}: count<1").contains("data_received cannot be filtered by status"));
    assert!(err("http_req_failed{status:2xx}: rate<1%").contains("cannot be filtered by status"));
    assert_eq!(
        err("iterations{endpoint:GET /x}: count>1"),
        "bad threshold 'iterations{endpoint:GET /x}: count>1': iterations cannot be filtered by endpoint (it takes journey, scenario or group)"
    );
    for expr in [
        "vus{journey:a}: value<2",
        "dropped_iterations{endpoint:GET /}: count<1",
        "http_reqs{check:x}: count>1",
    ] {
        assert!(err(expr).contains("cannot be filtered by"), "{expr}");
    }
    assert!(err("target_cpu{scenario:s}: value<80%").contains("target_cpu takes no tag filter"));
}

#[test]
fn status_values_are_codes_or_classes() {
    assert_eq!(
        ok("http_reqs{status:4xx}: count<1").filter.status().map(|s| s.range()),
        Some((400, 499))
    );
    assert_eq!(
        ok("http_reqs{status:404}: count<1").filter.status().map(|s| s.range()),
        Some((404, 404))
    );
    for bad in ["ok", "2x", "600", "099", "20", "2000", "xxx"] {
        let e = err(&format!("http_reqs{{status:{bad}}}: count<1"));
        assert!(e.contains("neither a code from 100 to 599"), "{bad}: {e}");
    }
}

#[test]
fn a_bare_rate_of_one_is_refused_as_ambiguous_in_the_short_form_only() {
    let e = err("error_rate<1");
    assert!(e.contains("ambiguous") && e.contains("1%") && e.contains("0.01"), "{e}");
    // k6's syntax has no percent sign: a bare number is its only way to write a rate.
    assert_eq!(ok("http_req_failed: rate<=1").limit, 1.0);
    assert_eq!(ok("checks: rate<1").limit, 1.0);
    // The unambiguous forms.
    assert_eq!(ok("error_rate<1%").limit, 0.01);
    assert_eq!(ok("error_rate<100%").limit, 1.0);
    assert_eq!(ok("error_rate<0.01").limit, 0.01);
    assert_eq!(ok("checks: rate==1").limit, 1.0);
    assert_eq!(ok("checks: rate>=1").limit, 1.0);
    assert_eq!(ok("http_reqs: count<1").limit, 1.0, "counts are not rates");
}

fn customs() -> Vec<crate::Custom> {
    use crate::{Custom, MetricKind as K, Unit};
    vec![
        Custom::new(0, "orders", K::Counter, Unit::Count),
        Custom::new(1, "order_total", K::Trend, Unit::Count),
        Custom::new(2, "checkout_ok", K::Rate, Unit::Count),
        Custom::new(3, "stock", K::Gauge, Unit::Bytes),
        Custom::new(4, "wait", K::Trend, Unit::Millis),
    ]
}

#[test]
fn a_scenarios_own_metrics_take_their_kinds_aggregations_and_units() {
    use crate::{Unit, parse_condition_with, parse_key_with, parse_with};
    let own = customs();
    let t = parse_with("orders: count>10", &own).unwrap();
    assert_eq!((t.metric, t.aggregation, t.limit), (M::Custom(own[0]), A::Count, 10.0));
    assert_eq!(parse_with("orders: rate>1", &own).unwrap().unit(), Unit::PerSecond);
    let t = parse_condition_with("order_total", "p(95)<100", &own).unwrap();
    assert_eq!(
        (t.aggregation, t.unit(), t.describe_limit()),
        (A::Percentile(95.0), Unit::Count, "< 100".into())
    );
    for agg in ["avg<50", "max<1", "min>0", "med<3"] {
        assert!(parse_condition_with("order_total", agg, &own).is_ok(), "{agg}");
    }
    // A trend in milliseconds takes time units; one of plain numbers does not.
    assert_eq!(parse_with("wait: p(99)<1.5s", &own).unwrap().limit, 1500.0);
    assert!(parse_with("order_total: p(99)<1.5s", &own).is_err());
    assert_eq!(parse_with("stock: value>1kB", &own).unwrap().limit, 1000.0);
    let t = parse_with("checkout_ok: rate>95%", &own).unwrap();
    assert_eq!((t.unit(), t.limit), (Unit::Fraction, 0.95));
    assert!(parse_key_with("stock", &own).is_ok());
    assert_eq!(parse_with("orders: count>1", &own).unwrap().metric.name(), "orders");
    // Without the declarations the name is unknown.
    assert!(parse("orders: count>1").is_err());
}

#[test]
fn a_scenarios_own_metrics_refuse_other_kinds_aggregations_and_tag_filters() {
    use crate::parse_with;
    let own = customs();
    let e = parse_with("stock: max>1", &own).unwrap_err().to_string();
    assert!(e.contains("use value"), "{e}");
    let e = parse_with("checkout_ok: count>1", &own).unwrap_err().to_string();
    assert!(e.contains("use rate"), "{e}");
    let e = parse_with("orders{name:a}: count>1", &own).unwrap_err().to_string();
    assert!(e.contains("it takes journey, step, scenario or group"), "{e}");
    let t = parse_with("orders{journey:a,step:b,kind:x}: count>1", &own).unwrap();
    assert_eq!((t.filter.get(TagKey::Step), t.filter.custom.len()), (Some("b"), 1));
    let e = parse_with("order_totl: p(95)<1", &own).unwrap_err().to_string();
    assert!(e.ends_with("did you mean 'order_total'?"), "{e}");
    let e = parse_with("zzz: count<1", &own).unwrap_err().to_string();
    assert!(
        e.contains(
            "the scenario's own metrics: orders, order_total, checkout_ok, stock, wait; built-in: http_req_duration"
        ),
        "{e}"
    );
}
