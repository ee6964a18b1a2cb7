//! The integration tests' helpers: the shared test kit (`loadcell-testkit`) and the
//! summary reads these modules repeat.

pub use loadcell_testkit::process::{run_file, run_url};
pub use loadcell_testkit::*;
pub use serde_json::Value;

/// `(passed, failed)` summed over every check of the summary.
pub fn check_totals(summary: &Value) -> (u64, u64) {
    let checks = at(summary, "checks").as_array().cloned().unwrap_or_default();
    checks
        .iter()
        .fold((0, 0), |(p, f), c| (p + u64_at(c, "passed"), f + u64_at(c, "failed")))
}

/// The count of error kind `kind` (0 when absent).
pub fn errors_of(summary: &Value, kind: &str) -> u64 {
    summary
        .get("errors")
        .and_then(|e| e.get(kind))
        .and_then(Value::as_u64)
        .unwrap_or(0)
}
