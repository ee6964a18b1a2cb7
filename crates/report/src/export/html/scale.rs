//! The Scalability section of a `loadcell scale` report: the fitted Universal Scalability
//! Law (λ, σ, κ, R², the peak N* and its predicted throughput, or the ceiling), a chart of
//! the measured throughput against VUs over the fitted curve (drawn by
//! `assets/js/search.js` from [`chart_data`]) and the efficiency table. Shown only when the
//! summary has `scale`.

use loadcell_schema::{ScaleSummary, Summary, UslFit};
use serde_json::{Value, json};

use super::data::num;
use super::markup::{Cell, num as num_col, stat, table};
use crate::text::escape::html;
use crate::text::number;

/// The section, or nothing when the summary is not a scale sweep.
pub fn section(summary: &Summary) -> String {
    let Some(s) = &summary.scale else {
        return String::new();
    };
    let mut out = String::from("<section id=\"scale\"><h2>Scalability</h2>\n");
    match &s.fit {
        Some(fit) => out += &fit_cards(fit, s.points.iter().map(|p| p.vus).max().unwrap_or(0)),
        None => {
            let why = s.error.as_deref().unwrap_or("the points could not be fitted");
            out += &format!("<div class=\"card callout bad\"><b>No fit.</b> {}</div>\n", html(why));
        }
    }
    out += &figure(s);
    out += &efficiency_table(s);
    out.push_str("</section>\n");
    out
}

/// The fit's parameters and its peak; a peak beyond `measured_max` VUs (the highest level
/// measured) is the model's extrapolation and says so.
fn fit_cards(f: &UslFit, measured_max: u64) -> String {
    let mut out = String::from("<div class=\"stats\">\n");
    let per_vu = if f.lambda > 0.0 {
        format!("one VU's throughput · 1/λ = {}", number::ms(1000.0 / f.lambda))
    } else {
        "one VU's throughput".to_string()
    };
    out += &stat("λ", &number::param(f.lambda), "req/s", &per_vu, "");
    out += &stat(
        "σ contention",
        &number::param(f.sigma),
        "",
        "share of the work that is serialized",
        "",
    );
    out += &stat(
        "κ coherency",
        &number::param(f.kappa),
        "",
        "cost of crosstalk between each pair of VUs",
        "",
    );
    out += &stat(
        "R²",
        &format!("{:.4}", f.r_squared),
        "",
        &format!("rmse {} req/s", number::num(f.rmse)),
        "",
    );
    match (f.peak_vus, f.peak_throughput) {
        (Some(n), Some(x)) => {
            let extrapolated = n > measured_max as f64;
            let sub = match extrapolated {
                true => format!(
                    "extrapolated: the highest level measured was {measured_max} VUs · N* = √((1−σ)/κ); predicted X(N*) = {} req/s",
                    number::num(x)
                ),
                false => format!("N* = √((1−σ)/κ); predicted X(N*) = {} req/s", number::num(x)),
            };
            let label = if extrapolated { "Peak (extrapolated)" } else { "Peak" };
            out += &stat(label, &number::num(n), "VUs", &sub, "");
        }
        _ => {
            let sub = match f.ceiling {
                Some(c) => format!("κ = 0: throughput approaches λ/σ = {} req/s", number::num(c)),
                None => "κ = σ = 0: throughput scales linearly".to_string(),
            };
            out += &stat("Peak", "none", "", &sub, "text");
        }
    }
    out.push_str("</div>\n");
    out
}

fn figure(s: &ScaleSummary) -> String {
    let note = if s.fit.is_some() {
        "dots: measured requests/s per level · line: fitted X(N) = λN / (1 + σ(N−1) + κN(N−1))"
    } else {
        "dots: measured requests/s per level (no fitted curve)"
    };
    format!(
        "<div class=\"charts\"><figure class=\"card panel wide\"><figcaption><b>Throughput against VUs</b>\
         <span>{}</span></figcaption><div class=\"chart\" id=\"chart-scale\" data-search-chart=\"scale\"></div>\
         </figure></div>\n",
        html(note)
    )
}

fn efficiency_table(s: &ScaleSummary) -> String {
    let opt = |v: Option<f64>, show: fn(f64) -> String| match v {
        Some(v) => Cell::num(v, show(v)),
        None => Cell::text("–"),
    };
    let rows = s
        .points
        .iter()
        .map(|p| {
            vec![
                Cell::num(p.vus as f64, number::int(p.vus)),
                Cell::num(p.throughput, number::num(p.throughput)),
                opt(p.fitted_throughput, number::num),
                opt(p.mean_ms, number::ms),
                opt(p.p95_ms, number::ms),
                Cell::num(p.failed as f64, number::int(p.failed)).bad_if(p.failed > 0),
                opt(p.efficiency, number::percent),
                opt(p.fitted_efficiency, number::percent),
            ]
        })
        .collect();
    let columns = [
        num_col("VUs"),
        num_col("req/s"),
        num_col("Fitted req/s"),
        num_col("Mean"),
        num_col("p95"),
        num_col("Failed"),
        num_col("Efficiency"),
        num_col("Fitted eff."),
    ];
    let mut note = format!(
        "efficiency: X(N) / (N·X(1)), 100% is linear · {} measured per level after {} warm-up",
        number::duration_s(s.step_duration_s),
        number::duration_s(s.step_warmup_s)
    );
    if s.points.len() < s.planned_vus.len() {
        note += &format!(" · {} of {} levels measured", s.points.len(), s.planned_vus.len());
    }
    if s.points.iter().any(|p| p.failed > 0) {
        note += " · failed requests count as throughput";
    }
    format!(
        "<div class=\"tables\"><div class=\"wide\">{}</div></div>\n",
        table("scale-levels", "Levels", &note, &columns, rows, "no level finished")
    )
}

