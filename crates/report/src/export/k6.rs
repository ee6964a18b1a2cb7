//! `--summary-export FILE`: the summary in the shape k6's `--summary-export` writes (its
//! "legacy" JSON, `internal/js/summary-wrapper.js` in grafana/k6), so CI scripts that read
//! k6's export keep working: `metrics.NAME.{avg,min,med,max,"p(90)","p(95)"}` for trends,
//! `{count,rate}` for counters, `{passes,fails,value}` for rates, `{value,min,max}` for gauges,
//! each with `thresholds: {CONDITION: failed}` (true when the threshold *failed*, as k6 writes
//! it), and `root_group.checks`. What loadcell does not measure is left out, never invented.

use loadcell_schema::{CustomKind, CustomMetricSummary, LatencyStats, Summary, ThresholdResult};
use loadcell_threshold::parse;
use serde_json::{Map, Value, json};

use crate::ReportError;

/// md5 of the empty path: k6's id of the root group.
const ROOT_GROUP_ID: &str = "d41d8cd98f00b204e9800998ecf8427e";

/// The summary as k6's `--summary-export` JSON.
pub fn k6_summary_export(summary: &Summary) -> Result<Vec<u8>, ReportError> {
    let mut metrics = Map::new();
    for (name, value) in measured(summary) {
        metrics.insert(name.to_string(), value);
    }
    for c in &summary.custom_metrics {
        metrics.insert(c.name.clone(), custom(c));
    }
    for t in &summary.thresholds {
        let (key, condition) = k6_key(t);
        let entry = metrics.entry(key).or_insert_with(|| json!({}));
        if let Some(obj) = entry.as_object_mut() {
            let list = obj.entry("thresholds").or_insert_with(|| json!({}));
            if let Some(list) = list.as_object_mut() {
                list.insert(condition, Value::Bool(!t.passed));
            }
        }
    }
    let mut checks = Map::new();
    for c in &summary.checks {
        checks.insert(
            c.name.clone(),
            json!({"name": c.name, "path": format!("::{}", c.name), "passes": c.passed, "fails": c.failed}),
        );
    }
    let doc = json!({
        "root_group": {"name": "", "path": "", "id": ROOT_GROUP_ID, "groups": {}, "checks": checks},
        "metrics": metrics,
    });
    let mut bytes = serde_json::to_vec_pretty(&doc).map_err(|e| ReportError::Render {
        format: "k6 summary export",
        message: e.to_string(),
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The metrics loadcell measured, under k6's names.
fn measured(s: &Summary) -> Vec<(&'static str, Value)> {
    let seconds = s.duration_s.max(f64::MIN_POSITIVE);
    let counter = |n: u64| json!({"count": n, "rate": n as f64 / seconds});
    let rate = |passes: u64, fails: u64| {
        let total = passes + fails;
        let value = if total == 0 { 0.0 } else { passes as f64 / total as f64 };
        json!({"passes": passes, "fails": fails, "value": value})
    };
    let mut out = vec![
        ("http_req_duration", trend(&s.latency_ms)),
        ("http_req_sending", trend(&s.sending_ms)),
        ("http_req_waiting", trend(&s.ttfb_ms)),
        ("http_req_receiving", trend(&s.receiving_ms)),
        ("iteration_duration", trend(&s.iteration_duration_ms)),
        ("http_reqs", counter(s.requests.total)),
        // A failed request is a non-zero sample of k6's rate.
        ("http_req_failed", rate(s.requests.failed, s.requests.ok)),
        ("iterations", counter(s.iterations.total)),
        ("data_received", counter(s.data.received_bytes)),
        ("data_sent", counter(s.data.sent_bytes)),
    ];
    for (name, stats) in [
        ("http_req_blocked", &s.blocked_ms),
        ("http_req_connecting", &s.connecting_ms),
        ("http_req_tls_handshaking", &s.tls_handshaking_ms),
    ] {
        if stats.count > 0 {
            out.push((name, trend(stats)));
        }
    }
    if s.latency_expected_ms.count > 0 {
        out.push((
            "http_req_duration{expected_response:true}",
            trend(&s.latency_expected_ms),
        ));
    }
    if s.dropped_iterations > 0 {
        out.push(("dropped_iterations", counter(s.dropped_iterations)));
    }
    if !s.checks.is_empty() {
        let passed = s.checks.iter().map(|c| c.passed).sum();
        let failed = s.checks.iter().map(|c| c.failed).sum();
        out.push(("checks", rate(passed, failed)));
    }
    let active = s.timeseries.iter().filter(|i| !i.warmup).map(|i| i.active_vus);
    if let (Some(min), Some(last)) = (active.clone().min(), active.clone().next_back()) {
        out.push(("vus", json!({"value": last, "min": min, "max": s.vus.max})));
    }
    out.push((
        "vus_max",
        json!({"value": s.vus.limit, "min": s.vus.limit, "max": s.vus.limit}),
    ));
    out
}

/// A scenario's own metric in k6's shape for its kind: what never got a value is 0, as k6
/// writes an empty sink.
fn custom(c: &CustomMetricSummary) -> Value {
    let v = |x: Option<f64>| x.unwrap_or(0.0);
    match c.kind {
        CustomKind::Counter => json!({"count": v(c.count), "rate": v(c.rate)}),
        CustomKind::Rate => json!({"passes": c.passes.unwrap_or(0), "fails": c.fails.unwrap_or(0), "value": v(c.rate)}),
        CustomKind::Gauge => json!({"value": v(c.value), "min": v(c.min), "max": v(c.max)}),
        CustomKind::Trend => json!({
            "avg": v(c.avg), "min": v(c.min), "med": v(c.med), "max": v(c.max), "p(90)": v(c.p90), "p(95)": v(c.p95)
        }),
    }
}

fn trend(l: &LatencyStats) -> Value {
    json!({"avg": l.mean, "min": l.min, "med": l.p50, "max": l.max, "p(90)": l.p90, "p(95)": l.p95})
}

/// The metric key (`http_req_duration{journey:a}`) and condition (`p(95)<200`) k6 would file a
/// threshold under: the user's own text for k6's syntax, k6's spelling for the short form.
fn k6_key(t: &ThresholdResult) -> (String, String) {
    let Ok(parsed) = parse(&t.expr) else {
        // A scenario's own metric (`orders_placed: count>10`) is not known here by name;
        // its key and condition are the text on either side of the last ':'.
        return match t.expr.rsplit_once(':') {
            Some((key, condition)) => (key.trim().to_string(), condition.trim().to_string()),
            None => (t.expr.clone(), t.expr.clone()),
        };
    };
    let key = format!("{}{}", parsed.metric.name(), parsed.filter);
    let condition = match t.expr.rsplit_once(':') {
        Some((_, condition)) => condition.trim().to_string(),
        None => format!("{}{}{}", parsed.aggregation, parsed.op, parsed.limit),
    };
    (key, condition)
}
