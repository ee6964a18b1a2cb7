//! `--summary-json` holds every field `docs/summary-schema.md` and
//! `crates/schema/src/summary.rs` promise, with
//! values that agree with each other and with the server: request counts, latency
//! statistics in order, status and error maps, endpoints, threshold verdicts and a time
//! series of one entry per second. Warm-up is excluded from the totals but counted, and
//! `--stages` ramps the VUs to the last stage's target.

use serde_json::Value;

use crate::support::{at, counts_at, f64_at, fast_target, run, str_at, u64_at, url_of};

/// Fields `docs/summary-schema.md` lists inside objects, by path.
const NESTED: [(&str, &[&str]); 9] = [
    (
        "requests",
        &["total", "ok", "failed", "rate_per_s", "interrupted", "warmup"],
    ),
    ("iterations", &["total", "rate_per_s", "scheduled", "dropped"]),
    ("latency_ms", &LATENCY_FIELDS),
    ("ttfb_ms", &LATENCY_FIELDS),
    ("connect_ms", &LATENCY_FIELDS),
    ("data", &["sent_bytes", "received_bytes"]),
    ("vus", &["max", "limit"]),
    (
        "generator",
        &[
            "threads",
            "cpu_percent",
            "cpu_us_per_request",
            "max_rss_mib",
            "warnings",
        ],
    ),
    (
        "endpoints.0",
        &[
            "name",
            "method",
            "requests",
            "ok",
            "failed",
            "rate_per_s",
            "latency_ms",
            "ttfb_ms",
            "status_codes",
            "errors",
        ],
    ),
];

const LATENCY_FIELDS: [&str; 10] = [
    "count", "min", "mean", "stdev", "p50", "p90", "p95", "p99", "p999", "max",
];

const THRESHOLD_FIELDS: [&str; 5] = ["expr", "passed", "actual", "actual_text", "limit"];

/// Every field of `fields` is present at `path`.
fn assert_fields(v: &Value, path: &str, fields: &[&str]) {
    let object = at(v, path);
    let missing: Vec<&&str> = fields.iter().filter(|f| object.get(**f).is_none()).collect();
    assert!(
        missing.is_empty(),
        "'{path}' lacks documented fields {missing:?}: {object}"
    );
}

const TOP_LEVEL: [&str; 30] = [
    "schema_version",
    "loadcell_version",
    "target",
    "model",
    "latency_measured_from",
    "started_at",
    "ended_at",
    "duration_s",
    "warmup_s",
    "stop_reason",
    "requests",
    "iterations",
    "dropped_iterations",
    "latency_ms",
    "service_time_ms",
    "latency_co_estimate_ms",
    "ttfb_ms",
    "connect_ms",
    "connections_opened",
    "status_codes",
    "errors",
    "data",
    "vus",
    "arrival_rate",
    "endpoints",
    "journeys",
    "checks",
    "thresholds",
    "generator",
    "timeseries",
];

fn assert_latency_stats(v: &Value, path: &str) {
    let get = |field: &str| f64_at(v, &format!("{path}.{field}"));
    let ordered = ["min", "p50", "p90", "p95", "p99", "p999", "max"].map(get);
    assert!(
        ordered.windows(2).all(|w| w[0] <= w[1]),
        "{path}: min ≤ p50 ≤ p90 ≤ p95 ≤ p99 ≤ p99.9 ≤ max does not hold: {ordered:?}"
    );
    let mean = get("mean");
    assert!(
        ordered[0] <= mean && mean <= ordered[6],
        "{path}: mean {mean} outside min..max"
    );
    assert!(ordered[0] > 0.0, "{path}: min latency is 0");
    assert!(u64_at(v, &format!("{path}.count")) > 0);
    assert!(get("stdev") >= 0.0);
}

