//! hyperfine's `--export-json` document: `{"results": [{"command", "mean", "stddev",
//! "median", "user", "system", "min", "max", "times", "exit_codes"}]}`, seconds, pretty
//! printed with a trailing newline (hyperfine's `src/export/json.rs` and the field order of
//! its `BenchmarkResult`). `stddev` is `null` with one run, as in hyperfine.

use serde::Serialize;

use crate::runner::CommandResult;

#[derive(Serialize)]
struct Export<'a> {
    results: Vec<Entry<'a>>,
}

#[derive(Serialize)]
struct Entry<'a> {
    command: &'a str,
    mean: f64,
    stddev: Option<f64>,
    median: f64,
    user: f64,
    system: f64,
    min: f64,
    max: f64,
    times: &'a [f64],
    exit_codes: &'a [Option<i32>],
}

/// The JSON bytes of `results`.
pub fn hyperfine_json(results: &[CommandResult]) -> Vec<u8> {
    let mean = |xs: &[f64]| xs.iter().sum::<f64>() / xs.len().max(1) as f64;
    let doc = Export {
        results: results
            .iter()
            .map(|r| Entry {
                command: &r.command,
                mean: r.stats.mean,
                stddev: r.stats.stddev,
                median: r.stats.median,
                user: mean(&r.user),
                system: mean(&r.system),
                min: r.stats.min,
                max: r.stats.max,
                times: &r.times,
                exit_codes: &r.exit_codes,
            })
            .collect(),
    };
    let mut out = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    out.push(b'\n');
    out
}
