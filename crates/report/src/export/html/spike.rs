//! The Spike section (`--profile spike`): the recovery answer, baseline against spike
//! numbers (p95, p99, error rate), the worst rolling p95 and the tolerance that defines
//! "recovered", and a chart of per-second p95 with the tolerance line, the spike span and
//! the recovery moment. Shown only when the summary has `spike_recovery`; also the data
//! that chart needs.

use std::fmt::Write;

use loadcell_schema::{SpikeRecovery, Summary};
use serde_json::{Value, json};

use super::data::num;
use super::phases::chart;
use crate::text::escape::html;
use crate::text::number;

/// The section, or nothing without a spike measurement.
pub fn section(summary: &Summary) -> String {
    let Some(s) = &summary.spike_recovery else {
        return String::new();
    };
    let (class, answer) = answer(s);
    let mut out = String::from("<section id=\"spike\"><h2>Spike</h2><div class=\"card stability\">");
    let _ = write!(
        out,
        "<p class=\"callout {class}\"><b>{}</b> — {}</p>",
        html(&answer),
        html(&tolerance(s))
    );
    out.push_str(
        "<table class=\"data compare\"><thead><tr><th scope=\"col\"></th><th scope=\"col\">Stage</th>\
         <th class=\"num\" scope=\"col\">p95</th><th class=\"num\" scope=\"col\">p99</th>\
         <th class=\"num\" scope=\"col\">Errors</th></tr></thead><tbody>",
    );
    let baseline_p99 = summary
        .phases
        .iter()
        .find(|p| p.name == s.baseline_phase)
        .map_or("–".to_string(), |p| number::ms(p.latency_ms.p99));
    out += &row(
        "Baseline",
        &s.baseline_phase,
        number::ms(s.baseline_p95_ms),
        baseline_p99,
        s.baseline_error_rate,
        false,
    );
    let factor = if s.baseline_p95_ms > 0.0 {
        format!(" ({}× baseline)", number::num_short(s.spike_p95_ms / s.baseline_p95_ms))
    } else {
        String::new()
    };
    out += &row(
        "Spike",
        &s.spike_phase,
        format!("{}{factor}", number::ms(s.spike_p95_ms)),
        number::ms(s.spike_p99_ms),
        s.spike_error_rate,
        s.spike_p95_ms > s.p95_limit_ms || s.spike_error_rate > s.error_rate_limit,
    );
    let _ = write!(
        out,
        "<tr><th scope=\"row\">Worst rolling p95</th><td>{} window, from the spike to the end</td>\
         <td class=\"num\">{}</td><td class=\"num faint\">–</td><td class=\"num faint\">–</td></tr>",
        html(&number::duration_s(s.window_s)),
        html(&number::ms(s.worst_p95_ms)),
    );
    out.push_str("</tbody></table>");
    out += &chart(
        "spike",
        "p95 around the spike",
        "per second; band: within the recovery tolerance; shaded: the spike",
    );
    out.push_str("</div></section>\n");
    out
}

fn row(what: &str, stage: &str, p95: String, p99: String, error_rate: f64, bad: bool) -> String {
    let bad_class = if bad { " bad" } else { "" };
    format!(
        "<tr><th scope=\"row\">{}</th><td class=\"name\">{}</td><td class=\"num{bad_class}\">{}</td>\
         <td class=\"num\">{}</td><td class=\"num{}\">{}</td></tr>",
        html(what),
        html(stage),
        html(&p95),
        html(&p99),
        if error_rate > 0.0 { " bad" } else { "" },
        html(&number::percent(error_rate)),
    )
}

/// The recovery answer and whether it is good news.
pub fn answer(s: &SpikeRecovery) -> (&'static str, String) {
    match s.recovery_s {
        Some(r) if r <= 0.0 => ("good", "Recovered as soon as the spike ended".to_string()),
        Some(r) => (
            "good",
            format!("Recovered {} after the spike ended", number::duration_s(r)),
        ),
        None => (
            "bad",
            format!(
                "Did not recover within the {} observed after the spike",
                number::duration_s(s.observed_s)
            ),
        ),
    }
}

