//! k6's `gracefulRampDown` in the closed model: a VU that a ramp-down makes surplus in the
//! middle of an iteration may finish it within the limit; past the limit the iteration is
//! cut — counted as cut (`iterations.cut`), not as a finished or failed iteration, and a
//! request it still had out counted as `unfinished`, as at the end of a run.
//!
//! The control loop ([`RampDown::watch`], every tick) knows the target and the clock; the
//! VU knows its iteration. Each VU of a part with a limit has a [`LocalSignal`] here, which
//! the control loop raises once the VU has been surplus for the limit, and which the VU
//! races its iteration against (no lock, no timer per VU). Without a limit nothing here
//! exists and a ramped-down VU finishes its iteration however long it takes.

use crate::context::{Transport, VuContext};
use crate::signal::LocalSignal;
use crate::state::WorkerState;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One VU's place: its cut signal and since when it has been surplus.
struct Slot {
    cut: Rc<LocalSignal>,
    surplus_since: Option<Instant>,
    raised: bool,
}

/// The VUs of one worker that a ramp-down may cut, by local VU index.
pub(crate) struct RampDown {
    slots: RefCell<Vec<Option<Slot>>>,
    /// The lowest VU marked surplus (`usize::MAX`: none), so a tick without surplus VUs —
    /// every tick of a ramp-up — costs nothing per VU.
    marked_from: Cell<usize>,
}

impl Default for RampDown {
    fn default() -> Self {
        RampDown {
            slots: RefCell::new(Vec::new()),
            marked_from: Cell::new(usize::MAX),
        }
    }
}

impl RampDown {
    /// The cut signal of VU `local` (made when the VU is spawned).
    pub(crate) fn register(&self, local: usize) -> Rc<LocalSignal> {
        let mut slots = self.slots.borrow_mut();
        if slots.len() <= local {
            slots.resize_with(local + 1, || None);
        }
        let cut = Rc::new(LocalSignal::default());
        slots[local] = Some(Slot {
            cut: Rc::clone(&cut),
            surplus_since: None,
            raised: false,
        });
        cut
    }

    /// The worker's VU target is `target` at `now`: VUs from `target` on are surplus (since
    /// now, unless they already were); one surplus for `limit` has its signal raised once.
    /// A VU not in an iteration ignores the signal (it lowers it before its next one).
    pub(crate) fn watch(&self, target: u64, now: Instant, limit: Duration) {
        let mut slots = self.slots.borrow_mut();
        let target = usize::try_from(target).unwrap_or(usize::MAX).min(slots.len());
        // Needed again: no longer surplus.
        let marked = self.marked_from.get().min(slots.len());
        for slot in slots[marked.min(target)..target].iter_mut().flatten() {
            slot.surplus_since = None;
            slot.raised = false;
        }
        for slot in slots[target..].iter_mut().flatten() {
            let since = *slot.surplus_since.get_or_insert(now);
            if !slot.raised && now.saturating_duration_since(since) >= limit {
                slot.raised = true;
                slot.cut.notify();
            }
        }
        self.marked_from
            .set(if target < slots.len() { target } else { usize::MAX });
    }
}

/// Runs `iteration` unless `cut` is raised first (`None` then: the iteration was dropped
/// where it stood). A raise left from an earlier ramp-down is forgotten first.
pub(crate) async fn unless_cut<F: Future>(cut: &LocalSignal, iteration: F) -> Option<F::Output> {
    cut.lower();
    tokio::select! {
        biased;
        out = iteration => Some(out),
        () = cut.wait() => None,
    }
}

/// Accounts for an iteration of `ctx` cut at the ramp-down limit: its request still out is
/// an `unfinished` failure (one only queued for a pool slot never left loadcell), its
/// connection closed (it may be mid-exchange) and its settings restored (the cut may have
/// come while a redirect had it pointed at another origin), the iteration counted as cut.
pub(crate) fn account_cut(state: &WorkerState, ctx: &mut VuContext, home: &Arc<Transport>, started: Instant) {
    let now = Instant::now();
    let own = state.inflight.take(ctx.slot);
    let lanes = ctx.lane_slots().iter().map(|&slot| state.lane_inflight.take(slot));
    for entry in std::iter::once(own).chain(lanes).flatten() {
        state.in_flight.set(state.in_flight.get().saturating_sub(1));
        if entry.reached_target() {
            crate::worker::record_cut(state, &entry, now);
        }
    }
    ctx.after_cut(home);
    state.busy.set(state.busy.get().saturating_sub(1));
    state.recorder_for(started).iterations_cut += 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raised(ramp: &RampDown) -> Vec<bool> {
        ramp.slots.borrow().iter().flatten().map(|s| s.raised).collect()
    }

    #[test]
    fn surplus_vus_are_raised_once_past_the_limit_and_forgiven_when_needed_again() {
        let ramp = RampDown::default();
        let t0 = Instant::now();
        let limit = Duration::from_secs(1);
        for local in 0..3 {
            ramp.register(local);
        }
        ramp.watch(3, t0, limit);
        assert_eq!(raised(&ramp), [false, false, false]);
        // Ramped down to 1: VUs 1 and 2 are surplus from now, cut a second later.
        ramp.watch(1, t0, limit);
        ramp.watch(1, t0 + Duration::from_millis(999), limit);
        assert_eq!(raised(&ramp), [false, false, false]);
        ramp.watch(1, t0 + limit, limit);
        assert_eq!(raised(&ramp), [false, true, true]);
        // Back to 2: VU 1 is needed again; VU 2 stays surplus from its first moment.
        ramp.watch(2, t0 + limit, limit);
        assert_eq!(raised(&ramp), [false, false, true]);
        // Down to 1 again: VU 1's second surplus counts from now.
        let again = t0 + Duration::from_secs(5);
        ramp.watch(1, again, limit);
        assert_eq!(raised(&ramp), [false, false, true]);
        ramp.watch(1, again + limit, limit);
        assert_eq!(raised(&ramp), [false, true, true]);
    }
}
