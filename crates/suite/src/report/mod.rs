//! The suite's own documents, rewritten after every test: `suite.json` (every test's result,
//! the verdict, the recommendations of all tests), `junit.xml` (`junit.rs`) and `suite.md`
//! (`markdown.rs`, the PR comment) and `index.html` (`html.rs`, the page that links every
//! test's report); the terminal's lines are `text.rs`'s. Each is written to a temporary name and renamed, so a
//! reader never sees half a file.

mod html;
mod junit;
mod markdown;
mod text;

pub use html::html;
pub use junit::junit;
pub use markdown::markdown;
pub use text::{so_far, terminal};

use crate::error::SuiteError;
use crate::judge::TestResult;
use crate::model::{Plan, Test};
use crate::runner::Options;
use loadcell_schema::Confidence;
use serde::Serialize;
use std::path::Path;

/// `suite.json`.
#[derive(Debug, Clone, Serialize)]
pub struct SuiteDoc {
    pub schema_version: u32,
    pub loadcell_version: String,
    /// The plan file.
    pub plan: String,
    /// The system under test (a URL or a scenario file).
    pub target: String,
    pub started_at: String,
    pub verdict: Verdict,
    pub tests: Vec<TestResult>,
    /// Selected tests that did not run: an earlier one failed and the suite stopped.
    pub not_run: Vec<String>,
    /// Every test's recommendations, each once, surest first.
    pub recommendations: Vec<Recommendation>,
}

/// The one verdict of the suite.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// Every selected test ran and passed, and no warning counts against it.
    pub passed: bool,
    /// In words, e.g. `2 of 7 tests failed: load, spike`.
    pub text: String,
    pub failed_tests: Vec<String>,
    /// Tests with warnings (fatal unless `allow_warnings`).
    pub warned_tests: Vec<String>,
    pub allow_warnings: bool,
}

/// One thing to do, from the bottleneck verdicts of one or more tests.
#[derive(Debug, Clone, Serialize)]
pub struct Recommendation {
    pub text: String,
    /// The surest verdict that made it.
    pub confidence: Confidence,
    /// The tests whose verdicts made it.
    pub tests: Vec<String>,
}

/// The document for the results so far.
pub fn document(
    plan: &Plan,
    selected: &[&Test],
    results: &[TestResult],
    options: &Options,
    started_at: &str,
) -> SuiteDoc {
    SuiteDoc {
        schema_version: 1,
        loadcell_version: env!("CARGO_PKG_VERSION").to_string(),
        plan: plan.file.clone(),
        target: plan.system.argument(),
        started_at: started_at.to_string(),
        verdict: verdict(selected, results, options.allow_warnings),
        tests: results.to_vec(),
        not_run: selected.iter().skip(results.len()).map(|t| t.name.clone()).collect(),
        recommendations: recommendations(results),
    }
}

fn verdict(selected: &[&Test], results: &[TestResult], allow_warnings: bool) -> Verdict {
    let failed_tests: Vec<String> = results.iter().filter(|r| !r.passed).map(|r| r.name.clone()).collect();
    let warned_tests: Vec<String> = results
        .iter()
        .filter(|r| !r.warnings.is_empty())
        .map(|r| r.name.clone())
        .collect();
    let not_run = selected.len() - results.len();
    let passed = failed_tests.is_empty() && not_run == 0 && (allow_warnings || warned_tests.is_empty());
    let mut parts = Vec::new();
    if !failed_tests.is_empty() {
        parts.push(format!(
            "{} of {} tests failed: {}",
            failed_tests.len(),
            selected.len(),
            failed_tests.join(", ")
        ));
    }
    if !warned_tests.is_empty() {
        let how = if allow_warnings { "allowed" } else { "fatal" };
        parts.push(format!("warnings ({how}) in {}", warned_tests.join(", ")));
    }
    if not_run > 0 {
        parts.push(format!("{not_run} not run"));
    }
    let text = match (passed, parts.is_empty()) {
        (true, true) => format!("all {} tests passed", selected.len()),
        (true, false) => format!("all {} tests passed; {}", selected.len(), parts.join("; ")),
        (false, _) => parts.join("; "),
    };
    Verdict {
        passed,
        text,
        failed_tests,
        warned_tests,
        allow_warnings,
    }
}

/// Every bottleneck recommendation once, with the surest confidence any verdict gave it and
/// the tests that gave it; surest first, then in the order they first appeared.
fn recommendations(results: &[TestResult]) -> Vec<Recommendation> {
    let mut out: Vec<Recommendation> = Vec::new();
    for result in results {
        for b in &result.bottlenecks {
            for text in &b.recommendations {
                match out.iter_mut().find(|r| r.text == *text) {
                    Some(r) => {
                        r.confidence = r.confidence.max(b.confidence);
                        if !r.tests.contains(&result.name) {
                            r.tests.push(result.name.clone());
                        }
                    }
                    None => out.push(Recommendation {
                        text: text.clone(),
                        confidence: b.confidence,
                        tests: vec![result.name.clone()],
                    }),
                }
            }
        }
    }
    // A stable sort keeps first appearance within one confidence.
    out.sort_by_key(|r| std::cmp::Reverse(r.confidence));
    out
}

/// Writes `suite.json`, `junit.xml`, `index.html` and `suite.md` into `dir`.
pub fn write_all(dir: &Path, doc: &SuiteDoc) -> Result<(), SuiteError> {
    let json = serde_json::to_string_pretty(doc).map_err(|source| SuiteError::Json {
        what: "suite.json",
        source,
    })?;
    write(dir, "suite.json", &json)?;
    write(dir, "junit.xml", &junit(doc))?;
    write(dir, "index.html", &html(doc))?;
    write(dir, "suite.md", &markdown(doc))
}

pub(crate) fn write(dir: &Path, name: &str, text: &str) -> Result<(), SuiteError> {
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.tmp"));
    let fail = |source| SuiteError::Write {
        path: path.clone(),
        source,
    };
    std::fs::write(&tmp, text).map_err(fail)?;
    std::fs::rename(&tmp, &path).map_err(fail)
}

/// What the kind of test is run to find, in a few words.
pub(crate) fn finding(t: &TestResult) -> String {
    if let Some(b) = &t.bench {
        let lines: Vec<String> = b.benchmarks.iter().map(crate::judge::bench_line).collect();
        return lines.join("; ");
    }
    if let Some(c) = &t.capacity {
        return match c.capacity_per_s {
            Some(rate) => format!("capacity {rate:.0}/s"),
            None => "no sustainable rate".to_string(),
        };
    }
    if let Some(s) = &t.scale {
        return match &s.fit {
            Some(fit) => format!(
                "σ {:.3}, κ {:.4}, peak {}",
                fit.sigma,
                fit.kappa,
                fit.peak_vus.map_or("none".to_string(), |p| format!("{p:.0} VUs"))
            ),
            None => "no fit".to_string(),
        };
    }
    if let Some(bp) = &t.breaking_point {
        return format!("broke at {:.0} ({})", bp.level, bp.how.join(", "));
    }
    if t.kind == "breakpoint" && t.headline.is_some() {
        return "did not break".to_string();
    }
    if let Some(s) = &t.spike_recovery {
        return s.verdict.clone();
    }
    if let Some(s) = &t.soak_trend {
        return s.p95_ms.verdict.clone();
    }
    String::new()
}

#[cfg(test)]
mod tests;
