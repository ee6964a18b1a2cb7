//! The Capacity section of a `loadcell capacity` report: the answer (the sustainable rate,
//! its bracket, why the search stopped, the knee of the p95 curve), a chart of p95 and p99
//! against the offered rate (drawn by `assets/js/search.js` from [`chart_data`]) and the
//! table of steps in the order they ran. Shown only when the summary has `capacity`.

use loadcell_schema::{CapacitySummary, SearchStop, Summary};
use serde_json::{Value, json};

use super::data::num;
use super::markup::{Cell, num as num_col, stat, table, text};
use crate::text::escape::html;
use crate::text::number;

/// The section, or nothing when the summary is not a capacity search.
pub fn section(summary: &Summary) -> String {
    let Some(c) = &summary.capacity else {
        return String::new();
    };
    let slos = c.slos.join(", ");
    let mut out = String::from("<section id=\"capacity\"><h2>Capacity</h2><div class=\"stats\">\n");
    match c.capacity_per_s {
        Some(rate) => {
            out += &stat(
                "Sustainable rate",
                &number::num_short(rate),
                "/s",
                &format!("highest passing step under {slos}"),
                "",
            );
        }
        None => {
            out += &stat("Sustainable rate", "none", "", &format!("no step held {slos}"), "bad");
        }
    }
    let bracket = |v: Option<f64>| v.map_or_else(|| "–".to_string(), |v| format!("{}/s", number::num_short(v)));
    out += &stat(
        "Bracket",
        &format!("{} – {}", bracket(c.highest_pass_per_s), bracket(c.lowest_fail_per_s)),
        "",
        "highest passing – lowest failing",
        "text",
    );
    out += &stat(
        "Search",
        &c.stop.as_str().replace('_', " "),
        "",
        &stop_detail(c),
        "text",
    );
    match &c.knee {
        Some(k) => {
            out += &stat(
                "Knee of p95",
                &number::num_short(k.offered_rate),
                "/s",
                &format!("p95 {} there; it climbs steeply above", number::ms(k.p95_ms)),
                "",
            );
        }
        None => {
            out += &stat(
                "Knee of p95",
                "none",
                "",
                "needs three rates and a rising curve",
                "text",
            )
        }
    }
    out += &at_capacity(c);
    out.push_str("</div>\n");
    out += &figure(c);
    out += &steps_table(c);
    out.push_str("</section>\n");
    out
}

/// The step at capacity (the highest passing one): its own latency and errors, which the
/// headline numbers further down (merged over every step) are not.
fn at_capacity(c: &CapacitySummary) -> String {
    let rate = c.capacity_per_s;
    let Some(step) = c.steps.iter().rev().find(|s| s.passed && Some(s.offered_rate) == rate) else {
        return String::new();
    };
    let ms = |v: Option<f64>| v.map_or_else(|| "–".to_string(), number::ms);
    stat(
        "Step at capacity",
        &ms(step.p95_ms),
        "p95",
        &format!(
            "at {}/s offered ({}/s achieved): p99 {} · errors {}%",
            number::num_short(step.offered_rate),
            number::num_short(step.achieved_rate),
            ms(step.p99_ms),
            number::num_short(step.error_pct)
        ),
        "text",
    )
}

/// Why the search stopped, and how long it took.
fn stop_detail(c: &CapacitySummary) -> String {
    let why = match c.stop {
        SearchStop::Converged => format!("bracket within {}%", number::num_short(c.precision * 100.0)),
        SearchStop::Budget => "time budget reached before the bracket narrowed".to_string(),
        SearchStop::MaxRate => "the highest rate allowed passed; capacity may be higher".to_string(),
        SearchStop::MinRate => "even the lowest rate allowed failed".to_string(),
        SearchStop::Interrupted => "interrupted".to_string(),
        SearchStop::Running => "did not finish (killed, or still running)".to_string(),
    };
    format!("{why} · {} steps in {}", c.steps.len(), number::duration_s(c.elapsed_s))
}

