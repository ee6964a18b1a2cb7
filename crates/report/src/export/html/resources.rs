//! The "Target resources" section (`--monitor`): per source its statistics (min, mean and
//! max over the readings after the warm-up), when it disappeared, the leak verdicts, charts
//! of its metrics on the run's time axis (the same zoom as the charts over time), and the
//! flame graph (`flamegraph.svg`, embedded and linked) with its top functions. Shown only
//! when the summary has `monitor[]`; also the data those charts draw.

use std::fmt::Write;

use loadcell_schema::{FlameGraphSummary, LeakState, MonitorMetric, MonitorSummary, Summary};
use serde_json::{Value, json};

use super::data::num;
use super::phases::span;
use crate::text::escape::html;
use crate::text::number;

/// Chart groups: metrics of one unit share a chart, in this order.
const GROUPS: [(&str, &str, &str); 6] = [
    ("percent", "CPU", "% (100 = one core; host: the whole machine)"),
    ("bytes", "Memory", "bytes"),
    ("count", "Threads, descriptors, tasks", "count"),
    ("bytes/s", "I/O and network", "bytes per second"),
    ("/s", "Events", "per second"),
    ("", "Other series", "as read"),
];

/// The section, or nothing without `monitor[]`.
pub fn section(summary: &Summary) -> String {
    if summary.monitor.is_empty() {
        return String::new();
    }
    let mut out = String::from("<section id=\"resources\"><h2>Target resources</h2>\n");
    for (i, source) in summary.monitor.iter().enumerate() {
        out += &source_card(i, source);
    }
    out.push_str(
        "<p class=\"hint\">Readings once a second on loadcell's side, never on the request path. \
         Statistics cover the readings after the warm-up. Drag across a chart to zoom every time chart.</p></section>\n",
    );
    out
}

fn source_card(i: usize, s: &MonitorSummary) -> String {
    let mut out = String::from("<div class=\"card stability resources\">");
    let mut notes = vec![format!("{} readings", number::int(s.samples))];
    if let Some(n) = s.processes {
        notes.push(format!("{} processes at most", number::int(n)));
    }
    if s.failed_samples > 0 {
        notes.push(format!("{} failed", number::int(s.failed_samples)));
    }
    let _ = write!(
        out,
        "<h3>{}<span>{}</span></h3>",
        html(&s.source),
        html(&notes.join(" · "))
    );
    out.push_str("<ul class=\"verdicts\">");
    if let (Some(at), Some(why)) = (s.disappeared_at_s, &s.disappeared) {
        let _ = write!(
            out,
            "<li class=\"bad\">disappeared at {}: {}</li>",
            html(&number::duration_s(at)),
            html(why)
        );
    }
    for l in &s.leaks {
        let class = if l.state == LeakState::Growing { "bad" } else { "good" };
        let _ = write!(out, "<li class=\"{class}\">{}</li>", html(&l.verdict));
    }
    out.push_str("</ul>");
    out += &stats_table(&s.metrics);
    out.push_str("<div class=\"charts\">");
    for (g, (unit, title, note)) in GROUPS.iter().enumerate() {
        if s.metrics.iter().any(|m| m.unit == *unit) {
            let _ = write!(
                out,
                "<figure class=\"panel\"><figcaption><b>{}</b><span>{}</span></figcaption>\
                 <div class=\"chart\" id=\"chart-monitor-{i}-{g}\" data-monitor-chart=\"{i}:{g}\"></div></figure>",
                html(title),
                html(note)
            );
        }
    }
    out.push_str("</div>");
    if let Some(f) = &s.flamegraph {
        out += &flame(f);
    }
    out.push_str("</div>\n");
    out
}

fn stats_table(metrics: &[MonitorMetric]) -> String {
    let mut out = String::from(
        "<table class=\"data monitor\"><thead><tr><th scope=\"col\">Metric</th>\
         <th class=\"num\" scope=\"col\">Min</th><th class=\"num\" scope=\"col\">Mean</th>\
         <th class=\"num\" scope=\"col\">Max</th><th class=\"num\" scope=\"col\">Last</th></tr></thead><tbody>",
    );
    for m in metrics {
        let v = |x: Option<f64>| html(&x.map_or_else(|| "–".to_string(), |x| value(&m.unit, x)));
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            html(&m.name),
            v(m.min),
            v(m.mean),
            v(m.max),
            v(m.last)
        );
    }
    out.push_str("</tbody></table>");
    out
}

