//! The Grafana dashboard in contrib/grafana only queries metrics this crate emits, and
//! takes its datasource as the `DS_PROMETHEUS` import input.

use super::fixture::Fixture;
use serde_json::Value;
use std::collections::BTreeSet;

fn dashboard() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../contrib/grafana/loadcell.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every string under a key named `expr`, `query` or `definition`.
fn queries(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("expr" | "query" | "definition", Value::String(s)) => out.push(s.clone()),
                    _ => queries(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| queries(v, out)),
        _ => {}
    }
}

/// `loadcell_…` identifiers in a PromQL expression.
fn metric_names(expr: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = expr;
    while let Some(at) = rest.find("loadcell_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        names.push(tail[..end].to_owned());
        rest = &tail[end..];
    }
    names
}

/// Sample names of a fully populated exposition.
fn emitted() -> BTreeSet<String> {
    let text = Fixture::new().render(false);
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split(['{', ' ']).next().unwrap().to_owned())
        .collect()
}

#[test]
fn every_queried_metric_is_emitted() {
    let mut exprs = Vec::new();
    queries(&dashboard(), &mut exprs);
    assert!(exprs.len() >= 15, "{exprs:?}");
    let emitted = emitted();
    let mut used = BTreeSet::new();
    for expr in &exprs {
        for name in metric_names(expr) {
            assert!(
                emitted.contains(&name),
                "dashboard queries {name}, which is not emitted: {expr}"
            );
            used.insert(name);
        }
    }
    for needed in [
        "loadcell_http_requests_total",
        "loadcell_http_request_errors_total",
        "loadcell_http_request_duration_seconds_bucket",
        "loadcell_vus",
        "loadcell_vus_max",
        "loadcell_iterations_total",
        "loadcell_dropped_iterations_total",
        "loadcell_checks_total",
        "loadcell_monitor_value",
    ] {
        assert!(used.contains(needed), "no panel queries {needed}");
    }
    assert!(exprs.iter().any(|e| e.contains("histogram_quantile(0.99")));
}

#[test]
fn datasource_is_an_import_input() {
    let d = dashboard();
    assert_eq!(d["__inputs"][0]["name"], "DS_PROMETHEUS");
    let panels = d["panels"].as_array().unwrap();
    assert!(panels.len() >= 7);
    for p in panels {
        assert_eq!(p["datasource"]["uid"], "${DS_PROMETHEUS}", "{}", p["title"]);
        for t in p["targets"].as_array().unwrap() {
            assert_eq!(t["datasource"]["uid"], "${DS_PROMETHEUS}", "{}", p["title"]);
        }
    }
}

#[test]
fn finds_metric_names_in_promql() {
    assert_eq!(
        metric_names("sum(rate(loadcell_a_total{x=\"loadcell\"}[1m])) / loadcell_b"),
        ["loadcell_a_total", "loadcell_b"]
    );
}
