//! `journeys:` — the list of journeys (`name`, `weight`, `think`, `pacing`, `loop`, `timeout`, `steps`),
//! their weights, and the per-journey flow of extracted variables from step to step.

use std::collections::HashSet;

use super::node::{Key, Kind, Node, get};
use super::scenarios::JourneyEnvs;
use super::{Ctx, step, value};
use crate::model::Journey;
use crate::validate::scope::{DataInfo, Place, Scope, StepVars};

const KEYS: [&str; 8] = ["name", "weight", "think", "pacing", "loop", "steps", "tags", "timeout"];

/// Takes the list by value: each journey's nodes are freed as soon as it is compiled.
/// `inherited`: the variables `setup:` extracts, which every journey may read.
pub(crate) fn section(
    ctx: &mut Ctx<'_>,
    key: &Key,
    node: Node,
    data: &[DataInfo],
    inherited: &HashSet<String>,
    envs: &JourneyEnvs,
) -> Option<Vec<Journey>> {
    let count = value::seq(ctx, &node, "'journeys'")?.len();
    if count == 0 {
        ctx.error(
            node.pos,
            "'journeys' is empty: expected at least one journey with 'name' and 'steps'",
        );
        return None;
    }
    let Kind::Seq(items) = node.kind else {
        return None;
    };
    let mut names = HashSet::new();
    let mut journeys = Some(Vec::with_capacity(count));
    for (i, item) in items.into_vec().into_iter().enumerate() {
        match (
            journey(ctx, i + 1, &item, data, &mut names, (inherited, envs)),
            journeys.as_mut(),
        ) {
            (Some(j), Some(list)) => list.push(j),
            _ => journeys = None,
        }
    }
    let journeys = journeys?;
    if journeys.iter().all(|j| j.weight == 0) {
        ctx.error(
            key.pos,
            "the journeys' weights add up to 0: give at least one journey a weight above 0",
        );
        return None;
    }
    Some(journeys)
}

fn journey(
    ctx: &mut Ctx<'_>,
    number: usize,
    node: &Node,
    data: &[DataInfo],
    names: &mut HashSet<String>,
    (inherited, envs): (&HashSet<String>, &JourneyEnvs),
) -> Option<Journey> {
    let entries = value::map(ctx, node, &format!("journey {number}"))?;
    let mark = ctx.errors.len();
    let label = match get(entries, "name").and_then(|(_, n)| n.scalar_text()) {
        Some(n) => format!("journey '{}'", crate::error::clip(n.trim(), 60)),
        None => format!("journey {number}"),
    };
    // A missing required key is not reported when an unknown key (likely its typo) was.
    let keys_ok = value::known_keys(ctx, entries, &KEYS, &format!("in {label}"));
    let name = match get(entries, "name") {
        Some((_, n)) => {
            let name = value::non_empty_text(ctx, n, "'name'").map(|s| s.trim().to_string());
            if let Some(name) = &name
                && !names.insert(name.clone())
            {
                ctx.error(n.pos, format!("two journeys are named '{name}': names must be unique"));
            }
            name
        }
        None => {
            if keys_ok {
                ctx.error(node.pos, format!("journey {number} has no 'name'"));
            }
            None
        }
    };
    let weight = match get(entries, "weight") {
        Some((_, n)) => value::whole_in(ctx, n, "'weight'", 0, u64::from(u32::MAX)).map(|w| w as u32),
        None => Some(1),
    };
    let think = get(entries, "think").and_then(|(_, n)| value::think(ctx, n, "'think'"));
    let pacing = get(entries, "pacing").and_then(|(_, n)| value::positive_duration(ctx, n, "'pacing'"));
    let timeout = get(entries, "timeout").and_then(|(_, n)| value::positive_duration(ctx, n, "'timeout'"));
    let loops = match get(entries, "loop") {
        Some((_, n)) => value::whole_in(ctx, n, "'loop'", 1, u64::from(u32::MAX)).map(|l| l as u32),
        None => Some(1),
    };
    let tags = match get(entries, "tags") {
        Some((_, n)) => super::tags::tags(ctx, n),
        None => Some(Vec::new()),
    };
    let steps = match get(entries, "steps") {
        Some((_, n)) => {
            let env = name.as_ref().and_then(|n| envs.get(n)).cloned().unwrap_or_default();
            let vars = StepVars {
                looped: loops.is_some_and(|l| l > 1),
                defined: inherited.clone(),
                env,
                ..StepVars::default()
            };
            steps(ctx, n, &label, data, vars)
        }
        None => {
            if keys_ok {
                ctx.error(node.pos, format!("{label} has no 'steps'"));
            }
            None
        }
    };
    if !ctx.clean_since(mark) {
        return None;
    }
    Some(Journey {
        name: name?,
        weight: weight?,
        think,
        pacing,
        loops: loops?,
        tags: tags?,
        steps: steps?,
        timeout,
    })
}

/// A list of steps (a journey's, or `setup:` / `teardown:`); `vars` says what is defined
/// before the first step (the setup's variables) and the scenario's `env:`.
pub(crate) fn steps(
    ctx: &mut Ctx<'_>,
    node: &Node,
    label: &str,
    data: &[DataInfo],
    mut vars: StepVars,
) -> Option<Vec<crate::model::Step>> {
    let items = value::seq(ctx, node, "'steps'")?;
    if items.is_empty() {
        ctx.error(node.pos, format!("{label} has no steps: 'steps' is empty"));
        return None;
    }
    // Which step first extracts each variable, so a use can be checked against the steps
    // before it and the error can say where the value does come from.
    let mut extracted: Vec<Vec<String>> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let names = extract_names(item);
        for name in &names {
            vars.extracted_at.entry(name.clone()).or_insert(i + 1);
        }
        extracted.push(names);
    }
    let mut out = Some(Vec::with_capacity(items.len()));
    for (i, item) in items.iter().enumerate() {
        vars.step = i + 1;
        let scope = Scope {
            data,
            place: Place::Step(&vars),
        };
        match (step::step(ctx, item, i + 1, label, &scope), out.as_mut()) {
            (Some(s), Some(list)) => list.push(s),
            _ => out = None,
        }
        vars.defined.extend(extracted[i].iter().cloned());
    }
    out
}

/// The variable names a step's `extract:` declares, even if their specs are invalid.
pub(crate) fn extract_names(step: &Node) -> Vec<String> {
    let Some(entries) = step.as_map() else {
        return Vec::new();
    };
    if let Some((_, list)) = get(entries, "batch") {
        return super::batch::extract_names(list);
    }
    match get(entries, "extract") {
        Some((
            _,
            Node {
                kind: Kind::Map(vars), ..
            },
        )) => vars.iter().map(|(k, _)| k.text.clone()).collect(),
        _ => Vec::new(),
    }
}
