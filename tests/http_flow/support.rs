//! The helpers of these tests: the shared kit (`loadcell-testkit`) and a few readers of the
//! summary that treat a missing count as zero.

pub use crate::server::FlowServer;
pub use loadcell_testkit::process::run_file;
pub use loadcell_testkit::summary::*;
pub use loadcell_testkit::{Caddy, Httpbin, Pki, TempDir};
use serde_json::Value;

/// `endpoints[name].<map>.<key>`, 0 when the key is absent.
pub fn count_of(summary: &Value, endpoint_name: &str, map: &str, key: &str) -> u64 {
    endpoint(summary, endpoint_name)[map][key].as_u64().unwrap_or(0)
}

/// `endpoints[name].requests`.
pub fn requests_of(summary: &Value, endpoint_name: &str) -> u64 {
    u64_at(endpoint(summary, endpoint_name), "requests")
}
