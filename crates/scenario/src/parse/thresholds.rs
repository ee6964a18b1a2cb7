//! `thresholds:` — `METRIC{tags}: [CONDITION, ...]` (a single condition may be given without
//! the list), or a list of one-line expressions. Parsed by `loadcell-threshold`; errors about
//! the metric or its tags point at the key, others at the condition. A `journey:` tag must name
//! a journey of the file.

use loadcell_threshold::{TagKey, Threshold, ThresholdError, parse, parse_condition};

use super::node::{Kind, Node};
use super::{Ctx, value};
use crate::model::SourcePos;
use crate::suggest;

/// The thresholds in file order, each with where it was written.
pub(crate) fn section(
    ctx: &mut Ctx<'_>,
    node: &Node,
    journeys: Option<&[&str]>,
) -> Option<Vec<(Threshold, SourcePos)>> {
    let mark = ctx.errors.len();
    let mut out = Vec::new();
    match &node.kind {
        Kind::Map(entries) => {
            for (key, conditions) in entries {
                let items: Vec<&Node> = match &conditions.kind {
                    Kind::Seq(items) => items.iter().collect(),
                    _ => vec![conditions],
                };
                if items.is_empty() {
                    ctx.error(conditions.pos, format!("threshold '{}' has no conditions", key.text));
                }
                for item in items {
                    let Some(condition) = value::non_empty_text(ctx, item, "a threshold condition") else {
                        continue;
                    };
                    match parse_condition(&key.text, &condition) {
                        Ok(t) => {
                            if check_journey(ctx, &t, journeys, key.pos) {
                                out.push((t, at(key.pos)));
                            }
                        }
                        Err(e) => {
                            let at = if about_key(&e) { key.pos } else { item.pos };
                            ctx.error(at, e.to_string());
                        }
                    }
                }
            }
        }
        Kind::Seq(items) => {
            for item in items {
                let Some(expr) = value::non_empty_text(ctx, item, "a threshold") else {
                    continue;
                };
                match parse(&expr) {
                    Ok(t) => {
                        if check_journey(ctx, &t, journeys, item.pos) {
                            out.push((t, at(item.pos)));
                        }
                    }
                    Err(e) => ctx.error(item.pos, e.to_string()),
                }
            }
        }
        _ => {
            ctx.error(
                node.pos,
                format!(
                    "'thresholds' must be a map such as {{ http_req_duration: [\"p(95)<200\"] }}, found {}",
                    node.describe()
                ),
            );
        }
    }
    ctx.clean_since(mark).then_some(out)
}

fn at(pos: super::node::Pos) -> SourcePos {
    SourcePos {
        line: pos.line as usize,
        col: pos.col as usize,
    }
}

/// Errors about the metric name or tag filter belong to the key.
fn about_key(e: &ThresholdError) -> bool {
    matches!(
        e,
        ThresholdError::UnknownMetric { .. } | ThresholdError::UnknownTagKey { .. }
    )
}

/// A `journey:NAME` filter must name a journey (skipped when the journeys had errors).
fn check_journey(ctx: &mut Ctx<'_>, t: &Threshold, journeys: Option<&[&str]>, at: super::node::Pos) -> bool {
    let (Some(journeys), Some(name)) = (journeys, t.filter.get(TagKey::Journey)) else {
        return true;
    };
    if journeys.contains(&name) {
        return true;
    }
    let hint = match suggest::closest(name, journeys.iter().copied()) {
        Some(near) => format!("; did you mean '{near}'?"),
        None => format!("; the journeys are {}", journeys.join(", ")),
    };
    ctx.error(
        at,
        format!(
            "threshold '{}' filters on journey '{name}', which the scenario does not have{hint}",
            t.expr
        ),
    );
    false
}
