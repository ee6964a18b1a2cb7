//! The JSON path subset used by checks and extraction: `$`, `.key`, `['key']` / `["key"]`,
//! `[N]` (negative counts from the end), `[*]` / `.*`, and `..key` (any depth). Compiled once
//! when the scenario is loaded; evaluation yields every match in document order.

use std::fmt;
use std::ops::ControlFlow;

use serde_json::Value;

/// A compiled JSON path.
#[derive(Clone, PartialEq, Eq)]
pub struct JsonPath {
    source: String,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Key(String),
    Index(i64),
    Wildcard,
    /// `..key`: `key` in the current value or any value below it.
    Descend(String),
}

impl fmt::Debug for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JsonPath({:?})", self.source)
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl JsonPath {
    /// Compiles a path; the error says what was expected where.
    pub fn compile(text: &str) -> Result<JsonPath, String> {
        let source = text.trim();
        let bad = |why: String| Err(format!("bad JSON path '{}': {why}", crate::error::clip(source, 80)));
        let Some(mut rest) = source.strip_prefix('$') else {
            return bad("a path starts with '$', e.g. $.items[0].id".into());
        };
        let mut segments = Vec::new();
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("..") {
                let (name, tail) = split_name(after);
                if name.is_empty() {
                    return bad("expected a key name after '..'".into());
                }
                segments.push(Segment::Descend(name.to_string()));
                rest = tail;
            } else if let Some(after) = rest.strip_prefix('.') {
                if let Some(tail) = after.strip_prefix('*') {
                    segments.push(Segment::Wildcard);
                    rest = tail;
                    continue;
                }
                let (name, tail) = split_name(after);
                if name.is_empty() {
                    return bad("expected a key name after '.'".into());
                }
                segments.push(Segment::Key(name.to_string()));
                rest = tail;
            } else if let Some(after) = rest.strip_prefix('[') {
                let (segment, tail) = match bracket(after) {
                    Ok(v) => v,
                    Err(why) => return bad(why),
                };
                segments.push(segment);
                rest = tail;
            } else {
                return bad(format!(
                    "expected '.', '..' or '[' before '{}'",
                    crate::error::clip(rest, 30)
                ));
            }
        }
        Ok(JsonPath {
            source: source.to_string(),
            segments,
        })
    }

    /// The path as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether [`select`](Self::select) can evaluate this path while parsing: not with
    /// `..key` or a negative index, which need the whole document.
    pub fn selectable(&self) -> bool {
        self.segments
            .iter()
            .all(|s| !matches!(s, Segment::Descend(_) | Segment::Index(i64::MIN..=-1)))
    }

    /// Pushes onto `out` every match in the JSON `body`, in document order, building only
    /// the matched values; false when the body is not JSON. Needs [`selectable`](Self::selectable).
    pub fn select(&self, body: &[u8], out: &mut Vec<Value>) -> bool {
        crate::select::select(&self.segments, body, out).is_ok()
    }

    /// Calls `f` with every match in document order until it breaks.
    pub fn visit<'v>(&self, root: &'v Value, f: &mut dyn FnMut(&'v Value) -> ControlFlow<()>) {
        let _ = walk(&self.segments, root, f);
    }

    /// Every match in document order.
    pub fn find<'v>(&self, root: &'v Value) -> Vec<&'v Value> {
        let mut out = Vec::new();
        self.visit(root, &mut |v| {
            out.push(v);
            ControlFlow::Continue(())
        });
        out
    }

    /// The first match.
    pub fn first<'v>(&self, root: &'v Value) -> Option<&'v Value> {
        let mut found = None;
        self.visit(root, &mut |v| {
            found = Some(v);
            ControlFlow::Break(())
        });
        found
    }

    /// True when some match satisfies `test`.
    pub fn any(&self, root: &Value, test: &mut dyn FnMut(&Value) -> bool) -> bool {
        let mut hit = false;
        self.visit(root, &mut |v| {
            if test(v) {
                hit = true;
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        hit
    }
}

/// A key name after `.` or `..`: up to the next `.` or `[`.
fn split_name(text: &str) -> (&str, &str) {
    let end = text.find(['.', '[']).unwrap_or(text.len());
    text.split_at(end)
}

/// After `[`: `*]`, `N]`, `'key']` or `"key"]`.
fn bracket(text: &str) -> Result<(Segment, &str), String> {
    let text = text.trim_start();
    if let Some(rest) = text.strip_prefix('*') {
        return close(rest).map(|r| (Segment::Wildcard, r));
    }
    if let Some(quote) = text.chars().next().filter(|c| *c == '\'' || *c == '"') {
        let mut key = String::new();
        let mut chars = text[1..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, e)) => key.push(e),
                    None => break,
                },
                c if c == quote => return close(&text[1 + i + 1..]).map(|r| (Segment::Key(key), r)),
                c => key.push(c),
            }
        }
        return Err(format!("unclosed {quote} in a bracket"));
    }
    let end = text.find(']').ok_or_else(|| "expected ']' after '['".to_string())?;
    let inner = text[..end].trim();
    match inner.parse::<i64>() {
        Ok(n) => Ok((Segment::Index(n), &text[end + 1..])),
        Err(_) => Err(format!(
            "expected a number, '*' or a quoted key inside [ ], found '{}'",
            crate::error::clip(inner, 30)
        )),
    }
}

