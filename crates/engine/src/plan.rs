//! The run as the workers see it: every decision made before the first request (model,
//! curves, boundaries, budgets), frozen and shared read-only across threads.

use crate::schedule::LoadCurve;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// The load model with its curve over time (warm-up included).
#[derive(Debug, Clone)]
pub enum Model {
    /// VUs loop; the curve gives the number of VUs.
    Closed { vus: LoadCurve },
    /// Iterations arrive on schedule; the curve gives the rate per second.
    Open { rate: LoadCurve, max_vus: u64 },
}

impl Model {
    /// The schema's name of this model.
    pub fn kind(&self) -> loadcell_schema::Model {
        match self {
            Model::Closed { .. } => loadcell_schema::Model::Closed,
            Model::Open { .. } => loadcell_schema::Model::Open,
        }
    }

    /// The most VUs the model may use.
    pub fn vus_limit(&self) -> u64 {
        match self {
            Model::Closed { vus } => vus.peak().round() as u64,
            Model::Open { max_vus, .. } => *max_vus,
        }
    }
}

/// Frozen plan shared by the coordinator and all workers.
pub struct Plan<W> {
    /// Shared by every part of a run with several (`run.rs`'s parts).
    pub workload: Arc<W>,
    /// Which part of the run this plan drives (0 for a run of one), handed to
    /// [`Workload::new_vu_in`](crate::Workload::new_vu_in).
    pub part: usize,
    /// This part's workers are the run's workers `first_worker..first_worker + workers`
    /// of `all_workers`: worker ids, VU ids and test-data shares are unique across parts.
    pub first_worker: usize,
    pub all_workers: usize,
    /// Which part of the whole test this process runs (`--segment I/N`; 1/1 for all of
    /// it): VUs, arrivals and test-data rows are numbered across the whole test and this
    /// process takes every N-th (`loadcell_units::Segment`).
    pub segment: crate::units::Segment,
    pub shape: loadcell_metrics::Shape,
    /// How many endpoint slots a worker's recorder may grow to: the fixed ones and the
    /// workload's dynamic ones ([`crate::DynamicEndpoints::room`]).
    pub room: usize,
    pub transport: Arc<crate::context::Transport>,
    pub model: Model,
    pub workers: usize,
    /// The common start instant of every worker.
    pub t0: Instant,
    pub warmup_end: Instant,
    /// When iterations stop being started (`None`: only the request budget ends the run).
    pub end: Option<Instant>,
    pub requests: Option<u64>,
    pub grace: Duration,
    /// k6's `gracefulStop` was given: the grace period waits for iterations under way to
    /// finish, not only for requests in flight.
    pub grace_iterations: bool,
    /// k6's `gracefulRampDown` (closed model): how long a VU ramped down mid-iteration may
    /// take to finish it before it is cut; `None`: no limit.
    pub ramp_down_limit: Option<Duration>,
    pub samples: Option<crate::samples::Samples>,
    pub open_vus: crate::run::OpenVus,
    /// Graceful stop: no new iterations, in-flight ones get the grace period.
    pub stop: AtomicBool,
    pub stop_notify: Notify,
    /// Immediate stop: in-flight requests are cut.
    pub hard_stop: AtomicBool,
    /// The stop came from an interrupt (Ctrl-C, SIGTERM): the grace period is short.
    pub interrupted: AtomicBool,
    /// Connections loadcell may hold at once (its file-descriptor budget); the open model's
    /// pools share it out.
    pub connection_limit: u64,
}

impl<W> Plan<W> {
    /// The run-wide id of this part's worker `id`.
    pub fn worker_id(&self, id: usize) -> usize {
        self.first_worker + id
    }

    /// The test-wide id (from 1) of the `local`-th VU of this part's worker `id`: unique
    /// across the run's workers and, with `--segment`, across the test's segments.
    pub fn vu_id(&self, local: u64, id: usize) -> u64 {
        self.segment
            .global(local * self.all_workers as u64 + self.worker_id(id) as u64)
            + 1
    }

    /// The `local` index of VU `vu_id` on its worker (the inverse of [`Plan::vu_id`]).
    pub fn vu_local(&self, vu_id: u64) -> u64 {
        (vu_id - 1) / self.segment.count() / self.all_workers.max(1) as u64
    }

    /// Seconds since `t0` (0 before it).
    pub fn elapsed_s(&self, now: Instant) -> f64 {
        now.saturating_duration_since(self.t0).as_secs_f64()
    }

    /// The first interval boundary after `t`: whole seconds since `t0`, plus the end of
    /// the warm-up, so that no interval straddles it.
    pub fn boundary_after(&self, t: Instant) -> Instant {
        let since = t.saturating_duration_since(self.t0);
        let next_whole = self.t0 + Duration::from_secs(since.as_secs() + 1);
        if t < self.warmup_end && self.warmup_end < next_whole {
            self.warmup_end
        } else {
            next_whole
        }
    }
}
