//! A results folder read into load rows: the exact totals (the same numbers `summary.json`
//! shows) and, per row, the per-second histograms the block bootstrap resamples.
//!
//! The interval log is streamed (`loadcell_results::read_outcome_with`), so memory holds
//! only the sparse per-unit counts. Runs longer than [`MAX_UNITS`] seconds are cut into
//! units of a few consecutive seconds, which keeps a resample's cost bounded; the block
//! bootstrap then works on those units.

use std::collections::BTreeMap;
use std::path::Path;

use loadcell_metrics::{EndpointMetrics, latency_stats, percentile_spectrum};
use loadcell_schema::{ComparedRun, PercentilePoint, SourceKind};

use crate::CompareError;
use crate::input::{LoadRow, LoadRun};
use crate::series::{HistSeries, HistUnit, Point, Side, Units};

/// The most units a side is resampled over; longer runs merge neighbouring seconds.
pub const MAX_UNITS: usize = 600;

/// The folder's per-second series grouped by the endpoint `names` (the run's slots, index
/// for index), and the rebuilt run.
fn read_series(
    dir: &Path,
    names: &[String],
    per_unit: usize,
) -> Result<(Groups, Vec<HistSeries>, loadcell_results::Rebuilt), CompareError> {
    let groups = Groups::new(names);
    let mut acc = Accumulator::new(groups.names.len() + 1, per_unit);
    let rebuilt = loadcell_results::read_outcome_with(dir, |interval| {
        if !interval.warmup {
            acc.add(&groups, &interval.measured.endpoints, interval.len_s);
        }
    })?;
    Ok((groups, acc.finish(), rebuilt))
}

/// Reads the results folder `dir` (`path` as the user gave it, for messages).
pub fn read(dir: &Path, path: &str) -> Result<LoadRun, CompareError> {
    let meta = loadcell_results::read_meta(dir)?;
    let names: Vec<String> = meta.endpoints.iter().map(|e| e.to_name().display()).collect();
    let planned_s: f64 = meta.model.segments.iter().map(|s| s.len_s).sum::<f64>() - meta.warmup_s;
    let per_unit = (planned_s / MAX_UNITS as f64).ceil().max(1.0) as usize;
    let (mut groups, mut series, mut rebuilt) = read_series(dir, &names, per_unit)?;
    // Redirect hops named their endpoints as they happened (`new_endpoints`): a second
    // pass splits the series by every endpoint the run had.
    if rebuilt.outcome.endpoints.len() > names.len() {
        let all: Vec<String> = rebuilt.outcome.endpoints.iter().map(|e| e.display()).collect();
        (groups, series, rebuilt) = read_series(dir, &all, per_unit)?;
    }
    let unsteady = series.first().and_then(|s| unsteady(s, path, per_unit));
    let outcome = &rebuilt.outcome;
    let measured_s = outcome.measured.as_secs_f64();
    let totals = groups.merge(&outcome.total.endpoints);
    let overall = outcome.total.overall();
    let mut rows = Vec::with_capacity(totals.len() + 1);
    let mut series = series.into_iter();
    rows.push(row("overall", &overall, measured_s, series.next()));
    for (name, ep) in groups.names.iter().zip(&totals) {
        rows.push(row(name, ep, measured_s, series.next()));
    }
    let mut notes = Vec::new();
    if !rebuilt.finished() {
        notes.push(format!(
            "{path}: the run did not finish (no end.json); compared what was recorded"
        ));
    }
    if per_unit > 1 {
        notes.push(format!(
            "{path}: resampled in units of {per_unit} consecutive seconds (a long run)"
        ));
    }
    notes.extend(unsteady);
    let spectrum = percentile_spectrum(&overall.latency)
        .into_iter()
        .map(|(percentile, latency_ms)| PercentilePoint { percentile, latency_ms })
        .collect();
    Ok(LoadRun {
        run: ComparedRun {
            path: path.to_string(),
            kind: SourceKind::ResultsFolder,
            target: meta.target.clone(),
            label: meta.label.clone(),
            started_at: Some(meta.started_at.clone()),
            model: Some(meta.model.kind),
            seconds: Some(measured_s),
        },
        thresholds: meta.thresholds.clone(),
        rows,
        spectrum,
        notes,
    })
}

/// Units need this many requests for their own p99 to mean something.
const MIN_REQUESTS_FOR_P99: u64 = 100;

/// A note when the run's per-second p50 or p99 shifted part-way (a change point by
/// E-divisive means, as `loadcell baseline trend` finds them): something changed during
/// the run — the machine got busier, the target warmed up or degraded — and the verdicts may
/// show that rather than a change of the code. The verdicts are not altered; the reader is
/// told.
fn unsteady(series: &HistSeries, path: &str, per_unit: usize) -> Option<String> {
    let busy: Vec<usize> = (0..series.units.len())
        .filter(|&i| series.units[i].requests >= MIN_REQUESTS_FOR_P99)
        .collect();
    let unit = if per_unit > 1 {
        format!("unit of {per_unit} s")
    } else {
        "second".to_string()
    };
    for (label, q) in [("p50", 0.5), ("p99", 0.99)] {
        let values: Vec<f64> = busy.iter().map(|&i| series.unit_quantile(i, q)).collect();
        // Shifts smaller than the default noise threshold are not worth a note.
        let options = loadcell_changepoint::Options {
            min_magnitude: crate::DEFAULT_NOISE,
            ..loadcell_changepoint::Options::default()
        };
        let cps = loadcell_changepoint::change_points(&values, &options);
        if let Some(c) = cps.iter().max_by(|a, b| a.magnitude().total_cmp(&b.magnitude())) {
            return Some(format!(
                "{path}: not steady: its per-{unit} {label} shifted from {:.1} to {:.1} ms at {unit} {} \
                 (change point, p = {:.0e}); something changed during the run (the machine or the target), \
                 and the verdicts may show that rather than a change of the code",
                c.mean_before,
                c.mean_after,
                busy[c.index] + 1,
                c.pvalue.max(1e-12)
            ));
        }
    }
    None
}

