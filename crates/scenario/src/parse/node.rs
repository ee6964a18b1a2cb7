//! The YAML tree the validator walks: saphyr's span-carrying nodes converted into a small owned
//! tree in which every node and every map key knows its 1-based line and column, plus the
//! character span needed to place an error inside a scalar (a template's `{{`).

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

use crate::error::quote;

/// A 1-based position in the file (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub(crate) struct Pos {
    pub(crate) line: usize,
    pub(crate) col: usize,
}

/// One YAML node.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) pos: Pos,
    /// Character offsets of the node's text in the file: `start..end`.
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) kind: Kind,
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in file order; keys are text (numbers and booleans as written).
    Map(Vec<(Key, Node)>),
}

/// A map key.
#[derive(Debug, Clone)]
pub(crate) struct Key {
    pub(crate) text: String,
    pub(crate) pos: Pos,
}

/// Why the text is not a usable YAML document: message and position.
pub(crate) struct YamlError {
    pub(crate) pos: Pos,
    pub(crate) message: String,
}

const MAX_DEPTH: usize = 64;

/// Parses YAML (or JSON) text into one document.
pub(crate) fn parse_yaml(text: &str) -> Result<Node, YamlError> {
    let docs = MarkedYaml::load_from_str(text).map_err(|e| {
        let pos = Pos {
            line: e.marker().line(),
            col: e.marker().col() + 1,
        };
        let mut message = format!("YAML syntax error: {}", e.info());
        if e.info() == "duplicated key in mapping"
            && let Some(key) = key_at(text, pos)
        {
            message = format!(
                "YAML syntax error: key '{}' appears twice in the same map",
                crate::error::clip(key, 60)
            );
        }
        YamlError { pos, message }
    })?;
    let mut docs = docs.into_iter();
    let Some(first) = docs.next() else {
        return Err(YamlError {
            pos: Pos { line: 1, col: 1 },
            message: "the scenario file is empty: expected a map with 'journeys'".into(),
        });
    };
    if let Some(second) = docs.next() {
        return Err(YamlError {
            pos: marker_pos(&second),
            message: "a scenario file holds one YAML document; found a second one (remove the '---')".into(),
        });
    }
    convert(&first, 0)
}

/// The plain key written at `pos` (up to its `:`), to name a duplicated key.
fn key_at(text: &str, pos: Pos) -> Option<&str> {
    let line = text.lines().nth(pos.line.checked_sub(1)?)?;
    let start = line.char_indices().nth(pos.col.checked_sub(1)?)?.0;
    let rest = &line[start..];
    let key = rest[..rest.find(':')?].trim().trim_matches(['"', '\'']);
    (!key.is_empty()).then_some(key)
}

fn marker_pos(n: &MarkedYaml<'_>) -> Pos {
    Pos {
        line: n.span.start.line(),
        col: n.span.start.col() + 1,
    }
}

fn convert(n: &MarkedYaml<'_>, depth: usize) -> Result<Node, YamlError> {
    let pos = marker_pos(n);
    let err = |message: String| Err(YamlError { pos, message });
    if depth > MAX_DEPTH {
        return err(format!("nested more than {MAX_DEPTH} levels deep"));
    }
    let kind = match &n.data {
        YamlData::Value(s) => match s {
            Scalar::Null => Kind::Null,
            Scalar::Boolean(b) => Kind::Bool(*b),
            Scalar::Integer(i) => Kind::Int(*i),
            Scalar::FloatingPoint(f) => Kind::Float(f.into_inner()),
            Scalar::String(s) => Kind::Str(s.to_string()),
        },
        YamlData::Representation(text, _, _) => Kind::Str(text.to_string()),
        YamlData::Sequence(items) => Kind::Seq(items.iter().map(|i| convert(i, depth + 1)).collect::<Result<_, _>>()?),
        YamlData::Mapping(map) => {
            let mut entries = Vec::with_capacity(map.len());
            for (k, v) in map {
                let key_pos = marker_pos(k);
                let text = match &k.data {
                    YamlData::Value(Scalar::String(s)) => s.to_string(),
                    YamlData::Value(Scalar::Integer(i)) => i.to_string(),
                    YamlData::Value(Scalar::FloatingPoint(f)) => f.to_string(),
                    YamlData::Value(Scalar::Boolean(b)) => b.to_string(),
                    YamlData::Tagged(_, inner) => match &inner.data {
                        YamlData::Value(Scalar::String(s)) => s.to_string(),
                        _ => return Err(bad_key(key_pos)),
                    },
                    _ => return Err(bad_key(key_pos)),
                };
                entries.push((Key { text, pos: key_pos }, convert(v, depth + 1)?));
            }
            Kind::Map(entries)
        }
        YamlData::Tagged(_, inner) => return convert(inner, depth),
        YamlData::Alias(_) => return err("unknown YAML alias".into()),
        YamlData::BadValue => return err("invalid YAML value (does its '!!' tag fit the value?)".into()),
    };
    Ok(Node {
        pos,
        start: n.span.start.index(),
        end: n.span.end.index(),
        kind,
    })
}

