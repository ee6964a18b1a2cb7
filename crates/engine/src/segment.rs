//! Execution segments in the engine: this process's share of each part of the test
//! (`--segment I/N`, [`Segment`]) and the wait for `--start-at`.
//!
//! The arithmetic is `loadcell_units::Segment`'s; what is striped where: VU ids and the
//! closed model's VU count (`plan.rs`, `worker.rs`), the open model's arrivals (`open.rs`:
//! arrival k of the whole schedule is segment k mod N's), test-data rows (`worker.rs`
//! hands the workload a slot among every worker of every segment), and here the iteration
//! budgets and the open model's VU pool, which are split before the workers start.

use crate::open::pre_allocated;
use crate::plan::Model;
use crate::run::Part;
use crate::units::Segment;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

/// What a segment left of one part of the test.
#[derive(Debug, Clone, Default)]
pub struct Share {
    /// A closed part of which this segment has no VU: it ends at once.
    pub idle: bool,
    /// The whole part's peak VUs (closed), for the note.
    vus: u64,
    /// The whole part's iteration budget, and whether this segment got none of it.
    requests: Option<u64>,
    no_requests: bool,
    /// The part's name (a file's scenario), for the note.
    name: Option<String>,
}

/// `part` as segment `segment` runs it: budgets and the open model's pool are its share;
/// curves stay the whole test's (the workers take their share of them as they go).
pub fn apply(segment: Segment, mut part: Part) -> (Part, Share) {
    let mut share = Share {
        requests: part.requests,
        name: part.name.clone(),
        ..Share::default()
    };
    if segment.is_whole() {
        return (part, share);
    }
    let own_limit = limit_share(segment, &part.model);
    match &mut part.model {
        Model::Closed { vus } => {
            let peak = vus.peak().round() as u64;
            share.vus = peak;
            share.idle = segment.share(peak) == 0;
            // Iterations go only to the segments that have VUs (the first min(VUs, N)),
            // so that no share is left to a segment that could not run it.
            let with_vus = peak.min(segment.count());
            part.requests = part
                .requests
                .map(|n| Segment::new(segment.index(), with_vus).map_or(0, |s| s.share(n)));
        }
        Model::Open { rate, max_vus } => {
            let pre = pre_allocated(part.open_vus, rate, *max_vus);
            part.open_vus.pre_allocated = Some(segment.share(pre).clamp(1, own_limit));
            *max_vus = own_limit;
            part.requests = part.requests.map(|n| segment.share(n));
        }
    }
    share.no_requests = part.requests == Some(0) && !share.idle;
    (part, share)
}

/// The notes a segment's run carries about parts it had nothing of (a file's scenarios
/// named).
pub fn notes(segment: Segment, shares: &[Share]) -> Vec<String> {
    let which = |s: &Share| s.name.as_ref().map_or(String::new(), |n| format!(" of scenario '{n}'"));
    let mut out = Vec::new();
    for s in shares {
        if s.idle {
            out.push(format!(
                "segment {segment} has none of the {} VU(s){}: it ended at once",
                s.vus,
                which(s)
            ));
        } else if s.no_requests {
            out.push(format!(
                "segment {segment} has none of the {} iteration(s){}: it ended at once",
                s.requests.unwrap_or(0),
                which(s)
            ));
        }
    }
    out
}

/// `segment`'s share of the VUs the whole test's `model` may use, as [`apply`] divides it.
pub fn limit_share(segment: Segment, model: &Model) -> u64 {
    match model {
        Model::Closed { vus } => segment.share(vus.peak().round() as u64),
        Model::Open { max_vus, .. } => segment.share(*max_vus).max(1),
    }
}

/// A start this much after `--start-at` is worth a note: the parts no longer line up.
const LATE_NOTE: Duration = Duration::from_millis(100);

/// Waits until the wall clock reaches `at` (`--start-at`); a signal ends the wait early (the
/// run then stops at once, as it would have). A note when the wait began after `at` (the
/// setup took longer).
pub fn wait_until(at: SystemTime, interrupts: &AtomicUsize) -> Option<String> {
    if let Ok(late) = SystemTime::now().duration_since(at)
        && late > LATE_NOTE
    {
        return Some(format!(
            "the load started {:.1} s after --start-at (late to start, or a long setup): it is not aligned with the other parts",
            late.as_secs_f64()
        ));
    }
    while interrupts.load(Ordering::Relaxed) == 0 {
        match at.duration_since(SystemTime::now()) {
            Ok(left) if !left.is_zero() => std::thread::sleep(left.min(Duration::from_millis(50))),
            _ => break,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::OpenVus;
    use crate::schedule::LoadCurve;

    fn closed(vus: f64, requests: Option<u64>) -> Part {
        Part {
            model: Model::Closed {
                vus: LoadCurve::constant(vus, 10.0),
            },
            run_for: Some(Duration::from_secs(10)),
            requests,
            open_vus: OpenVus::default(),
            graceful_stop: None,
            ramp_down_limit: None,
            name: None,
        }
    }

    fn thirds() -> Vec<Segment> {
        (1..=3).filter_map(|i| Segment::new(i, 3)).collect()
    }

    #[test]
    fn budgets_split_to_the_whole_and_only_to_segments_with_vus() {
        let budgets = |vus, n| -> Vec<Option<u64>> {
            thirds()
                .into_iter()
                .map(|s| apply(s, closed(vus, Some(n))).0.requests)
                .collect()
        };
        assert_eq!(budgets(10.0, 100), [Some(34), Some(33), Some(33)]);
        // Two VUs over three segments: the third has none, so none of the iterations.
        assert_eq!(budgets(2.0, 10), [Some(5), Some(5), Some(0)]);
        let (_, share) = apply(thirds()[2], closed(2.0, None));
        assert!(share.idle);
        assert_eq!(
            notes(thirds()[2], &[share]),
            ["segment 3/3 has none of the 2 VU(s): it ended at once"]
        );
    }

    #[test]
    fn the_open_pool_is_shared_out() {
        let open = Part {
            model: Model::Open {
                rate: LoadCurve::constant(300.0, 3.0),
                max_vus: 100,
            },
            open_vus: OpenVus {
                pre_allocated: Some(10),
                fixed_max: true,
            },
            ..closed(1.0, Some(100))
        };
        let parts: Vec<Part> = thirds().into_iter().map(|s| apply(s, open.clone()).0).collect();
        let max: Vec<u64> = parts.iter().map(|p| p.model.vus_limit()).collect();
        assert_eq!(max, [34, 33, 33]);
        let pre: Vec<Option<u64>> = parts.iter().map(|p| p.open_vus.pre_allocated).collect();
        assert_eq!(pre, [Some(4), Some(3), Some(3)]);
        assert_eq!(parts.iter().filter_map(|p| p.requests).sum::<u64>(), 100);
    }
}