fn figure(c: &CapacitySummary) -> String {
    let limits: Vec<String> = c.latency_limits.iter().map(|l| l.slo.clone()).collect();
    let note = if limits.is_empty() {
        "per step, from the scheduled start; dots: passed (green) or failed (red)".to_string()
    } else {
        format!(
            "per step; dots: passed (green) or failed (red); dashed: {}",
            limits.join(", ")
        )
    };
    format!(
        "<div class=\"charts\"><figure class=\"card panel wide\"><figcaption><b>Latency against offered rate</b>\
         <span>{}</span></figcaption><div class=\"chart\" id=\"chart-capacity\" data-search-chart=\"capacity\"></div>\
         </figure></div>\n",
        html(&note)
    )
}

fn steps_table(c: &CapacitySummary) -> String {
    let ms = |v: Option<f64>| match v {
        Some(v) => Cell::num(v, number::ms(v)),
        None => Cell::text("–"),
    };
    let rows = c
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let unfinished = s.dropped + s.interrupted;
            let verdict = if s.passed {
                Cell::raw(1.0, "<span class=\"pass-word\">pass</span>".to_string())
            } else {
                let why = html(&s.failed.join("; "));
                Cell::raw(0.0, format!("<span class=\"why\">FAIL: {why}</span>")).bad_if(true)
            };
            vec![
                Cell::num((i + 1) as f64, (i + 1).to_string()),
                Cell::num(s.offered_rate, number::num_short(s.offered_rate)),
                Cell::num(s.achieved_rate, number::num(s.achieved_rate))
                    .bad_if(s.achieved_rate < 0.95 * s.offered_rate),
                ms(s.p50_ms),
                ms(s.p95_ms),
                ms(s.p99_ms),
                Cell::num(s.error_pct, number::percent(s.error_pct / 100.0)).bad_if(s.error_pct > 0.0),
                Cell::num(unfinished as f64, number::int(unfinished)).bad_if(unfinished > 0),
                verdict,
            ]
        })
        .collect();
    let columns = [
        num_col("Step"),
        num_col("Offered /s"),
        num_col("Achieved /s"),
        num_col("p50"),
        num_col("p95"),
        num_col("p99"),
        num_col("Errors"),
        num_col("Dropped"),
        text("Verdict"),
    ];
    let note = format!(
        "in the order they ran · {} measured each after {} warm-up · dropped: dropped or cut iterations",
        number::duration_s(c.step_duration_s),
        number::duration_s(c.step_warmup_s)
    );
    format!(
        "<div class=\"tables\"><div class=\"wide\">{}</div></div>\n",
        table("capacity-steps", "Steps", &note, &columns, rows, "no step finished")
    )
}

