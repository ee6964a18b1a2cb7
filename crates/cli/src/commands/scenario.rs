//! `loadcell validate FILE` and `loadcell schema`: scenario files without sending anything.

use crate::error::CliError;
use loadcell_scenario::Step;
use loadcell_schema::exit;
use loadcell_session::{DEFAULT_TIMEOUT, RequestSpec, Target};
use std::path::Path;

/// `loadcell validate FILE`: prints what the file holds; exit 0, or 2 with the problem.
pub fn validate(path: &Path) -> Result<i32, CliError> {
    let scenario = loadcell_session::load_file(path)?;
    // Filters are checked against the names the run would have, as `run` does; a file
    // without `target:` gets a placeholder origin (only names are looked at).
    let placeholder = scenario.target.is_none().then_some("http://127.0.0.1");
    let request = RequestSpec {
        method: "GET".into(),
        connect_timeout: DEFAULT_TIMEOUT,
        ..RequestSpec::default()
    };
    Target::of_scenario(scenario.clone(), placeholder, &request)?.check_scenario_filters()?;
    let steps = || scenario.journeys.iter().flat_map(|j| &j.steps);
    let requests = steps().map(|s| s.requests().len()).sum::<usize>();
    let checks: usize = steps().flat_map(Step::requests).map(|r| r.checks.len()).sum();
    println!(
        "{}: ok — scenario '{}': {} journeys, {} steps ({requests} requests, {checks} checks), {} data sources, {} thresholds",
        path.display(),
        scenario.name,
        scenario.journeys.len(),
        steps().count(),
        scenario.data.len(),
        scenario.thresholds.len()
    );
    Ok(exit::OK)
}

/// `loadcell schema`: the JSON Schema of scenario files.
pub fn schema() -> Result<i32, CliError> {
    let text = serde_json::to_string_pretty(&loadcell_scenario::json_schema())?;
    println!("{text}");
    Ok(exit::OK)
}
