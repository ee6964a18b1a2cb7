//! The closed model on one worker: VUs that loop request → response → request, as many as
//! the VU curve says, each with its own keep-alive connection.
//!
//! VUs are started no faster than their connections open: at most [`STARTING_MAX`] VUs of
//! a worker may be spawned and still on their first connect, so `-c 100000` neither opens
//! 100,000 connections at once nor allocates 100,000 VUs that could not start anyway; the
//! VUs the run never got to start are reported. Every loop turn gives the event loop a
//! chance to run (a VU whose requests fail at once, say a refused socket, would otherwise
//! spin without ever yielding), and a VU whose request failed because loadcell's machine
//! refused a descriptor or a port backs off before trying again. A VU ramped down finishes
//! the iteration it is in, within k6's `gracefulRampDown` when the part has one (`ramp.rs`).

use crate::context::VuContext;
use crate::plan::Plan;
use crate::ramp::{account_cut, unless_cut};
use crate::state::WorkerState;
use crate::workload::{Next, Workload};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// VUs of a worker that may be spawned and not yet through their first connect.
const STARTING_MAX: u64 = 1024;
/// Back-off after a request failed on loadcell's own limit: doubling from the first…
const BACKOFF_FIRST: Duration = Duration::from_millis(10);
/// …to at most this (short enough that a stop is seen within a second).
const BACKOFF_MAX: Duration = Duration::from_millis(250);

/// Spawns VUs towards `target` (paced by `STARTING_MAX`) and wakes or parks the others;
/// returns whether VUs are still waiting to be spawned.
pub fn set_target<W: Workload>(
    plan: &Arc<Plan<W>>,
    state: &Rc<WorkerState>,
    shared: &Rc<W::Worker>,
    id: usize,
    target: u64,
) -> bool {
    let previous = state.vus_target.get();
    state.vus_target.set(target);
    while state.vus_spawned.get() < target && state.vus_starting.get() < STARTING_MAX {
        let local = state.vus_spawned.get();
        state.vus_spawned.set(local + 1);
        state.vus_live.set(state.vus_live.get() + 1);
        state.vus_starting.set(state.vus_starting.get() + 1);
        let vu_id = plan.vu_id(local, id);
        tokio::task::spawn_local(closed_vu(plan.clone(), state.clone(), shared.clone(), local, vu_id));
    }
    state.vus_peak_target.set(state.vus_peak_target.get().max(target));
    if target > previous {
        state.vu_wake.notify_waiters();
    }
    if let Some(limit) = plan.ramp_down_limit {
        state.ramp.watch(target, Instant::now(), limit);
    }
    state.vus_spawned.get() < target
}

async fn closed_vu<W: Workload>(
    plan: Arc<Plan<W>>,
    state: Rc<WorkerState>,
    shared: Rc<W::Worker>,
    local: u64,
    vu_id: u64,
) {
    let mut vu = plan.workload.new_vu_in(&shared, vu_id, plan.part);
    let mut ctx = VuContext::new(state.clone(), plan.transport.clone(), vu_id, local as usize).starting();
    // k6's gracefulRampDown: the control loop may cut an iteration a ramp-down left running.
    let cut = plan.ramp_down_limit.map(|_| state.ramp.register(local as usize));
    let mut backoff = BACKOFF_FIRST;
    let mut ran = false;
    loop {
        if state.stopping.get() {
            break;
        }
        if local >= state.vus_target.get() {
            // Ramped down: release the connection and wait to be needed again.
            ctx.disconnect();
            let woken = state.vu_wake.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            if local >= state.vus_target.get() && !state.stopping.get() {
                woken.await;
            }
            continue;
        }
        let started = Instant::now();
        if !state.take_ticket(started) {
            break;
        }
        if !ran {
            ran = true;
            state.vus_ran.set(state.vus_ran.get() + 1);
        }
        state.begin_iteration();
        ctx.started = started;
        let next = match &cut {
            None => plan.workload.iteration(&mut vu, &mut ctx).await,
            Some(cut) => match unless_cut(cut, plan.workload.iteration(&mut vu, &mut ctx)).await {
                Some(next) => next,
                None => {
                    account_cut(&state, &mut ctx, &plan.transport, started);
                    continue;
                }
            },
        };
        state.end_iteration(started, next);
        ctx.finish_iteration();
        if next != Next::Continue {
            state.stop_if_asked(next);
            break;
        }
        if std::mem::take(&mut ctx.local_limit_hit) {
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(BACKOFF_MAX);
        } else {
            backoff = BACKOFF_FIRST;
            // An iteration that never waited (every request failed at once) must still let
            // the event loop run: the control loop, the stop, the other VUs.
            tokio::task::coop::consume_budget().await;
        }
    }
    state.vus_live.set(state.vus_live.get().saturating_sub(1));
}
