//! Building the [`Node`] tree straight from saphyr's parser events, without saphyr's own
//! document tree in between: that tree (a hash map per mapping, spans of six words per node)
//! took several times the file's size on top of ours, so a 50 MB scenario needed ~15× its
//! size in memory. Building from events also lets us say what is wrong in YAML's own terms:
//! an alias that refers to the anchor it is inside (a cycle), a key given twice, aliases
//! that expand past a budget (a "billion laughs" file), nesting past [`MAX_DEPTH`].
//!
//! Scalars are resolved with the YAML 1.2 core schema exactly as saphyr does
//! (`Scalar::parse_from_cow_and_metadata`); tags outside the core schema are ignored.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use saphyr::{Scalar, ScalarStyle, Tag};
use saphyr_parser::{Event, Parser, Span, SpannedEventReceiver};

use super::node::{Key, Kind, Node, Pos, YamlError};

/// Deeper nesting is refused (the validator and serde_json recurse).
pub(crate) const MAX_DEPTH: usize = 64;
/// Nodes that aliases may produce in one file, as saphyr's own loader allows.
const ALIAS_BUDGET: usize = 100_000;
/// Maps with more entries than this look keys up in a hash set to find duplicates.
const SCAN_KEYS_UP_TO: usize = 16;

/// Parses YAML (or JSON) text into its one document.
pub fn parse_yaml(text: &str) -> Result<Node, YamlError> {
    if u32::try_from(text.len()).is_err() {
        return Err(YamlError {
            pos: Pos { line: 1, col: 1 },
            message: "the scenario file is larger than 4 GiB".into(),
        });
    }
    let mut builder = Builder::new(text);
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, true).map_err(|e| syntax_error(&e))?;
    if let Some(e) = builder.error {
        return Err(e);
    }
    builder.root.ok_or_else(|| YamlError {
        pos: Pos { line: 1, col: 1 },
        message: "the scenario file is empty: expected a map with 'journeys'".into(),
    })
}

fn syntax_error(e: &saphyr::ScanError) -> YamlError {
    let pos = Pos {
        line: small(e.marker().line()).max(1),
        col: small(e.marker().col() + 1),
    };
    YamlError {
        pos,
        message: format!("YAML syntax error: {}", e.info()),
    }
}

/// A collection being filled.
struct Open {
    pos: Pos,
    start: u32,
    items: Items,
    anchor: usize,
    /// Mappings: the key waiting for its value.
    key: Option<Key>,
    /// Mappings with many entries: their keys, to find a duplicate without a scan.
    keys: Option<HashSet<String>>,
}

/// What an open collection holds so far.
enum Items {
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

struct Builder<'t> {
    text: &'t str,
    stack: Vec<Open>,
    /// Completed anchored nodes by anchor id, for aliases to copy.
    anchors: HashMap<usize, Node>,
    /// Anchors still open (being filled), with where they start: an alias to one is a cycle.
    open_anchors: HashMap<usize, Pos>,
    alias_budget: usize,
    documents: usize,
    root: Option<Node>,
    error: Option<YamlError>,
}

impl<'input> SpannedEventReceiver<'input> for Builder<'_> {
    fn on_event(&mut self, ev: Event<'input>, span: Span) {
        if self.error.is_some() {
            return;
        }
        if let Err(e) = self.event(ev, span) {
            self.error = Some(e);
        }
    }
}

