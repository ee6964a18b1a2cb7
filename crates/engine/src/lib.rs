//! loadcell's load engine: worker threads with one event loop each, the closed model
//! (VUs loop, ramped by stages) and the open model (arrivals on a fixed schedule, VUs
//! from a bounded pool, late or unservable arrivals counted), stop conditions, and the
//! coordinator that merges per-thread metrics once a second.
//!
//! The engine never touches the terminal, clap or files: it takes [`Settings`] and a
//! [`Workload`], reports each interval to an [`Observer`], and returns an [`Outcome`].
//! HTTP details live in `loadcell-http`, metric types in `loadcell-metrics`.

mod closed;
mod context;
mod dynamic;
mod exchange;
mod fds;
mod holds;
mod inflight;
mod lanes;
mod late;
mod lifecycle;
mod open;
mod own;
mod plan;
mod pool;
mod quick;
mod ramp;
mod run;
mod samples;
pub mod schedule;
mod segment;
mod signal;
mod state;
mod timer;
mod usage;
mod warm;
mod worker;
mod workload;

pub use context::{Parked, Sent, Transport, VuContext};
pub use dynamic::{DYNAMIC_ENDPOINTS, DynamicEndpoints};
pub use fds::{Descriptors, TooManyConnections, check as check_descriptors, raise_limit as raise_descriptor_limit};
pub use holds::{Holds, Spells};
pub use lifecycle::{PhaseFailure, PhaseRun};
pub use own::{LATE_P99_MS, own_warnings, schedule_summary};
pub use plan::Model;
pub use quick::SingleRequest;
pub use run::{
    ConnectionBudget, Control, IntervalEvent, Observer, OpenVus, Outcome, Part, Settings, phase_of, phase_spans, run,
};
pub use samples::{RequestRecord, SampleSink, SampleSinkFactory, Samples};
pub use schedule::LoadCurve;
pub use usage::ProcessUsage;
pub use workload::{CheckName, EndpointName, Lifecycle, Next, REDIRECTS_SUFFIX, Workload, tag_of};

/// The unit grammar, under the name the engine's modules use (`crate::units::Stage`).
pub use loadcell_units as units;
