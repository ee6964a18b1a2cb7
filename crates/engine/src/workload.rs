//! What a virtual user does in one iteration, as a trait the engine drives.
//!
//! The engine owns *when* iterations run (models, stages, stop conditions) and the
//! connection; a workload owns *what* an iteration sends. Quick mode's workload sends one
//! fixed request; scenario journeys implement the same trait elsewhere.

use crate::context::VuContext;
use std::future::Future;

/// An endpoint as it appears in results: `METHOD /templated/path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointName {
    pub method: String,
    pub path: String,
}

impl EndpointName {
    /// `METHOD path`, the name shown in tables and used by tag filters.
    pub fn display(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// Whether a VU should go on after an iteration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Continue,
    /// This VU has nothing more to do (e.g. its unique test data ran out).
    StopVu,
}

/// A kind of iteration. Shared by all worker threads; per-VU state lives in `Vu`.
pub trait Workload: Send + Sync + 'static {
    /// Per-VU state (extracted variables, cookie jar, data cursor ...).
    type Vu: 'static;

    /// The endpoints this workload can hit, in recorder index order.
    fn endpoints(&self) -> Vec<EndpointName>;

    /// State for VU number `vu_id` (unique across the run, from 1).
    fn new_vu(&self, vu_id: u64) -> Self::Vu;

    /// Runs one iteration, sending requests through `ctx` (which records them).
    fn iteration<'a>(&'a self, vu: &'a mut Self::Vu, ctx: &'a mut VuContext) -> impl Future<Output = Next> + 'a;
}
