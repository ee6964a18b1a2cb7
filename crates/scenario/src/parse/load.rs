//! `load:` — the closed model (`vus` + `duration`, or VU `stages`) or the open model (`rate` +
//! `duration`, or `rate_stages`, with `max_vus` and `pre_allocated_vus`), or a test-type `profile` around `target_rate`
//! or `target_vus`; plus `warmup` and `iterations`.

use std::time::Duration;

use loadcell_units::{Stage, parse_stages};

use super::node::{Key, Kind, Node, get};
use super::{Ctx, value};
use crate::model::{Load, Profile};

const KEYS: [&str; 12] = [
    "vus",
    "duration",
    "stages",
    "rate",
    "rate_stages",
    "max_vus",
    "pre_allocated_vus",
    "warmup",
    "iterations",
    "profile",
    "target_rate",
    "target_vus",
];
/// Keys a `profile` replaces.
const NOT_WITH_PROFILE: [&str; 5] = ["vus", "duration", "stages", "rate", "rate_stages"];
const CLOSED: [&str; 2] = ["vus", "stages"];
const OPEN: [&str; 4] = ["rate", "rate_stages", "max_vus", "pre_allocated_vus"];

/// The load model, `warmup` and `iterations`.
pub(crate) fn section(ctx: &mut Ctx<'_>, node: &Node) -> Option<(Load, Option<Duration>, Option<u64>)> {
    let entries = value::map(ctx, node, "'load'")?;
    let mark = ctx.errors.len();
    value::known_keys(ctx, entries, &KEYS, "in load");
    if !no_mixing(ctx, entries) {
        return None;
    }
    let field = |key: &str| get(entries, key);
    let duration = field("duration").and_then(|(_, n)| value::positive_duration(ctx, n, "'duration'"));
    let warmup = field("warmup").and_then(|(_, n)| value::duration(ctx, n, "'warmup'"));
    let iterations = field("iterations").and_then(|(_, n)| value::whole_in(ctx, n, "'iterations'", 1, u64::MAX));
    let open = entries.iter().any(|(k, _)| OPEN.contains(&k.text.as_str()));
    let load = if let Some((pkey, pnode)) = field("profile") {
        profile(ctx, entries, pkey, pnode)
    } else if let Some((k, _)) = field("target_rate").or_else(|| field("target_vus")) {
        ctx.error(
            k.pos,
            format!(
                "'{}' is the level of a test-type profile: add 'profile: {}' or use 'rate'/'vus'",
                k.text,
                Profile::NAMES.join("|")
            ),
        );
        return None;
    } else if open {
        let rate = field("rate").and_then(|(_, n)| value::rate(ctx, n, "'rate'"));
        let max_vus = field("max_vus").and_then(|(_, n)| value::whole_in(ctx, n, "'max_vus'", 1, u64::MAX));
        let pre_allocated_vus = pre_allocated(ctx, entries, max_vus);
        let stages = match field("rate_stages") {
            Some((key, n)) => {
                if let Some((dk, _)) = field("duration") {
                    ctx.error(dk.pos, both("duration", key, "each stage has its own duration"));
                }
                stages(ctx, n, true).unwrap_or_default()
            }
            None => {
                if let (Some((_, n)), Some(0.0)) = (field("rate"), rate) {
                    ctx.error(
                        n.pos,
                        "'rate' must be more than 0 (or use 'rate_stages' to ramp from 0)",
                    );
                }
                Vec::new()
            }
        };
        Load::Open {
            rate,
            stages,
            duration,
            max_vus,
            pre_allocated_vus,
        }
    } else {
        let vus = field("vus").and_then(|(_, n)| value::whole_in(ctx, n, "'vus'", 1, u64::MAX));
        let stages = match field("stages") {
            Some((key, n)) => {
                for other in ["vus", "duration"] {
                    if let Some((k, _)) = field(other) {
                        ctx.error(
                            k.pos,
                            both(other, key, "each stage sets its own duration and VU target"),
                        );
                    }
                }
                stages(ctx, n, false).unwrap_or_default()
            }
            None => Vec::new(),
        };
        Load::Closed { vus, stages, duration }
    };
    ctx.clean_since(mark).then_some((load, warmup, iterations))
}