/// One row from its merged totals and its resampling units.
fn row(name: &str, ep: &EndpointMetrics, measured_s: f64, series: Option<HistSeries>) -> LoadRow {
    let stats = latency_stats(&ep.latency);
    let requests = ep.requests();
    LoadRow {
        name: name.to_string(),
        side: Side {
            exact: Point {
                p50: stats.p50,
                p95: stats.p95,
                p99: stats.p99,
                throughput: if measured_s > 0.0 {
                    requests as f64 / measured_s
                } else {
                    0.0
                },
                error_rate: if requests > 0 {
                    ep.failed as f64 / requests as f64
                } else {
                    0.0
                },
            },
            requests,
            units: Units::Histograms(series.unwrap_or_default()),
        },
    }
}

/// Request slots grouped by endpoint name (`METHOD /path`) in first-seen order, as the
/// summary groups them.
struct Groups {
    names: Vec<String>,
    /// Group index of each slot.
    of_slot: Vec<usize>,
}

impl Groups {
    fn new(slot_names: &[String]) -> Groups {
        let mut names: Vec<String> = Vec::new();
        let of_slot = slot_names
            .iter()
            .map(|n| match names.iter().position(|g| g == n) {
                Some(i) => i,
                None => {
                    names.push(n.clone());
                    names.len() - 1
                }
            })
            .collect();
        Groups { names, of_slot }
    }

    fn merge(&self, slots: &[EndpointMetrics]) -> Vec<EndpointMetrics> {
        let mut out = vec![EndpointMetrics::default(); self.names.len()];
        for (slot, ep) in slots.iter().enumerate() {
            if let Some(&g) = self.of_slot.get(slot) {
                out[g].merge(ep);
            }
        }
        out
    }
}

/// The unit being filled for one row.
#[derive(Default)]
struct Open {
    len_s: f64,
    requests: u64,
    failed: u64,
    counts: BTreeMap<u64, u64>,
}

impl Open {
    fn mean_us(&self) -> f64 {
        let (sum, n) = self
            .counts
            .iter()
            .fold((0.0, 0u64), |(s, n), (&v, &c)| (s + v as f64 * c as f64, n + c));
        if n > 0 { sum / n as f64 } else { 0.0 }
    }
}

/// Intervals shorter than this (the sliver at the end of a run, a few requests in a few
/// milliseconds) join the unit before them rather than being drawn as often as a second.
const MIN_UNIT_S: f64 = 0.5;

/// Builds every row's units as intervals stream past: row 0 is the whole run, row `g + 1`
/// endpoint group `g`.
struct Accumulator {
    per_unit: usize,
    seen: usize,
    open: Vec<Open>,
    done: Vec<Vec<Open>>,
}

impl Accumulator {
    fn new(rows: usize, per_unit: usize) -> Accumulator {
        Accumulator {
            per_unit,
            seen: 0,
            open: (0..rows).map(|_| Open::default()).collect(),
            done: (0..rows).map(|_| Vec::new()).collect(),
        }
    }

    fn add(&mut self, groups: &Groups, slots: &[EndpointMetrics], len_s: f64) {
        let sliver = len_s < MIN_UNIT_S && self.seen == 0 && self.done.first().is_some_and(|d| !d.is_empty());
        for row in 0..self.open.len() {
            let target = if sliver {
                self.done[row].last_mut()
            } else {
                Some(&mut self.open[row])
            };
            if let Some(o) = target {
                o.len_s += len_s;
            }
        }
        for (slot, ep) in slots.iter().enumerate() {
            let Some(&g) = groups.of_slot.get(slot) else { continue };
            for row in [0, g + 1] {
                let target = if sliver {
                    self.done[row].last_mut()
                } else {
                    Some(&mut self.open[row])
                };
                let Some(o) = target else { continue };
                o.requests += ep.requests();
                o.failed += ep.failed;
                for v in ep.latency.iter_recorded() {
                    *o.counts.entry(v.value_iterated_to()).or_default() += v.count_at_value();
                }
            }
        }
        if sliver {
            return;
        }
        self.seen += 1;
        if self.seen == self.per_unit {
            self.flush();
        }
    }

    fn flush(&mut self) {
        for (open, done) in self.open.iter_mut().zip(&mut self.done) {
            done.push(std::mem::take(open));
        }
        self.seen = 0;
    }

    fn finish(mut self) -> Vec<HistSeries> {
        if self.seen > 0 {
            self.flush();
        }
        self.done.into_iter().map(series).collect()
    }
}

/// The units of one row over their shared set of values.
fn series(units: Vec<Open>) -> HistSeries {
    let mut values: Vec<u64> = units.iter().flat_map(|u| u.counts.keys().copied()).collect();
    values.sort_unstable();
    values.dedup();
    let index = |v: u64| values.binary_search(&v).unwrap_or_default() as u32;
    let units = units
        .into_iter()
        .map(|u| HistUnit {
            len_s: u.len_s,
            requests: u.requests,
            failed: u.failed,
            counts: u.counts.iter().map(|(&v, &c)| (index(v), c)).collect(),
            mean_us: u.mean_us(),
        })
        .collect();
    HistSeries { values, units }
}
