//! The staged-run parts of `summary.md`: the per-stage table with the breaking point, the
//! spike recovery and the soak trend, each only when the summary has it. The wording comes
//! from the HTML sections (`export::html::{phases, spike, soak}`), so both formats say the
//! same thing.

use std::fmt::Write;

use loadcell_schema::Summary;

use crate::export::html::phases::{breaking_row, breaking_sentence, error_kinds, level, span};
use crate::export::html::soak::{Unit, scope, trend_line};
use crate::export::html::spike::{answer, tolerance};
use crate::text::escape::{md_code, md_text};
use crate::text::number;

/// The per-stage table and the breaking point (runs with more than one stage).
pub fn stages(out: &mut String, summary: &Summary) {
    if summary.phases.is_empty() {
        return;
    }
    let breaking = summary.breaking_point.as_ref().and_then(|b| breaking_row(summary, b));
    out.push_str("**Stages**\n\n");
    out.push_str(
        "| Stage | Time | Level | Achieved | p50 | p95 | p99 | Errors | Error kinds | Dropped | Thresholds |\n\
         |---|--:|--:|--:|--:|--:|--:|--:|---|--:|---|\n",
    );
    for (i, p) in summary.phases.iter().enumerate() {
        let name = if breaking == Some(i) {
            format!("**{}** (breaking point)", md_text(&p.name))
        } else {
            md_text(&p.name)
        };
        let verdict = match p.thresholds_passed {
            None => "–".to_string(),
            Some(true) => "✅ held".to_string(),
            Some(false) => {
                let failed: Vec<String> = p.failed_thresholds.iter().map(|t| md_code(t)).collect();
                format!("❌ {}", failed.join(", "))
            }
        };
        let l = &p.latency_ms;
        let ms = |v: f64| if l.count == 0 { "–".to_string() } else { number::ms(v) };
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} req/s | {} | {} | {} | {} | {} | {} | {verdict} |",
            span(p.start_s, p.end_s),
            md_text(&level(summary, p)),
            number::num(p.rate_per_s),
            ms(l.p50),
            ms(l.p95),
            ms(l.p99),
            number::percent(p.error_rate),
            md_text(&error_kinds(p)),
            number::int(p.dropped_iterations),
        );
    }
    out.push('\n');
    let judged = summary.phases.iter().any(|p| p.thresholds_passed.is_some());
    if let Some(b) = &summary.breaking_point {
        let _ = writeln!(out, "💥 {}\n", breaking_sentence(summary, b, md_text, strong));
    } else if judged && summary.phases.iter().all(|p| p.thresholds_passed != Some(false)) {
        out.push_str("✅ Every stage held the thresholds.\n\n");
    }
}

fn strong(s: &str) -> String {
    format!("**{}**", md_text(s))
}

/// The spike's degradation and whether (and when) the target recovered.
pub fn spike(out: &mut String, summary: &Summary) {
    let Some(s) = &summary.spike_recovery else {
        return;
    };
    let (class, text) = answer(s);
    let mark = if class == "good" { "✅" } else { "❌" };
    let _ = writeln!(
        out,
        "**Spike:** {mark} **{}** — {}\n",
        md_text(&text),
        md_text(&tolerance(s))
    );
    out.push_str("| | Stage | p95 | p99 | Errors |\n|---|---|--:|--:|--:|\n");
    let baseline_p99 = summary
        .phases
        .iter()
        .find(|p| p.name == s.baseline_phase)
        .map_or("–".to_string(), |p| number::ms(p.latency_ms.p99));
    let _ = writeln!(
        out,
        "| Baseline | {} | {} | {baseline_p99} | {} |",
        md_text(&s.baseline_phase),
        number::ms(s.baseline_p95_ms),
        number::percent(s.baseline_error_rate),
    );
    let _ = writeln!(
        out,
        "| Spike | {} | {} | {} | {} |",
        md_text(&s.spike_phase),
        number::ms(s.spike_p95_ms),
        number::ms(s.spike_p99_ms),
        number::percent(s.spike_error_rate),
    );
    let _ = writeln!(
        out,
        "| Worst rolling p95 | {} window | {} | – | – |\n",
        number::duration_s(s.window_s),
        number::ms(s.worst_p95_ms),
    );
}