/// `profile:` with `target_rate` or `target_vus` (and optionally `max_vus`, `warmup`,
/// `iterations`); the stages come from the command line's expansion.
fn profile(ctx: &mut Ctx<'_>, entries: &[(Key, Node)], key: &Key, node: &Node) -> Load {
    let field = |k: &str| get(entries, k);
    let keys_ok = entries.iter().all(|(k, _)| KEYS.contains(&k.text.as_str()));
    // The profiles are expanded by the load planner; see docs/profiles.md.
    let name = value::choice(ctx, node, "'profile'", &Profile::NAMES).and_then(|i| Profile::ALL.get(i).copied());
    for other in NOT_WITH_PROFILE {
        if let Some((k, _)) = field(other) {
            ctx.error(
                k.pos,
                both(
                    other,
                    key,
                    "the profile sets the stages; give its level with 'target_rate' or 'target_vus'",
                ),
            );
        }
    }
    let target_rate = field("target_rate").and_then(|(_, n)| value::rate(ctx, n, "'target_rate'"));
    let target_vus = field("target_vus").and_then(|(_, n)| value::whole_in(ctx, n, "'target_vus'", 1, u64::MAX));
    let max_vus = field("max_vus").and_then(|(_, n)| value::whole_in(ctx, n, "'max_vus'", 1, u64::MAX));
    let pre_allocated_vus = pre_allocated(ctx, entries, max_vus);
    if let (Some((_, n)), Some(0.0)) = (field("target_rate"), target_rate) {
        ctx.error(n.pos, "'target_rate' must be more than 0");
    }
    match (field("target_rate"), field("target_vus")) {
        (Some(_), Some((k, _))) => ctx.error(
            k.pos,
            "'target_vus' cannot be combined with 'target_rate': a profile runs either the open model (rate) or the closed model (VUs)",
        ),
        (None, Some((k, _))) if name == Some(Profile::Breakpoint) => ctx.error(
            k.pos,
            "profile 'breakpoint' ramps an arrival rate: use 'target_rate', not 'target_vus'",
        ),
        (None, Some(_)) => {
            for open_only in ["max_vus", "pre_allocated_vus"] {
                if let Some((k, _)) = field(open_only) {
                    ctx.error(
                        k.pos,
                        format!("'{open_only}' applies to the open model; it cannot be combined with 'target_vus'"),
                    );
                }
            }
        }
        // An unknown key is likely a misspelt level; its error says so better.
        (None, None) if name.is_some_and(|n| n != Profile::Smoke) && keys_ok => ctx.error(
            key.pos,
            format!(
                "profile '{}' needs a level: add 'target_rate' (open model) or 'target_vus' (closed model)",
                name.map_or("", Profile::name)
            ),
        ),
        _ => {}
    }
    Load::Profile {
        // Without a valid name an error was reported and the section is dropped.
        profile: name.unwrap_or(Profile::Smoke),
        target_rate,
        target_vus,
        max_vus,
        pre_allocated_vus,
    }
}

/// `pre_allocated_vus`: a whole number, no more than `max_vus` when that is given.
fn pre_allocated(ctx: &mut Ctx<'_>, entries: &[(Key, Node)], max_vus: Option<u64>) -> Option<u64> {
    let (_, node) = get(entries, "pre_allocated_vus")?;
    let pre = value::whole_in(ctx, node, "'pre_allocated_vus'", 1, u64::MAX)?;
    if let Some(max) = max_vus.filter(|&max| pre > max) {
        ctx.error(
            node.pos,
            format!("'pre_allocated_vus' is {pre}, more than 'max_vus' ({max})"),
        );
    }
    Some(pre)
}

