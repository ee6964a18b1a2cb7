//! `memory` by swapping: pages of the target swapped out, and the machine moving pages to
//! and from swap while the load ran. A page the target touches that is on swap is a disk
//! read inside its request, which no CPU or leak verdict shows. The target's own `VmSwap`
//! alone can be old (pages swapped out before the run and never touched); the host's
//! `pswpin`/`pswpout` rates alone can be another process's. Both together are certain.

use std::collections::BTreeMap;

use loadcell_schema::{Bottleneck, BottleneckKind, Confidence, Summary};

use super::evidence;

/// The target's memory on swap that counts (bytes).
pub const SWAPPED_MIN_BYTES: f64 = 1024.0 * 1024.0;
/// Pages a second swapped in or out, at most over the run, that count as swapping (4 KiB
/// pages: 256 KiB/s).
pub const SWAPPING_MIN_PAGES_PER_S: f64 = 64.0;

pub fn verdict(summary: &Summary) -> Option<Bottleneck> {
    let swapped = evidence::target_sources(summary)
        .filter_map(|s| Some((s.source.as_str(), evidence::metric(s, "swap_bytes")?.max?)))
        .filter(|(_, max)| *max >= SWAPPED_MIN_BYTES)
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let host = evidence::host(summary);
    let rate = |name: &str| host.and_then(|h| evidence::max_of(h, name)).unwrap_or(0.0);
    let (pages_in, pages_out) = (rate("swap_in_pages_per_s"), rate("swap_out_pages_per_s"));
    let host_swapping = pages_in.max(pages_out) >= SWAPPING_MIN_PAGES_PER_S;
    let (confidence, verdict) = match (swapped, host_swapping, host.is_some()) {
        (Some((source, _)), true, _) => (
            Confidence::High,
            format!("memory of {source} was on swap while the machine swapped: its page faults went to disk"),
        ),
        (Some((source, _)), false, false) => (
            Confidence::Medium,
            format!(
                "memory of {source} was on swap (add --monitor host to see whether it was swapped in and out during the run)"
            ),
        ),
        (None, true, _) if swapped_unknown(summary) => (
            Confidence::Medium,
            "the machine swapped during the run; which process's memory it was, the monitor did not show".to_string(),
        ),
        _ => return None,
    };
    let mut evidence = Vec::new();
    let mut numbers = BTreeMap::new();
    if let Some((source, bytes)) = swapped {
        evidence.push(format!(
            "{source}: up to {:.1} MiB swapped out (VmSwap)",
            bytes / 1048576.0
        ));
        numbers.insert("target_swap_bytes_max".to_string(), bytes);
    }
    if host.is_some() {
        evidence.push(format!(
            "host: up to {pages_in:.0} pages/s swapped in and {pages_out:.0} pages/s swapped out (/proc/vmstat pswpin, pswpout)"
        ));
        numbers.insert("swap_in_pages_per_s_max".to_string(), pages_in);
        numbers.insert("swap_out_pages_per_s_max".to_string(), pages_out);
    }
    Some(Bottleneck {
        kind: BottleneckKind::Memory,
        confidence,
        verdict,
        evidence,
        numbers,
        recommendations: vec![
            "give the target the memory its working set needs (a larger memory limit or machine), or shrink the working set; swapping turns memory access into disk reads".to_string(),
            "check what else holds memory on the host (mem_available_bytes) and vm.swappiness".to_string(),
        ],
    })
}

/// No target source said how much of its memory was on swap (none monitored, or a kind
/// that does not read `VmSwap`).
fn swapped_unknown(summary: &Summary) -> bool {
    evidence::target_sources(summary).all(|s| evidence::metric(s, "swap_bytes").is_none())
}

#[cfg(test)]
mod tests {
    use super::super::{decide, testing};
    use loadcell_schema::{BottleneckKind, Confidence, MonitorKind};

    const MIB: f64 = 1048576.0;

    /// The `memory` verdict `decide` gives `s`; panics with every verdict when there is none.
    fn memory_verdict(s: &loadcell_schema::Summary) -> loadcell_schema::Bottleneck {
        let found = decide(s);
        found
            .iter()
            .find(|b| b.kind == BottleneckKind::Memory)
            .cloned()
            .unwrap_or_else(|| panic!("no memory verdict: {found:?}"))
    }

    #[test]
    fn target_memory_on_swap_while_the_host_swaps_is_certain() {
        let s = testing::rising(testing::open(300.0, 300.0), 3.0, 90.0);
        let s = testing::monitored(s, "pid:7", MonitorKind::Pid, &[("swap_bytes", 40.0 * MIB, 64.0 * MIB)]);
        let s = testing::monitored(
            s,
            "host",
            MonitorKind::Host,
            &[
                ("swap_in_pages_per_s", 300.0, 900.0),
                ("swap_out_pages_per_s", 20.0, 80.0),
            ],
        );
        let swap = memory_verdict(&s);
        assert_eq!(swap.confidence, Confidence::High);
        assert!(swap.verdict.contains("pid:7") && swap.verdict.contains("page faults went to disk"));
        assert_eq!(swap.numbers["target_swap_bytes_max"], 64.0 * MIB);
        assert_eq!(swap.numbers["swap_in_pages_per_s_max"], 900.0);
    }

    #[test]
    fn old_pages_on_swap_with_a_quiet_host_are_no_verdict() {
        let s = testing::open(300.0, 300.0);
        let s = testing::monitored(s, "pid:7", MonitorKind::Pid, &[("swap_bytes", 8.0 * MIB, 8.0 * MIB)]);
        let s = testing::monitored(
            s,
            "host",
            MonitorKind::Host,
            &[("swap_in_pages_per_s", 0.0, 2.0), ("swap_out_pages_per_s", 0.0, 0.0)],
        );
        assert!(decide(&s).iter().all(|b| b.kind != BottleneckKind::Memory));
    }

    #[test]
    fn a_target_without_swap_on_a_swapping_host_is_not_blamed() {
        let s = testing::open(300.0, 300.0);
        let s = testing::monitored(s, "pid:7", MonitorKind::Pid, &[("swap_bytes", 0.0, 0.0)]);
        let s = testing::monitored(s, "host", MonitorKind::Host, &[("swap_out_pages_per_s", 500.0, 2000.0)]);
        assert!(decide(&s).iter().all(|b| b.kind != BottleneckKind::Memory));
    }

    #[test]
    fn host_swapping_alone_is_a_medium_verdict_and_target_swap_alone_asks_for_the_host() {
        let s = testing::open(300.0, 300.0);
        let s = testing::monitored(s, "host", MonitorKind::Host, &[("swap_in_pages_per_s", 100.0, 400.0)]);
        let swap = memory_verdict(&s);
        assert_eq!(swap.confidence, Confidence::Medium);

        let s = testing::open(300.0, 300.0);
        let s = testing::monitored(s, "pid:7", MonitorKind::Pid, &[("swap_bytes", 2.0 * MIB, 3.0 * MIB)]);
        let swap = memory_verdict(&s);
        assert_eq!(swap.confidence, Confidence::Medium);
        assert!(swap.verdict.contains("--monitor host"), "{}", swap.verdict);
    }
}
