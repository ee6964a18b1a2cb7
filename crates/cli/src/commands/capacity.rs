//! `loadcell capacity URL|FILE --slo EXPR…`: flags → the session's capacity search, run by
//! the sweep driver → the step table, the answer and the knee on stdout, one line per step
//! on stderr → the results folder and `--json` → exit 0 when a capacity was found.

use super::sweep::SweepOutputs;
use crate::args::CapacityArgs;
use crate::error::CliError;
use loadcell_analysis::Combined;
use loadcell_session::capacity::{Capacity, CapacitySpec};
use loadcell_session::sweep::{self, Shown, Sweep};
use loadcell_session::{SectionFile, Target};
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

/// `loadcell capacity`.
pub fn run(args: &CapacityArgs, interrupts: Arc<AtomicUsize>) -> Result<i32, CliError> {
    let target = Target::prepare(&args.target, args.request.base_url.as_deref(), &args.request.spec())?;
    let mut search = Capacity::new(&target, spec(args))?;
    let folder = !args.output.folder.no_out;
    let evidence = sweep::evidence(
        &args.monitor.request(),
        &args.monitor.postgres,
        &target,
        search.slos(),
        folder,
        search.warmup(),
    )?;
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
                eprintln!("{}", loadcell_capacity::text::step_line(search.steps().len(), step));
            }
        }
        Shown::Warning(e) => super::sweep::warn(e),
        Shown::Step | Shown::Interrupted(_) => {}
    };
    let dir = outputs.dir.as_deref();
    let notes = sweep::run(
        &target,
        &mut search,
        &mut combined,
        dir,
        &interrupts,
        evidence,
        &mut show,
    )?;
    crate::monitor::notes(&notes);
    let result = search.result();
    let slos: Vec<&str> = search.slos().iter().map(|t| t.expr.as_str()).collect();
    print!("{}", loadcell_capacity::text::result(&args.target, &slos, &result));
    let section = search.section(&result);
    let doc = search.document(&combined, true);
    if let Some(doc) = &doc {
        print!("{}", crate::monitor::lines(doc));
        print!("{}", loadcell_report::evidence_text(doc));
    }
    let file = SectionFile::capacity(&args.target, &section);
    Ok(outputs.finish(doc, file, result.capacity.is_some(), "step"))
}

/// Checks `loadcell capacity`'s flags without sending anything: the target and the search.
pub fn check(args: &CapacityArgs) -> Result<(), CliError> {
    let target = Target::prepare(&args.target, args.request.base_url.as_deref(), &args.request.spec())?;
    Capacity::new(&target, spec(args)).map(|_| ()).map_err(Into::into)
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
