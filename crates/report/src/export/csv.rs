//! `timeseries.csv`: one row per second of the run (warm-up included, flagged), for
//! spreadsheets and plotting tools. Every column is a number or `true`/`false`, so nothing
//! needs quoting; a missing value (no latency in an idle second, no target rate in the
//! closed model) is an empty field.

use std::fmt::Write;

use loadcell_schema::Summary;

/// The header row's columns, in order.
pub const COLUMNS: [&str; 17] = [
    "t_s",
    "warmup",
    "requests",
    "ok",
    "failed",
    "rate_per_s",
    "p50_ms",
    "p90_ms",
    "p95_ms",
    "p99_ms",
    "max_ms",
    "active_vus",
    "target_rate_per_s",
    "dropped_iterations",
    "errors",
    "sent_bytes",
    "received_bytes",
];

/// The time series as CSV: a header, then one row per `timeseries[]` entry.
pub fn timeseries_csv(summary: &Summary) -> String {
    let mut out = COLUMNS.join(",");
    out.push('\n');
    for iv in &summary.timeseries {
        let l = &iv.latency_ms;
        let latency = |v: f64| if l.count == 0 { String::new() } else { float(v) };
        let errors: u64 = iv.errors.values().sum();
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            float(iv.t_s),
            iv.warmup,
            iv.requests,
            iv.ok,
            iv.failed,
            float(iv.rate_per_s),
            latency(l.p50),
            latency(l.p90),
            latency(l.p95),
            latency(l.p99),
            latency(l.max),
            iv.active_vus,
            iv.target_rate_per_s.map(float).unwrap_or_default(),
            iv.dropped_iterations,
            errors,
            iv.sent_bytes,
            iv.received_bytes,
        );
    }
    out
}

/// A float in its shortest exact form, at most 3 decimals: `4`, `0.5`, `12.346`.
fn float(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let text = format!("{v:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    #[test]
    fn one_row_per_entry_with_every_column() {
        let summary = testing::summary(42);
        let csv = timeseries_csv(&summary);
        let rows: Vec<&str> = csv.lines().collect();
        assert_eq!(rows.len(), 1 + 42);
        assert_eq!(rows[0], COLUMNS.join(","));
        for row in &rows[1..] {
            assert_eq!(row.split(',').count(), COLUMNS.len(), "{row}");
        }
    }

    #[test]
    fn values_land_in_their_columns() {
        let summary = testing::summary(8);
        let csv = timeseries_csv(&summary);
        let row: Vec<&str> = csv.lines().nth(6).unwrap().split(',').collect();
        let col = |name: &str| row[COLUMNS.iter().position(|c| *c == name).unwrap()];
        let iv = &summary.timeseries[5];
        assert_eq!(col("t_s"), "6");
        assert_eq!(col("warmup"), "false");
        assert_eq!(col("requests"), iv.requests.to_string());
        assert_eq!(col("p95_ms"), float(iv.latency_ms.p95));
        assert_eq!(col("target_rate_per_s"), "333.333");
        assert_eq!(col("errors"), "3");
        assert_eq!(col("received_bytes"), iv.received_bytes.to_string());
        assert_eq!(csv.lines().nth(1).unwrap().split(',').nth(1), Some("true"));
    }

    #[test]
    fn idle_seconds_and_closed_model_leave_fields_empty() {
        let mut summary = testing::summary(1);
        summary.timeseries[0].latency_ms.count = 0;
        summary.timeseries[0].target_rate_per_s = None;
        let csv = timeseries_csv(&summary);
        let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
        assert_eq!(&row[6..11], ["", "", "", "", ""]);
        assert_eq!(row[12], "");
    }
}
