//! From `perf script` text to a flame graph: inferno folds the stacks (`a;b;c 12` lines) and
//! draws the SVG; the top functions by self time are counted from the folded lines.

use std::collections::BTreeMap;
use std::path::Path;

use inferno::collapse::Collapse;
use loadcell_schema::{FlameGraphSummary, FunctionShare};

use super::FlameGraphError;

/// File names written into the results folder.
pub const SVG_FILE: &str = "flamegraph.svg";
pub const FOLDED_FILE: &str = "flamegraph.folded";
pub const SUMMARY_FILE: &str = "flamegraph.json";

/// How many functions the summary lists.
const TOP: usize = 10;

/// A rendered profile.
#[derive(Debug, Clone, PartialEq)]
pub struct FlameGraph {
    /// Folded stacks, one `frame;frame;frame count` line per distinct stack.
    pub folded: String,
    pub svg: Vec<u8>,
    pub summary: FlameGraphSummary,
}

impl FlameGraph {
    /// Folds `perf script` output and draws it.
    pub fn from_perf_script(script: &[u8], title: &str, from_s: f64, to_s: f64) -> Result<FlameGraph, FlameGraphError> {
        let mut folded = Vec::new();
        let mut folder = inferno::collapse::perf::Folder::default();
        folder
            .collapse(script, &mut folded)
            .map_err(|e| FlameGraphError::Failed(format!("folding perf stacks: {e}")))?;
        let folded = String::from_utf8_lossy(&folded).into_owned();
        FlameGraph::from_folded(folded, title, from_s, to_s)
    }

    /// Draws folded stacks.
    pub fn from_folded(folded: String, title: &str, from_s: f64, to_s: f64) -> Result<FlameGraph, FlameGraphError> {
        let (samples, top) = top_functions(&folded, TOP);
        if samples == 0 {
            return Err(FlameGraphError::NoSamples);
        }
        let mut options = inferno::flamegraph::Options::default();
        options.title = title.to_string();
        options.count_name = "samples".to_string();
        options.deterministic = true;
        let mut svg = Vec::new();
        inferno::flamegraph::from_lines(&mut options, folded.lines(), &mut svg)
            .map_err(|e| FlameGraphError::Failed(format!("drawing the flame graph: {e}")))?;
        Ok(FlameGraph {
            folded,
            svg,
            summary: FlameGraphSummary {
                file: SVG_FILE.to_string(),
                from_s,
                to_s,
                samples,
                top,
            },
        })
    }

    /// Writes `flamegraph.svg`, `flamegraph.folded` and `flamegraph.json` (the summary, read
    /// back by [`FlameGraph::read_summary`] when a report is rebuilt) into `dir`.
    pub fn write_into(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::write(dir.join(SVG_FILE), &self.svg)?;
        std::fs::write(dir.join(FOLDED_FILE), &self.folded)?;
        let json = serde_json::to_vec_pretty(&self.summary).map_err(std::io::Error::other)?;
        std::fs::write(dir.join(SUMMARY_FILE), json)
    }

    /// The summary a run wrote into `dir`, if it made a flame graph.
    pub fn read_summary(dir: &Path) -> Option<FlameGraphSummary> {
        serde_json::from_slice(&std::fs::read(dir.join(SUMMARY_FILE)).ok()?).ok()
    }
}

/// All samples of folded stacks, and the `n` functions with the most self time (ties by
/// name), each with its self and total (anywhere on the stack) samples.
pub fn top_functions(folded: &str, n: usize) -> (u64, Vec<FunctionShare>) {
    let mut own: BTreeMap<&str, u64> = BTreeMap::new();
    let mut total: BTreeMap<&str, u64> = BTreeMap::new();
    let mut samples = 0;
    for line in folded.lines() {
        let Some((stack, count)) = line.rsplit_once(' ') else {
            continue;
        };
        let Ok(count) = count.trim().parse::<u64>() else {
            continue;
        };
        samples += count;
        let frames: Vec<&str> = stack.split(';').collect();
        if let Some(leaf) = frames.last() {
            *own.entry(leaf).or_default() += count;
        }
        let mut seen: Vec<&str> = Vec::with_capacity(frames.len());
        for f in frames {
            if !seen.contains(&f) {
                seen.push(f);
                *total.entry(f).or_default() += count;
            }
        }
    }
    let mut ranked: Vec<(&str, u64)> = own.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let top = ranked
        .into_iter()
        .take(n)
        .map(|(f, s)| FunctionShare {
            function: f.to_string(),
            self_samples: s,
            self_percent: if samples > 0 {
                100.0 * s as f64 / samples as f64
            } else {
                0.0
            },
            total_samples: total.get(f).copied().unwrap_or(s),
        })
        .collect();
    (samples, top)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCRIPT: &str = "\
tgt 13139/13141  1561.239005: cpu-clock:ppp: 
\t         aca8bc app::spin (/bin/tgt)
\t         891f5 start_thread (/usr/lib/libc.so.6)

tgt 13139/13141  1561.405729: cpu-clock:ppp: 
\t             b36 __vdso_clock_gettime ([vdso])
\t          aca89b app::spin (/bin/tgt)
\t           891f5 start_thread (/usr/lib/libc.so.6)

tgt 13139/13141  1561.479320: cpu-clock:ppp: 
\t         13f4bea hyper::encode (/bin/tgt)
\t           891f5 start_thread (/usr/lib/libc.so.6)

";

    #[test]
    fn folds_perf_script_and_ranks_self_time() {
        let g = FlameGraph::from_perf_script(SCRIPT.as_bytes(), "t", 2.0, 7.0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(g.summary.samples, 3);
        assert!(g.folded.contains("tgt;start_thread;app::spin 1"), "{}", g.folded);
        let svg = String::from_utf8_lossy(&g.svg);
        assert!(svg.starts_with("<?xml") && svg.contains("app::spin"), "{svg:.300}");
        let spin = g
            .summary
            .top
            .iter()
            .find(|f| f.function == "app::spin")
            .unwrap_or_else(|| panic!("no spin"));
        assert_eq!((spin.self_samples, spin.total_samples), (1, 2));
        assert!((g.summary.from_s, g.summary.to_s) == (2.0, 7.0));
    }

    #[test]
    fn top_functions_count_each_frame_once_per_stack() {
        let (n, top) = top_functions("a;b;b 3\na;c 1\nbad line\n", 10);
        assert_eq!(n, 4);
        assert_eq!(top[0].function, "b");
        assert_eq!((top[0].self_samples, top[0].total_samples), (3, 3));
        assert!((top[0].self_percent - 75.0).abs() < 1e-9);
        assert_eq!(top[1].function, "c");
        assert_eq!(top_functions("", 10), (0, vec![]));
        assert_eq!(
            FlameGraph::from_folded(String::new(), "t", 0.0, 1.0),
            Err(FlameGraphError::NoSamples)
        );
    }
}
