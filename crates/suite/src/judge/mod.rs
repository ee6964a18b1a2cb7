//! One test's verdict from the `summary.json` it wrote and its exit code: passed or not and
//! why, the headline numbers, its thresholds, the warnings that make its numbers doubtful,
//! and what its kind of test is run to find (breaking point, recovery, trend, capacity,
//! scalability fit).

mod bench;

pub(crate) use bench::line as bench_line;
pub use bench::{BenchBrief, judge_bench};

use crate::baseline::Compared;
use crate::model::{Kind, Test};
use loadcell_schema::{
    Bottleneck, BreakingPoint, CapacitySummary, Profile, SoakTrend, SpikeRecovery, StopReason, Summary,
    ThresholdResult, UslFit,
};
use serde::Serialize;

/// Everything `suite.json` says about one test.
#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    pub name: String,
    pub kind: &'static str,
    /// The command line it ran as.
    pub command: String,
    /// Its results folder, relative to the suite folder.
    pub folder: String,
    pub passed: bool,
    /// The command's own exit code (`null`: it could not start).
    pub exit_code: Option<i32>,
    /// Why it failed, one sentence each (empty when it passed).
    pub failures: Vec<String>,
    /// What makes its numbers doubtful; fatal to the suite unless `--allow-warnings`.
    pub warnings: Vec<String>,
    /// Its comparison with the baseline, when it had one (the details are in the test's
    /// `comparison.json`; a regression is among `failures`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineBrief>,
    /// A bench test's benchmarks (`bench.json` in its folder holds every sample).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bench: Option<BenchBrief>,
    pub headline: Option<Headline>,
    pub thresholds: Vec<ThresholdResult>,
    pub bottlenecks: Vec<Bottleneck>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breaking_point: Option<BreakingPoint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spike_recovery: Option<SpikeRecovery>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub soak_trend: Option<SoakTrend>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<CapacityBrief>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale: Option<ScaleBrief>,
}

/// The numbers a reader looks at first.
#[derive(Debug, Clone, Serialize)]
pub struct Headline {
    pub requests: u64,
    pub failed: u64,
    pub rate_per_s: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    /// Failed requests over all requests, 0 to 1.
    pub error_rate: f64,
    pub duration_s: f64,
}

/// What the comparison with the baseline found.
#[derive(Debug, Clone, Serialize)]
pub struct BaselineBrief {
    /// The baseline as the run was given it.
    pub path: String,
    /// `regressed`, `unchanged` or `improved`.
    pub verdict: &'static str,
}

/// A capacity search's answer (the whole search is in the test's own `summary.json`).
#[derive(Debug, Clone, Serialize)]
pub struct CapacityBrief {
    pub capacity_per_s: Option<f64>,
    pub lowest_fail_per_s: Option<f64>,
    pub knee_rate_per_s: Option<f64>,
    pub steps: usize,
}

/// A scale sweep's fit.
#[derive(Debug, Clone, Serialize)]
pub struct ScaleBrief {
    pub fit: Option<UslFit>,
    pub error: Option<String>,
    pub levels: usize,
}

/// Judges a finished test: `exit_code` is its command's, `summary` what it wrote, and
/// `comparison` its comparison with a baseline, when it had one (a regression fails it).
pub fn judge(
    test: &Test,
    command: String,
    folder: String,
    exit_code: i32,
    summary: &Summary,
    comparison: Option<&Compared>,
) -> TestResult {
    let mut failures = failures(test, exit_code, summary);
    if let Some(compared) = comparison {
        add_comparison(
            &mut failures,
            compared,
            exit_code,
            test.kind != Kind::Run(Profile::Breakpoint),
        );
    }
    let mut result = TestResult {
        name: test.name.clone(),
        kind: test.kind.as_str(),
        command,
        folder,
        passed: false,
        exit_code: Some(exit_code),
        failures,
        warnings: warnings(test.kind, summary),
        baseline: comparison.map(BaselineBrief::of),
        bench: None,
        headline: Some(headline(summary)),
        thresholds: summary.thresholds.clone(),
        bottlenecks: summary.bottlenecks.clone(),
        breaking_point: summary.breaking_point.clone(),
        spike_recovery: summary.spike_recovery.clone(),
        soak_trend: summary.soak_trend.clone(),
        capacity: summary.capacity.as_ref().map(capacity),
        scale: summary.scale.as_ref().map(|s| ScaleBrief {
            fit: s.fit.clone(),
            error: s.error.clone(),
            levels: s.points.len(),
        }),
    };
    result.passed = result.failures.is_empty();
    result
}

/// The comparison's regressions (and a baselines file's failed SLOs) among the failures,
/// in place of the bare exit code they caused.
fn add_comparison(failures: &mut Vec<String>, compared: &Compared, exit_code: i32, code_counts: bool) {
    let generic = format!("the test ended with exit code {exit_code}");
    failures.retain(|f| *f != generic);
    failures.extend(crate::baseline::regressions(&compared.comparison));
    failures.extend(compared.slo_failures.iter().cloned());
    if failures.is_empty() && exit_code != loadcell_schema::exit::OK && code_counts {
        failures.push(generic);
    }
}

