//! Runs scenario journeys as an engine [`Workload`](loadcell_engine::Workload): each
//! iteration picks a journey by weight, renders its steps' templates into reused buffers,
//! sends them on the VU's connection, follows redirects, runs checks and extractions on the
//! responses, keeps an RFC 6265 cookie jar per VU, and draws test data rows from this
//! worker's share of each file.
//!
//! The file format, template compilation and the pure check/extract functions live in
//! `loadcell-scenario`; scheduling and metrics in `loadcell-engine`.

mod adds;
mod batch;
mod cookies;
mod data;
mod decode;
mod exchange;
mod hops;
mod lifecycle;
mod redirect;
mod request;
mod response;
mod rng;
mod vu;
mod weights;
mod workload;

pub use workload::{JourneyWorker, JourneyWorkload};
