//! `loadcell baseline check`: a new run against the baselines file, as a [`Comparison`]
//! document (so it renders and exits like `loadcell compare`) plus each endpoint's SLO
//! status.
//!
//! The file keeps each endpoint's last runs, and those runs say how much a run varies from
//! the next on this setup — which is what a new run must be judged against. For each metric
//! the reference is the history since its last change point ([`loadcell_changepoint`]);
//! with at least [`MIN_HISTORY`] runs there, the new value is significant when it falls
//! outside their prediction interval `mean ± t(1−α/2, n−1) · sd · √(1 + 1/n)`, and
//! `regressed` when it is also beyond the noise threshold from the baseline's current value
//! in the worse direction. With fewer runs the point change alone is held against the noise
//! threshold (a reduced method, noted).

use loadcell_changepoint::{Options, change_points};
use loadcell_compare::Settings;
use loadcell_schema::{
    COMPARISON_FORMAT, COMPARISON_FORMAT_VERSION, ComparedRun, Comparison, Interval, Method, MetricChange, MetricKind,
    RowComparison, Scope, SourceKind, Verdict,
};
use loadcell_stability::student;
use loadcell_stats::{Rule, judge};

use crate::file::{BaselinesFile, EndpointBaseline, HistoryEntry, Status};
use crate::measured::{Measured, RunNumbers};

/// Runs since the last change point needed for a prediction interval.
pub const MIN_HISTORY: usize = 3;

/// One endpoint's SLO verdict in the new run.
#[derive(Debug, Clone, PartialEq)]
pub struct SloResult {
    pub name: String,
    pub slo_p95_ms: f64,
    pub p95_ms: f64,
    pub status: Status,
}

/// The outcome of a check.
#[derive(Debug, Clone)]
pub struct Check {
    pub comparison: Comparison,
    pub slo: Vec<SloResult>,
}

impl Check {
    /// 1 when a metric regressed or an SLO failed, 0 otherwise.
    pub fn exit_code(&self) -> i32 {
        let slo_failed = self.slo.iter().any(|s| s.status == Status::Fail);
        if slo_failed || self.comparison.verdict == Verdict::Regressed {
            loadcell_schema::exit::REGRESSED
        } else {
            loadcell_schema::exit::OK
        }
    }
}

/// Checks `run` against `file` (read from `path`).
pub fn check(file: &BaselinesFile, path: &str, run: &RunNumbers, new: ComparedRun, settings: &Settings) -> Check {
    let metrics = if run.is_bench {
        vec![MetricKind::Mean]
    } else {
        vec![MetricKind::P95, MetricKind::P99, MetricKind::Throughput]
    };
    let mut rows = Vec::new();
    let mut slo = Vec::new();
    let mut only_in_new = Vec::new();
    for m in &run.endpoints {
        let Some(base) = file.endpoint(&m.name) else {
            only_in_new.push(m.name.clone());
            continue;
        };
        rows.push(row(base, m, &metrics, settings, run.is_bench));
        if let Some(limit) = m.slo_p95_ms.or(base.slo_p95_ms) {
            slo.push(SloResult {
                name: m.name.clone(),
                slo_p95_ms: limit,
                p95_ms: m.p95_ms,
                status: if m.p95_ms < limit { Status::Pass } else { Status::Fail },
            });
        }
    }
    let only_in_base = file
        .endpoints
        .iter()
        .filter(|e| !run.endpoints.iter().any(|m| m.name == e.name))
        .map(|e| e.name.clone())
        .collect();
    let notes = notes(&rows, &slo);
    let comparison = Comparison {
        format: COMPARISON_FORMAT.to_string(),
        format_version: COMPARISON_FORMAT_VERSION,
        loadcell_version: env!("CARGO_PKG_VERSION").to_string(),
        base: ComparedRun {
            path: path.to_string(),
            kind: SourceKind::Baselines,
            target: path.to_string(),
            label: "baselines".to_string(),
            started_at: None,
            model: None,
            seconds: None,
        },
        new,
        settings: settings.record(),
        verdict: Verdict::combine(rows.iter().map(|r: &RowComparison| r.verdict)),
        rows,
        only_in_base,
        only_in_new,
        notes,
        distributions: None,
    };
    Check { comparison, slo }
}

fn row(
    base: &EndpointBaseline,
    new: &Measured,
    metrics: &[MetricKind],
    settings: &Settings,
    bench: bool,
) -> RowComparison {
    let mut reference_runs = usize::MAX;
    let changes: Vec<MetricChange> = metrics
        .iter()
        .map(|&metric| {
            let history: Vec<f64> = base.history.iter().filter_map(|h| history_value(h, metric)).collect();
            let reference = since_last_change(&history);
            reference_runs = reference_runs.min(reference.len());
            judge_metric(metric, current(base, metric), value(new, metric), reference, settings)
        })
        .collect();
    let judged = changes.iter().any(|c| c.interval.is_some());
    let verdict = Verdict::combine(
        changes
            .iter()
            .filter(|c| settings.gate.contains(&c.metric))
            .map(|c| c.verdict),
    );
    RowComparison {
        name: new.name.clone(),
        scope: if bench { Scope::Benchmark } else { Scope::Endpoint },
        method: if judged { Method::History } else { Method::PointOnly },
        base_samples: if reference_runs == usize::MAX {
            0
        } else {
            reference_runs as u64
        },
        new_samples: 1,
        block_len: None,
        metrics: changes,
        verdict,
    }
}