/// A value in its unit: `37.5%`, `52.4 MiB`, `1.20 MiB/s`, `17`, `250 /s`.
pub fn value(unit: &str, v: f64) -> String {
    match unit {
        "percent" => format!("{}%", number::float(v, 1)),
        "bytes" => number::bytes(v.max(0.0) as u64),
        "bytes/s" => format!("{}/s", number::bytes(v.max(0.0) as u64)),
        "/s" => format!("{} /s", number::float(v, if v.abs() < 10.0 { 2 } else { 0 })),
        "count" => number::float(v, 0),
        _ => number::float(v, if v.abs() < 10.0 { 3 } else { 1 }),
    }
}

fn flame(f: &FlameGraphSummary) -> String {
    let file = html(&f.file);
    let mut out = format!(
        "<figure class=\"panel wide flame\"><figcaption><b>On-CPU flame graph</b><span>{} · {} stacks at 99 Hz · \
         <a href=\"{file}\">open {file}</a></span></figcaption>\
         <object data=\"{file}\" type=\"image/svg+xml\" class=\"flamegraph\" aria-label=\"flame graph\">\
         <a href=\"{file}\">{file}</a></object></figure>",
        html(&span(f.from_s, f.to_s)),
        number::int(f.samples),
    );
    out.push_str(
        "<table class=\"data flametop\"><thead><tr><th scope=\"col\">Function (top by self time)</th>\
         <th class=\"num\" scope=\"col\">Self</th><th class=\"num\" scope=\"col\">Self %</th>\
         <th class=\"num\" scope=\"col\">On stack</th></tr></thead><tbody>",
    );
    for t in &f.top {
        let _ = write!(
            out,
            "<tr><td class=\"fn\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}%</td><td class=\"num\">{}</td></tr>",
            html(&t.function),
            number::int(t.self_samples),
            number::float(t.self_percent, 1),
            number::int(t.total_samples),
        );
    }
    out.push_str("</tbody></table>");
    out
}

/// What the resource charts draw: per source, per chart group, each metric's values on
/// the run's time axis `t` (the reading at the same second, `null` where there is none).
pub fn chart_data(summary: &Summary, t: &[f64]) -> Value {
    if summary.monitor.is_empty() {
        return Value::Null;
    }
    let sources: Vec<Value> = summary
        .monitor
        .iter()
        .map(|s| {
            let groups: Vec<Value> = GROUPS
                .iter()
                .map(|(unit, _, _)| {
                    let series: Vec<Value> = s
                        .metrics
                        .iter()
                        .filter(|m| m.unit == *unit)
                        .map(|m| json!({ "name": m.name, "v": aligned(&s.t_s, &m.values, t) }))
                        .collect();
                    json!({ "unit": unit, "series": series })
                })
                .collect();
            json!({ "source": s.source, "groups": groups })
        })
        .collect();
    Value::Array(sources)
}

/// `values` (at times `at`) on the axis `t`: for each `t`, the reading within half a
/// second of it.
fn aligned(at: &[f64], values: &[Option<f64>], t: &[f64]) -> Vec<Value> {
    let mut j = 0;
    t.iter()
        .map(|&x| {
            while j + 1 < at.len() && at[j + 1] <= x + 0.5 {
                j += 1;
            }
            match (at.get(j), values.get(j)) {
                (Some(&a), Some(Some(v))) if (a - x).abs() < 0.5 => num(*v),
                _ => Value::Null,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    #[test]
    fn values_are_aligned_on_the_run_axis() {
        let at = [0.0, 1.0, 2.0, 4.0];
        let values = [Some(1.0), Some(2.0), None, Some(4.0)];
        let t = [1.0, 2.0, 3.0, 4.0, 5.0];
        let got = aligned(&at, &values, &t);
        assert_eq!(got, [json!(2), Value::Null, Value::Null, json!(4), Value::Null]);
    }

    #[test]
    fn the_section_shows_sources_leaks_charts_and_the_flame_graph() {
        let s = testing::monitored(30);
        let out = section(&s);
        assert!(out.contains("<h2>Target resources</h2>"));
        assert!(out.contains("pid:4242") && out.contains("host"));
        assert!(out.contains("<li class=\"bad\">rss_bytes grows"), "{out}");
        assert!(out.contains("disappeared at"), "{out}");
        assert!(out.contains("data-monitor-chart=\"0:0\"") && out.contains("data-monitor-chart=\"0:1\""));
        assert!(out.contains("<object data=\"flamegraph.svg\""));
        assert!(out.contains("loadcell_target::app::spin"));
        assert!(section(&testing::summary(3)).is_empty());
        let data = chart_data(&s, &s.timeseries.iter().map(|i| i.t_s).collect::<Vec<_>>());
        let cpu = &data[0]["groups"][0]["series"][0];
        assert_eq!(cpu["name"], "cpu_percent");
        assert_eq!(cpu["v"].as_array().map(Vec::len), Some(30));
        assert_eq!(value("bytes", 52_428_800.0), "50.0 MiB");
        assert_eq!(value("percent", 37.25), "37.2%");
    }
}
