//! The capacity search as text for the terminal: one line per finished step, and the
//! result — the step table, the sustainable rate with its bracket, the knee.

use crate::{SearchResult, Step, StopReason};
use loadcell_units::format::opt1;
use std::fmt::Write;

/// One step, on stderr once it ends.
pub fn step_line(n: usize, s: &Step) -> String {
    let verdict = if s.passed {
        "pass".to_string()
    } else {
        format!("FAIL: {}", s.failed.join("; "))
    };
    format!(
        "  step {n}: {:.1}/s offered, {:.1}/s achieved, p95 {} ms, errors {:.2}% — {verdict}",
        s.offered_rate,
        s.achieved_rate,
        opt1(s.p95_ms),
        s.error_pct
    )
}

/// Why the search stopped, for people.
fn why(stop: StopReason) -> &'static str {
    match stop {
        StopReason::Converged => "converged",
        StopReason::Budget => "time budget reached, bracket not narrowed to the precision",
        StopReason::MaxRate => "the maximum rate passed; the capacity may be higher",
        StopReason::MinRate => "even the minimum rate failed",
        StopReason::Interrupted => "interrupted",
        StopReason::Running => "unfinished",
    }
}

/// The readable result: the step table, the answer with its bracket, the knee.
pub fn result(target: &str, slos: &[&str], r: &SearchResult) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "capacity of {target} under {}", slos.join(", "));
    let _ = writeln!(
        out,
        "  {:>4} {:>10} {:>10} {:>9} {:>9} {:>9} {:>7} {:>8}  verdict",
        "step", "offered/s", "achieved/s", "p50 ms", "p95 ms", "p99 ms", "err %", "dropped"
    );
    for (i, s) in r.steps.iter().enumerate() {
        let verdict = if s.passed {
            "pass".to_string()
        } else {
            format!("FAIL {}", s.failed.join("; "))
        };
        let _ = writeln!(
            out,
            "  {:>4} {:>10.1} {:>10.1} {:>9} {:>9} {:>9} {:>7.2} {:>8}  {verdict}",
            i + 1,
            s.offered_rate,
            s.achieved_rate,
            opt1(s.p50_ms),
            opt1(s.p95_ms),
            opt1(s.p99_ms),
            s.error_pct,
            s.dropped + s.interrupted,
        );
    }
    let bracket = |v: Option<f64>| v.map_or_else(|| "none".to_string(), |v| format!("{v:.1}/s"));
    let why = why(r.stop);
    let _ = match r.capacity {
        Some(c) => writeln!(
            out,
            "  sustainable rate: {c:.1}/s  (highest passing {}, lowest failing {}; {why})",
            bracket(r.highest_pass),
            bracket(r.lowest_fail)
        ),
        None => writeln!(
            out,
            "  no sustainable rate: every step failed (lowest failing {}; {why})",
            bracket(r.lowest_fail)
        ),
    };
    if let Some(k) = r.knee {
        let _ = writeln!(
            out,
            "  knee of the p95 curve: {:.1}/s (p95 {:.1} ms)",
            k.offered_rate, k.p95_ms
        );
    }
    let _ = writeln!(out, "  search took {:.1}s over {} steps", r.elapsed_s, r.steps.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, Search, StepResult};
    use std::time::Duration;

    #[test]
    fn the_result_shows_steps_bracket_and_knee() {
        let mut search = Search::new(Config::default()).unwrap_or_else(|e| panic!("{e}"));
        for (rate, p95) in [(10.0, 5.0), (20.0, 6.0), (40.0, 300.0), (30.0, 50.0)] {
            search.record(StepResult {
                offered: rate,
                achieved: rate,
                p95_ms: Some(p95),
                scheduled: 100,
                slo_failures: if p95 < 200.0 { vec![] } else { vec!["p95<200ms".into()] },
                elapsed: Duration::from_secs(1),
                ..StepResult::default()
            });
        }
        let text = result("http://127.0.0.1:1/", &["p95<200ms"], &search.result());
        assert!(text.contains("sustainable rate: 30.0/s"), "{text}");
        assert!(text.contains("lowest failing 40.0/s"), "{text}");
        assert!(text.contains("FAIL p95<200ms"), "{text}");
        assert!(text.contains("knee of the p95 curve: 30.0/s"), "{text}");
    }
}
