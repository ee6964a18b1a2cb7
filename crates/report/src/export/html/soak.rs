//! The Soak section (`--profile soak`): the p95 and error-rate trends of the hold — value
//! at the start, slope per hour with its 95% confidence interval, p-value, significance,
//! change per hour and the verdict sentences — and a chart of per-second p95 over the hold
//! with the fitted line. Shown only when the summary has `soak_trend`; also the data that
//! chart needs. The trend text helpers are shared with the Markdown export.

use std::fmt::Write;

use loadcell_schema::{SoakTrend, Summary, Trend};
use serde_json::{Value, json};

use super::data::num;
use super::phases::{chart, span};
use crate::text::escape::html;
use crate::text::number;

/// The section, or nothing without a soak trend.
pub fn section(summary: &Summary) -> String {
    let Some(s) = &summary.soak_trend else {
        return String::new();
    };
    let mut out = String::from("<section id=\"soak\"><h2>Soak</h2><div class=\"card stability\">");
    let _ = write!(
        out,
        "<h3>Trend over <b>{}</b><span>{} · {} one-second points · least-squares line</span></h3>",
        html(&s.phase),
        html(&span(s.from_s, s.to_s)),
        html(&number::int(s.points)),
    );
    out.push_str("<ul class=\"verdicts\">");
    for t in [&s.p95_ms, &s.error_rate] {
        if !t.verdict.is_empty() {
            let _ = write!(out, "<li class=\"{}\">{}</li>", class(t), html(&t.verdict));
        }
    }
    out.push_str("</ul>");
    out.push_str("<table class=\"data trends\"><thead><tr>");
    for (label, numeric) in COLUMNS {
        let c = if numeric { " class=\"num\"" } else { "" };
        let _ = write!(out, "<th{c} scope=\"col\">{}</th>", html(label));
    }
    out.push_str("</tr></thead><tbody>");
    out += &row("p95 latency", &s.p95_ms, &Unit::Ms);
    out += &row("Error rate", &s.error_rate, &Unit::Rate);
    out.push_str("</tbody></table>");
    out += &chart(
        "soak",
        "p95 over the hold",
        "per second, with the fitted trend line (dashed)",
    );
    out.push_str("</div></section>\n");
    out
}

const COLUMNS: [(&str, bool); 7] = [
    ("Metric", false),
    ("At start", true),
    ("Slope per hour", true),
    ("95% CI of the slope", true),
    ("p-value", true),
    ("Significant", false),
    ("Change per hour", true),
];

/// How a trend's values read: milliseconds, or a 0..1 rate shown in percent (its slope in
/// percentage points, `pp`).
pub enum Unit {
    Ms,
    Rate,
}

impl Unit {
    pub fn value(&self, v: f64) -> String {
        match self {
            Unit::Ms => number::ms(v),
            Unit::Rate => number::percent(v.max(0.0)),
        }
    }

    /// A signed change: `+36.0 ms`, `-0.010 pp`.
    pub fn change(&self, v: f64) -> String {
        let text = match self {
            Unit::Ms => number::ms(v),
            Unit::Rate => {
                let p = v * 100.0;
                let decimals = if p == 0.0 || p.abs() >= 0.1 {
                    2
                } else if p.abs() >= 0.01 {
                    3
                } else {
                    4
                };
                format!("{} pp", number::float(p, decimals))
            }
        };
        if v > 0.0 { format!("+{text}") } else { text }
    }
}

/// `< 0.001`, `0.042`, `0.62`.
pub fn p_value(p: f64) -> String {
    if !p.is_finite() {
        "–".to_string()
    } else if p < 0.001 {
        "< 0.001".to_string()
    } else if p < 0.01 {
        format!("{p:.3}")
    } else {
        format!("{p:.2}")
    }
}

/// `+180.0%`, `-33.3%`, or `–` when the start was 0.
pub fn change_pct(t: &Trend) -> String {
    match t.change_pct_per_hour {
        Some(v) if v.is_finite() => format!("{}{v:.1}%", if v > 0.0 { "+" } else { "" }),
        _ => "–".to_string(),
    }
}

/// A significant rise is bad news; a significant fall or no trend is not.
fn class(t: &Trend) -> &'static str {
    if t.significant && t.slope_per_hour > 0.0 {
        "bad"
    } else {
        "good"
    }
}

fn row(label: &str, t: &Trend, unit: &Unit) -> String {
    let bad = if class(t) == "bad" { " bad" } else { "" };
    format!(
        "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"num{bad}\">{}</td>\
         <td class=\"num\">{} to {}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num{bad}\">{}</td></tr>",
        html(label),
        html(&unit.value(t.start)),
        html(&unit.change(t.slope_per_hour)),
        html(&unit.change(t.slope_ci95[0])),
        html(&unit.change(t.slope_ci95[1])),
        html(&p_value(t.p_value)),
        if t.significant { "yes (p &lt; 0.05)" } else { "no" },
        html(&change_pct(t)),
    )
}

