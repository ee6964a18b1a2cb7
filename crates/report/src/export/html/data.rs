//! The charts' data: one compact, column-oriented JSON document built from the summary's
//! time series, stages and percentile spectrum, embedded in the page and read by
//! `assets/report.js`. Floats keep four significant digits, so a one-hour run stays small.

use std::collections::BTreeMap;

use loadcell_schema::{IntervalSummary, Summary};
use serde_json::{Map, Value, json};

/// Intervals shorter than this (the run's last partial second) are left out of the charts:
/// a few requests in a few milliseconds would show as a spike in every per-second rate.
const MIN_CHART_INTERVAL_S: f64 = 0.5;

/// The JSON document `report.js` draws from.
pub fn chart_data(summary: &Summary) -> Value {
    let series = chart_intervals(summary);
    let col = |f: &dyn Fn(&IntervalSummary) -> Value| Value::Array(series.iter().map(|iv| f(iv)).collect());
    let per_s = |n: u64, iv: &IntervalSummary| num(n as f64 / len(iv));
    let latency = |pick: fn(&loadcell_schema::LatencyStats) -> f64| {
        move |iv: &IntervalSummary| {
            if iv.latency_ms.count == 0 {
                Value::Null
            } else {
                num(pick(&iv.latency_ms))
            }
        }
    };
    let has_target = series.iter().any(|iv| iv.target_rate_per_s.is_some());
    json!({
        "model": summary.model.as_str(),
        "warmup_s": num(summary.warmup_s),
        "t": col(&|iv| num(iv.t_s)),
        "ok": col(&|iv| per_s(iv.ok, iv)),
        "failed": col(&|iv| per_s(iv.failed, iv)),
        "p50": col(&latency(|l| l.p50)),
        "p95": col(&latency(|l| l.p95)),
        "p99": col(&latency(|l| l.p99)),
        "vus": col(&|iv| Value::from(iv.active_vus)),
        "target": if has_target { col(&|iv| iv.target_rate_per_s.map_or(Value::Null, num)) } else { Value::Null },
        "iters": col(&|iv| per_s(iv.iterations, iv)),
        "errors": errors(&series),
        "stages": summary.stages.iter().map(|s| json!({
            "start_s": num(s.start_s), "end_s": num(s.end_s), "from": num(s.from), "to": num(s.to), "unit": s.unit,
            "name": s.name,
        })).collect::<Vec<_>>(),
        "spike": super::spike::chart_data(summary),
        "soak": super::soak::chart_data(summary),
        "capacity": super::capacity::chart_data(summary),
        "scale": super::scale::chart_data(summary),
        "monitor": super::resources::chart_data(summary, &series.iter().map(|iv| iv.t_s).collect::<Vec<_>>()),
        "spectrum": spectrum(summary),
    })
}

/// The intervals the charts show: all but a trailing sliver (unless that is all there is).
fn chart_intervals(summary: &Summary) -> Vec<&IntervalSummary> {
    let all: Vec<&IntervalSummary> = summary.timeseries.iter().collect();
    let kept: Vec<&IntervalSummary> = all
        .iter()
        .copied()
        .filter(|iv| iv.len_s >= MIN_CHART_INTERVAL_S)
        .collect();
    if kept.is_empty() { all } else { kept }
}

fn len(iv: &IntervalSummary) -> f64 {
    if iv.len_s > 0.0 { iv.len_s } else { 1.0 }
}

/// Error series per second: every transport error kind, then HTTP 4xx and 5xx responses,
/// then dropped iterations; busiest first within each group. One all-zero `errors` series
/// when the run had none, so the chart still shows a flat, reassuring line.
fn errors(series: &[&IntervalSummary]) -> Value {
    let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
    for iv in series {
        for (kind, n) in &iv.errors {
            *kinds.entry(kind.clone()).or_default() += n;
        }
    }
    let mut kinds: Vec<(String, u64)> = kinds.into_iter().filter(|(_, n)| *n > 0).collect();
    kinds.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let status_class = |iv: &IntervalSummary, class: char| -> u64 {
        iv.status_codes
            .iter()
            .filter(|(code, _)| code.len() == 3 && code.starts_with(class))
            .map(|(_, n)| n)
            .sum()
    };
    let mut out: Vec<Value> = Vec::new();
    let mut push = |name: String, counts: Vec<u64>| {
        if counts.iter().any(|&n| n > 0) {
            let v: Vec<Value> = counts
                .iter()
                .zip(series)
                .map(|(&n, iv)| num(n as f64 / len(iv)))
                .collect();
            out.push(json!({ "name": name, "v": v }));
        }
    };
    for (kind, _) in &kinds {
        push(
            kind.replace('_', " "),
            series
                .iter()
                .map(|iv| iv.errors.get(kind).copied().unwrap_or(0))
                .collect(),
        );
    }
    push(
        "HTTP 5xx".to_string(),
        series.iter().map(|iv| status_class(iv, '5')).collect(),
    );
    push(
        "HTTP 4xx".to_string(),
        series.iter().map(|iv| status_class(iv, '4')).collect(),
    );
    push(
        "dropped iterations".to_string(),
        series.iter().map(|iv| iv.dropped_iterations).collect(),
    );
    if out.is_empty() {
        out.push(json!({ "name": "no errors", "none": true, "v": vec![0; series.len()] }));
    }
    Value::Array(out)
}

