//! `meta.json`: what is known about a run at its start (request slots included), and
//! its conversion from and to the engine's types.

use crate::end::unix_ms;
use crate::model::ModelSpec;
use crate::{FORMAT_NAME, FORMAT_VERSION};
use loadcell_engine::{CheckName, EndpointName, Model};
use loadcell_schema::{Profile, RunMetadata, StageLabel, StageRole, rfc3339_utc};
use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Everything known when the run starts (`meta.json`). Fields added in later versions
/// must have `#[serde(default)]` so that older folders still read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunMeta {
    /// Always [`FORMAT_NAME`].
    pub format: String,
    pub format_version: u32,
    pub loadcell_version: String,
    /// RFC 3339 UTC, for people.
    pub started_at: String,
    /// Milliseconds since the Unix epoch, for programs.
    pub started_at_unix_ms: u64,
    /// The URL (quick mode) or scenario name.
    pub target: String,
    /// The run's label (what the folder was named after); often the target.
    pub label: String,
    pub model: ModelSpec,
    pub warmup_s: f64,
    pub threads: usize,
    /// Request slots in recorder index order.
    pub endpoints: Vec<EndpointSlot>,
    /// Journey names in recorder index order (empty in quick mode).
    pub journeys: Vec<String>,
    /// Checks in recorder index order (empty in quick mode).
    pub checks: Vec<CheckSlot>,
    /// A scenario's own metrics (`metrics:`), in recorder index order (absent without them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom: Vec<loadcell_schema::CustomMetricDef>,
    /// Where steps add to them, in recorder index order (`label`: the metric's name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_sites: Vec<CheckSlot>,
    /// Threshold expressions as the user wrote them.
    pub thresholds: Vec<String>,
    /// Each threshold's own `abortOnFail` (k6's object form), index for index with
    /// `thresholds`: its `delayAbortEval` in seconds, `null` for one without. Absent when no
    /// threshold has one, so `loadcell report` replays the same abort check as the run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub threshold_abort_after_s: Vec<Option<f64>>,
    pub metadata: RunMetadata,
    /// The test-type profile (`--profile`), so `loadcell report` analyses it the same way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<Profile>,
    /// Phase names of the load curve's stages, in order (profiles).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stage_names: Vec<String>,
    /// What each stage is for, in order (profiles); absent in folders written before roles
    /// were recorded, see [`RunMeta::stage_labels`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stage_roles: Vec<StageRole>,
    /// With `--abort-on-fail` (or `--profile breakpoint`): its `--abort-delay`, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abort_delay_s: Option<f64>,
    /// The VU limit the run's abort check judged `vus_max` with (with `scenarios:`, every
    /// scenario's VUs or `max_vus` added up, which `model` — the headline curve — does not
    /// say); absent in older folders, where the model's own limit stands in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vus_limit: Option<u64>,
    /// With `--segment`: this part's own share of `vus_limit`, which its own abort check and
    /// summary judged `vus_max` with; absent for the whole test (and in a merged folder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own_vus_limit: Option<u64>,
    /// `--profile spike`: the rolling window the recovery is judged on, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_window_s: Option<f64>,
    /// A file's `scenarios:`: each one's executor and start, which the summary's
    /// `scenarios[]` shows and the slots do not carry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scenarios: Vec<ScenarioStart>,
    /// `--segment I/N`: the part of the whole test this folder holds (`model` is the whole
    /// test's); absent for a whole test. `loadcell merge` puts segments back together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    /// `loadcell merge`: the folders this one was merged from (absent for a run's own).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged: Vec<loadcell_schema::MergedPart>,
}

/// One entry of a file's `scenarios:` as `meta.json` keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioStart {
    pub name: String,
    /// k6's executor name.
    pub executor: String,
    pub start_time_s: f64,
}

/// A request slot: the engine's [`EndpointName`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointSlot {
    pub method: String,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journey: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<(String, String)>,
}

/// A check: the engine's [`CheckName`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckSlot {
    pub journey: String,
    pub step: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<(String, String)>,
}

