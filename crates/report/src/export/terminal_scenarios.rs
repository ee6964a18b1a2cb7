//! The terminal's table of a file's `scenarios:` (each scenario's executor, start, requests,
//! request rate, failures, latency and checks: `summary.json`'s `scenarios[]`) and the lines
//! of its `setup:` and `teardown:` (`lifecycle[]`).

use loadcell_schema::Summary;
use loadcell_units::format::{ms, num, share as pct};
use std::fmt::Write;

/// One line per scenario, when the file had `scenarios:`.
pub(crate) fn write(o: &mut String, s: &Summary) -> std::fmt::Result {
    if s.scenarios.is_empty() {
        return Ok(());
    }
    writeln!(o)?;
    let width = s
        .scenarios
        .iter()
        .map(|x| x.name.chars().count())
        .max()
        .unwrap_or(8)
        .clamp(8, 30);
    writeln!(
        o,
        "  {:<width$}  {:<21} {:>6} {:>10} {:>9} {:>8} {:>9} {:>9} {:>8}",
        "scenario", "executor", "start", "iterations", "requests", "req/s", "failed", "p95", "checks"
    )?;
    for x in &s.scenarios {
        let checks = x.checks_passed + x.checks_failed;
        writeln!(
            o,
            "  {:<width$}  {:<21} {:>6} {:>10} {:>9} {:>8} {:>9} {:>9} {:>8}",
            x.name,
            x.executor,
            format!("{}s", num(x.start_time_s)),
            x.iterations,
            x.requests,
            num(x.rate_per_s),
            pct(x.failed_requests, x.requests),
            ms(x.latency_ms.p95),
            if checks == 0 {
                "-".to_string()
            } else {
                pct(x.checks_passed, checks)
            },
        )?;
    }
    Ok(())
}

/// One line each for the file's `setup:` and `teardown:`: their requests (counted in the
/// totals above, as k6 counts them), how long they took, and why one failed.
pub(crate) fn write_lifecycle(o: &mut String, s: &Summary) -> std::fmt::Result {
    for p in &s.lifecycle {
        write!(
            o,
            "  {:<9} {} requests ({} failed) in {}",
            format!("{}:", p.phase),
            p.requests,
            p.failed_requests,
            loadcell_units::format::duration_s(p.duration_s)
        )?;
        match &p.error {
            Some(why) => writeln!(o, " — FAILED: {why}")?,
            None => writeln!(o)?,
        }
    }
    Ok(())
}
