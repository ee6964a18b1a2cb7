//! One line per source for the terminal summary, e.g.
//! `pid:4242  cpu 31.0% (max 32.0%) · rss 52.6 MiB (max 55.3 MiB) · fds 17 · threads 3 · rss_bytes growing`.
//! The CLI prints it; this crate only words it.

use loadcell_schema::{LeakState, MonitorSummary};

/// Metrics the line names when the source has them: (name, label).
const SHOWN: [(&str, &str); 7] = [
    ("cpu_percent", "cpu"),
    ("cpu_busy_percent", "cpu busy"),
    ("rss_bytes", "rss"),
    ("memory_bytes", "memory"),
    ("fds", "fds"),
    ("threads", "threads"),
    ("pids", "pids"),
];

/// The source's line: its main figures (mean and max after the warm-up), how many
/// processes, when it disappeared, and the metrics that grew.
pub fn one_line(s: &MonitorSummary) -> String {
    let mut parts: Vec<String> = SHOWN
        .iter()
        .filter_map(|(name, label)| {
            let m = s.metrics.iter().find(|m| m.name == *name)?;
            let (mean, max) = (m.mean?, m.max?);
            Some(if m.unit == "count" {
                format!("{label} {}", count(max))
            } else {
                format!("{label} {} (max {})", value(&m.unit, mean), value(&m.unit, max))
            })
        })
        .collect();
    if let Some(n) = s.processes {
        parts.push(format!("{n} processes"));
    }
    if parts.is_empty() {
        parts.push(format!("{} metrics", s.metrics.len()));
    }
    let growing: Vec<&str> = s
        .leaks
        .iter()
        .filter(|l| l.state == LeakState::Growing)
        .map(|l| l.metric.as_str())
        .collect();
    if !growing.is_empty() {
        parts.push(format!("growing: {}", growing.join(", ")));
    }
    if let (Some(at), Some(why)) = (s.disappeared_at_s, &s.disappeared) {
        parts.push(format!("gone at {at:.1} s ({why})"));
    }
    format!("{}  {}", s.source, parts.join(" · "))
}

fn count(v: f64) -> String {
    format!("{v:.0}")
}

/// `31.0%`, `52.6 MiB`, `1.2 MiB/s`, `250/s`.
pub fn value(unit: &str, v: f64) -> String {
    match unit {
        "percent" => format!("{v:.1}%"),
        "bytes" => bytes(v),
        "bytes/s" => format!("{}/s", bytes(v)),
        "/s" => format!("{v:.1}/s"),
        "count" => count(v),
        _ => format!("{v:.3}"),
    }
}

fn bytes(v: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut x = v.max(0.0);
    let mut unit = 0;
    while x >= 1024.0 && unit + 1 < UNITS.len() {
        x /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{x:.0} B")
    } else {
        format!("{x:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use loadcell_schema::{MonitorKind, MonitorMetric};

    fn metric(name: &str, unit: &str, mean: f64, max: f64) -> MonitorMetric {
        MonitorMetric {
            name: name.into(),
            unit: unit.into(),
            mean: Some(mean),
            max: Some(max),
            ..MonitorMetric::default()
        }
    }

    #[test]
    fn a_line_per_source() {
        let s = MonitorSummary {
            source: "pid:4242".into(),
            kind: MonitorKind::Pid,
            processes: None,
            samples: 30,
            failed_samples: 0,
            disappeared_at_s: Some(27.0),
            disappeared: Some("process 4242 exited".into()),
            t_s: vec![],
            metrics: vec![
                metric("cpu_percent", "percent", 31.0, 32.0),
                metric("rss_bytes", "bytes", 52.6 * 1048576.0, 55.3 * 1048576.0),
                metric("fds", "count", 16.5, 17.0),
            ],
            leaks: vec![],
            flamegraph: None,
        };
        assert_eq!(
            one_line(&s),
            "pid:4242  cpu 31.0% (max 32.0%) · rss 52.6 MiB (max 55.3 MiB) · fds 17 · gone at 27.0 s (process 4242 exited)"
        );
        assert_eq!(value("bytes/s", 1536.0), "1.5 KiB/s");
    }
}
