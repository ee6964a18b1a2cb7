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

/// Reads the results folder `dir` (`path` as the user gave it, for messages).
pub fn read(dir: &Path, path: &str) -> Result<LoadRun, CompareError> {
    let meta = loadcell_results::read_meta(dir)?;
    let names: Vec<String> = meta.endpoints.iter().map(|e| e.to_name().display()).collect();
    let groups = Groups::new(&names);
    let planned_s: f64 = meta.model.segments.iter().map(|s| s.len_s).sum::<f64>() - meta.warmup_s;
    let per_unit = (planned_s / MAX_UNITS as f64).ceil().max(1.0) as usize;
    let mut acc = Accumulator::new(groups.names.len() + 1, per_unit);
    let rebuilt = loadcell_results::read_outcome_with(dir, |interval| {
        if !interval.warmup {
            acc.add(&groups, &interval.measured.endpoints, interval.len_s);
        }
    })?;
    let series = acc.finish();
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

/// Builds every row's units as intervals stream past: row 0 is the whole run, row `g + 1`
/// endpoint group `g`.
struct Accumulator {
    per_unit: usize,
    seen: usize,
    open: Vec<Open>,
    done: Vec<Vec<(Open, f64)>>,
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
        for o in &mut self.open {
            o.len_s += len_s;
        }
        for (slot, ep) in slots.iter().enumerate() {
            let Some(&g) = groups.of_slot.get(slot) else { continue };
            for row in [0, g + 1] {
                let o = &mut self.open[row];
                o.requests += ep.requests();
                o.failed += ep.failed;
                for v in ep.latency.iter_recorded() {
                    *o.counts.entry(v.value_iterated_to()).or_default() += v.count_at_value();
                }
            }
        }
        self.seen += 1;
        if self.seen == self.per_unit {
            self.flush();
        }
    }

    fn flush(&mut self) {
        for (open, done) in self.open.iter_mut().zip(&mut self.done) {
            let unit = std::mem::take(open);
            let (sum, n) = unit
                .counts
                .iter()
                .fold((0.0, 0u64), |(s, n), (&v, &c)| (s + v as f64 * c as f64, n + c));
            done.push((unit, if n > 0 { sum / n as f64 } else { 0.0 }));
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
fn series(units: Vec<(Open, f64)>) -> HistSeries {
    let mut values: Vec<u64> = units.iter().flat_map(|(u, _)| u.counts.keys().copied()).collect();
    values.sort_unstable();
    values.dedup();
    let index = |v: u64| values.binary_search(&v).unwrap_or_default() as u32;
    let units = units
        .into_iter()
        .map(|(u, mean_us)| HistUnit {
            len_s: u.len_s,
            requests: u.requests,
            failed: u.failed,
            counts: u.counts.iter().map(|(&v, &c)| (index(v), c)).collect(),
            mean_us,
        })
        .collect();
    HistSeries { values, units }
}
