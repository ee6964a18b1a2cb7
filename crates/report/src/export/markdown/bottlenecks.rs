//! `summary.md`'s bottleneck verdicts: one bullet per verdict with its confidence, the
//! numbers under it and what to do.

use std::fmt::Write;

use loadcell_schema::Summary;

use crate::text::escape::md_text;

pub fn bottlenecks(out: &mut String, summary: &Summary) {
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
