//! A run's live metrics for Prometheus: the engine's cumulative results, turned once a
//! second into the Prometheus text exposition format (and OpenMetrics when the scraper
//! asks for it), served over HTTP from a thread of its own.
//!
//! This crate owns the metric names, their labels and both text encodings, and the small
//! `/metrics` server. It never touches the request path: [`LiveMetrics::update`] renders
//! the text when the coordinator reports an interval, and a scrape only clones the
//! rendered bytes under a short lock. The target's resources (`--monitor`) are exposed
//! too, from [`LiveMetrics::set_monitor`].
//!
//! ```no_run
//! # use loadcell_prometheus::{LiveMetrics, MetricsServer};
//! let metrics = LiveMetrics::new();
//! let server = MetricsServer::start("127.0.0.1:9464".parse().unwrap(), metrics.clone()).unwrap();
//! // once a second: metrics.update(&view);
//! server.shutdown();
//! ```

mod addr;
mod buckets;
mod collect;
mod encode;
mod error;
mod live;
mod model;
mod monitor;
mod names;
mod negotiate;
mod server;

pub use addr::{DEFAULT_ADDR, DEFAULT_PORT, parse_addr};
pub use buckets::BUCKET_BOUNDS_S;
pub use error::PrometheusError;
pub use live::{LiveMetrics, View};
pub use server::MetricsServer;

#[cfg(test)]
mod tests;