fn bad_key(pos: Pos) -> YamlError {
    YamlError {
        pos,
        message: "a map key must be text, not a list, a map or nothing".into(),
    }
}

impl Node {
    /// How the value reads in an error: `"lots"`, `5`, `a list`, `a map`, `nothing`.
    pub(crate) fn describe(&self) -> String {
        match &self.kind {
            Kind::Null => "nothing".into(),
            Kind::Bool(b) => b.to_string(),
            Kind::Int(i) => i.to_string(),
            Kind::Float(f) => f.to_string(),
            Kind::Str(s) => quote(s, 60),
            Kind::Seq(_) => "a list".into(),
            Kind::Map(_) => "a map".into(),
        }
    }

    pub(crate) fn as_map(&self) -> Option<&[(Key, Node)]> {
        match &self.kind {
            Kind::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The text of a scalar (numbers and booleans as written), `None` for null and collections.
    pub(crate) fn scalar_text(&self) -> Option<String> {
        match &self.kind {
            Kind::Str(s) => Some(s.clone()),
            Kind::Int(i) => Some(i.to_string()),
            Kind::Float(f) => Some(f.to_string()),
            Kind::Bool(b) => Some(b.to_string()),
            Kind::Null | Kind::Seq(_) | Kind::Map(_) => None,
        }
    }
}

/// Looks a key up in map entries.
pub(crate) fn get<'n>(entries: &'n [(Key, Node)], key: &str) -> Option<(&'n Key, &'n Node)> {
    entries.iter().find(|(k, _)| k.text == key).map(|(k, v)| (k, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        let Ok(root) = parse_yaml("name: shop\nload:\n  vus: 5\n") else {
            panic!("parse failed")
        };
        let Some(entries) = root.as_map() else {
            panic!("not a map")
        };
        assert_eq!(entries[0].0.pos, Pos { line: 1, col: 1 });
        assert_eq!(entries[0].1.pos, Pos { line: 1, col: 7 });
        let Some(load) = entries[1].1.as_map() else {
            panic!("not a map")
        };
        assert_eq!(load[0].0.pos, Pos { line: 3, col: 3 });
        assert!(matches!(load[0].1.kind, Kind::Int(5)));
    }

    #[test]
    fn errors() {
        let e = parse_yaml("a: [1, 2\nb: 3\n").err().map(|e| (e.pos, e.message));
        assert!(matches!(e, Some((Pos { line: 2, .. }, ref m)) if m.starts_with("YAML syntax error")));
        let e = parse_yaml("").err().map(|e| e.message);
        assert!(e.is_some_and(|m| m.contains("empty")));
        let e = parse_yaml("a: 1\n---\nb: 2\n").err().map(|e| e.pos);
        assert_eq!(e, Some(Pos { line: 3, col: 1 }));
        let e = parse_yaml("a: 1\na: 2\n").err().map(|e| e.message);
        assert_eq!(
            e.as_deref(),
            Some("YAML syntax error: key 'a' appears twice in the same map")
        );
    }

    #[test]
    fn json_is_yaml() {
        let Ok(root) = parse_yaml("{\"a\": [1, 2.5, true, null, \"x\"]}") else {
            panic!("parse failed")
        };
        let Some(entries) = root.as_map() else {
            panic!("not a map")
        };
        assert_eq!(entries[0].0.text, "a");
        assert_eq!(entries[0].1.describe(), "a list");
    }
}
