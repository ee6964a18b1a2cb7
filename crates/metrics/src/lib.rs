//! Request metrics recorded without storing requests: HDR histograms and counters per
//! endpoint, kept per worker thread and merged once a second by the coordinator.
//!
//! This crate owns *what* is measured and how it is aggregated; *when* requests happen is
//! the engine's business and how numbers are shown is the CLI's. Nothing here locks or is
//! shared between threads: each worker owns a [`Recorder`], sends it away whole every
//! second, and the coordinator merges them (histograms are merged, never averaged).

mod custom;
mod endpoint;
mod histogram;
mod messages;
mod recorder;
mod status;
mod summarize;

pub use custom::{CUSTOM_SCALE, CustomValues};
pub use endpoint::{EndpointMetrics, merge_histogram as merge_into};
pub use histogram::{LatencyHistogram, latency_stats, new_histogram, percentile_spectrum, record_us};
pub use messages::{ErrorMessages, MESSAGE_CHARS, MESSAGES_PER_KIND};
pub use recorder::{CheckCounts, JourneyMetrics, Outcome, Recorder, RequestPhases, Sample, Shape};
pub use status::StatusCounts;
pub use summarize::{error_map, error_messages, interval_summary, status_map};
