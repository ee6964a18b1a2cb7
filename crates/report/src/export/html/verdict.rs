//! The page header (what was tested, when, how long) and section 1, the verdict: a
//! PASS / FAIL / "no thresholds" banner and every threshold with ✓/✗, actual and limit.

use std::fmt::Write;

use loadcell_schema::{StopReason, Summary};

use crate::text::escape::html;
use crate::text::number;

/// The overall verdict word, also used in the page title.
pub fn word(summary: &Summary) -> &'static str {
    if summary.thresholds.is_empty() {
        "no thresholds"
    } else if summary.thresholds_passed() {
        "PASS"
    } else {
        "FAIL"
    }
}

/// The header above the verdict.
pub fn header(summary: &Summary) -> String {
    let mut facts = vec![
        format!("<span><b>{}</b> model</span>", summary.model.as_str()),
        format!(
            "<span><b>{}</b> measured</span>",
            number::duration_s(summary.duration_s)
        ),
    ];
    if summary.warmup_s > 0.0 {
        facts.push(format!(
            "<span>after <b>{}</b> warm-up</span>",
            number::duration_s(summary.warmup_s)
        ));
    }
    facts.push(format!(
        "<span>{}</span>",
        html(&number::timestamp(&summary.started_at))
    ));
    facts.push(format!("<span>ended: {}</span>", stop_reason(summary.stop_reason)));
    format!(
        "<header class=\"top wrap\"><div class=\"brand\"><b>loadcell</b> report</div><h1>{}</h1>\
         <div class=\"facts\">{}</div></header>\n",
        html(&summary.target),
        facts.join("")
    )
}

/// Why the run ended, in words.
pub fn stop_reason(reason: StopReason) -> &'static str {
    match reason {
        StopReason::Duration => "duration reached",
        StopReason::Requests => "request budget used up",
        StopReason::Interrupted => "interrupted",
        StopReason::ThresholdAborted => "aborted by a failing threshold",
        StopReason::DataExhausted => "test data ran out",
        StopReason::SetupFailed => "setup failed",
    }
}

/// Section 1: the banner and the thresholds.
pub fn section(summary: &Summary) -> String {
    let total = summary.thresholds.len();
    let failed = summary.thresholds.iter().filter(|t| !t.passed).count();
    let (class, why) = match (total, failed) {
        // A scale sweep judges no thresholds: its answer is the fit.
        (0, _) if summary.scale.is_some() => (
            "none",
            "A scale sweep judges no thresholds; its answer is the scalability fit below.".to_string(),
        ),
        (0, _) => (
            "none",
            "No thresholds were set, so nothing was judged. Add --threshold 'p95<200ms' to get a verdict.".to_string(),
        ),
        (_, 0) => ("pass", format!("{total} of {total} threshold{} held", plural(total))),
        _ => ("fail", format!("{failed} of {total} threshold{} failed", plural(total))),
    };
    let mut why = why;
    // A capacity search's SLOs are judged on one step: say which.
    if let (Some(c), true) = (&summary.capacity, total > 0) {
        why.push_str(&match c.capacity_per_s {
            Some(rate) => format!(
                " at the sustainable rate, {}/s (the highest passing step)",
                crate::text::number::num_short(rate)
            ),
            None => " at the lowest rate tried; no step passed".to_string(),
        });
    }
    if summary.stop_reason == StopReason::ThresholdAborted {
        why.push_str(" — the run was aborted early");
    }
    if summary.stop_reason == StopReason::Interrupted {
        why.push_str(" — the run was interrupted: an incomplete test, not a pass");
    }
    let mut out = String::new();
    let _ = write!(
        out,
        "<section id=\"verdict\" class=\"card verdict {class}\"><div class=\"banner\"><span class=\"badge\">{}</span>\
         <span class=\"why\">{}</span></div>",
        html(word(summary)),
        html(&why)
    );
    if let Some(warning) = summary.mostly_failed() {
        let _ = write!(out, "<p class=\"alarm\">⚠ {}</p>", html(&warning));
    }
    if total > 0 {
        out.push_str(
            "<table class=\"thresholds\"><thead><tr><th></th><th>Threshold</th><th>Actual</th><th>Limit</th></tr></thead><tbody>",
        );
        for t in &summary.thresholds {
            let (row, mark) = if t.passed { ("pass", "✓") } else { ("fail", "✗") };
            let actual = if t.actual_text.is_empty() {
                "no data"
            } else {
                &t.actual_text
            };
            let _ = write!(
                out,
                "<tr class=\"{row}\"><td class=\"mark\">{mark}</td><td><code>{}</code></td><td class=\"actual\">{}</td>\
                 <td class=\"limit\">{}</td></tr>",
                html(&t.expr),
                html(actual),
                html(&t.limit)
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>\n");
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
