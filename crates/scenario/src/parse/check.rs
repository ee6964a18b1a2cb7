//! `check:` — one check per entry: `status`, `body_contains`, `json`, `header`, `duration`,
//! each compiled (paths, regexes, limits) and given a human label unique within its step.

use loadcell_units::parse_duration;

use super::body::to_json;
use super::node::{Kind, Node};
use super::{Ctx, value};
use crate::error::quote;
use crate::jsonpath::JsonPath;
use crate::model::{Check, CheckKind, Compare, StatusMatch, ValueTest};

const KEYS: [&str; 5] = ["status", "body_contains", "json", "header", "duration"];

pub(crate) fn checks(ctx: &mut Ctx<'_>, node: &Node, step: &str) -> Option<Vec<Check>> {
    let entries = value::map(ctx, node, "'check'")?;
    let mark = ctx.errors.len();
    value::known_keys(ctx, entries, &KEYS, &format!("in the checks of {step}"));
    let mut out = Vec::new();
    for (key, n) in entries {
        match key.text.as_str() {
            "status" => {
                if let Some(c) = status(ctx, n) {
                    out.push(c);
                }
            }
            "body_contains" => {
                let items = match &n.kind {
                    Kind::Seq(items) => items.iter().collect(),
                    _ => vec![n],
                };
                for item in items {
                    if let Some(text) = value::non_empty_text(ctx, item, "'body_contains'") {
                        out.push(Check {
                            label: format!("body contains {}", quote(&text, 60)),
                            kind: CheckKind::BodyContains(text),
                        });
                    }
                }
            }
            "json" => {
                let Some(paths) = value::map(ctx, n, "'json' (a map of JSON path → test)") else {
                    continue;
                };
                for (path_key, test_node) in paths {
                    let path = match JsonPath::compile(&path_key.text) {
                        Ok(p) => Some(p),
                        Err(e) => {
                            ctx.error(path_key.pos, e);
                            None
                        }
                    };
                    let test = value_test(ctx, test_node, false);
                    if let (Some(path), Some((test, what))) = (path, test) {
                        out.push(Check {
                            label: format!("{} {what}", path.source()),
                            kind: CheckKind::Json { path, test },
                        });
                    }
                }
            }
            "header" => {
                let Some(headers) = value::map(ctx, n, "'header' (a map of header name → test)") else {
                    continue;
                };
                for (name_key, test_node) in headers {
                    let name = name_key.text.trim().to_ascii_lowercase();
                    if let Some((test, what)) = value_test(ctx, test_node, true) {
                        out.push(Check {
                            label: format!("header {name} {what}"),
                            kind: CheckKind::Header { name, test },
                        });
                    }
                }
            }
            "duration" => {
                if let Some(c) = duration(ctx, n) {
                    out.push(c);
                }
            }
            _ => {}
        }
    }
    for (i, c) in out.iter().enumerate() {
        if out[..i].iter().any(|o| o.label == c.label) {
            ctx.error(node.pos, format!("two checks of {step} are both '{}'", c.label));
        }
    }
    // Most steps have one or two checks; a big file has many steps.
    out.shrink_to_fit();
    ctx.clean_since(mark).then_some(out)
}

/// `200`, `"2xx"`, `[200, 201]`.
fn status(ctx: &mut Ctx<'_>, node: &Node) -> Option<Check> {
    let items: Vec<&Node> = match &node.kind {
        Kind::Seq(items) if !items.is_empty() => items.iter().collect(),
        _ => vec![node],
    };
    let mut matches = Vec::with_capacity(items.len());
    let mut shown = Vec::with_capacity(items.len());
    for item in items {
        let m = match &item.kind {
            Kind::Int(i) => u16::try_from(*i)
                .ok()
                .filter(|c| (100..=599).contains(c))
                .map(StatusMatch::Code),
            Kind::Str(s) => {
                let s = s.trim();
                match s.as_bytes() {
                    [d @ b'1'..=b'5', b'x' | b'X', b'x' | b'X'] => Some(StatusMatch::Class(d - b'0')),
                    _ => s
                        .parse::<u16>()
                        .ok()
                        .filter(|c| (100..=599).contains(c))
                        .map(StatusMatch::Code),
                }
            }
            _ => None,
        };
        match m {
            Some(m) => {
                shown.push(match m {
                    StatusMatch::Code(c) => c.to_string(),
                    StatusMatch::Class(c) => format!("{c}xx"),
                });
                matches.push(m);
            }
            None => ctx.error(
                item.pos,
                format!(
                    "'status' must be a status code from 100 to 599, a class such as 2xx, or a list of them, found {}",
                    item.describe()
                ),
            ),
        }
    }
    (matches.len() == shown.len() && !matches.is_empty()).then(|| Check {
        label: format!("status is {}", shown.join(" or ")),
        kind: CheckKind::Status(matches),
    })
}

