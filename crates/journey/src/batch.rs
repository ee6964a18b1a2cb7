//! A `batch:` step (k6's `http.batch()`): its requests are built in list order, sent at the
//! same time — at most `parallel` in flight, on the VU's own connection and its extra ones
//! (the engine's lanes, kept across iterations) —, and once every one has answered (or
//! timed out), judged in list order: checks, extractions and `add:` as for a request step,
//! so later steps see what the batch extracted.
//!
//! Each request is an exchange of its own (`exchange.rs`: redirect hops, decoding), with
//! its own endpoint slot, buffers (the VU's, one set per request of the largest batch it
//! ran) and connection; they share the VU's cookie jar, borrowed from its `RefCell` only
//! between two awaits. A free connection takes the next request not yet sent, as k6's
//! batch does. A request that cannot be built is recorded as skipped and not sent; the
//! others go out, and the iteration ends after the batch, as after a step that could not
//! be built.
//!
//! Cost: a batch step allocates its futures once per step (the boxed batch, one slice for
//! the connections' futures), never per request; steps without a batch run none of this.

use crate::cookies::CookieJar;
use crate::vu::{Io, VuState};
use crate::workload::{JourneyWorker, JourneyWorkload, StepResult, StepSlots, Why, evaluate};
use loadcell_engine::{Sent, VuContext};
use loadcell_scenario::Batch;
use std::cell::{Cell, RefCell};

/// One request of a batch while it runs: its buffers, whether it was built, and its
/// response once it came.
pub(crate) struct BatchEntry {
    pub(crate) io: Io,
    built: bool,
    sent: Option<Sent>,
}

impl JourneyWorkload {
    /// Runs batch step `batch` whose requests record under `slots`; how it went, and the
    /// first of its requests (in list order) that failed.
    pub(crate) async fn run_batch(
        &self,
        batch: &Batch,
        slots: &[StepSlots],
        vu: &mut VuState,
        ctx: &mut VuContext,
    ) -> (StepResult, Option<usize>) {
        let n = batch.requests.len().min(slots.len());
        while vu.batch.len() < n {
            vu.batch.push(RefCell::new(BatchEntry {
                io: Io::new(),
                built: false,
                sent: None,
            }));
        }
        let target = self.target();
        let mut to_send = 0;
        let mut not_built = None;
        for (i, (rs, s)) in batch.requests.iter().zip(slots).enumerate() {
            let built = crate::request::build_batch_request(rs, &target, vu, i).is_ok();
            if let Some(entry) = vu.batch.get_mut(i) {
                let entry = entry.get_mut();
                entry.built = built;
                entry.sent = None;
            }
            if built {
                to_send += 1;
            } else {
                // Its variable has no value (an earlier step failed) or its URL leaves the
                // target: counted as skipped, as a request step's.
                ctx.record_skipped(s.request);
                not_built = not_built.or(Some(i));
            }
        }
        let connections = (batch.parallel as usize).min(to_send);
        if connections > 0 {
            let mut lanes = ctx.take_lanes(connections - 1);
            let next = Cell::new(0);
            let shared = Shared {
                entries: &vu.batch[..n],
                slots,
                next: &next,
                jar: &vu.jar,
                worker: &vu.worker,
            };
            let all = std::iter::once(&mut *ctx)
                .chain(lanes.iter_mut())
                .map(|conn| self.drain(&shared, conn));
            futures_util::future::join_all(all).await;
            ctx.give_back_lanes(lanes);
        }
        self.judge_batch(batch, slots, vu, ctx, not_built)
    }

    /// Sends requests of the batch on `conn`, the next one not yet taken each time, until
    /// none is left.
    async fn drain(&self, shared: &Shared<'_>, conn: &mut VuContext) {
        loop {
            let i = shared.next.get();
            let (Some(entry), Some(&slots)) = (shared.entries.get(i), shared.slots.get(i)) else {
                return;
            };
            shared.next.set(i + 1);
            if !entry.borrow().built {
                continue;
            }
            // Only this connection takes request `i`; its buffers are moved out while it is
            // in flight (empty buffers in their place: no allocation) and put back after.
            let mut io = std::mem::take(&mut entry.borrow_mut().io);
            let sent = self.exchange(slots, &mut io, shared.jar, shared.worker, conn).await;
            let mut entry = entry.borrow_mut();
            entry.io = io;
            entry.sent = Some(sent);
        }
    }

    /// Checks, extractions and `add:` of every request that answered, in list order.
    fn judge_batch(
        &self,
        batch: &Batch,
        slots: &[StepSlots],
        vu: &mut VuState,
        ctx: &VuContext,
        not_built: Option<usize>,
    ) -> (StepResult, Option<usize>) {
        let mut result = StepResult {
            why: not_built.map(|_| Why::NotBuilt),
            abort: not_built.is_some(),
        };
        let mut first_failed = not_built;
        for (i, (rs, &s)) in batch.requests.iter().zip(slots).enumerate() {
            let VuState {
                batch: entries,
                rng,
                vars,
                ..
            } = &mut *vu;
            let Some(entry) = entries.get_mut(i).map(RefCell::get_mut) else {
                continue;
            };
            let Some(sent) = entry.sent else {
                continue;
            };
            let checked = evaluate(rs, s, &sent, &mut entry.io, rng, vars, ctx);
            let went = self.conclude(rs, s, &sent, checked, vu, ctx);
            if went.why.is_some() && first_failed.is_none_or(|f| i < f) {
                first_failed = Some(i);
                result.why = went.why;
            }
            // `on_fail: abort_iteration` on a request ends the iteration after the batch.
            result.abort |= went.abort;
        }
        (result, first_failed)
    }
}

/// What a batch's connections share while they send.
struct Shared<'a> {
    entries: &'a [RefCell<BatchEntry>],
    slots: &'a [StepSlots],
    /// The next request not yet taken by a connection.
    next: &'a Cell<usize>,
    jar: &'a RefCell<CookieJar>,
    worker: &'a JourneyWorker,
}
