//! Which of the open model's late starts were the machine's: an iteration that started more
//! than [`LATE_START`] after its scheduled time was due while the machine held the worker
//! thread off its CPU (`holds.rs`), or after the hold but before the thread had caught up
//! with its schedule — or it was not, and then its lateness was loadcell's own.
//!
//! This makes the blame in the schedule-lag warning a count, not a judgement from how long
//! the holds were: the arrivals a hold delays are the ones due from the moment the thread
//! went to sleep until an iteration starts on time again. The catch-up can take as long
//! again as the hold, and longer than the scheduler's: after a 400 ms stop at 1,000/s the
//! 400 arrivals it hands out at once wait for connections, and so do the next ones.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// A start later than this after its scheduled time counts as late: twice the most that
/// dispatch in batches costs by design (`open.rs`).
pub const LATE_START: Duration = Duration::from_millis(1);

/// Closed stretches kept: an iteration of one stretch may still be waiting to send (for a
/// connection, after a long hold) when later, short holds have opened and closed theirs.
const KEPT: usize = 8;

/// The latest stretches of one worker's schedule that a hold delayed: the one still open
/// (from the moment the thread went to sleep, until an iteration starts on time again), and
/// the [`KEPT`] latest closed ones.
#[derive(Default)]
pub struct HeldSpans {
    open: Cell<Option<Instant>>,
    closed: Cell<[Option<(Instant, Instant)>; KEPT]>,
    next: Cell<usize>,
}

impl HeldSpans {
    /// A hold was found on waking from a sleep that began at `slept_at`: arrivals due from
    /// then on are late because of it, until the thread is back on schedule. A hold found
    /// while still catching up from the last one extends that stretch.
    pub fn held(&self, slept_at: Instant) {
        if self.open.get().is_none() {
            self.open.set(Some(slept_at));
        }
    }

    /// An iteration started on time at `now`: the thread is back on schedule. Called on
    /// every start, so it costs one check when no stretch is open.
    pub fn on_time(&self, now: Instant) {
        if let Some(from) = self.open.take() {
            let mut closed = self.closed.get();
            let at = self.next.get();
            closed[at] = Some((from, now));
            self.closed.set(closed);
            self.next.set((at + 1) % KEPT);
        }
    }

    /// Whether an iteration scheduled at `scheduled` was due in a stretch a hold delayed.
    pub fn covers(&self, scheduled: Instant) -> bool {
        self.open.get().is_some_and(|from| scheduled >= from)
            || self
                .closed
                .get()
                .iter()
                .flatten()
                .any(|&(from, until)| scheduled >= from && scheduled < until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(base: Instant, ms: u64) -> Instant {
        base + Duration::from_millis(ms)
    }

    #[test]
    fn a_hold_covers_what_was_due_from_the_sleep_until_the_catch_up() {
        let t = Instant::now();
        let spans = HeldSpans::default();
        assert!(!spans.covers(at(t, 5)), "no hold yet");
        spans.held(at(t, 10));
        assert!(!spans.covers(at(t, 9)), "due before the sleep: not delayed by the hold");
        assert!(spans.covers(at(t, 10)));
        assert!(
            spans.covers(at(t, 500)),
            "still catching up: everything due since is the hold's"
        );
        spans.on_time(at(t, 20));
        assert!(spans.covers(at(t, 19)));
        assert!(!spans.covers(at(t, 20)), "due once the thread was back on schedule");
    }

    #[test]
    fn the_latest_holds_are_kept_and_a_hold_during_a_catch_up_extends_it() {
        let t = Instant::now();
        let spans = HeldSpans::default();
        spans.held(at(t, 10));
        spans.held(at(t, 12)); // found again before catching up: one stretch from 10
        spans.on_time(at(t, 15));
        spans.on_time(at(t, 40)); // already caught up: the end stays
        assert!(spans.covers(at(t, 11)) && !spans.covers(at(t, 15)));
        for k in 0..KEPT as u64 {
            spans.held(at(t, 30 + 10 * k));
            spans.on_time(at(t, 35 + 10 * k));
        }
        assert!(spans.covers(at(t, 31)) && spans.covers(at(t, 31 + 10 * (KEPT as u64 - 1))));
        assert!(!spans.covers(at(t, 11)), "the oldest is forgotten");
        assert!(!spans.covers(at(t, 37)), "between holds, on schedule");
    }
}
