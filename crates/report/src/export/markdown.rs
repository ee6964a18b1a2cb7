//! `summary.md`: a compact Markdown verdict for `$GITHUB_STEP_SUMMARY` and PR comments — a
//! ✅/❌ verdict line, the thresholds, one row of headline numbers, the busiest endpoints
//! and any failed checks; in staged runs also the per-stage table with the breaking point,
//! the spike recovery and the soak trend (`stages`), the answer of a capacity search or
//! a scale sweep (`search`), and the target's resources (`resources`, `--monitor`). User strings go into code spans or are
//! escaped, so endpoint names and expressions cannot break a table or inject markup.

mod bottlenecks;
mod resources;
mod search;
mod stages;

use std::fmt::Write;

use loadcell_schema::{Model, Summary};

use crate::text::escape::{md_code, md_text};
use crate::text::number;

/// How many endpoints the table shows, busiest first.
pub const TOP_ENDPOINTS: usize = 20;

/// The run as GitHub-flavoured Markdown.
pub fn markdown(summary: &Summary) -> String {
    let mut out = String::new();
    verdict(&mut out, summary);
    thresholds(&mut out, summary);
    bottlenecks::bottlenecks(&mut out, summary);
    headline(&mut out, summary);
    search::capacity(&mut out, summary);
    search::scale(&mut out, summary);
    stages::stages(&mut out, summary);
    stages::spike(&mut out, summary);
    stages::soak(&mut out, summary);
    resources::resources(&mut out, summary);
    endpoints(&mut out, summary);
    failed_checks(&mut out, summary);
    custom_metrics(&mut out, summary);
    warnings(&mut out, summary);
    out
}

fn verdict(out: &mut String, summary: &Summary) {
    let total = summary.thresholds.len();
    let failed = summary.thresholds.iter().filter(|t| !t.passed).count();
    let line = if total == 0 {
        "➖ **no thresholds** — nothing to judge".to_string()
    } else if failed == 0 {
        format!("✅ **PASS** — {total} of {total} thresholds held")
    } else {
        format!("❌ **FAIL** — {failed} of {total} thresholds failed")
    };
    let _ = writeln!(out, "### {line}\n");
    let warmup = if summary.warmup_s > 0.0 {
        format!(" after {} warm-up", number::duration_s(summary.warmup_s))
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "loadcell {} · {} · {} model · {} measured{warmup} · {}\n",
        md_text(&summary.loadcell_version),
        md_code(&summary.target),
        summary.model.as_str(),
        number::duration_s(summary.duration_s),
        md_text(&number::timestamp(&summary.started_at)),
    );
}

fn thresholds(out: &mut String, summary: &Summary) {
    if summary.thresholds.is_empty() {
        return;
    }
    out.push_str("| | Threshold | Actual | Limit |\n|:-:|---|--:|---|\n");
    for t in &summary.thresholds {
        let mark = if t.passed { "✅" } else { "❌" };
        let actual = if t.actual_text.is_empty() {
            "no data"
        } else {
            &t.actual_text
        };
        let _ = writeln!(
            out,
            "| {mark} | {} | {} | {} |",
            md_code(&t.expr),
            md_text(actual),
            md_text(&t.limit)
        );
    }
    out.push('\n');
}

fn headline(out: &mut String, summary: &Summary) {
    let r = &summary.requests;
    let l = &summary.latency_ms;
    out.push_str("| Requests | Throughput | Errors | p50 | p95 | p99 | max | Data in / out | VUs max / limit |\n");
    out.push_str("|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    let _ = writeln!(
        out,
        "| {} | {} req/s | {} | {} | {} | {} | {} | {} / {} | {} / {} |",
        number::int(r.total),
        number::num(r.rate_per_s),
        number::share(r.failed, r.total),
        number::ms(l.p50),
        number::ms(l.p95),
        number::ms(l.p99),
        number::ms(l.max),
        number::bytes(summary.data.received_bytes),
        number::bytes(summary.data.sent_bytes),
        number::int(summary.vus.max),
        number::int(summary.vus.limit),
    );
    out.push('\n');
    if summary.model == Model::Open {
        let (target, achieved) = summary
            .arrival_rate
            .as_ref()
            .map_or((0.0, 0.0), |a| (a.target_per_s, a.achieved_per_s));
        let _ = writeln!(
            out,
            "Open model: arrival rate {}/s achieved of {}/s {}, {} dropped iterations; latency measured from the {}.\n",
            number::num_short(achieved),
            number::num_short(target),
            summary
                .stage_levels()
                .map_or("target".to_string(), |l| format!("mean target (stages {l}/s)")),
            number::int(summary.dropped_iterations),
            md_text(&summary.latency_measured_from),
        );
    }
}

