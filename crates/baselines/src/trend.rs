//! `loadcell baseline trend`: change points in each endpoint's history (p95, p99 and
//! throughput; a benchmark's mean), found by [`loadcell_changepoint`] — E-divisive means
//! with t-test significance, as Apache Otava does — not by a threshold on consecutive runs.

use serde::Serialize;

use loadcell_changepoint::{Options, change_points};

use crate::file::{BaselinesFile, HistoryEntry};

/// One shift in one metric's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shift {
    /// Index into the endpoint's history of the first run after the shift.
    pub index: usize,
    /// When that run was made.
    pub tested_at: String,
    pub source: String,
    pub mean_before: f64,
    pub mean_after: f64,
    /// `mean_after / mean_before − 1`.
    pub change: f64,
    pub pvalue: f64,
}

/// The change points of one metric of one endpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricTrend {
    pub endpoint: String,
    /// `p95_ms`, `p99_ms`, `throughput_rps` or `mean_ms`.
    pub metric: &'static str,
    /// Runs in the history.
    pub runs: usize,
    pub shifts: Vec<Shift>,
    /// Mean of the runs since the last shift (all runs without one).
    pub current_level: f64,
}

/// A metric's name and how to read it from a history entry.
type MetricOf = (&'static str, fn(&HistoryEntry) -> Option<f64>);

/// Every endpoint's metrics with their change points, in file order.
pub fn trend(file: &BaselinesFile, options: &Options) -> Vec<MetricTrend> {
    let metrics: [MetricOf; 4] = [
        ("p95_ms", |h| Some(h.p95_ms)),
        ("p99_ms", |h| Some(h.p99_ms)),
        ("throughput_rps", |h| Some(h.throughput_rps)),
        ("mean_ms", |h| h.mean_ms),
    ];
    let mut out = Vec::new();
    for e in &file.endpoints {
        for (metric, pick) in metrics {
            let points: Vec<(usize, f64)> = e
                .history
                .iter()
                .enumerate()
                .filter_map(|(i, h)| pick(h).map(|v| (i, v)))
                .collect();
            if points.is_empty() {
                continue;
            }
            let values: Vec<f64> = points.iter().map(|(_, v)| *v).collect();
            let cps = change_points(&values, options);
            let shifts: Vec<Shift> = cps
                .iter()
                .map(|c| {
                    let h = &e.history[points[c.index].0];
                    Shift {
                        index: points[c.index].0,
                        tested_at: h.tested_at.clone(),
                        source: h.source.clone(),
                        mean_before: c.mean_before,
                        mean_after: c.mean_after,
                        change: c.forward_change(),
                        pvalue: c.pvalue,
                    }
                })
                .collect();
            let since = cps.last().map_or(0, |c| c.index);
            let tail = &values[since..];
            out.push(MetricTrend {
                endpoint: e.name.clone(),
                metric,
                runs: values.len(),
                shifts,
                current_level: tail.iter().sum::<f64>() / tail.len() as f64,
            });
        }
    }
    out
}

/// The trend as text: one line per metric, then one per shift.
pub fn trend_text(trends: &[MetricTrend]) -> String {
    let mut out = String::new();
    for t in trends {
        out += &format!(
            "{} {}: {} runs, {} change point{}, now {:.4}\n",
            t.endpoint,
            t.metric,
            t.runs,
            t.shifts.len(),
            if t.shifts.len() == 1 { "" } else { "s" },
            t.current_level
        );
        for s in &t.shifts {
            out += &format!(
                "  run {} ({}): {:.4} → {:.4} ({:+.1}%, p = {:.2e}) {}\n",
                s.index + 1,
                s.tested_at,
                s.mean_before,
                s.mean_after,
                s.change * 100.0,
                s.pvalue,
                s.source
            );
        }
    }
    if out.is_empty() {
        out.push_str("no history yet: save runs with `loadcell baseline save RESULTS`\n");
    }
    out
}
