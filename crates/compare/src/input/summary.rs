//! A bare `summary.json` read into load rows. It has the exact merged percentiles but no
//! histograms, so the method is reduced: the whole run resamples its per-second rows
//! (`timeseries`, percentiles weighted by requests) to size its intervals, and endpoints —
//! which have totals only — are compared by their point change (unless the run has a single
//! endpoint, which is the whole run).

use loadcell_schema::{ComparedRun, EndpointSummary, LatencyStats, SourceKind, Summary};

use crate::input::{LoadRow, LoadRun};
use crate::series::{PctUnit, Point, Side, Units};

/// The rows of `summary` (`path` as the user gave it).
pub fn from_summary(summary: &Summary, path: &str) -> LoadRun {
    let seconds: Vec<PctUnit> = summary
        .timeseries
        .iter()
        .filter(|i| !i.warmup)
        .map(|i| PctUnit {
            len_s: i.len_s,
            requests: i.requests,
            failed: i.failed,
            p50: i.latency_ms.p50,
            p95: i.latency_ms.p95,
            p99: i.latency_ms.p99,
            mean: i.latency_ms.mean,
        })
        .collect();
    let overall_units = if seconds.is_empty() {
        Units::None
    } else {
        Units::Percentiles(seconds)
    };
    let requests = &summary.requests;
    let overall = LoadRow {
        name: "overall".to_string(),
        side: Side {
            exact: point(
                &summary.latency_ms,
                summary.requests.rate_per_s,
                requests.failed,
                requests.total,
            ),
            requests: requests.total,
            units: overall_units.clone(),
        },
    };
    let single = summary.endpoints.len() == 1;
    let mut rows = vec![overall];
    rows.extend(
        summary
            .endpoints
            .iter()
            .map(|e| endpoint_row(e, single, &overall_units)),
    );
    let mut notes = vec![format!(
        "{path}: a summary without its results folder (a bare summary.json, or a run that wrote no results folder) \
         has no per-second histograms; intervals come from its per-second percentiles (a reduced method){}",
        if single {
            ""
        } else {
            ", and endpoints are judged on their point change alone"
        }
    )];
    if rows[0].side.is_empty() {
        notes.push(format!(
            "{path}: no per-second rows; the whole run is judged on its point change alone"
        ));
    }
    LoadRun {
        run: ComparedRun {
            path: path.to_string(),
            kind: SourceKind::SummaryJson,
            target: summary.target.clone(),
            label: summary.target.clone(),
            started_at: Some(summary.started_at.clone()),
            model: Some(summary.model),
            seconds: Some(summary.duration_s),
        },
        thresholds: summary.thresholds.iter().map(|t| t.expr.clone()).collect(),
        rows,
        spectrum: summary.latency_percentiles.clone(),
        notes,
    }
}

fn endpoint_row(e: &EndpointSummary, single: bool, overall_units: &Units) -> LoadRow {
    LoadRow {
        name: e.name.clone(),
        side: Side {
            exact: point(&e.latency_ms, e.rate_per_s, e.failed, e.requests),
            requests: e.requests,
            units: if single { overall_units.clone() } else { Units::None },
        },
    }
}

fn point(latency: &LatencyStats, rate_per_s: f64, failed: u64, requests: u64) -> Point {
    Point {
        p50: latency.p50,
        p95: latency.p95,
        p99: latency.p99,
        throughput: rate_per_s,
        error_rate: if requests > 0 {
            failed as f64 / requests as f64
        } else {
            0.0
        },
    }
}