/// Checks the time series: one entry per whole second since the start (warm-up
/// included), then at most one last partial entry; returns (warm-up, measured) requests.
fn check_timeseries(s: &Value, seconds: u64) -> (u64, u64) {
    let series = at(s, "timeseries").as_array().expect("timeseries is an array");
    let whole: Vec<&Value> = series
        .iter()
        .filter(|e| (f64_at(e, "len_s") - 1.0).abs() < 1e-6)
        .collect();
    assert_eq!(whole.len() as u64, seconds, "whole-second entries: {series:?}");
    for (i, e) in whole.iter().enumerate() {
        let t = f64_at(e, "t_s");
        assert!((t - (i + 1) as f64).abs() < 1e-6, "entry {i} ends at {t} s");
    }
    assert!(
        series.len() as u64 <= seconds + 1,
        "more than one partial entry: {series:?}"
    );
    if series.len() as u64 == seconds + 1 {
        let last = series.last().expect("non-empty");
        let len = f64_at(last, "len_s");
        assert!(len < 1.0, "the extra entry must be the last partial second, len {len}");
    }
    let (mut warm, mut measured) = (0, 0);
    for e in series {
        for key in [
            "t_s",
            "len_s",
            "warmup",
            "requests",
            "ok",
            "failed",
            "rate_per_s",
            "latency_ms",
            "status_codes",
            "errors",
            "active_vus",
            "iterations",
            "dropped_iterations",
            "sent_bytes",
            "received_bytes",
        ] {
            assert!(e.get(key).is_some(), "time series entry without {key}: {e}");
        }
        let n = u64_at(e, "requests");
        if at(e, "warmup").as_bool().expect("warmup is a bool") {
            warm += n;
        } else {
            measured += n;
        }
    }
    (warm, measured)
}

#[test]
fn summary_has_every_documented_field() {
    let server = fast_target();
    let url = url_of(&server);
    let run = run(&url, &["-c", "2", "-d", "2s", "--threshold", "p95<5s"]);
    run.assert_exit(0);
    let s = run.summary();

    // Fields are only ever added to the schema, so check that each promised one is there.
    let object = s.as_object().expect("summary is an object");
    let missing: Vec<&str> = TOP_LEVEL.into_iter().filter(|k| !object.contains_key(*k)).collect();
    assert!(missing.is_empty(), "summary lacks documented fields {missing:?}");
    for (path, fields) in NESTED {
        assert_fields(s, path, fields);
    }
    assert_fields(s, "thresholds.0", &THRESHOLD_FIELDS);

    assert_eq!(u64_at(s, "schema_version"), 1);
    assert_eq!(str_at(s, "target"), url);
    assert_eq!(str_at(s, "model"), "closed");
    assert_eq!(str_at(s, "latency_measured_from"), "request sent");
    assert_eq!(str_at(s, "stop_reason"), "duration");
    assert!(str_at(s, "started_at").ends_with('Z') && str_at(s, "ended_at").ends_with('Z'));
    assert!((f64_at(s, "duration_s") - 2.0).abs() < 0.05);
    assert_eq!(f64_at(s, "warmup_s"), 0.0);

    let total = u64_at(s, "requests.total");
    let ok = u64_at(s, "requests.ok");
    let failed = u64_at(s, "requests.failed");
    assert!(total > 0);
    assert_eq!(total, server.stats().requests_total);
    assert_eq!(ok + failed, total);
    let rate = f64_at(s, "requests.rate_per_s");
    assert!((rate - total as f64 / f64_at(s, "duration_s")).abs() <= rate * 1e-9 + 1e-9);
    assert_eq!(u64_at(s, "requests.warmup"), 0);
    assert_eq!(
        u64_at(s, "iterations.total"),
        total,
        "quick mode: one request per iteration"
    );

    assert_latency_stats(s, "latency_ms");
    assert_latency_stats(s, "ttfb_ms");
    assert_latency_stats(s, "latency_co_estimate_ms");
    assert_eq!(u64_at(s, "latency_ms.count"), total);
    assert!(at(s, "service_time_ms").is_null(), "closed model has no service time");
    assert!(at(s, "arrival_rate").is_null(), "closed model has no arrival rate");

    assert_eq!(counts_at(s, "status_codes"), vec![("200".to_string(), total)]);
    assert!(counts_at(s, "errors").is_empty());
    assert_eq!(u64_at(s, "dropped_iterations"), 0);
    assert_eq!(u64_at(s, "vus.limit"), 2);
    assert_eq!(u64_at(s, "vus.max"), 2);
    assert_eq!(u64_at(s, "connections_opened"), 2, "one keep-alive connection per VU");
    assert!(u64_at(s, "data.sent_bytes") > 0 && u64_at(s, "data.received_bytes") > 0);
    assert!(u64_at(s, "generator.threads") >= 1);
    assert!(at(s, "generator.warnings").is_array());

    let endpoints = at(s, "endpoints").as_array().expect("endpoints is an array");
    assert_eq!(endpoints.len(), 1);
    assert_eq!(str_at(s, "endpoints.0.name"), "GET /");
    assert_eq!(str_at(s, "endpoints.0.method"), "GET");
    assert_eq!(u64_at(s, "endpoints.0.requests"), total);
    assert_latency_stats(s, "endpoints.0.latency_ms");
    assert_eq!(
        at(s, "endpoints.0.latency_ms"),
        at(s, "latency_ms"),
        "one endpoint: its latency is the overall latency"
    );

    for scenario_only in ["journeys", "checks"] {
        let list = at(s, scenario_only).as_array().expect("an array");
        assert!(list.is_empty(), "quick mode has no {scenario_only}: {list:?}");
    }

    let thresholds = at(s, "thresholds").as_array().expect("thresholds is an array");
    assert_eq!(thresholds.len(), 1);
    assert_eq!(str_at(s, "thresholds.0.expr"), "p95<5s");
    assert_eq!(at(s, "thresholds.0.passed").as_bool(), Some(true));
    assert!(f64_at(s, "thresholds.0.actual") > 0.0);
    assert!(!str_at(s, "thresholds.0.limit").is_empty());

    let (warm, measured) = check_timeseries(s, 2);
    assert_eq!(warm, 0);
    assert_eq!(measured, total, "the time series adds up to the total");
}