/// What "recovered" meant, in words.
pub fn tolerance(s: &SpikeRecovery) -> String {
    format!(
        "recovered means the rolling {} p95 is at most {} and its error rate at most {}, and stays there \
         (the spike ended {} into the run; {} observed after it)",
        number::duration_s(s.window_s),
        number::ms(s.p95_limit_ms),
        number::percent(s.error_rate_limit),
        number::duration_s(s.spike_end_s),
        number::duration_s(s.observed_s),
    )
}

/// What the spike chart draws besides the time series: the spike span (from the spike
/// stage's start to `spike_end_s`), the p95 tolerance, and the recovery moment (`null`
/// when it did not recover). `null` without a spike measurement.
pub fn chart_data(summary: &Summary) -> Value {
    let Some(s) = &summary.spike_recovery else {
        return Value::Null;
    };
    let start = summary
        .phases
        .iter()
        .find(|p| p.name == s.spike_phase)
        .map(|p| p.start_s)
        .or_else(|| {
            summary
                .stages
                .iter()
                .find(|st| st.name.as_deref() == Some(s.spike_phase.as_str()))
                .map(|st| st.start_s)
        });
    json!({
        "from": start.map_or(Value::Null, num),
        "to": num(s.spike_end_s),
        "limit_ms": num(s.p95_limit_ms),
        "recovered_at": s.recovery_s.map_or(Value::Null, |r| num(s.spike_end_s + r)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    #[test]
    fn recovery_answer_and_numbers() {
        let page = section(&testing::spike());
        assert!(page.contains("<b>Recovered 4.0 s after the spike ended</b>"), "{page}");
        assert!(page.contains("rolling 5.0 s p95 is at most 30.0 ms and its error rate at most 0.10%"));
        assert!(page.contains("the spike ended 20.0 s into the run; 20.0 s observed after it"));
        assert!(
            page.contains(
                "<td class=\"name\">baseline</td><td class=\"num\">20.0 ms</td><td class=\"num\">30.0 ms</td>"
            )
        );
        assert!(page.contains("<td class=\"num bad\">240 ms (12× baseline)</td><td class=\"num\">360 ms</td>"));
        assert!(page.contains("<td class=\"num bad\">1.00%</td>"), "spike error rate");
        assert!(page.contains("<td class=\"num\">255 ms</td>"), "worst rolling p95");
        assert!(page.contains("data-phase-chart=\"spike\""));
    }

    #[test]
    fn not_recovered_says_how_long_was_watched() {
        let mut summary = testing::spike();
        if let Some(s) = summary.spike_recovery.as_mut() {
            s.recovery_s = None;
            s.observed_s = 60.0;
        }
        let page = section(&summary);
        assert!(
            page.contains("class=\"callout bad\"><b>Did not recover within the 1 m 00 s observed after the spike</b>")
        );
        assert_eq!(chart_data(&summary)["recovered_at"], Value::Null);
    }

    #[test]
    fn chart_marks_span_tolerance_and_recovery() {
        let data = chart_data(&testing::spike());
        assert_eq!(
            data,
            json!({ "from": 15, "to": 20, "limit_ms": 30, "recovered_at": 24 })
        );
    }

    #[test]
    fn absent_without_a_spike() {
        let summary = testing::stress();
        assert_eq!(section(&summary), "");
        assert_eq!(chart_data(&summary), Value::Null);
    }

    #[test]
    fn hostile_stage_names_are_escaped() {
        let mut summary = testing::spike();
        if let Some(s) = summary.spike_recovery.as_mut() {
            s.spike_phase = "</script><script>alert(1)</script>".to_string();
            s.baseline_phase = "<b>".to_string();
        }
        let page = section(&summary);
        assert!(!page.contains("<script"));
        assert!(page.contains("&lt;/script&gt;&lt;script&gt;alert(1)"));
        assert!(page.contains("<td class=\"name\">&lt;b&gt;</td>"));
        assert_eq!(chart_data(&summary)["from"], Value::Null, "no stage of that name");
    }
}
