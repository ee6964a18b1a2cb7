//! `loadcell scale URL|FILE --vus 1,2,4,8…` (or `--points`): flags → the session's sweep,
//! run by the sweep driver → one row per level and the Universal Scalability Law fit on
//! stdout, one line per level on stderr → the results folder and `--json` → exit 0 with a
//! fit. The method is in docs/scale.md.

use super::sweep::SweepOutputs;
use crate::args::ScaleArgs;
use crate::error::CliError;
use loadcell_analysis::Combined;
use loadcell_analysis::scale::{Level, NoFit, points_of};
use loadcell_session::scale::{Scale, ScaleSpec, given_points, parse_points};
use loadcell_session::sweep::{self, Shown, Sweep};
use loadcell_session::{SectionFile, Target};
use loadcell_units::format::{opt1, param};
use loadcell_usl::{Efficiency, Fit};
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

/// `loadcell scale`: exit 0 fitted, 1 no fit, 2 bad input.
pub fn run(args: &ScaleArgs, interrupts: Arc<AtomicUsize>) -> Result<i32, CliError> {
    if let Some(list) = &args.points {
        return points(list, args);
    }
    let (Some(target_text), Some(vus)) = (args.target.as_deref(), args.vus.as_deref()) else {
        return Err(CliError::Usage(
            "scale needs a URL or scenario file and --vus (or --points)".into(),
        ));
    };
    let target = Target::prepare(target_text, args.request.base_url.as_deref(), &args.request.spec())?;
    let mut sweep = Scale::new(&target, &spec(args, vus))?;
    let folder = !args.output.folder.no_out;
    let evidence = sweep::evidence(
        &args.monitor.request(),
        &args.monitor.postgres,
        &target,
        &[],
        folder,
        sweep.warmup(),
    )?;
    let outputs = SweepOutputs::claim(&args.output, "scale", target_text)?;
    let metadata = loadcell_session::metadata::collect(target.scenario_text.as_deref());
    let mut combined = Combined::new(&target.label, metadata, sweep.warmup(), Scale::UNIT);
    let quiet = args.output.folder.quiet;
    if !quiet {
        let levels: Vec<String> = sweep.planned().iter().map(u64::to_string).collect();
        eprintln!(
            "scale: {target_text} at {} VUs — {:?} per level (+{:?} warm-up)",
            levels.join(", "),
            args.step_duration,
            sweep.warmup()
        );
    }
    let mut show = |sweep: &Scale, shown: Shown<'_, u64>| match shown {
        Shown::Step if !quiet => {
            if let Some(l) = sweep.measured().last() {
                eprintln!(
                    "  {} VUs: {:.1} req/s, mean {} ms, p95 {} ms, {} failed",
                    l.vus,
                    l.throughput,
                    opt1(l.mean_ms),
                    opt1(l.p95_ms),
                    l.failed
                );
            }
        }
        Shown::Interrupted(vus) => eprintln!("scale: interrupted at {vus} VUs; fitting the levels measured so far"),
        Shown::Warning(e) => super::sweep::warn(e),
        Shown::Step => {}
    };
    let dir = outputs.dir.as_deref();
    let notes = sweep::run(
        &target,
        &mut sweep,
        &mut combined,
        dir,
        &interrupts,
        evidence,
        &mut show,
    )?;
    crate::monitor::notes(&notes);
    let fitted = sweep.fit();
    show_fit(target_text, sweep.measured(), &fitted);
    let section = sweep.section(true);
    let doc = sweep.document(&combined, true);
    if let Some(doc) = &doc {
        print!("{}", crate::monitor::lines(doc));
        print!("{}", loadcell_report::evidence_text(doc));
    }
    let file = SectionFile::scale(target_text, &section);
    Ok(outputs.finish(doc, file, fitted.is_ok(), "level"))
}

/// `--points`: the fit of throughputs measured elsewhere; no request, no results folder.
fn points(list: &str, args: &ScaleArgs) -> Result<i32, CliError> {
    if !args.monitor.sources.is_empty() || args.monitor.flamegraph || !args.monitor.postgres.is_empty() {
        return Err(CliError::Usage(
            "--monitor, --flamegraph and --postgres watch a sweep that sends load; --points sends none".into(),
        ));
    }
    let levels = parse_points(list)?;
    let outputs = SweepOutputs::json_only(args.output.json.as_deref())?;
    let (section, fitted) = given_points(&levels);
    show_fit("the given points", &levels, &fitted);
    let file = SectionFile::scale("points", &section);
    Ok(outputs.finish(None, file, fitted.is_ok(), "level"))
}

/// The sweep's flags as the session takes them.
/// Checks `loadcell scale`'s flags without sending anything: the target and the levels.
pub fn check(args: &ScaleArgs) -> Result<(), CliError> {
    let (Some(target_text), Some(vus)) = (args.target.as_deref(), args.vus.as_deref()) else {
        return Err(CliError::Usage(
            "a scale test needs 'vus' (the concurrency levels, e.g. [1, 2, 4])".into(),
        ));
    };
    let target = Target::prepare(target_text, args.request.base_url.as_deref(), &args.request.spec())?;
    Scale::new(&target, &spec(args, vus)).map(|_| ()).map_err(Into::into)
}

