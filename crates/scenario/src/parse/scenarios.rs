//! `scenarios:` — several named load models in one file, running at once (k6's
//! `scenarios` with its executors): each scenario's `executor` and its options, its
//! `start_time`, the journeys it runs (a list, or a map of journey to weight) and its `tags`.
//! Each journey belongs to exactly one scenario, so every request and check of the run
//! belongs to one scenario too and results split by scenario without guessing.

use std::collections::HashMap;
use std::time::Duration;

use super::node::{Key, Kind, Node, get};
use super::{Ctx, load, tags, value};
use crate::model::{Executor, Journey, ScenarioPart};

const COMMON: [&str; 6] = ["executor", "start_time", "journeys", "tags", "env", "graceful_stop"];
/// Each executor's own options.
const OPTIONS: [&[&str]; 6] = [
    &["vus", "duration"],
    &["start_vus", "stages", "graceful_ramp_down"],
    &["rate", "duration", "pre_allocated_vus", "max_vus"],
    &["start_rate", "stages", "pre_allocated_vus", "max_vus"],
    &["vus", "iterations", "max_duration"],
    &["vus", "iterations", "max_duration"],
];
/// k6's spellings, and loadcell's.
const K6_SPELLINGS: [(&str, &str); 10] = [
    ("startVUs", "start_vus"),
    ("preAllocatedVUs", "pre_allocated_vus"),
    ("maxVUs", "max_vus"),
    ("startTime", "start_time"),
    ("startRate", "start_rate"),
    ("maxDuration", "max_duration"),
    ("exec", "journeys"),
    ("timeUnit", "rate (rates take units: 50/s, 3000/m)"),
    ("gracefulRampDown", "graceful_ramp_down"),
    ("gracefulStop", "graceful_stop"),
];
/// k6's default `maxDuration` of the iteration executors.
const DEFAULT_MAX_DURATION: Duration = Duration::from_secs(600);

/// The scenarios, each journey in exactly one of them.
pub(crate) fn section(ctx: &mut Ctx<'_>, key: &Key, node: &Node, journeys: &[Journey]) -> Option<Vec<ScenarioPart>> {
    let entries = value::map(ctx, node, "'scenarios'")?;
    if entries.is_empty() {
        ctx.error(
            node.pos,
            "'scenarios' is empty: name at least one, e.g. 'browsers: { executor: constant-vus, vus: 5, duration: 30s }'",
        );
        return None;
    }
    let mark = ctx.errors.len();
    let mut owner: Vec<Option<&str>> = vec![None; journeys.len()];
    let mut out = Vec::with_capacity(entries.len());
    for (name, body) in entries {
        if !name
            .text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            || name.text.is_empty()
        {
            ctx.error(
                name.pos,
                format!(
                    "scenario name {} must be letters, digits, '_' and '-'",
                    value::quote_key(&name.text)
                ),
            );
            continue;
        }
        if let Some(part) = scenario(ctx, name, body, journeys, entries.len()) {
            for &(j, _) in &part.journeys {
                match owner[j] {
                    Some(other) => ctx.error(
                        name.pos,
                        format!(
                            "journey '{}' is already run by scenario '{other}': give each scenario its own journeys (YAML anchors can share steps)",
                            journeys[j].name
                        ),
                    ),
                    None => owner[j] = Some(name.text.as_str()),
                }
            }
            out.push(part);
        }
    }
    if ctx.clean_since(mark)
        && let Some(j) = owner.iter().position(Option::is_none)
    {
        ctx.error(
            key.pos,
            format!(
                "journey '{}' is run by no scenario: list it in one scenario's 'journeys', or remove it",
                journeys[j].name
            ),
        );
    }
    ctx.clean_since(mark).then_some(out)
}