impl<'t> Builder<'t> {
    fn new(text: &'t str) -> Builder<'t> {
        Builder {
            text,
            stack: Vec::new(),
            anchors: HashMap::new(),
            open_anchors: HashMap::new(),
            alias_budget: ALIAS_BUDGET,
            documents: 0,
            root: None,
            error: None,
        }
    }

    fn event(&mut self, ev: Event<'_>, span: Span) -> Result<(), YamlError> {
        let pos = pos_of(&span);
        match ev {
            Event::DocumentStart(_) => {
                self.documents += 1;
                Ok(())
            }
            Event::Scalar(value, style, anchor, tag) => {
                self.check_one_document(pos)?;
                let kind = scalar(value, style, tag.as_deref()).ok_or_else(|| YamlError {
                    pos,
                    message: "invalid YAML value (does its '!!' tag fit the value?)".into(),
                })?;
                let node = Node {
                    pos,
                    start: small(span.start.index()),
                    end: small(span.end.index()),
                    kind,
                };
                self.complete(node, anchor)
            }
            Event::SequenceStart(anchor, _) => self.open(pos, &span, anchor, Items::Seq(Vec::new())),
            Event::MappingStart(anchor, _) => self.open(pos, &span, anchor, Items::Map(Vec::new())),
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(open) = self.stack.pop() else {
                    return Ok(());
                };
                if open.anchor > 0 {
                    self.open_anchors.remove(&open.anchor);
                }
                // Boxed slices: no spare capacity stays behind in a finished tree.
                let kind = match open.items {
                    Items::Seq(items) => Kind::Seq(items.into_boxed_slice()),
                    Items::Map(entries) => Kind::Map(entries.into_boxed_slice()),
                };
                let node = Node {
                    pos: open.pos,
                    start: open.start,
                    end: small(span.start.index()),
                    kind,
                };
                self.complete(node, open.anchor)
            }
            Event::Alias(id) => {
                self.check_one_document(pos)?;
                let node = self.alias(id, pos, &span)?;
                self.complete(node, 0)
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => Ok(()),
        }
    }

    /// A scenario file is one document: the first node of a second one is refused.
    fn check_one_document(&self, pos: Pos) -> Result<(), YamlError> {
        if self.documents > 1 && self.stack.is_empty() {
            return Err(YamlError {
                pos,
                message: "a scenario file holds one YAML document; found a second one (remove the '---')".into(),
            });
        }
        Ok(())
    }

    fn open(&mut self, pos: Pos, span: &Span, anchor: usize, items: Items) -> Result<(), YamlError> {
        self.check_one_document(pos)?;
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError {
                pos,
                message: format!("nested more than {MAX_DEPTH} levels deep"),
            });
        }
        if anchor > 0 {
            self.open_anchors.insert(anchor, pos);
        }
        self.stack.push(Open {
            pos,
            start: small(span.start.index()),
            items,
            anchor,
            key: None,
            keys: None,
        });
        Ok(())
    }

    /// A copy of anchor `id`'s node placed at the alias, within the alias budget.
    fn alias(&mut self, id: usize, pos: Pos, span: &Span) -> Result<Node, YamlError> {
        let Some(anchored) = self.anchors.get(&id) else {
            // The parser refuses unknown anchors, so this one is still open: the alias is
            // inside the very value it names.
            let name = alias_name(self.text, pos);
            let anchor_line = self.open_anchors.get(&id).map_or(pos.line, |p| p.line);
            return Err(YamlError {
                pos,
                message: format!(
                    "YAML alias '*{name}' refers to the anchor it is inside ('&{name}' at line {anchor_line}): a value cannot contain itself"
                ),
            });
        };
        let size = anchored.count_nodes();
        if size > self.alias_budget {
            return Err(YamlError {
                pos,
                message: format!(
                    "YAML aliases expand to more than {ALIAS_BUDGET} nodes (nested aliases multiply); write the values out or use fewer aliases"
                ),
            });
        }
        self.alias_budget -= size;
        let mut node = anchored.clone();
        node.pos = pos;
        node.start = small(span.start.index());
        node.end = small(span.end.index());
        Ok(node)
    }

    /// Adds a finished node to its parent (or makes it the document).
    fn complete(&mut self, node: Node, anchor: usize) -> Result<(), YamlError> {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        let Some(parent) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(node);
            }
            return Ok(());
        };
        match &mut parent.items {
            Items::Seq(items) => items.push(node),
            Items::Map(entries) => match parent.key.take() {
                None => parent.key = Some(key(node)?),
                Some(key) => {
                    if is_duplicate(entries, &mut parent.keys, &key.text) {
                        return Err(YamlError {
                            pos: key.pos,
                            message: format!(
                                "YAML syntax error: key '{}' appears twice in the same map",
                                crate::error::clip(&key.text, 60)
                            ),
                        });
                    }
                    entries.push((key, node));
                }
            },
        }
        Ok(())
    }
}

/// Whether `text` is already a key of the map being built (`keys` indexes big maps).
fn is_duplicate(entries: &[(Key, Node)], keys: &mut Option<HashSet<String>>, text: &str) -> bool {
    if entries.len() < SCAN_KEYS_UP_TO {
        return entries.iter().any(|(k, _)| k.text == text);
    }
    let keys = keys.get_or_insert_with(|| entries.iter().map(|(k, _)| k.text.clone()).collect());
    !keys.insert(text.to_string())
}

/// A map key: text, or a number or boolean as written.
fn key(node: Node) -> Result<Key, YamlError> {
    let text = match node.kind {
        Kind::Str(s) => s,
        Kind::Int(i) => i.to_string(),
        Kind::Float(f) => f.to_string(),
        Kind::Bool(b) => b.to_string(),
        Kind::Null | Kind::Seq(_) | Kind::Map(_) => {
            return Err(YamlError {
                pos: node.pos,
                message: "a map key must be text, not a list, a map or nothing".into(),
            });
        }
    };
    Ok(Key { text, pos: node.pos })
}

/// A scalar resolved by the core schema; `None` when a core tag does not fit the value.
fn scalar(value: Cow<'_, str>, style: ScalarStyle, tag: Option<&Tag>) -> Option<Kind> {
    let tag = tag.filter(|t| t.is_yaml_core_schema()).map(|t| Cow::Owned(t.clone()));
    Some(match Scalar::parse_from_cow_and_metadata(value, style, tag.as_ref())? {
        Scalar::Null => Kind::Null,
        Scalar::Boolean(b) => Kind::Bool(b),
        Scalar::Integer(i) => Kind::Int(i),
        Scalar::FloatingPoint(f) => Kind::Float(f.into_inner()),
        Scalar::String(s) => Kind::Str(exact(s)),
    })
}

/// The text as an owned string without spare capacity: the scanner builds scalars in
/// buffers of 32 to 100 bytes, which would otherwise stay with every short key and value.
fn exact(text: Cow<'_, str>) -> String {
    match text {
        Cow::Borrowed(b) => b.to_owned(),
        Cow::Owned(mut o) => {
            o.shrink_to_fit();
            o
        }
    }
}

/// Positions are 1-based; the parser reports some nodes of an empty document at line 0.
fn pos_of(span: &Span) -> Pos {
    Pos {
        line: small(span.start.line()).max(1),
        col: small(span.start.col() + 1),
    }
}

/// A position or offset in a file under 4 GiB (checked up front).
fn small(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The name of the alias written at `pos` (`*name`), read from the file.
fn alias_name(text: &str, pos: Pos) -> String {
    let line = text
        .lines()
        .nth(pos.line.saturating_sub(1) as usize)
        .unwrap_or_default();
    let name: String = line
        .chars()
        .skip(pos.col as usize)
        .take_while(|c| !c.is_whitespace() && !",[]{}".contains(*c))
        .collect();
    crate::error::clip(&name, 60)
}

#[cfg(test)]
mod tests;