/// What the soak chart draws: the hold's span and each fitted line as `[start, slope per
/// hour]` (value = start + slope · (t − from) / 3600). `null` without a soak trend.
pub fn chart_data(summary: &Summary) -> Value {
    let Some(s) = &summary.soak_trend else {
        return Value::Null;
    };
    let line = |t: &Trend| json!([num(t.start), num(t.slope_per_hour)]);
    json!({
        "from": num(s.from_s),
        "to": num(s.to_s),
        "p95": line(&s.p95_ms),
        "errors": line(&s.error_rate),
    })
}

/// One line per trend for text formats: `p95 latency: 20.0 ms at start, +36.0 ms per hour
/// (95% CI +30.5 ms to +41.5 ms), p < 0.001, significant, +180.0% per hour`.
pub fn trend_line(label: &str, t: &Trend, unit: &Unit) -> String {
    let p = p_value(t.p_value);
    let p = if p.starts_with('<') {
        format!("p {p}")
    } else {
        format!("p = {p}")
    };
    let mut line = format!(
        "{label}: {} at start, {} per hour (95% CI {} to {}), {p}, {}",
        unit.value(t.start),
        unit.change(t.slope_per_hour),
        unit.change(t.slope_ci95[0]),
        unit.change(t.slope_ci95[1]),
        if t.significant {
            "significant"
        } else {
            "not significant"
        },
    );
    if t.change_pct_per_hour.is_some() {
        let _ = write!(line, ", {} per hour", change_pct(t));
    }
    line
}

/// The trend's stage in words: `hold 100%, 10–110 s, 100 points`.
pub fn scope(s: &SoakTrend) -> String {
    format!(
        "{}, {}, {} points",
        s.phase,
        span(s.from_s, s.to_s),
        number::int(s.points)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    #[test]
    fn trends_with_slope_interval_and_significance() {
        let page = section(&testing::soak());
        assert!(
            page.contains("Trend over <b>hold 100%</b><span>10–110 s · 100 one-second points"),
            "{page}"
        );
        assert!(page.contains("<li class=\"bad\">p95 rises 36.0 ms per hour (p &lt; 0.001)</li>"));
        assert!(page.contains("<li class=\"good\">no significant error-rate trend (p = 0.62)</li>"));
        assert!(page.contains(
            "<th scope=\"row\">p95 latency</th><td class=\"num\">20.0 ms</td><td class=\"num bad\">+36.0 ms</td>\
             <td class=\"num\">+30.5 ms to +41.5 ms</td><td class=\"num\">&lt; 0.001</td><td>yes (p &lt; 0.05)</td>\
             <td class=\"num bad\">+180.0%</td>"
        ));
        assert!(page.contains(
            "<th scope=\"row\">Error rate</th><td class=\"num\">0.03%</td><td class=\"num\">-0.010 pp</td>\
             <td class=\"num\">-0.090 pp to +0.070 pp</td><td class=\"num\">0.62</td><td>no</td><td class=\"num\">-33.3%</td>"
        ));
        assert!(page.contains("data-phase-chart=\"soak\""));
    }

    #[test]
    fn text_line_for_other_formats() {
        let s = testing::soak().soak_trend.unwrap();
        assert_eq!(
            trend_line("p95 latency", &s.p95_ms, &Unit::Ms),
            "p95 latency: 20.0 ms at start, +36.0 ms per hour (95% CI +30.5 ms to +41.5 ms), p < 0.001, \
             significant, +180.0% per hour"
        );
        let mut t = s.error_rate.clone();
        t.change_pct_per_hour = None;
        assert!(trend_line("errors", &t, &Unit::Rate).ends_with("p = 0.62, not significant"));
        assert_eq!(scope(&s), "hold 100%, 10–110 s, 100 points");
    }

    #[test]
    fn chart_data_carries_span_and_lines() {
        let data = chart_data(&testing::soak());
        assert_eq!(data["from"], 10);
        assert_eq!(data["to"], 110);
        assert_eq!(data["p95"], json!([20, 36]));
        assert_eq!(data["errors"], json!([0.0003, -0.0001]));
    }

    #[test]
    fn absent_without_a_trend_and_escaped_with_one() {
        assert_eq!(section(&testing::spike()), "");
        assert_eq!(chart_data(&testing::spike()), Value::Null);
        let mut summary = testing::soak();
        if let Some(s) = summary.soak_trend.as_mut() {
            s.phase = "</script><script>alert(1)</script>".to_string();
            s.p95_ms.verdict = "<img src=x onerror=alert(1)>".to_string();
        }
        let page = section(&summary);
        assert!(!page.contains("<script") && !page.contains("<img"), "{page}");
    }
}
