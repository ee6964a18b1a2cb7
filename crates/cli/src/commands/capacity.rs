//! `loadcell capacity URL|FILE --slo EXPR…`: flags → the session's capacity search, run by
//! the sweep driver → the step table, the answer and the knee on stdout, one line per step
//! on stderr → the results folder and `--json` → exit 0 when a capacity was found.

use super::sweep::SweepOutputs;
use crate::args::CapacityArgs;
use crate::error::CliError;
use loadcell_analysis::Combined;
use loadcell_capacity::{SearchResult, Step, StopReason};
use loadcell_session::capacity::{Capacity, CapacitySpec};
use loadcell_session::sweep::{self, Shown, Sweep};
use loadcell_session::{SectionFile, Target};
use loadcell_threshold::Threshold;
use loadcell_units::format::opt1;
use std::fmt::Write;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

/// `loadcell capacity`.
pub fn run(args: &CapacityArgs, interrupts: Arc<AtomicUsize>) -> Result<i32, CliError> {
    let target = Target::prepare(&args.target, args.request.base_url.as_deref(), &args.request.spec())?;
    let mut search = Capacity::new(&target, spec(args))?;
    let folder = !args.output.folder.no_out;
    let watch = sweep::watching(&args.monitor.request(), &target, search.slos(), folder, search.warmup())?;
    let outputs = SweepOutputs::claim(&args.output, "capacity", &args.target)?;
    let metadata = loadcell_session::metadata::collect(target.scenario_text.as_deref());
    let mut combined = Combined::new(&target.label, metadata, search.warmup(), Capacity::UNIT);
    let quiet = args.output.folder.quiet;
    if !quiet {
        let exprs: Vec<&str> = search.slos().iter().map(|t| t.expr.as_str()).collect();
        eprintln!(
            "capacity: {} under {} — steps of {:?} (+{:?} warm-up), budget {:?}",
            args.target,
            exprs.join(", "),
            args.step_duration,
            search.warmup(),
            args.max_time
        );
    }
    let mut show = |search: &Capacity, shown: Shown<'_, f64>| match shown {
        Shown::Step if !quiet => {
            if let Some(step) = search.steps().last() {
                eprintln!("{}", progress_line(search.steps().len(), step));
            }
        }
        Shown::Warning(e) => super::sweep::warn(e),
        Shown::Step | Shown::Interrupted(_) => {}
    };
    let dir = outputs.dir.as_deref();
    let notes = sweep::run(&target, &mut search, &mut combined, dir, &interrupts, watch, &mut show)?;
    crate::monitor::notes(&notes);
    let result = search.result();
    print!("{}", render(&args.target, search.slos(), &result));
    let section = search.section(&result);
    let doc = search.document(&combined, true);
    if let Some(doc) = &doc {
        print!("{}", crate::monitor::lines(doc));
    }
    let file = SectionFile::capacity(&args.target, &section);
    Ok(outputs.finish(doc, file, result.capacity.is_some(), "step"))
}

/// The search's flags as the session takes them.
fn spec(args: &CapacityArgs) -> CapacitySpec {
    CapacitySpec {
        slos: args.slos.clone(),
        step_duration: args.step_duration,
        max_time: args.max_time,
        start_rate: args.start_rate,
        min_rate: args.min_rate,
        max_rate: args.max_rate,
        precision: args.precision,
        max_vus: args.max_vus,
        threads: args.workers.threads,
    }
}

/// One step, on stderr once it ends.
fn progress_line(n: usize, s: &Step) -> String {
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
pub fn render(target: &str, slos: &[Threshold], r: &SearchResult) -> String {
    let mut out = String::new();
    let exprs: Vec<&str> = slos.iter().map(|t| t.expr.as_str()).collect();
    let _ = writeln!(out, "capacity of {target} under {}", exprs.join(", "));
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
    use loadcell_capacity::{Config, Search, StepResult};
    use std::time::Duration;

    #[test]
    fn render_shows_steps_bracket_and_knee() {
        let slos = vec![loadcell_threshold::parse("p95<200ms").unwrap_or_else(|e| panic!("{e}"))];
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
        let text = render("http://127.0.0.1:1/", &slos, &search.result());
        assert!(text.contains("sustainable rate: 30.0/s"), "{text}");
        assert!(text.contains("lowest failing 40.0/s"), "{text}");
        assert!(text.contains("FAIL p95<200ms"), "{text}");
        assert!(text.contains("knee of the p95 curve: 30.0/s"), "{text}");
    }
}