fn scenario(ctx: &mut Ctx<'_>, name: &Key, node: &Node, journeys: &[Journey], count: usize) -> Option<ScenarioPart> {
    let what = format!("scenario '{}'", name.text);
    let entries = value::map(ctx, node, &format!("'{}'", name.text))?;
    let mark = ctx.errors.len();
    let Some((_, exec_node)) = get(entries, "executor") else {
        ctx.error(
            node.pos,
            format!("{what} has no 'executor': one of {}", Executor::NAMES.join(", ")),
        );
        return None;
    };
    let index = value::choice(ctx, exec_node, "'executor'", &Executor::NAMES)?;
    let allowed: Vec<&str> = COMMON.iter().chain(OPTIONS[index].iter()).copied().collect();
    for (k, _) in entries {
        if allowed.contains(&k.text.as_str()) {
            continue;
        }
        match K6_SPELLINGS.iter().find(|(k6, _)| *k6 == k.text) {
            Some((_, ours)) => ctx.error(
                k.pos,
                format!("unknown key '{}' in {what}; loadcell's is {ours}", k.text),
            ),
            None => {
                let hint = crate::suggest::hint(&k.text, &allowed);
                let executor = Executor::NAMES[index];
                ctx.error(
                    k.pos,
                    format!("unknown key {} in {what} ({executor}){hint}", value::quote_key(&k.text)),
                );
            }
        }
    }
    if !ctx.clean_since(mark) {
        return None;
    }
    let executor = executor(ctx, index, node, entries, &what);
    let start_time = match get(entries, "start_time") {
        Some((_, n)) => value::duration(ctx, n, "'start_time'"),
        None => Some(Duration::ZERO),
    };
    let runs = match get(entries, "journeys") {
        Some((_, n)) => runs(ctx, n, journeys),
        None if count == 1 => Some(journeys.iter().enumerate().map(|(i, j)| (i, j.weight)).collect()),
        None => {
            ctx.error(
                name.pos,
                format!("{what} has no 'journeys': with several scenarios each lists the journeys it runs"),
            );
            None
        }
    };
    let tags = match get(entries, "tags") {
        Some((_, n)) => tags::tags(ctx, n),
        None => Some(Vec::new()),
    };
    if let Some((_, n)) = get(entries, "env") {
        check_env(ctx, n);
    }
    let graceful_stop = match get(entries, "graceful_stop") {
        Some((_, n)) => value::duration(ctx, n, "'graceful_stop'").map(Some),
        None => Some(None),
    };
    let graceful_ramp_down = match get(entries, "graceful_ramp_down") {
        Some((_, n)) => value::duration(ctx, n, "'graceful_ramp_down'").map(Some),
        None => Some((index == 1).then_some(crate::model::DEFAULT_GRACEFUL_RAMP_DOWN)),
    };
    if let Some(runs) = &runs
        && runs.iter().all(|&(_, w)| w == 0)
    {
        ctx.error(name.pos, format!("the weights of {what}'s journeys add up to 0"));
    }
    if !ctx.clean_since(mark) {
        return None;
    }
    Some(ScenarioPart {
        name: name.text.clone(),
        executor: executor?,
        start_time: start_time?,
        journeys: runs?,
        tags: tags?,
        graceful_stop: graceful_stop?,
        graceful_ramp_down: graceful_ramp_down?,
    })
}

/// `env: { NAME: value }`: names as environment variables spell them, values words or
/// numbers. (What they compile to is [`envs`]'s.)
fn check_env(ctx: &mut Ctx<'_>, node: &Node) {
    let Some(entries) = value::map(ctx, node, "'env'") else {
        return;
    };
    for (key, v) in entries {
        if !value::is_identifier(&key.text) {
            ctx.error(
                key.pos,
                format!(
                    "env name {} must be letters, digits and '_' (not starting with a digit)",
                    value::quote_key(&key.text)
                ),
            );
        }
        if env_text(v).is_none() {
            ctx.error(
                v.pos,
                format!("env '{}' must be a word or number, found {}", key.text, v.describe()),
            );
        }
    }
}

fn env_text(v: &Node) -> Option<String> {
    match &v.kind {
        Kind::Seq(_) | Kind::Map(_) | Kind::Null => None,
        _ => v.scalar_text().map(|t| t.to_string()),
    }
}

/// Journey name → the `env:` of the scenario that runs it.
pub(crate) type JourneyEnvs = HashMap<String, Vec<(String, String)>>;

/// Each journey's `env:` from the scenario that runs it (k6's per-scenario `env`), read from
/// the tree before the journeys are compiled: their `{{ env.NAME }}` look there before the
/// process environment. Malformed entries are left out here and reported by [`section`].
pub(crate) fn envs(top: &[(Key, Node)]) -> JourneyEnvs {
    let mut out = HashMap::new();
    let Some(scenarios) = get(top, "scenarios").and_then(|(_, n)| n.as_map()) else {
        return out;
    };
    for (_, body) in scenarios {
        let Some(entries) = body.as_map() else { continue };
        let Some(env) = get(entries, "env").and_then(|(_, n)| n.as_map()) else {
            continue;
        };
        let env: Vec<(String, String)> = env
            .iter()
            .filter_map(|(k, v)| Some((k.text.clone(), env_text(v)?)))
            .collect();
        let journeys: Vec<String> = match get(entries, "journeys").map(|(_, n)| &n.kind) {
            Some(Kind::Seq(items)) => items
                .iter()
                .filter_map(|n| n.scalar_text().map(|t| t.to_string()))
                .collect(),
            Some(Kind::Map(items)) => items.iter().map(|(k, _)| k.text.clone()).collect(),
            _ => Vec::new(),
        };
        for journey in journeys {
            out.insert(journey.trim().to_string(), env.clone());
        }
    }
    out
}

