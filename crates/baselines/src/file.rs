//! The `performance-baselines.json` document, in the shape teams keep by hand —
//! `{ "endpoints": [ { "name", "slo_p95_ms", "current_p95_ms", "current_p99_ms",
//! "throughput_rps", "last_tested", "status", "bottleneck" } ], "overall_slo_compliance" }`
//! — plus a bounded `history` per endpoint. Fields loadcell does not know (a team's own
//! notes) are kept as they were when the file is updated. See `docs/baselines.md`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::BaselinesError;

/// The conventional file name.
pub const DEFAULT_FILE: &str = "performance-baselines.json";
/// Runs kept per endpoint unless told otherwise.
pub const DEFAULT_HISTORY: usize = 100;

/// Pass or fail against the endpoint's SLO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
}

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BaselinesFile {
    pub endpoints: Vec<EndpointBaseline>,
    /// Percentage (0 to 100) of the endpoints with an SLO whose last run passed it; `null`
    /// when no endpoint has an SLO.
    #[serde(default)]
    pub overall_slo_compliance: Option<f64>,
    /// Anything else the file holds, kept as it is.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// One endpoint (or benchmark) and its last measured numbers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EndpointBaseline {
    /// `METHOD /path`, or a benchmark's name.
    pub name: String,
    /// The p95 SLO in ms, from the run's thresholds (`p95<200ms`,
    /// `http_req_duration{endpoint:GET /x}: p(95)<200`) or written by hand.
    #[serde(default)]
    pub slo_p95_ms: Option<f64>,
    pub current_p95_ms: f64,
    pub current_p99_ms: f64,
    pub throughput_rps: f64,
    /// RFC 3339 UTC start of the run these numbers come from.
    pub last_tested: String,
    /// Against `slo_p95_ms`; `null` without an SLO.
    #[serde(default)]
    pub status: Option<Status>,
    /// What limited the endpoint, from the run's bottleneck verdict where it has one
    /// (loadcell does not produce one yet; a hand-written value is kept).
    #[serde(default)]
    pub bottleneck: Option<String>,
    /// Failed / requests of the last run, 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_error_rate: Option<f64>,
    /// Benchmarks: mean time per iteration, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_mean_ms: Option<f64>,
    /// The last runs, oldest first, at most the history limit.
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// One past run of an endpoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// RFC 3339 UTC.
    pub tested_at: String,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub throughput_rps: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_rate: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_ms: Option<f64>,
    /// The results folder or file the run was read from.
    #[serde(default)]
    pub source: String,
}

impl BaselinesFile {
    /// Reads `path`; `Ok(None)` when it does not exist.
    pub fn read(path: &Path) -> Result<Option<BaselinesFile>, BaselinesError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(BaselinesError::io(path, &e)),
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| BaselinesError::Invalid {
                path: path.to_path_buf(),
                line: e.line(),
                column: e.column(),
                message: e.to_string().split(" at line ").next().unwrap_or_default().to_string(),
            })
    }

    /// Reads `path`, which must exist.
    pub fn read_existing(path: &Path) -> Result<BaselinesFile, BaselinesError> {
        BaselinesFile::read(path)?.ok_or_else(|| BaselinesError::Missing {
            path: path.to_path_buf(),
        })
    }

    /// Writes the file as pretty JSON, through a temporary file renamed over it, so a
    /// crash never leaves half a file.
    pub fn write(&self, path: &Path) -> Result<(), BaselinesError> {
        let mut text = serde_json::to_string_pretty(self).map_err(|e| BaselinesError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        text.push('\n');
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, text).map_err(|e| BaselinesError::io(&tmp, &e))?;
        std::fs::rename(&tmp, path).map_err(|e| BaselinesError::io(path, &e))
    }

    /// The endpoint named `name`.
    pub fn endpoint(&self, name: &str) -> Option<&EndpointBaseline> {
        self.endpoints.iter().find(|e| e.name == name)
    }

    /// Recomputes `overall_slo_compliance` from the endpoints' statuses.
    pub fn update_compliance(&mut self) {
        let judged: Vec<Status> = self.endpoints.iter().filter_map(|e| e.status).collect();
        self.overall_slo_compliance = (!judged.is_empty()).then(|| {
            let passed = judged.iter().filter(|s| **s == Status::Pass).count();
            (1000.0 * passed as f64 / judged.len() as f64).round() / 10.0
        });
    }
}