#[test]
fn warmup_is_counted_apart() {
    let server = fast_target();
    let run = run(&url_of(&server), &["-c", "4", "--warmup", "1s", "-d", "2s"]);
    run.assert_exit(0);
    let s = run.summary();
    let total = u64_at(s, "requests.total");
    let warmup = u64_at(s, "requests.warmup");
    let served = server.stats().requests_total;
    assert!(warmup > 0, "{}", run.output());
    assert!(total > 0);
    assert_eq!(
        total + warmup,
        served,
        "measured {total} + warm-up {warmup} != served {served}\n{}",
        run.output()
    );
    let measured = f64_at(s, "duration_s");
    assert!((measured - 2.0).abs() < 0.05, "duration_s {measured}");
    assert_eq!(f64_at(s, "warmup_s"), 1.0);
    assert_eq!(at(s, "timeseries.0.warmup").as_bool(), Some(true));
    let (warm, measured) = check_timeseries(s, 3);
    assert_eq!(measured, total, "entries after the warm-up add up to requests.total");
    // Requests belong to the phase their iteration started in: the few that started in the
    // warm-up and ended after it (at most one per VU) count as warm-up, not in any warm-up entry.
    assert!(
        warm <= warmup && warmup - warm <= 4,
        "warm-up entries {warm} vs requests.warmup {warmup}"
    );
}

#[test]
fn stages_ramp_vus_to_the_last_target() {
    let server = fast_target();
    let run = run(&url_of(&server), &["--stages", "1s:4,1s:8"]);
    run.assert_exit(0);
    let s = run.summary();
    assert_eq!(str_at(s, "model"), "closed");
    assert_eq!(u64_at(s, "vus.limit"), 8);
    assert_eq!(u64_at(s, "vus.max"), 8, "{}", run.output());
    assert!((f64_at(s, "duration_s") - 2.0).abs() < 0.05);
    // Ramping: the first second runs at most 4 VUs.
    assert!(u64_at(s, "timeseries.0.active_vus") <= 4);
    assert_eq!(u64_at(s, "requests.total"), server.stats().requests_total);
}

#[test]
fn request_budget_is_not_spent_by_the_warmup() {
    let server = fast_target();
    let run = run(&url_of(&server), &["-c", "2", "--warmup", "1s", "-n", "1000"]);
    run.assert_no_panic();
    // Either sane behaviour will do: refuse the combination as a usage error, or measure
    // 1000 requests after a real warm-up.
    if run.code == Some(2) {
        assert_eq!(server.stats().requests_total, 0, "a usage error sends nothing");
        return;
    }
    run.assert_exit(0);
    let s = run.summary();
    let total = u64_at(s, "requests.total");
    let warmup = u64_at(s, "requests.warmup");
    assert_eq!(total, 1000, "-n counts measured requests\n{}", run.output());
    assert!(warmup > 0);
    assert_eq!(total + warmup, server.stats().requests_total);
    assert!(f64_at(s, "duration_s") > 0.0);
}
