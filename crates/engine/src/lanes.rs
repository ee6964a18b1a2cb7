//! A VU's extra connections for a scenario's batch step (k6's `http.batch()`, whose VU
//! keeps up to `batchPerHost` connections per host in its own transport).
//!
//! A batch sends its requests at the same time: the VU's own connection carries one, and
//! each further one in flight needs a connection of its own. Those are *lanes*: contexts of
//! the same VU (its id, iteration, warm-up and schedule) that own a connection, created at
//! the VU's first batch and kept, with their connections warm, across its iterations — in
//! the open model too, where the VU's own connection comes from the worker's pool. A VU
//! that never runs a batch has none and pays one empty pointer for the possibility.
//!
//! Each lane has a slot in the worker's table of extra requests in flight (beside the one
//! of VUs), so a batch request still unanswered at the cut is counted `unfinished` like any
//! other. The slots stay the VU's even while its lanes are lent out to a batch, so a
//! ramp-down that cuts the iteration mid-batch finds them.
//!
//! Not here: running the batch (the scenario's workload decides which request goes on which
//! lane), HTTP/2 multiplexing (a lane opens a connection of its own either way).

use crate::context::VuContext;
use std::rc::Rc;
use std::sync::Arc;

/// The lanes of one VU, boxed behind an `Option` in its context (allocated at its first
/// batch).
#[derive(Default)]
pub(crate) struct LaneSet {
    /// The lanes not lent out, in slot order.
    idle: Vec<VuContext>,
    /// Their slots in the worker's table of extra requests in flight, in lane order.
    slots: Vec<usize>,
}

impl VuContext {
    /// Lends `n` lanes for a batch beside this VU's own connection, set to the current
    /// iteration: a batch that is the iteration's first step measures every request it
    /// starts at once from the scheduled start (open model), as the VU's own. The first
    /// call for a VU makes them (connections open at their first send); later calls reuse
    /// them. Give them back with [`give_back_lanes`](Self::give_back_lanes).
    pub fn take_lanes(&mut self, n: usize) -> Vec<VuContext> {
        let set = self.lanes.get_or_insert_with(Box::default);
        let mut lanes = std::mem::take(&mut set.idle);
        while lanes.len() < n {
            let slot = match set.slots.get(lanes.len()) {
                Some(&slot) => slot,
                None => {
                    let slot = self.worker.lane_inflight.add();
                    set.slots.push(slot);
                    slot
                }
            };
            let mut lane = VuContext::new(Rc::clone(&self.worker), Arc::clone(&self.transport), self.vu_id, 0);
            lane.slot = slot;
            lane.inflight = Rc::clone(&self.worker.lane_inflight);
            lane.is_lane = true;
            lanes.push(lane);
        }
        for lane in &mut lanes {
            lane.started = self.started;
            lane.iteration = self.iteration;
            lane.scheduled = self.scheduled;
        }
        lanes
    }

    /// Takes back lanes lent by [`take_lanes`](Self::take_lanes); a lane that hit
    /// loadcell's own descriptor limit makes the VU back off as its own connection would.
    pub fn give_back_lanes(&mut self, mut lanes: Vec<VuContext>) {
        for lane in &mut lanes {
            lane.scheduled = None;
            self.local_limit_hit |= std::mem::take(&mut lane.local_limit_hit);
        }
        if let Some(set) = &mut self.lanes {
            set.idle = lanes;
        }
    }

    /// The in-flight slots of this VU's lanes (lent out or not).
    pub(crate) fn lane_slots(&self) -> &[usize] {
        self.lanes.as_deref().map_or(&[], |set| &set.slots)
    }

    /// Closes the connections of the lanes this VU holds (parked, ramped down, or cut).
    pub(crate) fn close_lanes(&mut self) {
        if let Some(set) = &mut self.lanes {
            for lane in &mut set.idle {
                lane.close_connection();
            }
        }
    }
}