/// The soak's p95 and error-rate trends: verdicts, then the numbers behind them.
pub fn soak(out: &mut String, summary: &Summary) {
    let Some(s) = &summary.soak_trend else {
        return;
    };
    let _ = writeln!(out, "**Soak trend** ({})\n", md_text(&scope(s)));
    for (label, t, unit) in [
        ("p95 latency", &s.p95_ms, Unit::Ms),
        ("Error rate", &s.error_rate, Unit::Rate),
    ] {
        let mark = if t.significant && t.slope_per_hour > 0.0 {
            "⚠️"
        } else {
            "✅"
        };
        let verdict = if t.verdict.is_empty() {
            String::new()
        } else {
            format!("**{}** — ", md_text(&t.verdict))
        };
        let _ = writeln!(out, "- {mark} {verdict}{}", md_text(&trend_line(label, t, &unit)));
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    fn render(f: fn(&mut String, &Summary), summary: &Summary) -> String {
        let mut out = String::new();
        f(&mut out, summary);
        out
    }

    #[test]
    fn stage_table_and_breaking_point() {
        let md = render(stages, &testing::stress());
        assert_eq!(
            md.lines().filter(|l| l.starts_with("| ")).count(),
            5,
            "header and four stages\n{md}"
        );
        assert!(
            md.contains(
                "| ramp up | 0–10 s | 0 → 100/s | 50.0 req/s | 20.0 ms | 40.0 ms | 60.0 ms | 0% |  | 0 | ✅ held |"
            ),
            "{md}"
        );
        assert!(
            md.contains(
                "| **step 150%** (breaking point) | 30–45 s | 150/s | 142 req/s | 206 ms | 412 ms | 618 ms | 0.56% | \
                 reset 12 | 0 | ❌ `p95<200ms`, `error_rate<1%` |"
            ),
            "{md}"
        );
        assert!(
            md.contains(
                "💥 Breaking point: **step 150%** (150/s, 142 req/s achieved) — latency climbed, errors appeared: \
                 p95 412.0 ms, 4.1× the previous stage's 100.0 ms; 0.56% of requests failed (reset: 12); \
                 last stage that held: **step 100%**."
            ),
            "{md}"
        );
        assert!(md.contains("| request timeout 9 · reset 80 | 42 |"), "{md}");
        let mut held = testing::stress();
        held.breaking_point = None;
        held.phases.iter_mut().for_each(|p| p.thresholds_passed = Some(true));
        assert!(render(stages, &held).ends_with("✅ Every stage held the thresholds.\n\n"));
    }

    #[test]
    fn spike_and_soak_lines() {
        let md = render(spike, &testing::spike());
        assert!(
            md.starts_with("**Spike:** ✅ **Recovered 4.0 s after the spike ended** — recovered means"),
            "{md}"
        );
        assert!(md.contains("| Baseline | baseline | 20.0 ms | 30.0 ms | 0% |"), "{md}");
        assert!(md.contains("| Spike | spike ×5 | 240 ms | 360 ms | 1.00% |"), "{md}");
        assert!(
            md.contains("| Worst rolling p95 | 5.0 s window | 255 ms | – | – |"),
            "{md}"
        );
        let md = render(soak, &testing::soak());
        assert!(
            md.starts_with("**Soak trend** (hold 100%, 10–110 s, 100 points)"),
            "{md}"
        );
        assert!(
            md.contains(
                "- ⚠️ **p95 rises 36.0 ms per hour (p < 0.001)** — p95 latency: 20.0 ms at start, +36.0 ms per hour \
                 (95% CI +30.5 ms to +41.5 ms), p < 0.001, significant, +180.0% per hour"
            ),
            "{md}"
        );
        assert!(
            md.contains("- ✅ **no significant error-rate trend (p = 0.62)** — Error rate: 0.03% at start"),
            "{md}"
        );
    }

    #[test]
    fn absent_without_data_and_names_cannot_break_tables() {
        let plain = testing::summary(5);
        assert_eq!(render(stages, &plain), "");
        assert_eq!(render(spike, &plain), "");
        assert_eq!(render(soak, &plain), "");
        let mut summary = testing::stress();
        summary.phases[0].name = "a|b <script>".to_string();
        let md = render(stages, &summary);
        let row = md.lines().find(|l| l.contains("a\\|b")).unwrap();
        assert_eq!(row.matches(" | ").count(), 10, "{row}");
        assert!(row.contains("&lt;script>"), "{row}");
    }
}
