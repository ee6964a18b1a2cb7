//! Scenario files for loadcell: reading YAML (or JSON), validating it completely before any
//! request is sent — every error at `file:line:col` with what was expected — and compiling it
//! into a [`Scenario`]: templates, JSON paths and regexes compiled once, data and body files
//! loaded. Also the pure functions the runtime calls per request: template rendering
//! ([`Template::render`], [`JsonTemplate::render`], [`Body::render`], [`append_query`]),
//! [`Check::evaluate`] and [`Extract::apply`].
//!
//! This crate sends no requests, schedules nothing and records no metrics; the engine does.
//! The format is documented in `README.md` beside this crate.

use std::path::Path;

mod check;
mod data;
mod error;
mod extract;
#[doc(hidden)]
pub mod fuzzing;
pub mod jsonpath;
mod model;
mod parse;
mod render;
mod response;
mod schema;
mod select;
mod suggest;
pub mod template;
mod validate;

/// The YAML tree with positions that scenario files are read into (anchors, alias budget,
/// duplicate keys checked), for loadcell's other files — suite plans — to report
/// `file:line:col` the same way.
pub mod yaml {
    pub use crate::parse::node::{Key, Kind, Node, Pos, YamlError, get, parse_yaml};
}

pub use error::{RenderError, ScenarioError};
pub use jsonpath::JsonPath;
pub use model::{
    AddValue, Batch, Body, Check, CheckKind, Compare, DEFAULT_BATCH_PARALLEL, DataSource, Defaults, Executor,
    Exhausted, Extract, ExtractSource, FileRef, Journey, LIFECYCLE_TIMEOUT, Lifecycle, Load, MetricAdd, Monitor,
    Multipart, MultipartPart, OnFail, PartContent, Pick, PickMatch, Profile, Redirects, RequestStep, Scenario,
    ScenarioPart, SourcePos, Stage, StatusMatch, Step, Think, TlsFiles, ValueTest, custom_refs,
};
pub use render::append_query;
pub use response::{LazyJson, ResponseView};
pub use schema::json_schema;
pub use template::{JsonTemplate, Template, Vars};

/// Reads, validates and compiles the scenario file at `path`; data and body files are read
/// relative to its directory. The error is the first problem in file order.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    validate_file(path).map_err(first)
}

/// Like [`load`] but returns every problem found, in file order.
pub fn validate_file(path: &Path) -> Result<Scenario, Vec<ScenarioError>> {
    let label = path.display().to_string();
    let text = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count();
                return Err(vec![ScenarioError {
                    file: label,
                    line,
                    col: 1,
                    message: "the scenario file is not UTF-8 text".into(),
                }]);
            }
        },
        Err(e) => {
            return Err(vec![ScenarioError {
                file: label,
                line: 1,
                col: 1,
                message: format!("cannot read the scenario file: {e}"),
            }]);
        }
    };
    let base = path.parent().unwrap_or(Path::new("."));
    let mut scenario = parse::run(&text, &label, base)?;
    scenario.source_path = Some(path.to_path_buf());
    Ok(scenario)
}

/// Validates and compiles scenario text; `file_label` names it in errors and `base_dir` is where
/// data and body files are looked up. The error is the first problem in file order.
pub fn parse_str(text: &str, file_label: &str, base_dir: &Path) -> Result<Scenario, ScenarioError> {
    parse::run(text, file_label, base_dir).map_err(first)
}

/// Every problem in scenario text, in file order (empty when it is valid).
pub fn validate_all(text: &str, file_label: &str, base_dir: &Path) -> Vec<ScenarioError> {
    parse::run(text, file_label, base_dir).err().unwrap_or_default()
}

fn first(mut errors: Vec<ScenarioError>) -> ScenarioError {
    if errors.is_empty() {
        return ScenarioError {
            file: String::new(),
            line: 1,
            col: 1,
            message: "invalid scenario".into(),
        };
    }
    errors.swap_remove(0)
}
