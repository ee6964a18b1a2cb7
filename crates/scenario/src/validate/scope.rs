//! What a template may refer to at a given place in the file: the data sources (with their
//! columns when the file could be read), and — inside a journey — the variables extracted by
//! earlier steps. Produces the "used before any step extracts it" diagnosis.

use std::collections::{HashMap, HashSet};

use crate::suggest;

/// A data source as far as templates are concerned.
#[derive(Debug, Clone)]
pub(crate) struct DataInfo {
    pub(crate) name: String,
    /// `None` when the file could not be read (already reported): any column is accepted then.
    pub(crate) columns: Option<Vec<String>>,
}

/// The variables visible at one step of a journey.
#[derive(Debug, Default, Clone)]
pub(crate) struct StepVars {
    /// Extracted by an earlier step of the journey.
    pub(crate) defined: HashSet<String>,
    /// Every variable the journey extracts, with the (1-based) step that first extracts it.
    pub(crate) extracted_at: HashMap<String, usize>,
    /// The step being compiled (1-based).
    pub(crate) step: usize,
    /// The journey repeats its steps (`loop` above 1).
    pub(crate) looped: bool,
    /// Its scenario's `env:` (k6's per-scenario `env`), read before the process environment.
    pub(crate) env: Vec<(String, String)>,
    /// The step is a `batch:`: its requests are all built before any of them answers.
    pub(crate) batch: bool,
}

/// Where a template is.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Place<'s> {
    /// The target URL: only `env.NAME`.
    Target,
    /// A `postgres:` connection string: only `env.NAME`, as the target.
    Postgres,
    /// `defaults:`: data fields, env and built-ins, no extracted variables.
    Defaults,
    /// A step of a journey.
    Step(&'s StepVars),
}

/// Everything a template compile needs to resolve names.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scope<'s> {
    pub(crate) data: &'s [DataInfo],
    pub(crate) place: Place<'s>,
}

impl Place<'_> {
    /// The section whose templates are resolved once, before the run (only `env.NAME`).
    pub(crate) fn fixed(&self) -> Option<&'static str> {
        match self {
            Place::Target => Some("target"),
            Place::Postgres => Some("postgres"),
            Place::Defaults | Place::Step(_) => None,
        }
    }
}

impl Scope<'_> {
    /// Checks that variable `name` has a value here; the error message otherwise.
    pub(crate) fn check_var(&self, name: &str) -> Result<(), String> {
        let used = format!("'{{{{ {name} }}}}'");
        match self.place {
            Place::Target | Place::Postgres => Err(format!(
                "{used}: '{}' can only use '{{{{ env.NAME }}}}' (it is resolved before the run)",
                self.place.fixed().unwrap_or_default()
            )),
            Place::Defaults => Err(format!(
                "{used} in defaults: defaults can use data fields, env and built-ins, not extracted variables"
            )),
            Place::Step(vars) => {
                if vars.defined.contains(name) {
                    return Ok(());
                }
                let mut message = format!("{used} is used before any step extracts it");
                match vars.extracted_at.get(name) {
                    Some(&at) if at == vars.step && vars.batch => {
                        message.push_str(&format!(
                            " (step {at}'s batch extracts it, after all its requests are sent: requests of one batch cannot use each other's values)"
                        ));
                    }
                    Some(&at) if at == vars.step => {
                        message.push_str(&format!(
                            " (step {at} extracts it from its own response, after the request is sent)"
                        ));
                    }
                    Some(&at) => {
                        message.push_str(&format!(
                            " (step {at} extracts it; a step can use only values extracted by earlier steps"
                        ));
                        message.push_str(if vars.looped {
                            ", and the first pass of a 'loop' has none yet)"
                        } else {
                            ")"
                        });
                    }
                    None => {
                        let mut known: Vec<&str> = vars.extracted_at.keys().map(String::as_str).collect();
                        known.extend(vars.defined.iter().map(String::as_str));
                        known.extend(self.data.iter().map(|d| d.name.as_str()));
                        known.extend(crate::validate::names::ALL_BUILTINS);
                        known.sort_unstable();
                        if let Some(near) = suggest::closest(name, known) {
                            message.push_str(&format!("; did you mean '{near}'?"));
                        }
                    }
                }
                Err(message)
            }
        }
    }
}
