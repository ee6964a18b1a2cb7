//! `setup:` and `teardown:` with `setup_timeout` and `teardown_timeout` — k6's `setup()` and
//! `teardown()`: a list of steps run once by one VU, before the load and after it. What the
//! setup extracts is defined for every journey and for the teardown, as k6's setup data.

use std::collections::HashSet;

use super::node::{Key, Kind, Node, get};
use super::{Ctx, journey, value};
use crate::model::{Journey, LIFECYCLE_TIMEOUT, Lifecycle};
use crate::validate::scope::{DataInfo, StepVars};

/// `setup:` or `teardown:` (`which`) and its timeout from the top level's `entries`;
/// `Some(None)` when the file has none, `None` when it has errors.
pub(crate) fn section(
    ctx: &mut Ctx<'_>,
    entries: &[(Key, Node)],
    which: &str,
    data: &[DataInfo],
    inherited: &HashSet<String>,
) -> Option<Option<Lifecycle>> {
    let timeout_key = format!("{which}_timeout");
    let timeout = match get(entries, &timeout_key) {
        Some((_, n)) => value::positive_duration(ctx, n, &format!("'{timeout_key}'")),
        None => Some(LIFECYCLE_TIMEOUT),
    };
    let Some((_, node)) = get(entries, which) else {
        return timeout.map(|_| None);
    };
    let vars = StepVars {
        defined: inherited.clone(),
        ..StepVars::default()
    };
    let steps = journey::steps(ctx, node, &format!("'{which}'"), data, vars);
    Some(Some(Lifecycle {
        journey: Journey {
            name: which.to_string(),
            weight: 0,
            think: None,
            pacing: None,
            loops: 1,
            tags: Vec::new(),
            steps: steps?,
            timeout: None,
        },
        timeout: timeout?,
    }))
}

/// The variables `setup:`'s steps extract, read from the tree so that a setup with an error
/// elsewhere does not also make every journey's use of them an error.
pub(crate) fn extracted(entries: &[(Key, Node)]) -> HashSet<String> {
    let Some((_, node)) = get(entries, "setup") else {
        return HashSet::new();
    };
    match &node.kind {
        Kind::Seq(items) => items.iter().flat_map(journey::extract_names).collect(),
        _ => HashSet::new(),
    }
}

/// A journey named `setup` or `teardown` beside that section would share its group
/// (`{group:::setup}`) and its rows in the results: refused at the section's key.
pub(crate) fn check_names(ctx: &mut Ctx<'_>, entries: &[(Key, Node)], journeys: &[Journey]) {
    for which in ["setup", "teardown"] {
        if let Some((key, _)) = get(entries, which)
            && journeys.iter().any(|j| j.name == which)
        {
            ctx.error(
                key.pos,
                format!(
                    "a journey is named '{which}' beside this '{which}:' section: rename the journey (both would be group '::{which}')"
                ),
            );
        }
    }
}
