//! The Stages section of staged runs (profiles and `--stages`): one row per stage with its
//! time span, level, achieved rate, latency, errors, dropped iterations and whether the
//! thresholds held on that stage alone, the breaking-point stage highlighted, and the
//! breaking point in one sentence. Shown only when the summary has `phases[]`.

use std::fmt::Write;

use loadcell_schema::{Behaviour, BreakingPoint, PhaseSummary, StageMark, Summary};

use crate::text::escape::html;
use crate::text::number;

/// The section, or nothing for a run of one stage. A capacity search or a scale sweep has
/// one phase per step, but its own section already tables the steps.
pub fn section(summary: &Summary) -> String {
    if summary.phases.is_empty() || summary.capacity.is_some() || summary.scale.is_some() {
        return String::new();
    }
    let breaking = summary.breaking_point.as_ref().and_then(|b| breaking_row(summary, b));
    let mut out = String::from(
        "<section id=\"stages\"><h2>Stages</h2><div class=\"card tablecard\">\
         <h3>Per stage<span>each stage measured on its own; thresholds judged on the stage alone</span></h3>\
         <table class=\"data stages\"><thead><tr>",
    );
    for (label, numeric) in COLUMNS {
        let class = if numeric { " class=\"num\"" } else { "" };
        let _ = write!(out, "<th{class} scope=\"col\">{}</th>", html(label));
    }
    out.push_str("</tr></thead><tbody>");
    for (i, p) in summary.phases.iter().enumerate() {
        out += &row(summary, p, breaking == Some(i));
    }
    out.push_str("</tbody></table>");
    out += &conclusion(summary);
    out.push_str("</div></section>\n");
    out
}

const COLUMNS: [(&str, bool); 11] = [
    ("Stage", false),
    ("Time", true),
    ("Level", true),
    ("Achieved", true),
    ("p50", true),
    ("p95", true),
    ("p99", true),
    ("Errors", true),
    ("Error kinds", false),
    ("Dropped", true),
    ("Thresholds", false),
];

/// The row of `phases` the breaking point names: `phase` indexes the stages of the curve,
/// which is the same row unless a stage had no measured seconds (then found by name).
pub fn breaking_row(summary: &Summary, b: &BreakingPoint) -> Option<usize> {
    match summary.phases.get(b.phase) {
        Some(p) if p.name == b.name => Some(b.phase),
        _ => summary.phases.iter().position(|p| p.name == b.name),
    }
}

/// The stage of the curve a phase measured (same start), for its ramp and unit.
fn stage_of<'a>(summary: &'a Summary, p: &PhaseSummary) -> Option<&'a StageMark> {
    summary.stages.iter().find(|s| (s.start_s - p.start_s).abs() < 1e-6)
}

/// `/s` for arrival rates, ` VUs` for virtual users, else the unit as written.
fn unit_suffix(unit: &str) -> String {
    match unit {
        "iterations/s" | "" => "/s".to_string(),
        "vus" => " VUs".to_string(),
        other => format!(" {other}"),
    }
}

/// The run's level unit (every stage of a curve has the same one).
fn run_unit(summary: &Summary) -> String {
    unit_suffix(summary.stages.first().map_or("", |s| s.unit.as_str()))
}

/// `150/s`, `50 VUs`, or `0 → 100/s` for a ramp.
pub fn level(summary: &Summary, p: &PhaseSummary) -> String {
    let unit = run_unit(summary);
    match stage_of(summary, p) {
        Some(s) if s.from != s.to => {
            format!("{} → {}{unit}", number::num_short(s.from), number::num_short(s.to))
        }
        _ => format!("{}{unit}", number::num_short(p.level)),
    }
}

/// A chart container of the staged-run sections, drawn by `assets/js/phases.js` (its own
/// `data-phase-chart` attribute, so the over-time charts' drawing loop leaves it alone).
pub fn chart(name: &str, title: &str, note: &str) -> String {
    format!(
        "<figure class=\"panel\"><figcaption><b>{}</b><span>{}</span></figcaption>\
         <div class=\"chart\" id=\"chart-{name}\" data-phase-chart=\"{name}\"></div></figure>\n",
        html(title),
        html(note),
    )
}

