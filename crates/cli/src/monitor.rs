//! The target's resources in the terminal summary: one line per `--monitor` source (worded
//! by `loadcell_monitor::text`), why the network was not judged (loopback has no link
//! speed), and the monitor's notes (why there is no flame graph).

use loadcell_schema::Summary;
use std::fmt::Write as _;

/// `target resources:` and one line per source, or nothing without `--monitor`.
pub fn lines(summary: &Summary) -> String {
    let mut out = String::new();
    if summary.monitor.is_empty() {
        return out;
    }
    let _ = writeln!(out, "  target resources (after the warm-up):");
    for source in &summary.monitor {
        let _ = writeln!(out, "    {}", loadcell_monitor::text::one_line(source));
        if let Some(graph) = &source.flamegraph {
            let _ = writeln!(out, "    flame graph: {}", flame_line(graph));
        }
    }
    if let Some(note) = loadcell_analysis::bottleneck::network::not_judged(summary) {
        let _ = writeln!(out, "    {note}");
    }
    out
}

/// `flamegraph.svg, 1234 samples; top: spin 81.2%, …`.
fn flame_line(graph: &loadcell_schema::FlameGraphSummary) -> String {
    let top: Vec<String> = graph
        .top
        .iter()
        .take(3)
        .map(|f| format!("{} {:.1}%", f.function, f.self_percent))
        .collect();
    format!(
        "{}, {} samples; top by self time: {}",
        graph.file,
        graph.samples,
        top.join(", ")
    )
}

/// Lines the monitor left for the user, on stderr.
pub fn notes(notes: &[String]) {
    for note in notes {
        eprintln!("{note}");
    }
}
