//! Command results as normalized benchmark results ([`BenchResults`], `bench.json`), so
//! `loadcell compare` and the baselines file treat them like any other benchmark.

use loadcell_schema::{BenchResults, BenchSource, Benchmark, rfc3339_utc};

use crate::runner::CommandResult;

/// `results` as a normalized set; `origin` says where they were made.
pub fn from_commands(results: &[CommandResult], origin: &str) -> BenchResults {
    let mut out = BenchResults::new(BenchSource::Command, origin);
    out.created_at = Some(rfc3339_utc(std::time::SystemTime::now()));
    for r in results {
        let mut b = Benchmark::from_samples(&r.command, r.times.clone());
        b.outliers = r.outliers.clone();
        let mean = |xs: &[f64]| xs.iter().sum::<f64>() / xs.len().max(1) as f64;
        b.extra.insert("user_s".into(), mean(&r.user));
        b.extra.insert("system_s".into(), mean(&r.system));
        if let Some(o) = &r.overhead {
            b.extra.insert("startup_subtracted_s".into(), o.seconds);
        }
        out.benchmarks.push(b);
    }
    let mut seen = Vec::new();
    for o in results.iter().filter_map(|r| r.overhead.as_ref()) {
        if !seen.contains(&o.measured_on) {
            seen.push(o.measured_on.clone());
            out.notes.push(overhead_note(o));
        }
    }
    out
}

/// What was subtracted, in words.
pub fn overhead_note(o: &crate::runner::Overhead) -> String {
    format!(
        "start-up subtracted from every run: {:.3} ms ± {:.3} ms (mean ± standard error of `{}`)",
        o.seconds * 1e3,
        o.standard_error * 1e3,
        o.measured_on
    )
}
