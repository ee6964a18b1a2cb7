//! `summary.json` in tests: parsed as the schema's [`Summary`] (typed access), or as JSON
//! values looked up by dotted path (`requests.total`, `endpoints.0.name`) and by name in its
//! lists (journeys, checks, endpoints, thresholds), with messages that show what is there.

use loadcell_schema::Summary;
use serde_json::Value;
use std::path::Path;

/// Parses a summary file; `None` when it does not exist.
pub fn read_summary(path: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(serde_json::from_str(&text).unwrap_or_else(|e| panic!("summary JSON does not parse: {e}\n{text}")))
}

/// A summary file (or a results folder's `summary.json`) as the schema's type.
pub fn read_typed(path: &Path) -> Summary {
    let path = if path.is_dir() {
        path.join("summary.json")
    } else {
        path.to_path_buf()
    };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not a loadcell_schema::Summary: {e}", path.display()))
}

/// The value at a dotted path (`requests.total`, `endpoints.0.name`); panics if absent.
pub fn at<'a>(v: &'a Value, path: &str) -> &'a Value {
    let mut cur = v;
    for part in path.split('.') {
        let next = match (cur, part.parse::<usize>()) {
            (Value::Array(items), Ok(i)) => items.get(i),
            _ => cur.get(part),
        };
        cur = next.unwrap_or_else(|| panic!("summary has no '{path}' (stuck at '{part}' in {})", short(cur)));
    }
    cur
}

pub fn u64_at(v: &Value, path: &str) -> u64 {
    let x = at(v, path);
    x.as_u64()
        .unwrap_or_else(|| panic!("'{path}' is not an unsigned integer: {x}"))
}

pub fn f64_at(v: &Value, path: &str) -> f64 {
    let x = at(v, path);
    x.as_f64().unwrap_or_else(|| panic!("'{path}' is not a number: {x}"))
}

pub fn str_at<'a>(v: &'a Value, path: &str) -> &'a str {
    let x = at(v, path);
    x.as_str().unwrap_or_else(|| panic!("'{path}' is not a string: {x}"))
}

/// A JSON map of counts as `(key, count)` pairs.
pub fn counts_at(v: &Value, path: &str) -> Vec<(String, u64)> {
    let x = at(v, path);
    let map = x
        .as_object()
        .unwrap_or_else(|| panic!("'{path}' is not an object: {x}"));
    map.iter()
        .map(|(k, n)| {
            let n = n.as_u64().unwrap_or_else(|| panic!("'{path}.{k}' is not a count: {n}"));
            (k.clone(), n)
        })
        .collect()
}

fn items<'a>(summary: &'a Value, section: &str) -> &'a Vec<Value> {
    at(summary, section)
        .as_array()
        .unwrap_or_else(|| panic!("'{section}' is not a list"))
}

/// The entry of `journeys[]` named `name`.
pub fn journey<'a>(summary: &'a Value, name: &str) -> &'a Value {
    items(summary, "journeys")
        .iter()
        .find(|j| j["name"] == name)
        .unwrap_or_else(|| panic!("no journey '{name}' in {}", short(&summary["journeys"])))
}

/// The entry of `checks[]` of `journey` / `step` named `name`.
pub fn check<'a>(summary: &'a Value, journey: &str, step: &str, name: &str) -> &'a Value {
    items(summary, "checks")
        .iter()
        .find(|c| c["journey"] == journey && c["step"] == step && c["name"] == name)
        .unwrap_or_else(|| {
            panic!(
                "no check '{name}' of step '{step}' of journey '{journey}' in {}",
                short(&summary["checks"])
            )
        })
}

/// `(passed, failed)` of a check.
pub fn check_counts(summary: &Value, journey: &str, step: &str, name: &str) -> (u64, u64) {
    let c = check(summary, journey, step, name);
    (u64_at(c, "passed"), u64_at(c, "failed"))
}

/// The entry of `endpoints[]` named `name` (`METHOD /path`).
pub fn endpoint<'a>(summary: &'a Value, name: &str) -> &'a Value {
    items(summary, "endpoints")
        .iter()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("no endpoint '{name}' in {}", endpoint_names(summary).join(" | ")))
}

/// The names of all endpoints, in order.
pub fn endpoint_names(summary: &Value) -> Vec<String> {
    items(summary, "endpoints")
        .iter()
        .map(|e| e["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The threshold whose expression is `expr`.
pub fn threshold<'a>(summary: &'a Value, expr: &str) -> &'a Value {
    items(summary, "thresholds")
        .iter()
        .find(|t| t["expr"] == expr)
        .unwrap_or_else(|| panic!("no threshold '{expr}' in {}", short(&summary["thresholds"])))
}

/// Sum of `checks[].failed` over every check.
pub fn failed_checks(summary: &Value) -> u64 {
    items(summary, "checks").iter().map(|c| u64_at(c, "failed")).sum()
}

/// Sum of `checks[].passed` over every check.
pub fn passed_checks(summary: &Value) -> u64 {
    items(summary, "checks").iter().map(|c| u64_at(c, "passed")).sum()
}

/// A value shortened for messages.
pub fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 600 {
        format!("{}…", s.chars().take(600).collect::<String>())
    } else {
        s
    }
}

/// Open model: every scheduled arrival completed, was dropped or was cut; none vanished.
pub fn assert_every_arrival_accounted(s: &Value, run: &crate::Finished) {
    assert_eq!(
        u64_at(s, "iterations.scheduled"),
        u64_at(s, "iterations.total") + u64_at(s, "iterations.dropped") + u64_at(s, "iterations.cut"),
        "an arrival vanished\n{}",
        run.output()
    );
}

/// `actual` is within `tolerance` (a fraction) of `expected`.
pub fn within(actual: f64, expected: f64, tolerance: f64) -> bool {
    (actual - expected).abs() <= expected.abs() * tolerance
}
