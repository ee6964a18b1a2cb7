//! A plan's `baseline:`: which earlier run each run-type test is compared with, and a
//! regression found by that comparison in the test's own words.
//!
//! A plan-level baseline is either a previous suite's folder (it holds `suite.json`): each
//! test is compared with the test of the same name in it, as a CI job passing the last
//! suite's folder to the next would want; or one results folder / `summary.json`, which
//! every run-type test is compared with. A test's own `baseline:` option overrides it.

use crate::model::{Kind, Plan, Test};
use loadcell_schema::{Comparison, MetricChange, Scope, Verdict};
use std::path::{Path, PathBuf};

/// The file `run --baseline` writes into the test's results folder.
pub const COMPARISON_FILE: &str = "comparison.json";

/// The baseline `test` is compared with from the plan's `baseline:`, if any: `None` for a
/// test that names its own (it is passed as written), for a test type that is not a
/// `loadcell run`, and for a test a previous suite folder did not run.
pub fn of(plan: &Plan, test: &Test) -> Option<PathBuf> {
    let (path, _) = plan.baseline.as_ref()?;
    if !matches!(test.kind, Kind::Run(_)) || test.options.iter().any(|o| o.flag == "baseline") {
        return None;
    }
    if !path.join("suite.json").is_file() {
        return Some(path.clone());
    }
    previous_suite_folder(path, &test.name).map(|folder| path.join(folder))
}

/// The folder of the test named `name` in a previous suite's `suite.json`, when it ran and
/// left a `summary.json`.
fn previous_suite_folder(dir: &Path, name: &str) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("suite.json")).ok()?;
    let doc: serde_json::Value = serde_json::from_str(&text).ok()?;
    let entry = doc["tests"]
        .as_array()?
        .iter()
        .find(|t| t["name"].as_str() == Some(name))?;
    let folder = entry["folder"].as_str()?;
    dir.join(folder)
        .join("summary.json")
        .is_file()
        .then(|| folder.to_string())
}

/// The comparison a test's run wrote into its folder, if it was compared with a baseline.
pub fn read(folder: &Path) -> Option<Comparison> {
    let text = std::fs::read_to_string(folder.join(COMPARISON_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

/// One sentence per regressed row (the whole run, then each endpoint), its regressed
/// metrics with their change and interval: `regressed: p95 +23% [+18%, +29%]`, or
/// `regressed (GET /api): …` for an endpoint. The baseline is named in `suite.json`.
/// A run of one endpoint has one endpoint row equal to the whole run's: it is not repeated.
pub fn regressions(cmp: &Comparison) -> Vec<String> {
    let endpoints = cmp.rows.iter().filter(|r| r.scope == Scope::Endpoint).count();
    let has_overall = cmp.rows.iter().any(|r| r.scope == Scope::Overall);
    cmp.regressions()
        .filter(|row| !(row.scope == Scope::Endpoint && endpoints == 1 && has_overall))
        .map(|row| {
            let place = match row.scope {
                Scope::Overall => String::new(),
                _ => format!(" ({})", row.name),
            };
            let metrics: Vec<String> = row
                .metrics
                .iter()
                .filter(|m| m.verdict == Verdict::Regressed)
                .map(metric_change)
                .collect();
            format!("regressed{place}: {}", metrics.join(", "))
        })
        .collect()
}

/// `p95 +23% [+18%, +29%]`.
fn metric_change(m: &MetricChange) -> String {
    let absolute = m.metric.absolute_change();
    let change = m.change.map_or("n/a".to_string(), |c| signed(c, absolute));
    let interval = m
        .interval
        .map(|i| format!(" [{}, {}]", signed(i.low, absolute), signed(i.high, absolute)))
        .unwrap_or_default();
    format!("{} {change}{interval}", m.metric.label())
}

/// A change as a signed percentage (a ratio) or percentage points (the error rate).
fn signed(change: f64, absolute: bool) -> String {
    let unit = if absolute { " pt" } else { "%" };
    format!("{:+.0}{unit}", change * 100.0)
}

#[cfg(test)]
mod tests;
