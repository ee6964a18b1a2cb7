//! The requests in flight on one worker, one slot per VU, so that requests still
//! unanswered when the grace period ends are recorded as failed (`unfinished`, their age
//! at the cut as a latency — a lower bound) instead of vanishing with their tasks. A run
//! where most requests hung must not pass because the hung ones were never counted.
//!
//! A request counts once it has reached for the target: sent, or its connection being
//! opened (a connect the target never completes is a hung request too). One still queued
//! for a connection slot of loadcell's own pool never left loadcell: at the cut it is no
//! request, only its iteration is counted as cut.
//!
//! Slots are added when VUs are spawned; a request only writes its VU's slot (no
//! allocation, no lock). A worker has a second table of these for its VUs' extra
//! connections of a scenario's batch step (`lanes.rs`), a slot added per extra connection
//! when it is made, so a batch's requests are counted at the cut like any other.

use loadcell_metrics::{Outcome, Sample};
use loadcell_schema::ErrorKind;
use std::cell::RefCell;
use std::time::Instant;

/// A request in flight.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub endpoint: usize,
    /// Where its latency counts from: the scheduled start (open model) or the send.
    pub since: Instant,
    /// When it was sent (`None`: still getting a connection).
    pub sent: Option<Instant>,
    /// Its connection is being opened to the target (not merely queued in the pool).
    pub connecting: bool,
    /// Request bytes, once sent.
    pub sent_bytes: u64,
    /// When its iteration started: whether it belongs to the warm-up.
    pub started: Instant,
    /// Open model: its service time (from the send) is recorded too.
    pub open: bool,
    /// The VU and its iteration, for `--samples`.
    pub vu: u64,
    pub iteration: u64,
}

impl Entry {
    /// Whether it had reached for the target: sent, or its connection being opened (one
    /// still queued for a pool slot never left loadcell).
    pub fn reached_target(&self) -> bool {
        self.sent.is_some() || self.connecting
    }

    /// The sample this request stands for when it is cut at `at`.
    pub fn cut_at(&self, at: Instant) -> Sample {
        let us = |from: Instant| at.saturating_duration_since(from).as_micros().min(u128::from(u64::MAX)) as u64;
        Sample {
            endpoint: self.endpoint,
            latency_us: us(self.since),
            // Only a request that was sent has a service time; a hung connect has none.
            service_us: self.sent.filter(|_| self.open).map(us),
            ttfb_us: None,
            sending_us: None,
            outcome: Outcome::Error(ErrorKind::Unfinished),
            sent_bytes: self.sent_bytes,
            received_bytes: 0,
            expected_interval_us: None,
        }
    }
}

/// One worker's requests in flight, by VU slot.
#[derive(Default)]
pub struct InFlight {
    slots: RefCell<Vec<Option<Entry>>>,
}

impl InFlight {
    /// Makes room for VU slot `slot` (called when a VU is spawned).
    pub fn reserve(&self, slot: usize) {
        let mut slots = self.slots.borrow_mut();
        if slots.len() <= slot {
            slots.resize(slot + 1, None);
        }
    }

    /// Adds a slot at the end and returns it (a VU's extra connection for a batch, in the
    /// worker's table of those).
    pub fn add(&self) -> usize {
        let mut slots = self.slots.borrow_mut();
        slots.push(None);
        slots.len() - 1
    }

    /// A request of VU `slot` starts.
    #[inline]
    pub fn begin(&self, slot: usize, entry: Entry) {
        if let Some(s) = self.slots.borrow_mut().get_mut(slot) {
            *s = Some(entry);
        }
    }

    /// The request of VU `slot` is opening its connection to the target.
    #[inline]
    pub fn connecting(&self, slot: usize) {
        if let Some(Some(e)) = self.slots.borrow_mut().get_mut(slot) {
            e.connecting = true;
        }
    }

    /// The request of VU `slot` was sent at `at` with `bytes`; in the closed model its
    /// latency counts from here.
    #[inline]
    pub fn sent(&self, slot: usize, at: Instant, bytes: u64) {
        if let Some(Some(e)) = self.slots.borrow_mut().get_mut(slot) {
            e.sent = Some(at);
            e.sent_bytes = bytes;
            if !e.open {
                e.since = at;
            }
        }
    }

    /// The request of VU `slot` ended (completed or failed: it was recorded).
    #[inline]
    pub fn end(&self, slot: usize) {
        if let Some(s) = self.slots.borrow_mut().get_mut(slot) {
            *s = None;
        }
    }

    /// Takes the request of VU `slot`, whatever it was at (see [`Entry::reached_target`]).
    pub fn take(&self, slot: usize) -> Option<Entry> {
        self.slots.borrow_mut().get_mut(slot).and_then(Option::take)
    }

    /// Takes every request still in flight: sent, or connecting to the target. Those still
    /// queued for a connection slot are cleared but not returned (they never left loadcell).
    pub fn cut(&self) -> Vec<Entry> {
        self.slots
            .borrow_mut()
            .iter_mut()
            .filter_map(Option::take)
            .filter(Entry::reached_target)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn requests_still_in_flight_are_cut_with_their_age() {
        let t0 = Instant::now();
        let inflight = InFlight::default();
        let entry = |open| Entry {
            endpoint: 0,
            since: t0,
            sent: None,
            connecting: false,
            sent_bytes: 0,
            started: t0,
            open,
            vu: 1,
            iteration: 0,
        };
        inflight.reserve(3);
        inflight.begin(0, entry(true));
        inflight.begin(1, entry(false));
        inflight.begin(2, entry(false));
        inflight.begin(3, entry(false)); // queued for a pool slot: never left loadcell
        inflight.connecting(0);
        inflight.sent(1, t0 + Duration::from_millis(10), 40);
        inflight.end(2);
        inflight.begin(9, entry(false)); // no such slot: ignored
        let cut = inflight.cut();
        assert_eq!(cut.len(), 2);
        let at = t0 + Duration::from_millis(110);
        let open = cut[0].cut_at(at);
        // Cut while connecting: its age counts, but it has no service time.
        assert_eq!((open.latency_us, open.service_us), (110_000, None));
        let closed = cut[1].cut_at(at);
        // Closed model: from the send, which was 10 ms after the request began.
        assert_eq!(
            (closed.latency_us, closed.service_us, closed.sent_bytes),
            (100_000, None, 40)
        );
        assert_eq!(closed.outcome, Outcome::Error(ErrorKind::Unfinished));
        assert!(inflight.cut().is_empty());
    }
}
