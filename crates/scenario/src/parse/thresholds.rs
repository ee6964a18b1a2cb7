//! `thresholds:` — `METRIC{tags}: [CONDITION, ...]` (a single condition may be given without
//! the list, an empty list judges nothing, as in k6), or a list of one-line expressions. A
//! condition is a string or k6's object form `{ threshold: "p(95)<200", abortOnFail: true,
//! delayAbortEval: 10s }`. Parsed by `loadcell-threshold`; errors about the metric or its tags
//! point at the key, others at the condition. A `journey:` tag must name a journey of the file.

use loadcell_threshold::{Custom, TagKey, Threshold, ThresholdError, parse_condition_with, parse_key_with, parse_with};

use super::node::{Key, Kind, Node, Pos, get};
use super::{Ctx, value};
use crate::model::SourcePos;
use crate::suggest;

/// k6's keys of one threshold in its object form.
const OBJECT_KEYS: [&str; 3] = ["threshold", "abortOnFail", "delayAbortEval"];

/// The thresholds in file order, each with where it was written.
pub(crate) fn section(
    ctx: &mut Ctx<'_>,
    node: &Node,
    journeys: Option<&[&str]>,
    customs: &[Custom],
) -> Option<Vec<(Threshold, SourcePos)>> {
    let mark = ctx.errors.len();
    let mut out = Vec::new();
    match &node.kind {
        Kind::Map(entries) => {
            for (key, conditions) in entries {
                keyed(ctx, key, conditions, journeys, customs, &mut out);
            }
        }
        Kind::Seq(items) => {
            for item in items {
                let Some((expr, abort_after)) = condition(ctx, item, "a threshold") else {
                    continue;
                };
                match parse_with(&expr, customs) {
                    Ok(mut t) => {
                        t.abort_after = abort_after;
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

/// One `METRIC{tags}: [CONDITION, ...]` entry.
fn keyed(
    ctx: &mut Ctx<'_>,
    key: &Key,
    conditions: &Node,
    journeys: Option<&[&str]>,
    customs: &[Custom],
    out: &mut Vec<(Threshold, SourcePos)>,
) {
    let items: Vec<&Node> = match &conditions.kind {
        Kind::Seq(items) => items.iter().collect(),
        _ => vec![conditions],
    };
    if items.is_empty() {
        // Nothing to judge, but a misspelt metric is still a mistake worth naming.
        if let Err(e) = parse_key_with(&key.text, customs) {
            ctx.error(key.pos, e.to_string());
        }
        return;
    }
    for item in items {
        let Some((text, abort_after)) = condition(ctx, item, "a threshold condition") else {
            continue;
        };
        match parse_condition_with(&key.text, &text, customs) {
            Ok(mut t) => {
                t.abort_after = abort_after;
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

/// A condition's text and, for k6's object form with `abortOnFail: true`, how much measured
/// time must pass before it may end the run (`delayAbortEval`, none by default).
fn condition(ctx: &mut Ctx<'_>, item: &Node, what: &str) -> Option<(String, Option<std::time::Duration>)> {
    let Kind::Map(entries) = &item.kind else {
        return value::non_empty_text(ctx, item, what).map(|t| (t, None));
    };
    value::known_keys(ctx, entries, &OBJECT_KEYS, "in a threshold");
    let Some((_, text)) = get(entries, "threshold") else {
        ctx.error(
            item.pos,
            "a threshold in k6's object form needs 'threshold', e.g. { threshold: \"p(95)<200\", abortOnFail: true }",
        );
        return None;
    };
    let text = value::non_empty_text(ctx, text, "'threshold'")?;
    let abort = match get(entries, "abortOnFail") {
        Some((_, n)) => value::boolean(ctx, n, "'abortOnFail'")?,
        None => false,
    };
    let delay = match get(entries, "delayAbortEval") {
        Some((_, n)) => delay(ctx, n)?,
        None => std::time::Duration::ZERO,
    };
    Some((text, abort.then_some(delay)))
}

/// `delayAbortEval`: a duration with its unit. A bare number is refused rather than guessed:
/// k6 reads it as milliseconds, the rest of a scenario file as seconds.
fn delay(ctx: &mut Ctx<'_>, node: &Node) -> Option<std::time::Duration> {
    if matches!(node.kind, Kind::Null) {
        // k6 writes an unset delay as null.
        return Some(std::time::Duration::ZERO);
    }
    if matches!(node.kind, Kind::Int(_) | Kind::Float(_)) {
        ctx.error(
            node.pos,
            format!(
                "'delayAbortEval' needs a unit, e.g. \"10s\" or \"500ms\", found {}",
                node.describe()
            ),
        );
        return None;
    }
    value::duration(ctx, node, "'delayAbortEval'")
}

/// Errors about the metric name or tag filter belong to the key.
fn about_key(e: &ThresholdError) -> bool {
    matches!(
        e,
        ThresholdError::UnknownMetric { .. } | ThresholdError::UnknownTagKey { .. }
    )
}

/// A `journey:NAME` filter must name a journey (skipped when the journeys had errors).
fn check_journey(ctx: &mut Ctx<'_>, t: &Threshold, journeys: Option<&[&str]>, at: Pos) -> bool {
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

#[cfg(test)]
mod tests {
    use crate::{ScenarioError, parse_str};
    use loadcell_threshold::Threshold;
    use std::path::Path;
    use std::time::Duration;

    const JOURNEYS: &str = "journeys:\n  - name: j\n    steps:\n      - get: http://127.0.0.1:1/\n";

    fn parse(thresholds: &str) -> Result<Vec<Threshold>, ScenarioError> {
        parse_str(&format!("{JOURNEYS}{thresholds}"), "s.yaml", Path::new(".")).map(|s| s.thresholds)
    }

    #[test]
    fn k6s_object_form_beside_the_string_form() {
        let t = parse(
            "thresholds:\n  http_req_duration:\n    - { threshold: \"p(95)<200\", abortOnFail: true, delayAbortEval: 10s }\n    - \"p(99)<500\"\n    - { threshold: \"max<900\" }\n",
        )
        .unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(t[0].expr, "http_req_duration: p(95)<200");
        assert_eq!(t[0].abort_after, Some(Duration::from_secs(10)));
        assert_eq!((t[1].abort_after, t[2].abort_after), (None, None));
        let listed = parse("thresholds:\n  - { threshold: \"p95<200ms\", abortOnFail: true }\n").unwrap();
        assert_eq!(listed[0].abort_after, Some(Duration::ZERO));
        let off = parse("thresholds:\n  checks: [{ threshold: rate>0.9, abortOnFail: false, delayAbortEval: 5s }]\n");
        assert_eq!(off.unwrap()[0].abort_after, None);
    }

    #[test]
    fn an_empty_list_judges_nothing_but_its_key_is_checked() {
        assert!(parse("thresholds:\n  http_req_duration: []\n").unwrap().is_empty());
        let e = parse("thresholds:\n  http_req_duratio: []\n").unwrap_err();
        assert!(e.message.contains("unknown metric 'http_req_duratio'"), "{e}");
        assert_eq!(e.line, 6, "{e}");
    }

    #[test]
    fn a_malformed_object_is_named() {
        let e = parse("thresholds:\n  checks: [{ abortOnFail: true }]\n").unwrap_err();
        assert!(e.message.contains("needs 'threshold'"), "{e}");
        let e = parse("thresholds:\n  checks: [{ threshold: rate>0.9, abortOnFial: true }]\n").unwrap_err();
        assert!(e.message.contains("did you mean 'abortOnFail'"), "{e}");
        let e = parse("thresholds:\n  checks: [{ threshold: rate>0.9, abortOnFail: true, delayAbortEval: 10 }]\n")
            .unwrap_err();
        assert!(e.message.contains("needs a unit"), "{e}");
        let e = parse("thresholds:\n  checks: [{ threshold: rate>0.9, abortOnFail: yes please }]\n").unwrap_err();
        assert!(e.message.contains("true or false"), "{e}");
    }
}