/// One metric: its change from the baseline's current value and, with enough history, the
/// prediction interval of the change a run like the recent ones would show.
fn judge_metric(metric: MetricKind, base: f64, new: f64, reference: &[f64], settings: &Settings) -> MetricChange {
    let change = (base > 0.0).then(|| new / base - 1.0);
    let prediction = prediction_interval(reference, settings.confidence);
    let Some((low, high)) = prediction.filter(|_| base > 0.0) else {
        let j = judge(
            change,
            None,
            settings.noise,
            metric.higher_is_worse(),
            Rule::Significant,
        );
        return MetricChange {
            metric,
            base,
            new,
            change,
            interval: None,
            significant: false,
            verdict: j.verdict,
        };
    };
    let outside_high = new > high;
    let outside_low = new < low;
    let c = change.unwrap_or(0.0);
    let worse = if metric.higher_is_worse() {
        outside_high
    } else {
        outside_low
    };
    let better = if metric.higher_is_worse() {
        outside_low
    } else {
        outside_high
    };
    let beyond_noise = c.abs() > settings.noise;
    let verdict = match (worse && beyond_noise, better && beyond_noise) {
        (true, _) => Verdict::Regressed,
        (_, true) => Verdict::Improved,
        _ => Verdict::Unchanged,
    };
    MetricChange {
        metric,
        base,
        new,
        change,
        interval: Some(Interval {
            low: low / base - 1.0,
            high: high / base - 1.0,
        }),
        significant: outside_high || outside_low,
        verdict,
    }
}

/// `mean ± t · sd · √(1 + 1/n)` of `xs`; `None` with fewer than [`MIN_HISTORY`] values.
pub fn prediction_interval(xs: &[f64], confidence: f64) -> Option<(f64, f64)> {
    let n = xs.len();
    if n < MIN_HISTORY {
        return None;
    }
    let nf = n as f64;
    let mean = xs.iter().sum::<f64>() / nf;
    let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (nf - 1.0)).sqrt();
    let half = student::quantile(0.5 + confidence / 2.0, nf - 1.0) * sd * (1.0 + 1.0 / nf).sqrt();
    Some((mean - half, mean + half))
}

/// The values after the last change point of `history` (all of them without one).
fn since_last_change(history: &[f64]) -> &[f64] {
    let last = change_points(history, &Options::default())
        .last()
        .map_or(0, |c| c.index);
    &history[last..]
}

fn history_value(h: &HistoryEntry, metric: MetricKind) -> Option<f64> {
    match metric {
        MetricKind::P95 => Some(h.p95_ms),
        MetricKind::P99 => Some(h.p99_ms),
        MetricKind::Throughput => Some(h.throughput_rps),
        MetricKind::Mean => h.mean_ms,
        _ => None,
    }
}

fn current(e: &EndpointBaseline, metric: MetricKind) -> f64 {
    match metric {
        MetricKind::P95 => e.current_p95_ms,
        MetricKind::P99 => e.current_p99_ms,
        MetricKind::Throughput => e.throughput_rps,
        MetricKind::Mean => e.current_mean_ms.unwrap_or(f64::NAN),
        _ => f64::NAN,
    }
}

fn value(m: &Measured, metric: MetricKind) -> f64 {
    match metric {
        MetricKind::P95 => m.p95_ms,
        MetricKind::P99 => m.p99_ms,
        MetricKind::Throughput => m.throughput_rps,
        MetricKind::Mean => m.mean_ms.unwrap_or(f64::NAN),
        _ => f64::NAN,
    }
}

fn notes(rows: &[RowComparison], slo: &[SloResult]) -> Vec<String> {
    let mut notes = Vec::new();
    let short: Vec<&str> = rows
        .iter()
        .filter(|r| r.method == Method::PointOnly)
        .map(|r| r.name.as_str())
        .collect();
    if !short.is_empty() {
        notes.push(format!(
            "fewer than {MIN_HISTORY} runs in the history of {}: judged on the point change against the noise threshold alone",
            short.join(", ")
        ));
    }
    for s in slo.iter().filter(|s| s.status == Status::Fail) {
        notes.push(format!(
            "{}: p95 {:.1} ms fails its SLO (p95 < {} ms)",
            s.name, s.p95_ms, s.slo_p95_ms
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prediction_interval_of_known_values() {
        // mean 10, sd √(2/3), n 4: t(0.975, 3) = 3.1824, half = t · sd · √1.25.
        let (lo, hi) = prediction_interval(&[9.0, 10.0, 11.0, 10.0], 0.95).unwrap_or_default();
        let sd = (2.0f64 / 3.0).sqrt();
        let half = 3.182446 * sd * 1.25f64.sqrt();
        assert!(
            (lo - (10.0 - half)).abs() < 1e-4 && (hi - (10.0 + half)).abs() < 1e-4,
            "{lo} {hi}"
        );
        assert!(prediction_interval(&[1.0, 2.0], 0.95).is_none());
    }
}