/// `10–30 s`: seconds since the start of the run.
pub fn span(start_s: f64, end_s: f64) -> String {
    format!("{}–{} s", number::num_short(start_s), number::num_short(end_s))
}

/// `reset 12 · request timeout 9`, or `error statuses` when requests failed without a
/// transport error (HTTP ≥ 400 responses are failures but not error kinds).
pub fn error_kinds(p: &PhaseSummary) -> String {
    let kinds: Vec<String> = p
        .errors
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| format!("{} {}", k.replace('_', " "), number::int(*n)))
        .collect();
    if !kinds.is_empty() {
        kinds.join(" · ")
    } else if p.error_rate > 0.0 {
        "error statuses".to_string()
    } else {
        String::new()
    }
}

fn row(summary: &Summary, p: &PhaseSummary, breaking: bool) -> String {
    let l = &p.latency_ms;
    let num = |shown: String, bad: bool| {
        let class = if bad { "num bad" } else { "num" };
        format!("<td class=\"{class}\">{}</td>", html(&shown))
    };
    let ms = |v: f64| num(if l.count == 0 { "–".into() } else { number::ms(v) }, false);
    let mut out = String::new();
    let mark = if breaking {
        " <span class=\"tag bad\">breaking point</span>"
    } else {
        ""
    };
    let _ = write!(
        out,
        "<tr{}><td class=\"name\">{}{mark}</td>",
        if breaking { " class=\"breaking\"" } else { "" },
        html(&p.name)
    );
    out += &num(span(p.start_s, p.end_s), false);
    out += &num(level(summary, p), false);
    out += &num(format!("{} req/s", number::num(p.rate_per_s)), false);
    out += &ms(l.p50);
    out += &ms(l.p95);
    out += &ms(l.p99);
    out += &num(number::percent(p.error_rate), p.error_rate > 0.0);
    let _ = write!(out, "<td class=\"wrap\">{}</td>", html(&error_kinds(p)));
    out += &num(number::int(p.dropped_iterations), p.dropped_iterations > 0);
    out += &verdict_cell(p);
    out.push_str("</tr>");
    out
}

fn verdict_cell(p: &PhaseSummary) -> String {
    match p.thresholds_passed {
        None => "<td class=\"faint\">–</td>".to_string(),
        Some(true) => "<td class=\"held\">✓ held</td>".to_string(),
        Some(false) => {
            let failed: Vec<String> = p
                .failed_thresholds
                .iter()
                .map(|t| format!("<code>{}</code>", html(t)))
                .collect();
            format!("<td class=\"bad wrap\">✗ failed: {}</td>", failed.join(", "))
        }
    }
}

/// The breaking point in one sentence, or what the stages say without one.
fn conclusion(summary: &Summary) -> String {
    let judged = summary.phases.iter().any(|p| p.thresholds_passed.is_some());
    let all_held = summary.phases.iter().all(|p| p.thresholds_passed != Some(false));
    let text = match &summary.breaking_point {
        Some(b) => breaking_sentence(summary, b, html, bold),
        None if judged && all_held => "Every stage held the thresholds.".to_string(),
        // Failed stages without a breaking point (not written so far): the rows say it all.
        None if judged => return String::new(),
        None => return "<p class=\"note\">No thresholds were set, so no stage was judged.</p>".to_string(),
    };
    let class = if summary.breaking_point.is_some() {
        "bad"
    } else {
        "good"
    };
    format!("<p class=\"callout {class}\">{text}</p>")
}

