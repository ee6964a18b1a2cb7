//! `summary.md`'s bottleneck verdicts: one bullet per verdict with its confidence, the
//! numbers under it and what to do; then each stage's (or sweep step's) own verdicts.

use std::fmt::Write;

use loadcell_schema::Summary;

use crate::text::escape::md_text;

pub fn bottlenecks(out: &mut String, summary: &Summary) {
    overall(out, summary);
    if summary.phases.iter().all(|p| p.bottlenecks.is_empty()) {
        return;
    }
    out.push_str("**Bottlenecks by stage**\n\n");
    for p in summary.phases.iter().filter(|p| !p.bottlenecks.is_empty()) {
        let verdicts: Vec<String> = p
            .bottlenecks
            .iter()
            .map(|b| format!("{} ({}): {}", b.kind.as_str(), b.confidence.as_str(), b.verdict))
            .collect();
        let _ = writeln!(out, "- {}: {}", md_text(&p.name), md_text(&verdicts.join("; ")));
    }
    out.push('\n');
}

fn overall(out: &mut String, summary: &Summary) {
    if summary.bottlenecks.is_empty() {
        return;
    }
    out.push_str("**Bottlenecks**\n\n");
    for b in &summary.bottlenecks {
        let _ = writeln!(
            out,
            "- **{}** ({} confidence): {}",
            b.kind.as_str(),
            b.confidence.as_str(),
            md_text(&b.verdict)
        );
        for line in &b.evidence {
            let _ = writeln!(out, "  - {}", md_text(line));
        }
        for advice in &b.recommendations {
            let _ = writeln!(out, "  - → {}", md_text(advice));
        }
    }
    out.push('\n');
}
