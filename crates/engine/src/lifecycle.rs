//! k6's `setup()` and `teardown()`: a workload's steps run once by one VU (number 0, as in
//! k6) outside the load — before the first worker starts, and after the last one ended.
//!
//! Each runs on the coordinator's thread in a current-thread runtime of its own, records
//! into a recorder of the run's shape (so its requests count, as k6 counts them, and the
//! coordinator adds them to the run's first or an interval of their own), and is bounded
//! by its timeout and by interrupts: the setup by the first Ctrl-C, the teardown only by a
//! second one (k6 runs it after an interrupted or aborted load). A request still in flight
//! when a phase is cut is recorded as `unfinished`, as at the end of the load.

use crate::context::{Transport, VuContext};
use crate::samples::Samples;
use crate::state::WorkerState;
use crate::workload::{Lifecycle, Workload};
use loadcell_metrics::{Recorder, Shape};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How one phase went.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseRun {
    pub phase: Lifecycle,
    /// From its start to its end (or its cut).
    pub duration: Duration,
    /// `None`: every step passed.
    pub failure: Option<PhaseFailure>,
}

/// Why a phase did not complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhaseFailure {
    /// A step failed: its request, a check or an extraction (the workload's words).
    Failed(String),
    /// It ran longer than its timeout.
    TimedOut(Duration),
    /// Ctrl-C (the setup) or a second Ctrl-C (the teardown).
    Interrupted,
}

impl fmt::Display for PhaseFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PhaseFailure::Failed(why) => f.write_str(why),
            PhaseFailure::TimedOut(limit) => write!(
                f,
                "timed out after {}",
                loadcell_units::format::duration_s(limit.as_secs_f64())
            ),
            PhaseFailure::Interrupted => f.write_str("interrupted"),
        }
    }
}

/// What a phase needs from the run.
pub(crate) struct PhaseSettings<'a> {
    pub(crate) transport: &'a Transport,
    pub(crate) shape: Shape,
    pub(crate) samples: Option<&'a Samples>,
    pub(crate) interrupts: &'a AtomicUsize,
    /// The run's start, which `--samples` records are timed from (`None` before it: the
    /// setup's are timed from its own start).
    pub(crate) t0: Option<Instant>,
    /// Endpoint slots a phase's recorder may grow to (redirect hops registered while it runs).
    pub(crate) room: usize,
}

/// Runs `phase` of `workload` if it has one: how it went and what it recorded.
pub(crate) fn run_phase<W: Workload>(
    workload: &W,
    phase: Lifecycle,
    settings: &PhaseSettings<'_>,
) -> Option<(PhaseRun, Recorder)> {
    let timeout = workload.lifecycle_timeout(phase)?;
    let start = Instant::now();
    let state = std::rc::Rc::new(WorkerState::new(
        settings.shape,
        settings.room,
        None,
        start,
        settings.t0.unwrap_or(start),
    ));
    if let Some(factory) = settings.samples {
        *state.samples.borrow_mut() = Some(factory.for_worker(0));
    }
    // The teardown still runs after the first Ctrl-C; a second one cuts it.
    let stop_at = match phase {
        Lifecycle::Setup => 1,
        Lifecycle::Teardown => 2,
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
    let failure = match runtime {
        Err(e) => Some(PhaseFailure::Failed(format!("cannot start its event loop: {e}"))),
        Ok(runtime) => {
            let local = tokio::task::LocalSet::new();
            let mut ctx = VuContext::new(state.clone(), Arc::new(settings.transport.clone()), 0, 0);
            let outcome = local.block_on(&runtime, async {
                tokio::select! {
                    result = workload.lifecycle(phase, &mut ctx) => result.err().map(PhaseFailure::Failed),
                    _ = tokio::time::sleep(timeout) => Some(PhaseFailure::TimedOut(timeout)),
                    _ = interrupted(settings.interrupts, stop_at) => Some(PhaseFailure::Interrupted),
                }
            });
            drop(ctx);
            outcome
        }
    };
    let cut_at = Instant::now();
    crate::worker::cut_unfinished(&state, cut_at);
    if let Some(sink) = state.samples.borrow_mut().as_mut() {
        sink.flush();
    }
    let recorder = state.recorder.replace(Recorder::with_shape(settings.shape));
    let run = PhaseRun {
        phase,
        duration: cut_at.saturating_duration_since(start),
        failure,
    };
    Some((run, recorder))
}

/// Resolves once `interrupts` reaches `at`.
async fn interrupted(interrupts: &AtomicUsize, at: usize) {
    while interrupts.load(Ordering::Relaxed) < at {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
