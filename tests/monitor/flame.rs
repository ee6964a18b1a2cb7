//! `perf record` + inferno on `loadcell target --cpu-work 1ms` under load: the busy-spin
//! function is the widest frame of the flame graph (the debug binary the tests run keeps its
//! symbols, and frame pointers in its own code).
//!
//! The spin is 1 ms at 500 requests/s, half a core: with 200 µs at 1,000/s the kernel's
//! share of each request (`do_syscall_64`: loopback TCP, epoll) came out wider than the spin
//! on a busy machine (123 against 76 samples), though not on a quiet one.

use crate::support::{Load, Target, monitor};
use loadcell_monitor::{FlameGraph, FlameGraphError, FlameWindow, SourceSpec};

pub const SPIN: &str = "loadcell_target::app::spin";

/// Total samples of each frame in the folded stacks, and the frames that are callers of
/// `of` in some stack.
pub fn widths(folded: &str, of: &str) -> (Vec<(String, u64)>, Vec<String>) {
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
    let _alone = crate::support::exclusive();
    let target = Target::start(&["--cpu-work", "1ms"]);
    // The monitor records the steady window, 1 s to 6 s of its clock, on its own thread.
    let window = FlameWindow {
        pids: vec![target.pid()],
        from_s: 1.0,
        to_s: 6.0,
    };
    let (mon, _) = monitor(&[SourceSpec::Pid(target.pid())], Some(window));
    let load = Load::start(&target.url, 500, 7);
    load.wait();
    let run = mon.finish();
    let graph = match &run.flamegraph {
        Some(Ok(g)) => g.clone(),
        Some(Err(FlameGraphError::PerfMissing)) => panic!("perf is missing: run scripts/install-test-deps.sh"),
        Some(Err(e)) => panic!("{e}"),
        None => panic!("the monitor recorded no profile"),
    };
    let summary = &run.summaries(1.0, 6.0)[0];
    let recorded = summary
        .flamegraph
        .as_ref()
        .expect("the profiled source carries the flame graph");
    assert_eq!((recorded.from_s, recorded.to_s), (1.0, 6.0));
    let dir = std::env::temp_dir().join(format!("loadcell-flame-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    graph.write_into(&dir).unwrap();
    let back = FlameGraph::read_summary(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    let back = back.expect("flamegraph.json reads back");
    assert_eq!((back.samples, back.from_s, back.to_s), (recorded.samples, 1.0, 6.0));
    let names = |s: &loadcell_schema::FlameGraphSummary| s.top.iter().map(|f| f.function.clone()).collect::<Vec<_>>();
    assert_eq!(names(&back), names(recorded));
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
