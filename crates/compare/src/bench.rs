//! Two sets of benchmark results compared benchmark by benchmark, on the median and the
//! mean time per iteration.
//!
//! Benchmark samples are separate runs (or criterion samples, Go `-count` repetitions,
//! pytest rounds), close to independent, so the method differs from load runs: no blocks.
//! The **median** (robust: a busy machine's odd slow sample barely moves it) gets a
//! percentile bootstrap of the ratio of medians, each side resampled independently
//! ([`loadcell_stats::median_ratio_interval`]); the **mean** gets Welch's interval on the
//! log ratio of the means ([`loadcell_stats::welch_log_ratio`]), which keeps its coverage
//! with a handful of samples. A tool that gave only statistics (criterion's `estimates.json`
//! without `sample.json`, pytest without data) contributes its reported standard error for
//! the mean; a single sample gives point changes only.

use loadcell_schema::{BenchResults, Benchmark, Method, MetricKind, RowComparison, Scope, Verdict};
use loadcell_stats::{Estimate, Rng, median_ratio_interval, welch_log_ratio};

use crate::load::metric_change;
use crate::settings::Settings;

/// The rows of two benchmark sets, and the names found in only one of them.
pub struct BenchRows {
    pub rows: Vec<RowComparison>,
    pub only_in_base: Vec<String>,
    pub only_in_new: Vec<String>,
}

/// Compares `base` with `new` benchmark by benchmark.
pub fn compare_bench(base: &BenchResults, new: &BenchResults, settings: &Settings) -> BenchRows {
    let mut rows = Vec::new();
    let mut only_in_base = Vec::new();
    for b in &base.benchmarks {
        match new.get(&b.name) {
            Some(n) => rows.push(compare_benchmark(b, n, settings)),
            None => only_in_base.push(b.name.clone()),
        }
    }
    let only_in_new = new
        .benchmarks
        .iter()
        .filter(|n| base.get(&n.name).is_none())
        .map(|n| n.name.clone())
        .collect();
    BenchRows {
        rows,
        only_in_base,
        only_in_new,
    }
}

/// One benchmark: the change of its median and mean, with intervals when both sides allow.
pub fn compare_benchmark(base: &Benchmark, new: &Benchmark, settings: &Settings) -> RowComparison {
    let (eb, en) = (estimate(base), estimate(new));
    let (method, mean_interval) = match (eb, en) {
        (Some((b, sb)), Some((n, sn))) => (
            if sb && sn {
                Method::RunSamples
            } else {
                Method::ReportedErrors
            },
            welch_log_ratio(b, n, settings.confidence),
        ),
        _ => (Method::PointOnly, None),
    };
    let mut rng = Rng::new(settings.seed ^ name_hash(&base.name));
    let median_interval = median_ratio_interval(
        &base.samples,
        &new.samples,
        settings.resamples,
        settings.confidence,
        &mut rng,
    );
    let metrics = vec![
        metric_change(
            MetricKind::Median,
            base.stats.median,
            new.stats.median,
            median_interval,
            settings,
        ),
        metric_change(
            MetricKind::Mean,
            base.stats.mean,
            new.stats.mean,
            mean_interval,
            settings,
        ),
    ];
    let verdict = Verdict::combine(
        metrics
            .iter()
            .filter(|m| settings.gate.contains(&m.metric))
            .map(|m| m.verdict),
    );
    RowComparison {
        name: base.name.clone(),
        scope: Scope::Benchmark,
        method,
        base_samples: base.stats.n,
        new_samples: new.stats.n,
        block_len: None,
        metrics,
        verdict,
    }
}

/// FNV-1a of a row's name: each row draws its own resamples, whatever the order of rows.
pub(crate) fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xCBF2_9CE4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
    })
}

/// The mean's estimate and whether it comes from the samples themselves.
pub fn estimate(b: &Benchmark) -> Option<(Estimate, bool)> {
    if let Some(e) = Estimate::of_samples(&b.samples) {
        return Some((e, true));
    }
    if let Some(r) = &b.reported {
        return Some((
            Estimate {
                mean: b.stats.mean,
                standard_error: r.standard_error,
                df: f64::INFINITY,
            },
            false,
        ));
    }
    // Statistics without samples (pytest without data, google-benchmark aggregates).
    match b.stats.stddev {
        Some(sd) if b.stats.n >= 2 => Some((
            Estimate {
                mean: b.stats.mean,
                standard_error: sd / (b.stats.n as f64).sqrt(),
                df: b.stats.n as f64 - 1.0,
            },
            false,
        )),
        _ => None,
    }
}