/// The executor's options, required ones checked.
fn executor(ctx: &mut Ctx<'_>, index: usize, node: &Node, entries: &[(Key, Node)], what: &str) -> Option<Executor> {
    let mut required = |key: &str| {
        let found = get(entries, key).map(|(_, n)| n);
        if found.is_none() {
            ctx.error(node.pos, format!("{what} ({}) needs '{key}'", Executor::NAMES[index]));
        }
        found
    };
    let vus_node = if index == 0 { required("vus") } else { None };
    let duration_node = if index == 0 || index == 2 {
        required("duration")
    } else {
        None
    };
    let rate_node = if index == 2 { required("rate") } else { None };
    let stages_node = if index == 1 || index == 3 {
        required("stages")
    } else {
        None
    };
    let field = |k: &str| get(entries, k).map(|(_, n)| n);
    let count = |ctx: &mut Ctx<'_>, k: &str, default: u64| match field(k) {
        Some(n) => value::whole_in(ctx, n, &format!("'{k}'"), 1, u64::MAX),
        None => Some(default),
    };
    let max_vus = field("max_vus").and_then(|n| value::whole_in(ctx, n, "'max_vus'", 1, u64::MAX));
    let pre_allocated_vus =
        field("pre_allocated_vus").and_then(|n| value::whole_in(ctx, n, "'pre_allocated_vus'", 1, u64::MAX));
    if let (Some(pre), Some(max)) = (pre_allocated_vus, max_vus)
        && pre > max
    {
        ctx.error(
            node.pos,
            format!("'pre_allocated_vus' is {pre}, more than 'max_vus' ({max})"),
        );
    }
    let max_duration = match field("max_duration") {
        Some(n) => value::positive_duration(ctx, n, "'max_duration'"),
        None => Some(DEFAULT_MAX_DURATION),
    };
    Some(match index {
        0 => Executor::ConstantVus {
            vus: value::whole_in(ctx, vus_node?, "'vus'", 1, u64::MAX)?,
            duration: value::positive_duration(ctx, duration_node?, "'duration'")?,
        },
        1 => Executor::RampingVus {
            start_vus: match field("start_vus") {
                Some(n) => value::whole(ctx, n, "'start_vus'")?,
                None => 1,
            },
            stages: load::stages_as(ctx, stages_node?, false, "'stages'", "target")?,
        },
        2 => {
            let rate = value::rate(ctx, rate_node?, "'rate'")?;
            if rate <= 0.0 {
                ctx.error(node.pos, "'rate' must be more than 0");
                return None;
            }
            Executor::ConstantArrivalRate {
                rate,
                duration: value::positive_duration(ctx, duration_node?, "'duration'")?,
                pre_allocated_vus,
                max_vus,
            }
        }
        3 => Executor::RampingArrivalRate {
            start_rate: match field("start_rate") {
                Some(n) => value::rate(ctx, n, "'start_rate'")?,
                None => 0.0,
            },
            stages: load::stages_as(ctx, stages_node?, true, "'stages'", "target")?,
            pre_allocated_vus,
            max_vus,
        },
        4 => Executor::SharedIterations {
            vus: count(ctx, "vus", 1)?,
            iterations: count(ctx, "iterations", 1)?,
            max_duration: max_duration?,
        },
        _ => Executor::PerVuIterations {
            vus: count(ctx, "vus", 1)?,
            iterations: count(ctx, "iterations", 1)?,
            max_duration: max_duration?,
        },
    })
}

/// `journeys: [browse, buy]` (each at its own weight) or `journeys: { browse: 3, buy: 1 }`.
fn runs(ctx: &mut Ctx<'_>, node: &Node, journeys: &[Journey]) -> Option<Vec<(usize, u32)>> {
    let names: Vec<&str> = journeys.iter().map(|j| j.name.as_str()).collect();
    let find = |ctx: &mut Ctx<'_>, name: &str, at: super::node::Pos| {
        let found = names.iter().position(|n| *n == name);
        if found.is_none() {
            let hint = crate::suggest::hint(name, &names);
            ctx.error(
                at,
                format!("no journey is named '{}'{hint}", crate::error::clip(name, 60)),
            );
        }
        found
    };
    let mark = ctx.errors.len();
    let mut out = Vec::new();
    match &node.kind {
        Kind::Map(entries) => {
            for (k, v) in entries.iter() {
                let weight = value::whole_in(ctx, v, "a journey's weight", 0, u64::from(u32::MAX));
                if let (Some(j), Some(w)) = (find(ctx, &k.text, k.pos), weight) {
                    out.push((j, w as u32));
                }
            }
        }
        _ => {
            for item in value::seq(
                ctx,
                node,
                "'journeys' (a list of journey names, or a map of name to weight)",
            )? {
                if let Some(name) = value::text(ctx, item, "a journey name")
                    && let Some(j) = find(ctx, name.trim(), item.pos)
                {
                    out.push((j, journeys[j].weight));
                }
            }
        }
    }
    if out.is_empty() && ctx.clean_since(mark) {
        ctx.error(node.pos, "'journeys' is empty: name at least one journey");
    }
    ctx.clean_since(mark).then_some(out)
}