fn both(key: &str, other: &Key, why: &str) -> String {
    format!("'{key}' cannot be combined with '{}': {why}", other.text)
}

/// Closed-model keys (`vus`, `stages`) and open-model keys (`rate`, `rate_stages`, `max_vus`)
/// cannot meet; the error is at the later key.
fn no_mixing(ctx: &mut Ctx<'_>, entries: &[(Key, Node)]) -> bool {
    let closed = entries.iter().find(|(k, _)| CLOSED.contains(&k.text.as_str()));
    let open = entries.iter().find(|(k, _)| OPEN.contains(&k.text.as_str()));
    let (Some((c, _)), Some((o, _))) = (closed, open) else {
        return true;
    };
    let (first, later) = if c.pos < o.pos { (c, o) } else { (o, c) };
    ctx.error(
        later.pos,
        format!(
            "'{}' cannot be combined with '{}': use 'vus'/'stages' for a fixed number of virtual users \
             (closed model) or 'rate'/'rate_stages' for an arrival rate (open model)",
            later.text, first.text
        ),
    );
    false
}

/// `[{duration: 30s, target: 50}, ...]` (VUs), `[{duration: 30s, rate: 50}, ...]` (rates), or
/// the command-line string form `"30s:50,2m:50"`.
fn stages(ctx: &mut Ctx<'_>, node: &Node, rates: bool) -> Option<Vec<Stage>> {
    let what = if rates { "'rate_stages'" } else { "'stages'" };
    let target_key = if rates { "rate" } else { "target" };
    stages_as(ctx, node, rates, what, target_key)
}

/// Stages whose level is under `target_key` (`target` in `scenarios:`, as k6 writes it,
/// whether it is VUs or a rate).
pub(crate) fn stages_as(
    ctx: &mut Ctx<'_>,
    node: &Node,
    rates: bool,
    what: &str,
    target_key: &str,
) -> Option<Vec<Stage>> {
    if let Kind::Str(s) = &node.kind {
        return match parse_stages(s, rates) {
            Ok(stages) => Some(stages),
            Err(e) => {
                ctx.error(node.pos, format!("bad {what}: {e}"));
                None
            }
        };
    }
    let items = value::seq(ctx, node, what)?;
    if items.is_empty() {
        ctx.error(node.pos, format!("{what} is empty: expected at least one stage"));
        return None;
    }
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        if let Kind::Str(s) = &item.kind {
            match parse_stages(s, rates) {
                Ok(mut st) if st.len() == 1 => out.append(&mut st),
                Ok(_) | Err(_) => ctx.error(
                    item.pos,
                    format!(
                        "a stage must be a map such as {{ duration: 30s, {target_key}: 50 }} or 'DURATION:{}', found {}",
                        target_key.to_uppercase(),
                        item.describe()
                    ),
                ),
            }
            continue;
        }
        let Some(entries) = value::map(ctx, item, "a stage") else {
            continue;
        };
        let keys_ok = value::known_keys(
            ctx,
            entries,
            &["duration", target_key],
            &format!("in a stage of {what}"),
        );
        let duration = match get(entries, "duration") {
            Some((_, n)) => value::duration(ctx, n, "'duration'"),
            None => {
                if keys_ok {
                    ctx.error(item.pos, format!("a stage of {what} has no 'duration'"));
                }
                None
            }
        };
        let target = match get(entries, target_key) {
            Some((_, n)) if rates => value::rate(ctx, n, "'rate'"),
            Some((_, n)) => value::whole(ctx, n, "'target'").map(|v| v as f64),
            None => {
                if keys_ok {
                    ctx.error(item.pos, format!("a stage of {what} has no '{target_key}'"));
                }
                None
            }
        };
        if let (Some(duration), Some(target)) = (duration, target) {
            out.push(Stage { duration, target });
        }
    }
    Some(out)
}
