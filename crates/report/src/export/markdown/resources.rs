//! `summary.md`'s target resources (`--monitor`): one line per source with its main
//! figures, when it disappeared, every leak verdict that is not flat, and the flame graph's
//! hottest functions.

use std::fmt::Write;

use loadcell_schema::{LeakState, MonitorSummary, Summary};

use crate::export::html::resources::value;
use crate::text::escape::{md_code, md_text};
use crate::text::number;

/// Metrics named in a source's line, when it has them.
const MAIN: [&str; 7] = [
    "cpu_percent",
    "cpu_busy_percent",
    "rss_bytes",
    "memory_bytes",
    "threads",
    "fds",
    "pids",
];

pub fn resources(out: &mut String, summary: &Summary) {
    if summary.monitor.is_empty() {
        return;
    }
    out.push_str("**Target resources** (mean / max after the warm-up)\n\n");
    for s in &summary.monitor {
        let _ = writeln!(out, "- {}", line(s));
        for l in s.leaks.iter().filter(|l| l.state != LeakState::Flat) {
            let mark = if l.state == LeakState::Growing { "⚠️" } else { "➖" };
            let _ = writeln!(out, "  - {mark} {}", md_text(&l.verdict));
        }
        if let Some(f) = &s.flamegraph {
            let top: Vec<String> = f
                .top
                .iter()
                .take(3)
                .map(|t| format!("{} {}%", md_code(&t.function), number::float(t.self_percent, 1)))
                .collect();
            let _ = writeln!(
                out,
                "  - flame graph `{}` ({} stacks), most self time: {}",
                f.file.replace('`', ""),
                number::int(f.samples),
                top.join(", ")
            );
        }
    }
    out.push('\n');
}

fn line(s: &MonitorSummary) -> String {
    let mut parts: Vec<String> = MAIN
        .iter()
        .filter_map(|name| s.metrics.iter().find(|m| m.name == *name))
        .filter_map(|m| {
            let (mean, max) = (m.mean?, m.max?);
            Some(format!(
                "{} {} / {}",
                md_code(&m.name),
                value(&m.unit, mean),
                value(&m.unit, max)
            ))
        })
        .collect();
    if let Some(n) = s.processes {
        parts.push(format!("{n} processes"));
    }
    let mut text = format!("{}: {}", md_code(&s.source), parts.join(", "));
    if let (Some(at), Some(why)) = (s.disappeared_at_s, &s.disappeared) {
        let _ = write!(
            text,
            " — **disappeared at {}**: {}",
            number::duration_s(at),
            md_text(why)
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use crate::testing;

    #[test]
    fn one_line_per_source_with_leaks_and_the_flame_graph() {
        let mut out = String::new();
        super::resources(&mut out, &testing::monitored(30));
        assert!(out.starts_with("**Target resources**"), "{out}");
        assert!(
            out.contains("- `pid:4242`: `cpu_percent` 31.0% / 32.0%, `rss_bytes` 52.6 MiB"),
            "{out}"
        );
        assert!(out.contains("disappeared at"), "{out}");
        assert!(out.contains("⚠️ rss\\_bytes grows 703 MiB per hour"), "{out}");
        assert!(out.contains("most self time: `__vdso_clock_gettime` 45.5%"), "{out}");
        assert!(out.contains("- `host`: `cpu_busy_percent` 35.0% / 50.0%"), "{out}");
        let mut none = String::new();
        super::resources(&mut none, &testing::summary(3));
        assert!(none.is_empty());
    }
}