fn endpoints(out: &mut String, summary: &Summary) {
    if summary.endpoints.is_empty() {
        return;
    }
    let mut rows: Vec<_> = summary.endpoints.iter().collect();
    rows.sort_by(|a, b| b.requests.cmp(&a.requests).then_with(|| a.name.cmp(&b.name)));
    let shown = rows.len().min(TOP_ENDPOINTS);
    let _ = writeln!(
        out,
        "<details><summary>Endpoints ({})</summary>\n",
        if rows.len() > shown {
            format!("top {shown} of {} by requests", rows.len())
        } else {
            rows.len().to_string()
        }
    );
    out.push_str("| Endpoint | Requests | req/s | Errors | p50 | p95 | p99 |\n|---|--:|--:|--:|--:|--:|--:|\n");
    for e in &rows[..shown] {
        let l = &e.latency_ms;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            md_code(&e.name),
            number::int(e.requests),
            number::num(e.rate_per_s),
            number::share(e.failed, e.requests),
            number::ms(l.p50),
            number::ms(l.p95),
            number::ms(l.p99),
        );
    }
    out.push_str("\n</details>\n\n");
}

/// The scenario's own metrics (`metrics:`), one row each.
fn custom_metrics(out: &mut String, summary: &Summary) {
    if summary.custom_metrics.is_empty() {
        return;
    }
    out.push_str(
        "**The scenario's own metrics**\n\n| Metric | Kind | Values | Adds without a number |\n|---|---|---|--:|\n",
    );
    for c in &summary.custom_metrics {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            md_code(&c.name),
            c.kind.as_str(),
            md_text(&super::custom::describe(c)),
            number::int(c.invalid),
        );
    }
    out.push('\n');
}

fn failed_checks(out: &mut String, summary: &Summary) {
    let failed: Vec<_> = summary.checks.iter().filter(|c| c.failed > 0).collect();
    if failed.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "**Failed checks** ({} of {})\n",
        failed.len(),
        summary.checks.len()
    );
    out.push_str("| Journey | Step | Check | Pass rate | Failed |\n|---|---|---|--:|--:|\n");
    for c in failed {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            md_text(&c.journey),
            md_text(&c.step),
            md_code(&c.name),
            number::percent(c.pass_rate),
            number::int(c.failed),
        );
    }
    out.push('\n');
}

fn warnings(out: &mut String, summary: &Summary) {
    for w in &summary.generator.warnings {
        let _ = writeln!(out, "> ⚠️ {}\n", md_text(w));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    #[test]
    fn verdict_thresholds_and_headline_rows() {
        let md = markdown(&testing::summary(10));
        assert!(md.starts_with("### ❌ **FAIL** — 1 of 2 thresholds failed"), "{md}");
        assert!(md.contains("| ✅ | `p95<200ms` | 25.0 ms | < 200 ms |"), "{md}");
        assert!(md.contains("| ❌ | `error_rate<0.1%` | 0.37% | < 0.1% |"), "{md}");
        assert!(
            md.contains("| 1,234,567 | 988 req/s | 0.37% | 12.5 ms | 25.0 ms | 38.8 ms | 93.8 ms |"),
            "{md}"
        );
        assert!(md.contains("| `GET /api/products` | 600,000 |"), "{md}");
        assert!(
            md.contains("| browse | list | `status is 200` | 99.75% | 1,000 |"),
            "{md}"
        );
        assert!(!md.contains("$.items exists"), "passing checks are left out");
        assert!(md.contains("> ⚠️ 10 iterations were dropped"), "{md}");
    }

    #[test]
    fn pass_and_no_threshold_verdicts() {
        let mut summary = testing::summary(1);
        summary.thresholds.retain(|t| t.passed);
        assert!(markdown(&summary).starts_with("### ✅ **PASS** — 1 of 1 thresholds held"));
        summary.thresholds.clear();
        assert!(markdown(&summary).starts_with("### ➖ **no thresholds**"));
    }

    #[test]
    fn endpoints_are_capped_and_sorted_and_pipes_escaped() {
        let mut summary = testing::summary(1);
        let template = summary.endpoints[0].clone();
        summary.endpoints = (0..30u64)
            .map(|i| {
                let mut e = template.clone();
                e.name = format!("GET /x|{i}");
                e.requests = i * 10;
                e
            })
            .collect();
        let md = markdown(&summary);
        assert!(md.contains("top 20 of 30 by requests"));
        let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| `GET /x")).collect();
        assert_eq!(rows.len(), 20);
        assert!(rows[0].starts_with(r"| `GET /x\|29` | 290 |"), "{}", rows[0]);
        assert!(rows.iter().all(|r| r.matches(" | ").count() == 6), "cells stay aligned");
    }
}
