//! Two load runs compared row by row (the whole run, then each endpoint both runs have).
//!
//! Each row's intervals come from a circular block bootstrap over seconds, on each side
//! independently: draw blocks of consecutive seconds (block length from
//! [`loadcell_stats::block_length`] on that side's per-second mean latency), merge their
//! histograms, read p50/p95/p99, throughput and error rate off the merge, and take the
//! change between the two sides' replicates. The percentile interval of those changes is
//! the confidence interval; [`loadcell_stats::judge`] turns it into the verdict.

use loadcell_schema::{Method, MetricChange, MetricKind, RowComparison, Scope, Verdict};
use loadcell_stats::{BlockSampler, Rng, block_length, judge, percentile_interval};

use crate::input::{LoadRow, LoadRun};
use crate::series::{Point, Side, Units};
use crate::settings::Settings;

/// The metrics of a load row, in table order.
pub const LOAD_METRICS: [MetricKind; 5] = [
    MetricKind::P50,
    MetricKind::P95,
    MetricKind::P99,
    MetricKind::Throughput,
    MetricKind::ErrorRate,
];

/// The rows of two load runs, and the names found in only one of them.
pub struct LoadRows {
    pub rows: Vec<RowComparison>,
    pub only_in_base: Vec<String>,
    pub only_in_new: Vec<String>,
}

/// Compares `base` with `new` row by row.
pub fn compare_load(base: &LoadRun, new: &LoadRun, settings: &Settings) -> LoadRows {
    let mut rows = Vec::new();
    let mut only_in_base = Vec::new();
    for (i, b) in base.rows.iter().enumerate() {
        match new.row(&b.name) {
            Some(n) => {
                let scope = if i == 0 { Scope::Overall } else { Scope::Endpoint };
                rows.push(compare_row(b, n, scope, settings));
            }
            None => only_in_base.push(b.name.clone()),
        }
    }
    let only_in_new = new
        .endpoints()
        .iter()
        .filter(|n| base.row(&n.name).is_none())
        .map(|n| n.name.clone())
        .collect();
    LoadRows {
        rows,
        only_in_base,
        only_in_new,
    }
}

/// One row: both sides' exact values, their bootstrap intervals, and the verdicts.
pub fn compare_row(base: &LoadRow, new: &LoadRow, scope: Scope, settings: &Settings) -> RowComparison {
    row_with(base, new, scope, settings, None)
}

/// [`compare_row`] with a fixed block length on both sides instead of the data-driven rule
/// (1 resamples single seconds, as if they were independent): for experiments that show
/// what the block length rule buys.
pub fn compare_row_with_block(base: &LoadRow, new: &LoadRow, settings: &Settings, block_len: usize) -> RowComparison {
    row_with(base, new, Scope::Overall, settings, Some(block_len))
}

fn row_with(base: &LoadRow, new: &LoadRow, scope: Scope, settings: &Settings, block: Option<usize>) -> RowComparison {
    let method = method_of(&base.side, &new.side);
    let (intervals, block_len) = if method == Method::PointOnly {
        (vec![Vec::new(); LOAD_METRICS.len()], None)
    } else {
        let seed = row_seed(settings.seed, &base.name);
        let (reps, lens) = bootstrap(&base.side, &new.side, settings, seed, block);
        (reps, Some(lens))
    };
    let metrics: Vec<MetricChange> = LOAD_METRICS
        .iter()
        .zip(intervals)
        .map(|(&metric, mut reps)| {
            let (b, n) = (base.side.exact.get(metric), new.side.exact.get(metric));
            let interval = percentile_interval(&mut reps, settings.confidence);
            metric_change(metric, b, n, interval, settings)
        })
        .collect();
    let verdict = Verdict::combine(
        metrics
            .iter()
            .filter(|m| settings.gate.contains(&m.metric))
            .map(|m| m.verdict),
    );
    RowComparison {
        name: base.name.clone(),
        scope,
        method,
        base_samples: base.side.len() as u64,
        new_samples: new.side.len() as u64,
        block_len,
        metrics,
        verdict,
    }
}

/// Base, new, change, interval and verdict of one metric.
pub fn metric_change(
    metric: MetricKind,
    base: f64,
    new: f64,
    interval: Option<loadcell_schema::Interval>,
    settings: &Settings,
) -> MetricChange {
    let change = if metric.absolute_change() {
        Some(new - base)
    } else if base > 0.0 {
        Some(new / base - 1.0)
    } else {
        None
    };
    let interval = change.and(interval);
    let j = judge(
        change,
        interval,
        settings.noise_of(metric),
        metric.higher_is_worse(),
        settings.rule,
    );
    MetricChange {
        metric,
        base,
        new,
        change,
        interval,
        significant: j.significant,
        verdict: j.verdict,
    }
}

/// The method both sides' data allow: the weaker side decides.
fn method_of(base: &Side, new: &Side) -> Method {
    let rank = |s: &Side| match s.units {
        _ if s.is_empty() => 0,
        Units::None => 0,
        Units::Percentiles(_) => 1,
        Units::Histograms(_) => 2,
    };
    match rank(base).min(rank(new)) {
        0 => Method::PointOnly,
        1 => Method::SecondsSummary,
        _ => Method::BlockBootstrap,
    }
}

/// Bootstrap replicates of each metric's change (in [`LOAD_METRICS`] order), and the block
/// length used on each side.
fn bootstrap(
    base: &Side,
    new: &Side,
    settings: &Settings,
    seed: u64,
    block: Option<usize>,
) -> (Vec<Vec<f64>>, [u64; 2]) {
    let sampler_of = |s: &Side| BlockSampler::new(s.len(), block.unwrap_or_else(|| block_length(&s.block_series())));
    let (sb, sn) = (sampler_of(base), sampler_of(new));
    let (cb, cn) = (base.centre(), new.centre());
    let mut rng = Rng::new(seed);
    let (mut ib, mut inew, mut scratch) = (Vec::new(), Vec::new(), Vec::new());
    let mut reps = vec![Vec::with_capacity(settings.resamples as usize); LOAD_METRICS.len()];
    for _ in 0..settings.resamples {
        sb.draw(&mut rng, &mut ib);
        sn.draw(&mut rng, &mut inew);
        let rb = base.replicate(&ib, &mut scratch);
        let rn = new.replicate(&inew, &mut scratch);
        for (metric, out) in LOAD_METRICS.iter().zip(&mut reps) {
            out.push(replicate_change(*metric, base, &cb, &rb, new, &cn, &rn));
        }
    }
    (reps, [sb.block_len() as u64, sn.block_len() as u64])
}

/// One replicate's change of `metric`, both sides moved onto their exact scale.
fn replicate_change(
    metric: MetricKind,
    base: &Side,
    cb: &Point,
    rb: &Point,
    new: &Side,
    cn: &Point,
    rn: &Point,
) -> f64 {
    let b = base.scaled(metric, cb, rb);
    let n = new.scaled(metric, cn, rn);
    if metric.absolute_change() {
        n - b
    } else if b > 0.0 {
        n / b - 1.0
    } else {
        f64::NAN
    }
}

/// A seed per row, so rows draw independent streams that do not depend on row order.
fn row_seed(seed: u64, name: &str) -> u64 {
    seed ^ crate::bench::name_hash(name)
}
