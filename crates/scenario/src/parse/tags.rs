//! `tags:` on a scenario, a journey or a step: names (identifiers) to text, which the
//! requests and checks they cover carry and thresholds filter on (`{kind:checkout}`).
//! loadcell's own tag names (`scenario`, `name`, `status` …) are refused: a filter on one
//! of them means the built-in tag.

use super::node::{Kind, Node};
use super::{Ctx, value};

/// Tag names loadcell sets itself (k6's built-in tags and loadcell's own).
pub(crate) const BUILT_IN: [&str; 12] = [
    "scenario",
    "group",
    "name",
    "method",
    "url",
    "status",
    "expected_response",
    "error",
    "endpoint",
    "journey",
    "step",
    "check",
];

/// `tags: { kind: checkout, tier: 1 }`.
pub(crate) fn tags(ctx: &mut Ctx<'_>, node: &Node) -> Option<Vec<(String, String)>> {
    let entries = value::map(ctx, node, "'tags'")?;
    let mark = ctx.errors.len();
    let mut out = Vec::with_capacity(entries.len());
    for (key, v) in entries {
        if !value::is_identifier(&key.text) {
            ctx.error(
                key.pos,
                format!(
                    "tag name {} must be letters, digits and '_' (not starting with a digit)",
                    value::quote_key(&key.text)
                ),
            );
            continue;
        }
        if BUILT_IN.contains(&key.text.as_str()) {
            ctx.error(
                key.pos,
                format!(
                    "tag '{}' is one loadcell sets itself; pick another name for your own tag",
                    key.text
                ),
            );
            continue;
        }
        let text = match &v.kind {
            Kind::Seq(_) | Kind::Map(_) | Kind::Null => None,
            _ => v.scalar_text(),
        };
        match text {
            Some(t) if !t.trim().is_empty() => out.push((key.text.clone(), t.trim().to_string())),
            _ => ctx.error(
                v.pos,
                format!("tag '{}' must be a word or number, found {}", key.text, v.describe()),
            ),
        }
    }
    ctx.clean_since(mark).then_some(out)
}