/// What the chart draws, on one x axis (VUs): the fitted curve's points and the measured
/// levels merged and sorted, `measured` set only at levels and `fit` wherever the fit is
/// known; the peak and the ceiling; `null` for other summaries.
pub fn chart_data(summary: &Summary) -> Value {
    let Some(s) = &summary.scale else {
        return Value::Null;
    };
    // (VUs, measured, fitted)
    let mut xs: Vec<(f64, Option<f64>, Option<f64>)> =
        s.curve.iter().map(|c| (c.vus, None, Some(c.throughput))).collect();
    for p in &s.points {
        let n = p.vus as f64;
        match xs.iter_mut().find(|x| (x.0 - n).abs() < 1e-9) {
            Some(x) => x.1 = Some(p.throughput),
            None => xs.push((n, Some(p.throughput), p.fitted_throughput.filter(|_| s.fit.is_some()))),
        }
    }
    xs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let opt = |v: Option<f64>| v.map_or(Value::Null, num);
    let fit = s.fit.as_ref();
    json!({
        "n": xs.iter().map(|x| num(x.0)).collect::<Vec<_>>(),
        "measured": xs.iter().map(|x| opt(x.1)).collect::<Vec<_>>(),
        "fit": xs.iter().map(|x| opt(x.2)).collect::<Vec<_>>(),
        "peak": opt(fit.and_then(|f| f.peak_vus)),
        "peak_x": opt(fit.and_then(|f| f.peak_throughput)),
        "ceiling": opt(fit.and_then(|f| f.ceiling)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    #[test]
    fn a_peak_beyond_the_levels_measured_is_marked_extrapolated() {
        let mut summary = testing::scale();
        if let Some(f) = summary.scale.as_mut().and_then(|s| s.fit.as_mut()) {
            f.peak_vus = Some(183.0);
        }
        let page = section(&summary);
        assert!(
            page.contains("<div class=\"label\">Peak (extrapolated)</div><div class=\"value\">183"),
            "{page}"
        );
        assert!(
            page.contains("extrapolated: the highest level measured was 32 VUs"),
            "{page}"
        );
    }

    #[test]
    fn the_fit_the_levels_and_the_chart_are_on_the_page() {
        let summary = testing::scale();
        let page = section(&summary);
        assert!(page.starts_with("<section id=\"scale\">"), "{page}");
        for (label, value) in [
            ("λ", "50.0000"),
            ("σ contention", "0.0200"),
            ("κ coherency", "2.000e-3"),
            ("R²", "0.9991"),
            ("Peak", "22.1"),
        ] {
            let card = format!("<div class=\"label\">{label}</div><div class=\"value\">{value}");
            assert!(page.contains(&card), "{card}\n{page}");
        }
        assert!(page.contains("predicted X(N*) = "), "{page}");
        assert!(!page.contains("extrapolated"), "22 VUs is within the 32 measured");
        assert!(page.contains("data-search-chart=\"scale\""));
        let rows: Vec<&str> = page.split("<tr>").skip(2).collect();
        assert_eq!(rows.len(), 6, "one row per level");
        assert!(
            rows[5].starts_with("<td class=\"num\" data-v=\"32\">32</td>"),
            "{}",
            rows[5]
        );
        assert_eq!(section(&testing::summary(3)), "");
    }

    #[test]
    fn no_fit_shows_why_and_a_ceiling_replaces_the_peak() {
        let mut summary = testing::scale();
        if let Some(s) = summary.scale.as_mut() {
            s.fit = None;
            s.curve.clear();
            s.error = Some("every request failed; is the target <up>?".to_string());
            s.planned_vus.push(64);
        }
        let page = section(&summary);
        assert!(
            page.contains("<b>No fit.</b> every request failed; is the target &lt;up&gt;?"),
            "{page}"
        );
        assert!(page.contains("6 of 7 levels measured"));
        assert!(!page.contains("σ contention"));
        let data = chart_data(&summary);
        assert_eq!(data["n"].as_array().map(Vec::len), Some(6));
        assert!(data["fit"].as_array().unwrap().iter().all(Value::is_null));

        let mut summary = testing::scale();
        if let Some(f) = summary.scale.as_mut().and_then(|s| s.fit.as_mut()) {
            f.kappa = 0.0;
            f.peak_vus = None;
            f.peak_throughput = None;
            f.ceiling = Some(2500.0);
        }
        assert!(section(&summary).contains("throughput approaches λ/σ = 2,500 req/s"));
    }

    #[test]
    fn chart_data_merges_levels_into_the_curve() {
        let data = chart_data(&testing::scale());
        let n: Vec<f64> = data["n"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert!(n.windows(2).all(|w| w[0] <= w[1]), "sorted: {n:?}");
        // 64 curve points; 1 VU is on the curve, the other five levels are added.
        assert_eq!(n.len(), 64 + 5);
        let measured = data["measured"].as_array().unwrap();
        assert_eq!(measured.iter().filter(|v| !v.is_null()).count(), 6);
        assert!(data["fit"].as_array().unwrap().iter().all(|v| !v.is_null()));
        assert!(data["peak"].as_f64().is_some_and(|p| (p - 22.14).abs() < 0.01));
    }
}