/// `exists`, `{ exists: false }`, `{ equals: V }`, `{ matches: "re" }`, or a value (equals).
/// Returns the test and how its label reads.
fn value_test(ctx: &mut Ctx<'_>, node: &Node, header: bool) -> Option<(ValueTest, String)> {
    match &node.kind {
        Kind::Str(s) if s == "exists" => return Some((ValueTest::Exists(true), "exists".into())),
        Kind::Map(entries) => {
            let [(key, inner)] = &entries[..] else {
                ctx.error(
                    node.pos,
                    "a test is one of: exists, { exists: false }, { equals: VALUE }, { matches: REGEX } \
                     (write { equals: {...} } to compare with a map)",
                );
                return None;
            };
            return match key.text.as_str() {
                "exists" => {
                    let b = value::boolean(ctx, inner, "'exists'")?;
                    Some((
                        ValueTest::Exists(b),
                        if b { "exists".into() } else { "is absent".into() },
                    ))
                }
                "equals" => equals(ctx, inner, header),
                "matches" => {
                    let text = value::text(ctx, inner, "'matches'")?;
                    match regex::Regex::new(&text) {
                        Ok(re) => Some((ValueTest::Matches(re), format!("matches {}", quote(&text, 60)))),
                        Err(e) => {
                            ctx.error(inner.pos, regex_error(&text, &e.to_string()));
                            None
                        }
                    }
                }
                other => {
                    let hint = crate::suggest::hint(other, &["exists", "equals", "matches"]);
                    ctx.error(key.pos, format!("unknown test {}{hint}", value::quote_key(other)));
                    None
                }
            };
        }
        _ => {}
    }
    equals(ctx, node, header)
}

fn equals(ctx: &mut Ctx<'_>, node: &Node, header: bool) -> Option<(ValueTest, String)> {
    let v = if header {
        serde_json::Value::String(value::text(ctx, node, "a header test value")?)
    } else {
        match to_json(node) {
            Some(v) => v,
            None => {
                ctx.error(node.pos, format!("{} cannot be compared as JSON", node.describe()));
                return None;
            }
        }
    };
    let shown = crate::error::clip(&v.to_string(), 60);
    Some((ValueTest::Equals(v), format!("equals {shown}")))
}

/// One-line message for a regex that does not compile.
pub(crate) fn regex_error(pattern: &str, error: &str) -> String {
    let why = error
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .unwrap_or_else(|| error.lines().last().unwrap_or(error));
    format!("bad regex {}: {why}", quote(pattern, 60))
}

/// `"<200ms"`, `"<= 1s"`, `">10ms"`.
fn duration(ctx: &mut Ctx<'_>, node: &Node) -> Option<Check> {
    let text = value::text(ctx, node, "'duration'")?;
    let t = text.trim();
    let (op, rest) = if let Some(r) = t.strip_prefix("<=") {
        (Compare::Le, r)
    } else if let Some(r) = t.strip_prefix(">=") {
        (Compare::Ge, r)
    } else if let Some(r) = t.strip_prefix('<') {
        (Compare::Lt, r)
    } else if let Some(r) = t.strip_prefix('>') {
        (Compare::Gt, r)
    } else {
        ctx.error(
            node.pos,
            format!(
                "'duration' must be a comparison such as \"<200ms\", found {}",
                node.describe()
            ),
        );
        return None;
    };
    match parse_duration(rest) {
        Ok(limit) => Some(Check {
            label: format!("duration {} {}", op.symbol(), rest.trim()),
            kind: CheckKind::Duration { op, limit },
        }),
        Err(e) => {
            ctx.error(node.pos, format!("bad 'duration' check: {e}"));
            None
        }
    }
}