fn spec(args: &ScaleArgs, vus: &str) -> ScaleSpec {
    ScaleSpec {
        vus: vus.to_string(),
        step_duration: args.step_duration,
        warmup: args.warmup,
        threads: args.workers.threads,
    }
}

/// Prints the table and the fit, or why there is none.
fn show_fit(target: &str, levels: &[Level], fitted: &Result<Fit, NoFit>) {
    let efficiency = match fitted {
        Ok(fit) => loadcell_usl::efficiency_table(&points_of(levels), fit),
        Err(_) => Vec::new(),
    };
    print!("{}", render(target, levels, fitted.as_ref().ok(), &efficiency));
    if let Err(e) = fitted {
        println!("  no fit: {e}");
    }
}

/// The readable result: one row per level, then the fit and what it predicts.
pub fn render(target: &str, levels: &[Level], fit: Option<&Fit>, efficiency: &[Efficiency]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "scalability of {target} (closed model, Universal Scalability Law)");
    let _ = writeln!(
        out,
        "  {:>6} {:>10} {:>10} {:>9} {:>9} {:>8} {:>10} {:>10}",
        "VUs", "req/s", "fit req/s", "mean ms", "p95 ms", "failed", "efficiency", "fit eff."
    );
    for (i, l) in levels.iter().enumerate() {
        let fitted = fit.map_or_else(|| "-".to_string(), |f| format!("{:.1}", f.throughput(l.vus as f64)));
        let (eff, fit_eff) = efficiency.get(i).map_or_else(
            || ("-".to_string(), "-".to_string()),
            |e| {
                (
                    format!("{:.1}%", e.efficiency * 100.0),
                    format!("{:.1}%", e.fitted_efficiency * 100.0),
                )
            },
        );
        let _ = writeln!(
            out,
            "  {:>6} {:>10.1} {:>10} {:>9} {:>9} {:>8} {:>10} {:>10}",
            l.vus,
            l.throughput,
            fitted,
            opt1(l.mean_ms),
            opt1(l.p95_ms),
            l.failed,
            eff,
            fit_eff
        );
    }
    if let Some(f) = fit {
        write_fit(&mut out, f, levels.iter().map(|l| l.vus).max().unwrap_or(0));
    }
    if fit.is_some() && levels.iter().any(|l| l.failed > 0) {
        let _ = writeln!(
            out,
            "  warning: some requests failed; failures count as throughput here"
        );
    }
    out
}

/// λ, σ, κ, R² and the peak (or the ceiling); a peak beyond the highest level measured
/// (`measured_max` VUs) is an extrapolation of the model and is marked as one.
fn write_fit(out: &mut String, f: &Fit, measured_max: u64) {
    let _ = writeln!(
        out,
        "  fit: λ = {} req/s per VU, σ (contention) = {}, κ (coherency) = {}, R² = {:.4}",
        param(f.lambda),
        param(f.sigma),
        param(f.kappa),
        f.r_squared
    );
    let _ = match (f.peak_concurrency(), f.peak_throughput(), f.ceiling()) {
        (Some(n), Some(x), _) if n > measured_max as f64 => writeln!(
            out,
            "  peak: N* = {n:.1} VUs (extrapolated: the highest level measured was {measured_max}), predicted X(N*) = {x:.1} req/s"
        ),
        (Some(n), Some(x), _) => writeln!(out, "  peak: N* = {n:.1} VUs, predicted X(N*) = {x:.1} req/s"),
        (_, _, Some(c)) => writeln!(out, "  peak: none (κ = 0); throughput approaches λ/σ = {c:.1} req/s"),
        _ => writeln!(out, "  peak: none (κ = 0, σ = 0): throughput scales linearly"),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_shows_fit_and_peak() {
        let levels: Vec<Level> = [1u64, 2, 4]
            .iter()
            .map(|&vus| Level {
                vus,
                requests: 100 * vus,
                failed: 0,
                seconds: 1.0,
                throughput: 100.0 * vus as f64,
                mean_ms: Some(10.0),
                p95_ms: Some(12.0),
                target: None,
            })
            .collect();
        let fit = Fit {
            lambda: 100.0,
            sigma: 0.1,
            kappa: 0.001,
            r_squared: 0.99,
            rmse: 1.0,
        };
        let text = render("http://x/", &levels, Some(&fit), &[]);
        assert!(text.contains("σ (contention) = 0.1000"), "{text}");
        assert!(
            text.contains("N* = 30.0 VUs (extrapolated: the highest level measured was 4)"),
            "{text}"
        );
        let linear = Fit {
            sigma: 0.0,
            kappa: 0.0,
            ..fit
        };
        assert!(render("u", &levels, Some(&linear), &[]).contains("scales linearly"));
    }
}