/// What the chart draws: the steps sorted by offered rate with p95, p99 and pass/fail, the
/// SLOs' latency limits, the capacity and the knee; `null` for other summaries.
pub fn chart_data(summary: &Summary) -> Value {
    let Some(c) = &summary.capacity else {
        return Value::Null;
    };
    let mut steps: Vec<_> = c.steps.iter().collect();
    steps.sort_by(|a, b| a.offered_rate.total_cmp(&b.offered_rate));
    let opt = |v: Option<f64>| v.map_or(Value::Null, num);
    json!({
        "rate": steps.iter().map(|s| num(s.offered_rate)).collect::<Vec<_>>(),
        "p95": steps.iter().map(|s| opt(s.p95_ms)).collect::<Vec<_>>(),
        "p99": steps.iter().map(|s| opt(s.p99_ms)).collect::<Vec<_>>(),
        "passed": steps.iter().map(|s| s.passed).collect::<Vec<_>>(),
        "limits": c.latency_limits.iter().map(|l| json!({ "label": l.slo, "ms": num(l.limit_ms) })).collect::<Vec<_>>(),
        "capacity": opt(c.capacity_per_s),
        "knee": c.knee.as_ref().map_or(Value::Null, |k| json!({ "rate": num(k.offered_rate), "p95": num(k.p95_ms) })),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    #[test]
    fn the_answer_the_steps_and_the_chart_are_on_the_page() {
        let summary = testing::capacity();
        let page = section(&summary);
        assert!(page.starts_with("<section id=\"capacity\">"), "{page}");
        assert!(page.contains("Sustainable rate"));
        assert!(
            page.contains("<div class=\"value\">150<small>/s</small></div>"),
            "{page}"
        );
        assert!(page.contains("150/s – 155/s"), "the bracket");
        assert!(page.contains("converged"));
        assert!(page.contains("bracket within 5% · 9 steps in 24.9 s"), "{page}");
        assert!(page.contains("Knee of p95"));
        assert!(page.contains("<div class=\"label\">Step at capacity</div>"), "{page}");
        assert!(page.contains("at 150/s offered"), "{page}");
        assert!(page.contains("data-search-chart=\"capacity\""));
        assert!(page.contains("dashed: p95&lt;200ms"), "the SLO line is named, escaped");
        assert_eq!(page.matches("<span class=\"pass-word\">pass</span>").count(), 7);
        assert!(page.contains("FAIL: p95&lt;200ms (actual 279.80 ms)"), "{page}");
        // Nine rows in run order: the fifth is the failing 160/s step.
        let rows: Vec<&str> = page.split("<tr>").skip(2).collect();
        assert_eq!(rows.len(), 9);
        assert!(rows[4].contains(">160</td>") && rows[4].contains("FAIL"), "{}", rows[4]);
    }

    #[test]
    fn a_capacity_report_opens_with_the_capacity_found() {
        let page = crate::export::html::html(&testing::capacity());
        let capacity = page.find("<section id=\"capacity\">").unwrap_or(usize::MAX);
        let verdict = page.find("<section id=\"verdict\"").unwrap_or(0);
        let numbers = page.find("<section id=\"numbers\">").unwrap_or(0);
        assert!(capacity < verdict && capacity < numbers, "capacity first");
        assert!(page.contains("<h2>Every step together</h2>"), "merged numbers say so");
    }

    #[test]
    fn no_capacity_says_so_and_other_summaries_have_no_section() {
        let mut summary = testing::capacity();
        if let Some(c) = summary.capacity.as_mut() {
            c.capacity_per_s = None;
            c.highest_pass_per_s = None;
            c.stop = SearchStop::MinRate;
            c.knee = None;
        }
        let page = section(&summary);
        assert!(page.contains("<div class=\"card stat bad\"><div class=\"label\">Sustainable rate</div><div class=\"value\">none</div>"), "{page}");
        assert!(page.contains("no step held p95&lt;200ms, error_rate&lt;1%"));
        assert!(page.contains("even the lowest rate allowed failed"));
        assert_eq!(section(&testing::summary(3)), "");
        assert_eq!(chart_data(&testing::summary(3)), Value::Null);
    }

    #[test]
    fn chart_data_is_sorted_by_rate_with_limits_and_marks() {
        let data = chart_data(&testing::capacity());
        let rates: Vec<f64> = data["rate"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(rates, [10.0, 20.0, 40.0, 80.0, 120.0, 140.0, 150.0, 155.0, 160.0]);
        assert_eq!(data["passed"][7], false);
        assert_eq!(data["passed"][6], true);
        assert_eq!(data["p95"][8], num(279.8));
        assert_eq!(data["limits"][0]["ms"], 200);
        assert_eq!(data["limits"][0]["label"], "p95<200ms");
        assert_eq!(data["capacity"], 150);
        assert_eq!(data["knee"]["rate"], 140);
    }

    #[test]
    fn hostile_slos_and_reasons_are_escaped() {
        let hostile = "</script><script>alert(1)</script>";
        let mut summary = testing::capacity();
        if let Some(c) = summary.capacity.as_mut() {
            c.slos[0] = hostile.to_string();
            c.steps[4].failed = vec![hostile.to_string()];
            c.latency_limits[0].slo = hostile.to_string();
        }
        let page = super::super::html(&summary);
        assert!(!page.contains("<script>alert(1)"), "raw markup leaked");
    }
}