impl RunMeta {
    /// Metadata of a run of `model` against `target`, started at `started_at`. The label
    /// is the target; slots are set with [`RunMeta::with_slots`]; thresholds and
    /// [`RunMetadata`] (and the profile fields) are left empty for the caller to set.
    pub fn new(target: &str, started_at: SystemTime, model: &Model, warmup: Duration, threads: usize) -> RunMeta {
        RunMeta {
            format: FORMAT_NAME.to_string(),
            format_version: FORMAT_VERSION,
            loadcell_version: env!("CARGO_PKG_VERSION").to_string(),
            started_at: rfc3339_utc(started_at),
            started_at_unix_ms: unix_ms(started_at),
            target: target.to_string(),
            label: target.to_string(),
            model: ModelSpec::from_model(model),
            warmup_s: warmup.as_secs_f64(),
            threads,
            endpoints: Vec::new(),
            journeys: Vec::new(),
            checks: Vec::new(),
            custom: Vec::new(),
            custom_sites: Vec::new(),
            thresholds: Vec::new(),
            threshold_abort_after_s: Vec::new(),
            metadata: RunMetadata::default(),
            profile: None,
            stage_names: Vec::new(),
            stage_roles: Vec::new(),
            abort_delay_s: None,
            vus_limit: None,
            own_vus_limit: None,
            recovery_window_s: None,
            scenarios: Vec::new(),
            segment: None,
            merged: Vec::new(),
        }
    }

    /// Sets the workload's slots, in recorder index order.
    pub fn with_slots(mut self, endpoints: &[EndpointName], journeys: &[String], checks: &[CheckName]) -> RunMeta {
        self.endpoints = endpoints.iter().map(EndpointSlot::from_name).collect();
        self.journeys = journeys.to_vec();
        self.checks = checks.iter().map(CheckSlot::from_name).collect();
        self
    }

    /// Name and role of each stage. Folders written before roles were recorded name their
    /// stages only; the names a profile gives are then read back into their roles.
    pub fn stage_labels(&self) -> Vec<StageLabel> {
        self.stage_names
            .iter()
            .enumerate()
            .map(|(i, name)| StageLabel {
                name: name.clone(),
                role: self.stage_roles.get(i).copied().unwrap_or_else(|| legacy_role(name)),
            })
            .collect()
    }

    /// The start as a wall-clock instant.
    pub fn started(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.started_at_unix_ms)
    }

    /// Sets the start (the load's t0, known only once the setup and any `--start-at` wait
    /// are over).
    pub fn set_started(&mut self, at: SystemTime) {
        self.started_at = rfc3339_utc(at);
        self.started_at_unix_ms = unix_ms(at);
    }

    /// The segment this folder holds (`None`: the whole test, or a spelling no loadcell
    /// wrote).
    pub fn segment(&self) -> Option<loadcell_units::Segment> {
        self.segment
            .as_deref()
            .and_then(|s| loadcell_units::Segment::parse(s).ok())
    }

    /// The warm-up's length.
    pub fn warmup(&self) -> Duration {
        Duration::try_from_secs_f64(self.warmup_s).unwrap_or_default()
    }

    /// The slots of every recorder of this run.
    pub fn shape(&self) -> loadcell_metrics::Shape {
        loadcell_metrics::Shape {
            endpoints: self.endpoints.len(),
            journeys: self.journeys.len(),
            checks: self.checks.len(),
            custom: self.custom_sites.len(),
        }
    }
}

impl EndpointSlot {
    pub fn from_name(name: &EndpointName) -> EndpointSlot {
        EndpointSlot {
            method: name.method.clone(),
            path: name.path.clone(),
            journey: name.journey.clone(),
            step: name.step.clone(),
            tags: name.tags.clone(),
        }
    }

    pub fn to_name(&self) -> EndpointName {
        EndpointName {
            method: self.method.clone(),
            path: self.path.clone(),
            journey: self.journey.clone(),
            step: self.step.clone(),
            tags: self.tags.clone(),
        }
    }
}

impl CheckSlot {
    pub fn from_name(name: &CheckName) -> CheckSlot {
        CheckSlot {
            journey: name.journey.clone(),
            step: name.step.clone(),
            label: name.label.clone(),
            tags: name.tags.clone(),
        }
    }

    pub fn to_name(&self) -> CheckName {
        CheckName {
            journey: self.journey.clone(),
            step: self.step.clone(),
            label: self.label.clone(),
            tags: self.tags.clone(),
        }
    }
}

/// The role of a stage named by a profile in a folder written before roles were recorded.
fn legacy_role(name: &str) -> StageRole {
    match name {
        "smoke" => StageRole::Smoke,
        "ramp up" => StageRole::RampUp,
        "hold 100%" => StageRole::Hold,
        "baseline" => StageRole::Baseline,
        "drop to baseline" => StageRole::Drop,
        "recovery" => StageRole::Recovery,
        "ramp down" => StageRole::RampDown,
        n if n.starts_with("step ") => StageRole::Step,
        n if n.starts_with("jump to ×") => StageRole::Jump,
        n if n.starts_with("spike ×") => StageRole::Spike,
        n if n.starts_with("ramp to ×") => StageRole::Ramp,
        _ => StageRole::RampToStep,
    }
}
