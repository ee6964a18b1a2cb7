//! What `baseline save` and `baseline check` show: the saved endpoints one a line, the SLO
//! verdicts of a check as text, and a check as one JSON document (the comparison plus `slo`).

use std::path::Path;

use crate::check::Check;
use crate::file::{BaselinesFile, Status};

/// `pass` or `fail`, as the file spells it.
pub fn status_word(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Fail => "fail",
    }
}

/// After `save`: what went into the file, endpoint by endpoint.
pub fn saved_text(doc: &BaselinesFile, results: &Path, file: &Path) -> String {
    let mut out = format!("saved {} into {}\n", results.display(), file.display());
    for e in &doc.endpoints {
        let status = e.status.map_or("no SLO".to_string(), |s| {
            format!("{} (SLO p95 < {} ms)", status_word(s), e.slo_p95_ms.unwrap_or_default())
        });
        out += &format!(
            "  {}: p95 {:.2} ms, p99 {:.2} ms, {:.1}/s, {} run{} in history, {status}\n",
            e.name,
            e.current_p95_ms,
            e.current_p99_ms,
            e.throughput_rps,
            e.history.len(),
            if e.history.len() == 1 { "" } else { "s" }
        );
    }
    if let Some(c) = doc.overall_slo_compliance {
        out += &format!("  overall SLO compliance: {c:.1}%\n");
    }
    out
}

/// The SLO verdicts of a check, one a line.
pub fn slo_text(check: &Check) -> String {
    check
        .slo
        .iter()
        .map(|s| {
            format!(
                "SLO {}: p95 {:.2} ms against < {} ms: {}\n",
                s.name,
                s.p95_ms,
                s.slo_p95_ms,
                status_word(s.status)
            )
        })
        .collect()
}

/// A check as JSON: the comparison document with an `slo` array added.
pub fn check_json(check: &Check) -> serde_json::Result<serde_json::Value> {
    let mut doc = serde_json::to_value(&check.comparison)?;
    let slo: Vec<serde_json::Value> = check
        .slo
        .iter()
        .map(|s| {
            serde_json::json!({
                "name": s.name, "slo_p95_ms": s.slo_p95_ms, "p95_ms": s.p95_ms,
                "status": status_word(s.status),
            })
        })
        .collect();
    if let Some(obj) = doc.as_object_mut() {
        obj.insert("slo".into(), serde_json::Value::Array(slo));
    }
    Ok(doc)
}
