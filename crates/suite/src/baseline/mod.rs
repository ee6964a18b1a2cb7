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
/// test that names its own (it is passed as written), for a sweep (`capacity`, `scale`),
/// for a test a previous suite folder did not run, and for a test of the other sort than
/// the one results folder given (a load run for `bench`, benchmark results for a run).
/// A `performance-baselines.json` is every run and bench test's baseline.
pub fn of(plan: &Plan, test: &Test) -> Option<PathBuf> {
    let (path, _) = plan.baseline.as_ref()?;
    let bench = test.kind == Kind::Bench;
    if !(matches!(test.kind, Kind::Run(_)) || bench) || test.options.iter().any(|o| o.flag == "baseline") {
        return None;
    }
    match holds(path) {
        Holds::Suite => previous_suite_folder(path, &test.name, bench).map(|folder| path.join(folder)),
        Holds::Baselines | Holds::Unknown => Some(path.clone()),
        Holds::Bench => bench.then(|| path.clone()),
        Holds::Load => (!bench).then(|| path.clone()),
    }
}

/// What a `baseline:` path holds, as far as choosing the tests it applies to needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holds {
    /// A previous suite's folder (`suite.json`).
    Suite,
    /// A `performance-baselines.json` (`loadcell baseline save`).
    Baselines,
    /// Benchmark results: `bench.json` or a folder holding one.
    Bench,
    /// A load run's results folder or `summary.json`.
    Load,
    /// Missing or unreadable: every test gets it, and its check says why.
    Unknown,
}

/// Tells the baselines apart by their files and fields.
pub fn holds(path: &Path) -> Holds {
    if path.is_dir() {
        return match (path.join("suite.json").is_file(), path.join("meta.json").is_file()) {
            (true, _) => Holds::Suite,
            (false, false) if path.join(loadcell_schema::BENCH_FILE).is_file() => Holds::Bench,
            _ => Holds::Load,
        };
    }
    let Some(doc) = std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
    else {
        return Holds::Unknown;
    };
    if doc["format"].as_str() == Some(loadcell_schema::BENCH_FORMAT) {
        Holds::Bench
    } else if doc.get("schema_version").is_none() && doc["endpoints"].is_array() {
        Holds::Baselines
    } else {
        Holds::Load
    }
}

/// The folder of the test named `name` in a previous suite's `suite.json`, when it ran and
/// left its results (`summary.json`, or `bench.json` for a bench test).
fn previous_suite_folder(dir: &Path, name: &str, bench: bool) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("suite.json")).ok()?;
    let doc: serde_json::Value = serde_json::from_str(&text).ok()?;
    let entry = doc["tests"]
        .as_array()?
        .iter()
        .find(|t| t["name"].as_str() == Some(name))?;
    let folder = entry["folder"].as_str()?;
    let file = if bench {
        loadcell_schema::BENCH_FILE
    } else {
        "summary.json"
    };
    dir.join(folder).join(file).is_file().then(|| folder.to_string())
}

/// What a test's comparison with its baseline found, as its command wrote it.
#[derive(Debug, Clone)]
pub struct Compared {
    pub comparison: Comparison,
    /// Against a `performance-baselines.json`: each endpoint's p95 SLO there that failed,
    /// in words (`loadcell baseline check` fails them too).
    pub slo_failures: Vec<String>,
}

/// The comparison a test's command wrote into its folder, if it was compared with a
/// baseline: `comparison.json` is the comparison document, with `slo` added when the
/// baseline was a `performance-baselines.json`.
pub fn read(folder: &Path) -> Option<Compared> {
    let text = std::fs::read_to_string(folder.join(COMPARISON_FILE)).ok()?;
    let doc: serde_json::Value = serde_json::from_str(&text).ok()?;
    let slo_failures = doc["slo"]
        .as_array()
        .map(|slo| slo.iter().filter(|s| s["status"] == "fail").map(slo_failure).collect())
        .unwrap_or_default();
    let comparison = serde_json::from_value(doc).ok()?;
    Some(Compared {
        comparison,
        slo_failures,
    })
}

/// `SLO p95 < 200 ms of GET /api failed: 312.4 ms (performance-baselines.json)`.
fn slo_failure(s: &serde_json::Value) -> String {
    format!(
        "SLO p95 < {} ms of {} failed: {:.1} ms (the baselines file's)",
        s["slo_p95_ms"].as_f64().unwrap_or_default(),
        s["name"].as_str().unwrap_or_default(),
        s["p95_ms"].as_f64().unwrap_or_default()
    )
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