impl BaselineBrief {
    fn of(compared: &Compared) -> BaselineBrief {
        BaselineBrief {
            path: compared.comparison.base.path.clone(),
            verdict: compared.comparison.verdict.as_str(),
        }
    }
}

/// A test that ended without a summary: it could not start, or wrote nothing.
pub fn unfinished(test: &Test, command: String, folder: String, exit_code: Option<i32>, why: String) -> TestResult {
    TestResult {
        name: test.name.clone(),
        kind: test.kind.as_str(),
        command,
        folder,
        passed: false,
        exit_code,
        failures: vec![why],
        warnings: Vec::new(),
        baseline: None,
        bench: None,
        headline: None,
        thresholds: Vec::new(),
        bottlenecks: Vec::new(),
        breaking_point: None,
        spike_recovery: None,
        soak_trend: None,
        capacity: None,
        scale: None,
    }
}

fn headline(summary: &Summary) -> Headline {
    let r = &summary.requests;
    Headline {
        requests: r.total,
        failed: r.failed,
        rate_per_s: r.rate_per_s,
        p95_ms: summary.latency_ms.p95,
        p99_ms: summary.latency_ms.p99,
        error_rate: if r.total == 0 {
            0.0
        } else {
            r.failed as f64 / r.total as f64
        },
        duration_s: summary.duration_s,
    }
}

fn capacity(c: &CapacitySummary) -> CapacityBrief {
    CapacityBrief {
        capacity_per_s: c.capacity_per_s,
        lowest_fail_per_s: c.lowest_fail_per_s,
        knee_rate_per_s: c.knee.as_ref().map(|k| k.offered_rate),
        steps: c.steps.len(),
    }
}

/// Why the test failed. A breakpoint test is run to break, so its failed thresholds are
/// its finding; it fails only when it broke below the expected traffic (`target_rate`).
fn failures(test: &Test, exit_code: i32, summary: &Summary) -> Vec<String> {
    let mut out = Vec::new();
    match test.kind {
        Kind::Run(Profile::Breakpoint) => breakpoint(test, summary, &mut out),
        Kind::Capacity => match &summary.capacity {
            Some(c) if c.capacity_per_s.is_some() => {}
            _ => out.push("no rate held the SLOs: even the lowest rate failed".to_string()),
        },
        Kind::Scale => match summary.scale.as_ref().map(|s| (&s.fit, &s.error)) {
            Some((Some(_), _)) => {}
            Some((None, Some(e))) => out.push(format!("the levels could not be fitted: {e}")),
            _ => out.push("the levels could not be fitted".to_string()),
        },
        _ => {
            for t in summary.thresholds.iter().filter(|t| !t.passed) {
                out.push(format!("SLO '{}' failed: {} (limit {})", t.expr, actual(t), t.limit));
            }
        }
    }
    if let Some(s) = summary.spike_recovery.as_ref().filter(|s| s.recovery_s.is_none()) {
        out.push(format!("spike: {}", s.verdict));
    }
    if out.is_empty() && exit_code != loadcell_schema::exit::OK && test.kind != Kind::Run(Profile::Breakpoint) {
        out.push(format!("the test ended with exit code {exit_code}"));
    }
    out
}

fn actual(t: &ThresholdResult) -> &str {
    if t.actual.is_none() && t.actual_text.is_empty() {
        "no data"
    } else {
        &t.actual_text
    }
}

fn breakpoint(test: &Test, summary: &Summary, out: &mut Vec<String>) {
    let Some(bp) = &summary.breaking_point else {
        return;
    };
    let expected = test
        .options
        .iter()
        .find(|o| o.flag == "target-rate")
        .and_then(|o| o.values.first())
        .and_then(|v| loadcell_units::parse_rate(v).ok());
    if let Some(expected) = expected.filter(|e| bp.level < *e) {
        out.push(format!(
            "broke at {:.0}/s ({}), below the expected traffic of {expected:.0}/s",
            bp.level,
            bp.how.join(", ")
        ));
    }
}

/// What makes the numbers doubtful. A run's own measurement warnings (generator saturated,
/// coordinated omission, dropped or cut iterations) count for the steady tests; a breakpoint
/// ramp and a capacity search overshoot on purpose, so only a lost monitor source or an
/// interruption counts for them.
fn warnings(kind: Kind, summary: &Summary) -> Vec<String> {
    let mut out = Vec::new();
    let steady = !matches!(kind, Kind::Run(Profile::Breakpoint) | Kind::Capacity | Kind::Scale);
    if steady {
        out.extend(summary.generator.warnings.iter().cloned());
        let dropped = summary.dropped_iterations;
        if dropped > 0 && !out.iter().any(|w| w.contains("dropped")) {
            out.push(format!(
                "{dropped} iterations were dropped: no VU was free when they were due"
            ));
        }
    }
    for m in &summary.monitor {
        if let Some(why) = &m.disappeared {
            out.push(format!("monitor source {} was lost: {why}", m.source));
        }
    }
    match summary.stop_reason {
        StopReason::Interrupted => out.push("the test was interrupted before its end".to_string()),
        StopReason::DataExhausted => out.push("the test was cut short: its test data ran out".to_string()),
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests;
