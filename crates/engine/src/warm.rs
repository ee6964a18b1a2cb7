//! Open model, quick mode: the first connections of a worker's pool, opened before the
//! first arrival.
//!
//! Without them every arrival of the first milliseconds found no connection: at 50,000/s
//! the first ~20 ms of a run went to opening connections round after round (connect p50
//! ~1 ms, the event loop busy with them), and every arrival of that stretch started 1–5 ms
//! late — about 900 late starts, loadcell's own. Opened during the head start before t0,
//! the connects delay nothing; the pool keeps them warm and hands them out like any other.
//!
//! They are counted like every connect (`connect` in the results, under the run's first
//! interval); one that fails is not a request and counts nowhere: the arrivals then connect
//! as usual, and their failures are measured.

use crate::context::micros;
use crate::plan::{Model, Plan};
use crate::schedule::share_of;
use crate::state::WorkerState;
use crate::workload::Workload;
use loadcell_http::{Scheme, connect};
use std::rc::Rc;
use std::sync::Arc;

/// Connections opened ahead: this many seconds of arrivals at the starting rate. Not only
/// the first arrivals need them: after the machine holds loadcell's thread for a few
/// milliseconds (`holds.rs`; 2–5 ms is common on a virtual machine), the arrivals due
/// meanwhile all go out at once, and with fewer connections idle than that, the catch-up
/// waited for connects (at 50,000/s: with 1 ms of arrivals ahead, 170–250 connects during
/// a 2 s run and 1,600 late starts; with 5 ms, none or few during the run).
const AHEAD_S: f64 = 0.005;
/// …at most this many per worker…
const AHEAD_MAX: u64 = 256;
/// …or this many over TLS, where each handshake costs the thread a millisecond or more of
/// CPU that would run into the first arrivals.
const AHEAD_MAX_TLS: u64 = 8;

/// Starts opening this worker's first connections (`pre_allocated`: its VUs allocated
/// before the first arrival, which bound how many could use one at once). Call before t0.
pub fn open_ahead<W: Workload>(plan: &Arc<Plan<W>>, state: &Rc<WorkerState>, id: usize, pre_allocated: u64) {
    let count = ahead(plan, id, pre_allocated).min(state.pool.limit());
    for _ in 0..count {
        state.pool.connect_ahead();
        let (state, transport, t0) = (state.clone(), plan.transport.clone(), plan.t0);
        tokio::task::spawn_local(async move {
            let result = connect(&transport.origin, &transport.client).await;
            state.pool.connect_ended(&result);
            if let Ok(c) = result {
                // Quick mode has one endpoint.
                state.recorder_for(t0).record_connect_for(0, micros(c.connect_time));
                state.pool.release(c.connection);
            }
        });
    }
}

/// How many connections this worker opens ahead: none but in quick mode's open model (a
/// scenario's steps may go to other hosts), else [`AHEAD_S`] of its share of the starting
/// rate, at least one, at most [`AHEAD_MAX`] (over TLS [`AHEAD_MAX_TLS`]) and its
/// pre-allocated VUs.
fn ahead<W: Workload>(plan: &Plan<W>, id: usize, pre_allocated: u64) -> u64 {
    let Model::Open { ref rate, .. } = plan.model else {
        return 0;
    };
    if !plan.workload.one_request_per_iteration() {
        return 0;
    }
    let all = (rate.value_at(0.0) * AHEAD_S).ceil() as u64;
    let mine = share_of(plan.segment.share(all), id, plan.workers);
    let most = match plan.transport.origin.scheme {
        Scheme::Http => AHEAD_MAX,
        Scheme::Https => AHEAD_MAX_TLS,
    };
    mine.clamp(1, most).min(pre_allocated)
}