fn close(text: &str) -> Result<&str, String> {
    text.trim_start()
        .strip_prefix(']')
        .ok_or_else(|| "expected ']'".to_string())
}

fn walk<'v>(
    segments: &[Segment],
    value: &'v Value,
    f: &mut dyn FnMut(&'v Value) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let Some((segment, rest)) = segments.split_first() else {
        return f(value);
    };
    match segment {
        Segment::Key(k) => match value {
            Value::Object(map) => match map.get(k) {
                Some(v) => walk(rest, v, f),
                None => ControlFlow::Continue(()),
            },
            _ => ControlFlow::Continue(()),
        },
        Segment::Index(i) => match value {
            Value::Array(items) => {
                let len = items.len() as i64;
                let at = if *i < 0 { len + i } else { *i };
                match usize::try_from(at).ok().and_then(|at| items.get(at)) {
                    Some(v) => walk(rest, v, f),
                    None => ControlFlow::Continue(()),
                }
            }
            _ => ControlFlow::Continue(()),
        },
        Segment::Wildcard => match value {
            Value::Array(items) => items.iter().try_for_each(|v| walk(rest, v, f)),
            Value::Object(map) => map.values().try_for_each(|v| walk(rest, v, f)),
            _ => ControlFlow::Continue(()),
        },
        Segment::Descend(k) => descend(k, rest, value, f),
    }
}

/// `..k`: the value's own `k`, then the same below each child, in document order.
fn descend<'v>(
    key: &str,
    rest: &[Segment],
    value: &'v Value,
    f: &mut dyn FnMut(&'v Value) -> ControlFlow<()>,
) -> ControlFlow<()> {
    match value {
        Value::Object(map) => {
            if let Some(v) = map.get(key) {
                walk(rest, v, f)?;
            }
            map.values().try_for_each(|v| descend(key, rest, v, f))
        }
        Value::Array(items) => items.iter().try_for_each(|v| descend(key, rest, v, f)),
        _ => ControlFlow::Continue(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path(p: &str) -> JsonPath {
        match JsonPath::compile(p) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        }
    }

    fn doc() -> Value {
        json!({
            "token": "abc",
            "items": [{"id": 1, "name": "a"}, {"id": 2, "name": "b", "tags": {"id": 9}}],
            "odd key": {"x.y": true},
            "n": null
        })
    }

    #[test]
    fn selects() {
        let d = doc();
        assert_eq!(path("$").find(&d), vec![&d]);
        assert_eq!(path("$.token").find(&d), vec![&json!("abc")]);
        assert_eq!(path("$.items[0].id").find(&d), vec![&json!(1)]);
        assert_eq!(path("$.items[-1].id").find(&d), vec![&json!(2)]);
        assert_eq!(path("$.items[*].id").find(&d), vec![&json!(1), &json!(2)]);
        assert_eq!(path("$.items.*.name").find(&d), vec![&json!("a"), &json!("b")]);
        assert_eq!(path("$['odd key'][\"x.y\"]").find(&d), vec![&json!(true)]);
        assert_eq!(path("$..id").find(&d), vec![&json!(1), &json!(2), &json!(9)]);
        assert_eq!(path("$.n").find(&d), vec![&Value::Null]);
        assert!(path("$.missing").find(&d).is_empty());
        assert!(path("$.items[5]").find(&d).is_empty());
        assert!(path("$.token.x").find(&d).is_empty());
        assert!(path("$.token[0]").find(&d).is_empty());
        assert_eq!(path("$.items[*].id").first(&d), Some(&json!(1)));
        assert!(path("$.items[*].id").any(&d, &mut |v| v == &json!(2)));
        assert_eq!(path(" $.token ").source(), "$.token");
    }

    #[test]
    fn errors() {
        let err = |p: &str| JsonPath::compile(p).err().unwrap_or_default();
        assert_eq!(
            err("token"),
            "bad JSON path 'token': a path starts with '$', e.g. $.items[0].id"
        );
        assert_eq!(err("$.items["), "bad JSON path '$.items[': expected ']' after '['");
        assert_eq!(
            err("$.a[x]"),
            "bad JSON path '$.a[x]': expected a number, '*' or a quoted key inside [ ], found 'x'"
        );
        assert_eq!(err("$."), "bad JSON path '$.': expected a key name after '.'");
        assert_eq!(err("$.."), "bad JSON path '$..': expected a key name after '..'");
        assert_eq!(err("$['a"), "bad JSON path '$['a': unclosed ' in a bracket");
        assert_eq!(err("$x"), "bad JSON path '$x': expected '.', '..' or '[' before 'x'");
        assert_eq!(err("$[*"), "bad JSON path '$[*': expected ']'");
    }
}
