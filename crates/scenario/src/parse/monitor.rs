//! `monitor:` — the target's resources to watch while the scenario runs, as `--monitor`,
//! `--monitor-series` and `--flamegraph` on the command line: a list of sources
//! (`[process:myapp, host]`), or a map `{ sources, series, flamegraph }`. Each source and
//! series is checked by `loadcell-monitor`'s own parsers, the error pointing at it; whether
//! the source is there is checked when the run starts.

use loadcell_monitor::{SeriesSelector, SourceSpec};

use super::node::{Kind, Node, get};
use super::{Ctx, value};
use crate::model::Monitor;

pub(crate) fn section(ctx: &mut Ctx<'_>, node: &Node) -> Option<Monitor> {
    let mark = ctx.errors.len();
    let mut out = Monitor::default();
    match &node.kind {
        Kind::Seq(_) => out.sources = sources(ctx, node),
        Kind::Map(entries) => {
            value::known_keys(ctx, entries, &["sources", "series", "flamegraph"], "in monitor");
            if let Some((_, n)) = get(entries, "sources") {
                out.sources = sources(ctx, n);
            }
            if let Some((_, n)) = get(entries, "series") {
                out.series = series(ctx, n);
            }
            if let Some((_, n)) = get(entries, "flamegraph") {
                out.flamegraph = value::boolean(ctx, n, "'monitor.flamegraph'").unwrap_or(false);
            }
        }
        _ => ctx.error(
            node.pos,
            format!(
                "'monitor' must be a list of sources such as [process:myapp, host], or a map with 'sources', 'series' and 'flamegraph', found {}",
                node.describe()
            ),
        ),
    }
    ctx.clean_since(mark).then_some(out)
}

/// `[pid:N | process:NAME | cgroup:PATH | host | prometheus:URL, ...]`.
fn sources(ctx: &mut Ctx<'_>, node: &Node) -> Vec<String> {
    let items = value::seq(ctx, node, "'monitor.sources'").unwrap_or_default();
    let mut out = Vec::new();
    for item in items {
        let Some(text) = value::non_empty_text(ctx, item, "a monitor source") else {
            continue;
        };
        match SourceSpec::parse(text.trim()) {
            Ok(_) => out.push(text.trim().to_string()),
            Err(e) => ctx.error(item.pos, e.to_string()),
        }
    }
    out
}

/// Series selectors of `prometheus:` sources: one text (comma-separated) or a list.
fn series(ctx: &mut Ctx<'_>, node: &Node) -> Vec<String> {
    let items: Vec<&Node> = match &node.kind {
        Kind::Seq(items) => items.iter().collect(),
        _ => vec![node],
    };
    let mut out = Vec::new();
    for item in items {
        let Some(text) = value::non_empty_text(ctx, item, "a monitor series") else {
            continue;
        };
        match SeriesSelector::parse_list(&text) {
            Ok(_) => out.push(text),
            Err(e) => ctx.error(item.pos, e.to_string()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::{ScenarioError, parse_str};
    use std::path::Path;

    const JOURNEYS: &str = "journeys:\n  - name: j\n    steps:\n      - get: http://127.0.0.1:1/\n";

    fn parse(monitor: &str) -> Result<crate::Monitor, ScenarioError> {
        parse_str(&format!("{JOURNEYS}{monitor}"), "s.yaml", Path::new(".")).map(|s| s.monitor)
    }

    #[test]
    fn a_list_or_a_map_of_sources() {
        assert_eq!(parse("").unwrap(), crate::Monitor::default());
        let list = parse("monitor: [process:myapp, host]\n").unwrap();
        assert_eq!(list.sources, ["process:myapp", "host"]);
        let map = parse(
            "monitor:\n  sources: [prometheus:http://127.0.0.1:9100/metrics]\n  series: process_resident_memory_bytes\n  flamegraph: true\n",
        )
        .unwrap();
        assert_eq!(map.series, ["process_resident_memory_bytes"]);
        assert!(map.flamegraph);
    }

    #[test]
    fn a_bad_source_is_pointed_at() {
        let e = parse("monitor: [host, pod:7]\n").unwrap_err();
        assert_eq!((e.line, e.col), (5, 17), "{e}");
        assert!(e.message.starts_with("bad --monitor 'pod:7'"), "{e}");
        let e = parse("monitor:\n  source: [host]\n").unwrap_err();
        assert_eq!(e.line, 6, "{e}");
        let e = parse("monitor: 3\n").unwrap_err();
        assert!(e.message.contains("'monitor' must be a list"), "{e}");
    }
}