/// The percentile spectrum on the x = log10(1 / (1 − p)) axis; 100% is drawn as the max line.
fn spectrum(summary: &Summary) -> Value {
    let fallback = (summary.latency_ms.count > 0).then_some(summary.latency_ms.max);
    spectrum_of(&summary.latency_percentiles, fallback)
}

/// `{x, ms, max}` of a percentile spectrum: x = log10(1 / (1 − p)) for every point below
/// 100%, and the 100% point (or `fallback`) as `max`.
pub fn spectrum_of(points: &[loadcell_schema::PercentilePoint], fallback: Option<f64>) -> Value {
    let mut x = Vec::new();
    let mut ms = Vec::new();
    for p in points {
        if p.percentile < 100.0 && p.percentile >= 0.0 {
            x.push(num(-(1.0 - p.percentile / 100.0).log10()));
            ms.push(num(p.latency_ms));
        }
    }
    let max = points
        .iter()
        .find(|p| p.percentile >= 100.0)
        .map(|p| p.latency_ms)
        .or(fallback);
    let mut m = Map::new();
    m.insert("x".into(), Value::Array(x));
    m.insert("ms".into(), Value::Array(ms));
    m.insert("max".into(), max.map_or(Value::Null, num));
    Value::Object(m)
}

/// A float with four significant digits, as an integer when it is one; `null` if not finite.
pub fn num(v: f64) -> Value {
    if !v.is_finite() {
        return Value::Null;
    }
    if v == v.trunc() && v.abs() < 1e15 {
        return Value::from(v as i64);
    }
    let digits = 4 - (v.abs().log10().floor() as i32 + 1);
    let rounded = if digits > 0 {
        let scale = 10f64.powi(digits.min(12));
        (v * scale).round() / scale
    } else {
        v.round()
    };
    if rounded == rounded.trunc() && rounded.abs() < 1e15 {
        Value::from(rounded as i64)
    } else {
        serde_json::Number::from_f64(rounded).map_or(Value::Null, Value::Number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    #[test]
    fn numbers_keep_four_significant_digits() {
        assert_eq!(num(0.123456).to_string(), "0.1235");
        assert_eq!(num(12.3456).to_string(), "12.35");
        assert_eq!(num(123456.7).to_string(), "123457");
        assert_eq!(num(4.0).to_string(), "4");
        assert_eq!(num(f64::NAN), Value::Null);
    }

    #[test]
    fn columns_have_one_value_per_interval() {
        let summary = testing::summary(30);
        let data = chart_data(&summary);
        for key in ["t", "ok", "failed", "p50", "p95", "p99", "vus", "target", "iters"] {
            assert_eq!(data[key].as_array().map(Vec::len), Some(30), "{key}");
        }
        let names: Vec<&str> = data["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["connect timeout", "reset", "HTTP 5xx", "dropped iterations"]);
    }

    #[test]
    fn spectrum_maps_percentiles_to_log_axis_and_keeps_max_apart() {
        let data = chart_data(&testing::summary(3));
        let x: Vec<f64> = data["spectrum"]["x"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(x.len(), 7, "100% is not on the log axis");
        assert_eq!(x[0], 0.0);
        assert!((x[1] - std::f64::consts::LOG10_2).abs() < 1e-3, "50% sits at log10(2)");
        assert!((x[3] - 2.0).abs() < 1e-9, "99% sits at 2");
        assert_eq!(data["spectrum"]["max"], num(5.0 + 7.0 * 7.0 * 3.0));
    }

    #[test]
    fn trailing_sliver_is_left_out() {
        let mut summary = testing::summary(4);
        summary.timeseries[3].len_s = 0.002;
        assert_eq!(chart_data(&summary)["t"].as_array().map(Vec::len), Some(3));
    }
}
