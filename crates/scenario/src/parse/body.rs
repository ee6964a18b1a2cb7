//! A request step's body: exactly one of `json` (any value; strings inside are templates),
//! `form` (a map, URL-encoded), `body` (a text template), `body_file` (read now, relative to
//! the scenario file) or `multipart` (see `multipart.rs`).

use serde_json::Value;

use super::node::{Key, Kind, Node};
use super::{Ctx, template, value};
use crate::model::Body;
use crate::template::{JsonPart, JsonTemplate};
use crate::validate::scope::Scope;

const KINDS: [&str; 5] = ["json", "form", "body", "body_file", "multipart"];

pub(crate) fn body(ctx: &mut Ctx<'_>, entries: &[(Key, Node)], scope: &Scope<'_>) -> Option<Body> {
    let given: Vec<&(Key, Node)> = entries
        .iter()
        .filter(|(k, _)| KINDS.contains(&k.text.as_str()))
        .collect();
    let (key, node) = match given.as_slice() {
        [] => return Some(Body::None),
        [(k, n)] => (k, n),
        [(first, _), (second, _), ..] => {
            ctx.error(
                second.pos,
                format!("a step has one body: found both '{}' and '{}'", first.text, second.text),
            );
            return None;
        }
    };
    match key.text.as_str() {
        "json" => {
            let mut parts = Vec::new();
            let mut raw = String::new();
            json(ctx, node, scope, &mut parts, &mut raw)?;
            flush(&mut parts, &mut raw);
            Some(Body::Json(JsonTemplate::new(parts)))
        }
        "form" => {
            let entries = value::map(ctx, node, "'form'")?;
            let mut out = Some(Vec::with_capacity(entries.len()));
            for (k, v) in entries {
                let t = template::compile_node(ctx, v, &format!("form field '{}'", k.text), scope);
                match (t, out.as_mut()) {
                    (Some(t), Some(list)) => list.push((k.text.clone(), t)),
                    _ => out = None,
                }
            }
            out.map(Body::Form)
        }
        "body" => template::compile_node(ctx, node, "'body'", scope).map(Body::Raw),
        "multipart" => super::multipart::multipart(ctx, node, scope).map(Body::Multipart),
        _ => {
            let file = value::non_empty_text(ctx, node, "'body_file'")?;
            let path = ctx.base_dir.join(&file);
            ctx.reads(&file, &path, node.pos);
            match std::fs::read(&path) {
                Ok(bytes) => Some(Body::File(bytes.into())),
                Err(e) => {
                    ctx.error(
                        node.pos,
                        format!(
                            "cannot read body file '{}' ({}): {e}",
                            crate::error::clip(&file, 120),
                            path.display()
                        ),
                    );
                    None
                }
            }
        }
    }
}

fn flush(parts: &mut Vec<JsonPart>, raw: &mut String) {
    if !raw.is_empty() {
        parts.push(JsonPart::Raw(std::mem::take(raw)));
    }
}

/// Appends the JSON form of `node` to `raw`, or template parts for strings with `{{ }}`.
fn json(ctx: &mut Ctx<'_>, node: &Node, scope: &Scope<'_>, parts: &mut Vec<JsonPart>, raw: &mut String) -> Option<()> {
    match &node.kind {
        Kind::Null => raw.push_str("null"),
        Kind::Bool(b) => raw.push_str(if *b { "true" } else { "false" }),
        Kind::Int(i) => raw.push_str(&i.to_string()),
        Kind::Float(f) => match serde_json::Number::from_f64(*f) {
            Some(n) => raw.push_str(&n.to_string()),
            None => {
                ctx.error(node.pos, format!("{f} cannot be written in JSON"));
                return None;
            }
        },
        Kind::Str(s) => {
            if !s.contains("{{") {
                raw.push_str(&Value::String(s.clone()).to_string());
            } else {
                let t = template::compile(ctx, node, s, scope)?;
                if let Some(text) = t.static_text() {
                    raw.push_str(&Value::String(text.to_string()).to_string());
                } else {
                    flush(parts, raw);
                    parts.push(if t.single_expression().is_some() {
                        JsonPart::Whole(t)
                    } else {
                        JsonPart::Str(t)
                    });
                }
            }
        }
        Kind::Seq(items) => {
            raw.push('[');
            let mut ok = true;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    raw.push(',');
                }
                ok &= json(ctx, item, scope, parts, raw).is_some();
            }
            raw.push(']');
            if !ok {
                return None;
            }
        }
        Kind::Map(entries) => {
            raw.push('{');
            let mut ok = true;
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    raw.push(',');
                }
                raw.push_str(&Value::String(k.text.clone()).to_string());
                raw.push(':');
                ok &= json(ctx, v, scope, parts, raw).is_some();
            }
            raw.push('}');
            if !ok {
                return None;
            }
        }
    }
    Some(())
}

/// A YAML node as a JSON value (for `equals:`); `None` for a float JSON cannot hold.
pub(crate) fn to_json(node: &Node) -> Option<Value> {
    Some(match &node.kind {
        Kind::Null => Value::Null,
        Kind::Bool(b) => Value::Bool(*b),
        Kind::Int(i) => Value::from(*i),
        Kind::Float(f) => Value::Number(serde_json::Number::from_f64(*f)?),
        Kind::Str(s) => Value::String(s.clone()),
        Kind::Seq(items) => Value::Array(items.iter().map(to_json).collect::<Option<_>>()?),
        Kind::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| Some((k.text.clone(), to_json(v)?)))
                .collect::<Option<_>>()?,
        ),
    })
}
