//! The YAML tree the validator walks: a small owned tree in which every node and every map
//! key knows its 1-based line and column, plus the character span needed to place an error
//! inside a scalar (a template's `{{`). Built from the parser's events by `yaml.rs`.

use crate::error::quote;

/// A 1-based position in the file (columns count characters).
///
/// The tree is kept small because a big scenario file has millions of nodes: 32-bit
/// positions and offsets (files past 4 GiB are refused), boxed slices for collections (no
/// spare capacity). A map entry takes 80 bytes plus its texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

/// One YAML node.
#[derive(Debug, Clone)]
pub struct Node {
    pub pos: Pos,
    /// Character offsets of the node's text in the file: `start..end`.
    pub start: u32,
    pub end: u32,
    pub kind: Kind,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Box<[Node]>),
    /// Entries in file order; keys are text (numbers and booleans as written).
    Map(Box<[(Key, Node)]>),
}

/// A map key.
#[derive(Debug, Clone)]
pub struct Key {
    pub text: String,
    pub pos: Pos,
}

/// Why the text is not a usable YAML document: message and position.
pub struct YamlError {
    pub pos: Pos,
    pub message: String,
}

pub use super::yaml::parse_yaml;

impl Node {
    /// How the value reads in an error: `"lots"`, `5`, `a list`, `a map`, `nothing`.
    pub fn describe(&self) -> String {
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

    /// This node and every node inside it.
    pub fn count_nodes(&self) -> usize {
        1 + match &self.kind {
            Kind::Seq(items) => items.iter().map(Node::count_nodes).sum(),
            Kind::Map(entries) => entries.iter().map(|(_, v)| 1 + v.count_nodes()).sum(),
            _ => 0,
        }
    }

    pub fn as_map(&self) -> Option<&[(Key, Node)]> {
        match &self.kind {
            Kind::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The text of a scalar (numbers and booleans as written), `None` for null and collections.
    pub fn scalar_text(&self) -> Option<String> {
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
pub fn get<'n>(entries: &'n [(Key, Node)], key: &str) -> Option<(&'n Key, &'n Node)> {
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
