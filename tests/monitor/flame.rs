//! `perf record` + inferno on `loadcell target --cpu-work 200us` under load: the busy-spin
//! function is the widest frame of the flame graph (the debug binary the tests run keeps its
//! symbols, and frame pointers in its own code).

use crate::support::{Load, Target};
use loadcell_monitor::{FlameGraphError, Profiler};
use std::time::Duration;

const SPIN: &str = "loadcell_target::app::spin";

/// Total samples of each frame in the folded stacks, and the frames that are callers of
/// `of` in some stack.
fn widths(folded: &str, of: &str) -> (Vec<(String, u64)>, Vec<String>) {
    let mut total: std::collections::BTreeMap<String, u64> = Default::default();
    let mut callers = Vec::new();
    for line in folded.lines() {
        let Some((stack, n)) = line.rsplit_once(' ') else {
            continue;
        };
        let n: u64 = n.parse().unwrap_or(0);
        let frames: Vec<&str> = stack.split(';').collect();
        let mut seen = Vec::new();
        for f in &frames {
            if !seen.contains(f) {
                seen.push(*f);
                *total.entry(f.to_string()).or_default() += n;
            }
        }
        if let Some(at) = frames.iter().position(|f| *f == of) {
            callers.extend(frames[..at].iter().map(|f| f.to_string()));
        }
    }
    let mut ranked: Vec<(String, u64)> = total.into_iter().collect();
    ranked.sort_by_key(|r| std::cmp::Reverse(r.1));
    (ranked, callers)
}

#[test]
fn the_busy_spin_is_the_widest_frame() {
    let target = Target::start(&["--cpu-work", "200us"]);
    let load = Load::start(&target.url, 1000, 7);
    std::thread::sleep(Duration::from_secs(1));
    let profiler = match Profiler::start(&[target.pid()], 1.0) {
        Ok(p) => p,
        Err(FlameGraphError::PerfMissing) => panic!("perf is missing: run scripts/install-test-deps.sh"),
        Err(e) => panic!("{e}"),
    };
    std::thread::sleep(Duration::from_secs(5));
    let graph = profiler.render(6.0, "test").unwrap_or_else(|e| panic!("{e}"));
    load.wait();
    let (ranked, callers) = widths(&graph.folded, SPIN);
    let spin = ranked.iter().find(|(f, _)| f == SPIN).map_or(0, |r| r.1);
    eprintln!(
        "flame: {} samples; widest frames {:?}; top self {:?}",
        graph.summary.samples,
        &ranked[..ranked.len().min(6)],
        graph
            .summary
            .top
            .iter()
            .take(4)
            .map(|f| (&f.function, f.self_samples))
            .collect::<Vec<_>>()
    );
    // Its callers (the thread's entry, the process) are at least as wide by construction;
    // every other frame is narrower.
    let widest_other = ranked.iter().find(|(f, _)| f != SPIN && !callers.contains(f));
    assert!(spin > 0, "{SPIN} is not in the profile:\n{}", graph.folded);
    if let Some((f, n)) = widest_other {
        assert!(spin > *n, "{f} ({n} samples) is wider than {SPIN} ({spin})");
    }
    assert!(
        spin as f64 >= 0.3 * graph.summary.samples as f64,
        "{SPIN} has only {spin} of {} samples",
        graph.summary.samples
    );
    let svg = String::from_utf8_lossy(&graph.svg);
    assert!(svg.contains(SPIN), "the SVG does not show the spin");
    assert_eq!(graph.summary.top.len().min(10), graph.summary.top.len());
}