/// `Breaking point: <b>step 150%</b> (150/s, 142 req/s achieved) — latency climbed, errors
/// appeared: …; last stage that held: <b>step 100%</b>.` Every string goes through `esc`,
/// stage names through `strong` (which escapes too), so HTML and Markdown share the wording.
pub fn breaking_sentence(
    summary: &Summary,
    b: &BreakingPoint,
    esc: fn(&str) -> String,
    strong: fn(&str) -> String,
) -> String {
    let mut text = format!(
        "Breaking point: {} ({}, {} req/s achieved)",
        strong(&b.name),
        esc(&format!("{}{}", number::num_short(b.level), run_unit(summary))),
        esc(&number::num(b.rate_per_s)),
    );
    if !b.how.is_empty() {
        let _ = write!(text, " — {}", esc(&b.how.join(", ")));
    }
    if !b.detail.is_empty() {
        let _ = write!(text, ": {}", esc(&b.detail.join("; ")));
    }
    match &b.last_good {
        Some(good) => {
            let _ = write!(text, "; last stage that held: {}.", strong(good));
        }
        None => text.push_str("; no stage before it held."),
    }
    if let (Some(word), Some(detail)) = (&b.behaviour, &b.behaviour_detail) {
        let word = match word {
            Behaviour::Graceful => "It degraded gracefully",
            Behaviour::FellOver => "It fell over",
            Behaviour::Degraded => "It degraded",
        };
        let _ = write!(text, " {}: {}.", strong(word), esc(detail));
    }
    text
}

