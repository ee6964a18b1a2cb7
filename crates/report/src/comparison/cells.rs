//! What every rendering of a comparison shows the same way: values in their metric's unit,
//! changes (`+10.2%`, or `+1.50 pt` for the error rate), intervals, methods and verdicts.

use loadcell_schema::{Comparison, Method, MetricChange, MetricKind, RowComparison, Verdict};

use crate::text::number;

/// A metric's value in its unit: `12.4 ms`, `803 /s`, `0.25%`, `10.5 ms` (benchmarks).
pub fn value(metric: MetricKind, v: f64) -> String {
    match metric {
        MetricKind::P50 | MetricKind::P95 | MetricKind::P99 => number::ms(v),
        MetricKind::Throughput => format!("{} /s", number::num(v)),
        MetricKind::ErrorRate => number::percent(v),
        MetricKind::Median | MetricKind::Mean => per_iteration(v),
    }
}

/// Seconds per iteration in the unit that suits them: `812 ns`, `4.21 µs`, `10.5 ms`, `1.20 s`.
pub fn per_iteration(s: f64) -> String {
    if !s.is_finite() {
        return "–".to_string();
    }
    let (v, unit) = match s.abs() {
        a if a < 1e-6 => (s * 1e9, "ns"),
        a if a < 1e-3 => (s * 1e6, "µs"),
        a if a < 1.0 => (s * 1e3, "ms"),
        _ => (s, "s"),
    };
    let digits = if v.abs() < 10.0 {
        2
    } else if v.abs() < 100.0 {
        1
    } else {
        0
    };
    format!("{v:.digits$} {unit}")
}

/// A change: `+10.2%` (relative) or `+1.50 pt` (error rate, in percentage points).
pub fn change(metric: MetricKind, c: Option<f64>) -> String {
    match c {
        None => "–".to_string(),
        Some(c) if metric.absolute_change() => format!("{:+.2} pt", c * 100.0),
        Some(c) => format!("{:+.1}%", c * 100.0),
    }
}

/// The interval: `+9.8% … +10.6%`, `–` without one.
pub fn interval(m: &MetricChange) -> String {
    match m.interval {
        Some(i) => format!("{} … {}", change(m.metric, Some(i.low)), change(m.metric, Some(i.high))),
        None => "–".to_string(),
    }
}

/// The method in words.
pub fn method(m: Method) -> &'static str {
    match m {
        Method::BlockBootstrap => "block bootstrap over seconds",
        Method::SecondsSummary => "bootstrap of summary.json seconds (reduced)",
        Method::PointOnly => "point change only (reduced)",
        Method::RunSamples => "Welch interval over runs",
        Method::ReportedErrors => "tool-reported errors (reduced)",
        Method::History => "prediction from the baseline's history",
    }
}

/// What a row resampled: `11 vs 11 s, blocks 3/3` or `20 vs 20 runs`.
pub fn samples(row: &RowComparison) -> String {
    let unit = match (row.method, row.scope) {
        (loadcell_schema::Method::History, _) => "runs",
        (_, loadcell_schema::Scope::Benchmark) => "samples",
        _ => "s",
    };
    let mut out = format!("{} vs {} {unit}", row.base_samples, row.new_samples);
    if let Some([b, n]) = row.block_len {
        out += &format!(", blocks {b}/{n}");
    }
    out
}

/// The rows to show, with the name to show them by: a run with a single endpoint shows it
/// as `overall (GET /)` rather than the same numbers twice (the JSON keeps both rows).
pub fn shown_rows(cmp: &Comparison) -> Vec<(&RowComparison, String)> {
    let single = cmp.rows.len() == 2
        && cmp.rows[0].scope == loadcell_schema::Scope::Overall
        && cmp.only_in_base.is_empty()
        && cmp.only_in_new.is_empty();
    if single {
        return vec![(&cmp.rows[0], format!("overall ({})", cmp.rows[1].name))];
    }
    cmp.rows.iter().map(|r| (r, r.name.clone())).collect()
}

/// The verdict as a word in capitals for headlines.
pub fn headline(v: Verdict) -> &'static str {
    match v {
        Verdict::Regressed => "REGRESSED",
        Verdict::Unchanged => "UNCHANGED",
        Verdict::Improved => "IMPROVED",
    }
}

/// How verdicts were reached, in one sentence.
pub fn rule(cmp: &Comparison) -> String {
    let s = &cmp.settings;
    let how = if s.strict {
        "the whole interval beyond"
    } else {
        "significant and beyond"
    };
    format!(
        "regressed/improved = {how} ±{} (error rate ±{:.2} pt) at {} confidence; seed {}, {} resamples",
        trim_percent(s.noise * 100.0),
        s.error_noise * 100.0,
        trim_percent(s.confidence * 100.0),
        s.seed,
        s.resamples
    )
}

/// `5%`, `2.5%`.
fn trim_percent(p: f64) -> String {
    format!("{}%", (p * 100.0).round() / 100.0)
}

/// A short description of a compared run: its label and, for load runs, model and length.
pub fn run_facts(run: &loadcell_schema::ComparedRun) -> String {
    let mut parts = vec![run.target.clone()];
    if let Some(m) = run.model {
        parts.push(format!("{} model", m.as_str()));
    }
    if let Some(s) = run.seconds {
        parts.push(number::duration_s(s));
    }
    if let Some(t) = &run.started_at {
        parts.push(number::timestamp(t));
    }
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_changes_in_their_units() {
        assert_eq!(value(MetricKind::P95, 12.345), "12.3 ms");
        assert_eq!(value(MetricKind::Throughput, 803.4), "803 /s");
        assert_eq!(value(MetricKind::Mean, 0.0105), "10.5 ms");
        assert_eq!(value(MetricKind::Mean, 0.00105), "1.05 ms");
        assert_eq!(per_iteration(8.12e-7), "812 ns");
        assert_eq!(per_iteration(4.21e-6), "4.21 µs");
        assert_eq!(change(MetricKind::P50, Some(0.1023)), "+10.2%");
        assert_eq!(change(MetricKind::ErrorRate, Some(0.015)), "+1.50 pt");
        assert_eq!(change(MetricKind::P50, None), "–");
    }
}
