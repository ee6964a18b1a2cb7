//! "Did this change make it slower?" — two runs compared with a statistical verdict.
//!
//! [`compare_paths`] reads two results folders (or bare `summary.json` files, or normalized
//! benchmark results) and returns a [`Comparison`]: for the whole run and each endpoint (or
//! benchmark), p50/p95/p99, throughput and error rate (or the mean time per iteration) —
//! base, new, change, a confidence interval for the change, and a verdict `regressed`,
//! `unchanged` or `improved`. A change is `regressed` only when its whole interval lies
//! significant and beyond the noise threshold (5% by default, criterion's default);
//! [`Rule::Strict`] asks, as criterion does, for the whole interval beyond it.
//!
//! Load runs: circular block bootstrap over seconds, merging per-second HDR histograms
//! ([`load`]). Benchmarks: Welch intervals on per-run samples ([`bench`]). Both are
//! deterministic for a given seed. Endpoints or benchmarks present in only one run, and
//! different targets, are reported in the document, not errors; a missing or unreadable
//! path is a [`CompareError`].
//!
//! Rendering (text, Markdown, HTML) is `loadcell-report`'s; the document serialises to the
//! stable JSON described in `docs/comparison-format.md`.

pub mod bench;
mod error;
pub mod input;
pub mod load;
mod series;
mod settings;

use std::path::Path;

use loadcell_schema::{COMPARISON_FORMAT, COMPARISON_FORMAT_VERSION, Comparison, LatencyDistributions, Verdict};

pub use error::CompareError;
pub use input::{BenchRun, Input, LoadRow, LoadRun, from_summary, open};
pub use series::{HistSeries, PctUnit, Point, Side, Units};
pub use settings::{
    DEFAULT_CONFIDENCE, DEFAULT_ERROR_NOISE, DEFAULT_NOISE, DEFAULT_RESAMPLES, DEFAULT_SEED, Rule, Settings,
};

/// Reads `base` and `new` and compares them.
pub fn compare_paths(base: &Path, new: &Path, settings: &Settings) -> Result<Comparison, CompareError> {
    settings.validate()?;
    let base = open(base)?;
    let new = open(new)?;
    compare(&base, &new, settings)
}

/// Compares two inputs already read.
pub fn compare(base: &Input, new: &Input, settings: &Settings) -> Result<Comparison, CompareError> {
    settings.validate()?;
    let (rows, only_in_base, only_in_new, mut notes, distributions) = match (base, new) {
        (Input::Load(b), Input::Load(n)) => {
            let r = load::compare_load(b, n, settings);
            let mut notes: Vec<String> = b.notes.iter().chain(&n.notes).cloned().collect();
            notes.extend(load_notes(b, n));
            let dist = LatencyDistributions {
                base: b.spectrum.clone(),
                new: n.spectrum.clone(),
            };
            (r.rows, r.only_in_base, r.only_in_new, notes, Some(dist))
        }
        (Input::Bench(b), Input::Bench(n)) => {
            let r = bench::compare_bench(&b.results, &n.results, settings);
            let mut notes: Vec<String> = b.results.notes.iter().chain(&n.results.notes).cloned().collect();
            if b.results.source != n.results.source {
                notes.push(format!(
                    "the results come from different tools: {} and {}",
                    b.results.source.as_str(),
                    n.results.source.as_str()
                ));
            }
            (r.rows, r.only_in_base, r.only_in_new, notes, None)
        }
        _ => return Err(mixed(base, new)),
    };
    notes.extend(method_notes(&rows));
    Ok(Comparison {
        format: COMPARISON_FORMAT.to_string(),
        format_version: COMPARISON_FORMAT_VERSION,
        loadcell_version: env!("CARGO_PKG_VERSION").to_string(),
        base: base.compared_run(),
        new: new.compared_run(),
        settings: settings.record(),
        verdict: Verdict::combine(rows.iter().map(|r| r.verdict)),
        rows,
        only_in_base,
        only_in_new,
        notes,
        distributions,
    })
}

/// Differences between two load runs that change what the numbers mean.
fn load_notes(b: &LoadRun, n: &LoadRun) -> Vec<String> {
    let mut notes = Vec::new();
    if b.run.target != n.run.target {
        notes.push(format!(
            "the targets differ: base {}, new {}",
            b.run.target, n.run.target
        ));
    }
    if let (Some(mb), Some(mn)) = (b.run.model, n.run.model)
        && mb != mn
    {
        notes.push(format!(
            "the load models differ (base {}, new {}): latency is measured from a different start",
            mb.as_str(),
            mn.as_str()
        ));
    }
    notes
}

/// One note per reduced method used, naming the rows.
fn method_notes(rows: &[loadcell_schema::RowComparison]) -> Vec<String> {
    use loadcell_schema::Method;
    let names = |m: Method| -> Vec<&str> { rows.iter().filter(|r| r.method == m).map(|r| r.name.as_str()).collect() };
    let mut notes = Vec::new();
    let point = names(Method::PointOnly);
    if !point.is_empty() {
        notes.push(format!(
            "no interval for {}: judged on the point change against the noise threshold alone",
            point.join(", ")
        ));
    }
    let reported = names(Method::ReportedErrors);
    if !reported.is_empty() {
        notes.push(format!(
            "no samples for {}: intervals from the standard errors the tool reported",
            reported.join(", ")
        ));
    }
    notes
}

fn mixed(base: &Input, new: &Input) -> CompareError {
    let kind = |i: &Input| match i {
        Input::Load(_) => "a load run",
        Input::Bench(_) => "benchmark results",
    };
    CompareError::Mixed {
        base: base.compared_run().path,
        base_kind: kind(base),
        new: new.compared_run().path,
        new_kind: kind(new),
    }
}