fn bold(s: &str) -> String {
    format!("<b>{}</b>", html(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    const HOSTILE: &str = "</script><script>alert(1)</script>";

    #[test]
    fn one_row_per_phase_with_the_breaking_stage_highlighted() {
        let page = section(&testing::stress());
        assert_eq!(page.matches("<tr>").count() + page.matches("<tr class").count(), 5);
        assert_eq!(page.matches("class=\"breaking\"").count(), 1);
        let breaking = &page[page.find("class=\"breaking\"").unwrap()..];
        assert!(
            breaking.starts_with("class=\"breaking\"><td class=\"name\">step 150%"),
            "{breaking}"
        );
        assert!(page.contains("<td class=\"num\">30–45 s</td>"), "{page}");
        assert!(
            page.contains("<td class=\"num\">0 → 100/s</td>"),
            "ramps show from → to"
        );
        assert!(page.contains("<td class=\"num\">150/s</td>"));
        assert!(page.contains("<td class=\"num\">142 req/s</td>"));
        assert!(page.contains("<td class=\"num\">412 ms</td>"));
        assert!(page.contains("<td class=\"wrap\">request timeout 9 · reset 80</td>"));
        assert!(page.contains("<td class=\"num bad\">42</td>"), "dropped iterations");
        assert!(page.contains("<td class=\"held\">✓ held</td>"));
        assert!(page.contains("✗ failed: <code>p95&lt;200ms</code>, <code>error_rate&lt;1%</code>"));
    }

    #[test]
    fn breaking_point_sentence_names_stage_level_how_and_last_good() {
        let page = section(&testing::stress());
        assert!(
            page.contains(
                "Breaking point: <b>step 150%</b> (150/s, 142 req/s achieved) — latency climbed, errors appeared: \
                 p95 412.0 ms, 4.1× the previous stage&#39;s 100.0 ms; 0.56% of requests failed (reset: 12); \
                 last stage that held: <b>step 100%</b>."
            ),
            "{page}"
        );
        let mut summary = testing::stress();
        summary.breaking_point = None;
        summary.phases.iter_mut().for_each(|p| p.thresholds_passed = Some(true));
        assert!(section(&summary).contains("Every stage held the thresholds."));
        summary.phases.iter_mut().for_each(|p| p.thresholds_passed = None);
        let page = section(&summary);
        assert!(page.contains("no stage was judged"));
        assert!(page.contains("<td class=\"faint\">–</td>"));
    }

    #[test]
    fn closed_model_levels_are_vus() {
        let mut summary = testing::stress();
        summary.stages.iter_mut().for_each(|s| s.unit = "vus".to_string());
        let page = section(&summary);
        assert!(page.contains("<td class=\"num\">150 VUs</td>"));
        assert!(page.contains("(150 VUs, 142 req/s achieved)"));
    }

    #[test]
    fn absent_without_phases() {
        assert_eq!(section(&testing::summary(10)), "");
    }

    #[test]
    fn capacity_and_scale_steps_are_tabled_by_their_own_sections() {
        let stress = testing::stress();
        assert!(!stress.phases.is_empty());
        for mut summary in [testing::capacity(), testing::scale()] {
            summary.phases = stress.phases.clone();
            assert_eq!(section(&summary), "");
        }
    }

    #[test]
    fn page_shows_each_staged_section_only_with_its_data_after_the_charts() {
        let page = |s: &Summary| crate::export::html::html(s);
        let plain = page(&testing::summary(10));
        for id in ["id=\"stages\"", "id=\"spike\"", "id=\"soak\"", "data-phase-chart=\""] {
            assert!(!plain.contains(id), "{id} without its data");
        }
        let spike = page(&testing::spike());
        let at = |needle: &str| spike.find(needle).unwrap_or_else(|| panic!("no {needle}"));
        assert!(at("id=\"charts\"") < at("id=\"stages\""));
        assert!(at("id=\"stages\"") < at("id=\"spike\""));
        assert!(at("id=\"spike\"") < at("id=\"distribution\""));
        assert!(!spike.contains("id=\"soak\""));
        let soak = page(&testing::soak());
        assert!(soak.contains("id=\"stages\"") && soak.contains("id=\"soak\"") && !soak.contains("id=\"spike\""));
    }

    #[test]
    fn chart_data_names_the_stages() {
        let data = super::super::data::chart_data(&testing::stress());
        assert_eq!(data["stages"][2]["name"], "step 150%");
        assert_eq!(data["spike"], serde_json::Value::Null);
        let data = super::super::data::chart_data(&testing::summary(3));
        assert_eq!(data["stages"][0]["name"], serde_json::Value::Null);
    }

    #[test]
    fn breaking_row_falls_back_to_the_name() {
        let mut summary = testing::stress();
        summary.phases.remove(0);
        let b = summary.breaking_point.clone().unwrap();
        assert_eq!(breaking_row(&summary, &b), Some(1));
    }

    #[test]
    fn hostile_names_in_every_staged_section_keep_the_page_intact() {
        let mut summary = testing::spike();
        summary.phases[3].name = HOSTILE.to_string();
        summary.stages[3].name = Some(HOSTILE.to_string());
        if let Some(s) = summary.spike_recovery.as_mut() {
            s.spike_phase = HOSTILE.to_string();
        }
        summary.soak_trend = testing::soak().soak_trend;
        if let Some(t) = summary.soak_trend.as_mut() {
            t.phase = HOSTILE.to_string();
            t.error_rate.verdict = HOSTILE.to_string();
        }
        let page = crate::export::html::html(&summary);
        assert_eq!(page.matches("<script").count(), 4, "data, error hook, uPlot, report.js");
        assert!(!page.contains("<script>alert"));
        let start = page.find("id=\"report-data\">").unwrap() + "id=\"report-data\">".len();
        let end = start + page[start..].find("</script>").unwrap();
        let data: serde_json::Value = serde_json::from_str(&page[start..end]).unwrap();
        assert_eq!(data["stages"][3]["name"], HOSTILE);
    }

    #[test]
    fn hostile_strings_are_escaped() {
        let mut summary = testing::stress();
        summary.phases[2].name = HOSTILE.to_string();
        summary.phases[3].failed_thresholds.push(HOSTILE.to_string());
        summary.phases[3].errors.insert(HOSTILE.to_string(), 1);
        if let Some(b) = summary.breaking_point.as_mut() {
            b.name = HOSTILE.to_string();
            b.detail.push(HOSTILE.to_string());
            b.last_good = Some(HOSTILE.to_string());
        }
        let page = section(&summary);
        assert!(!page.contains("<script"), "{page}");
        assert!(page.contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert_eq!(page.matches("class=\"breaking\"").count(), 1, "still found by name");
    }
}
