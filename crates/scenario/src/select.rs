//! Evaluating a JSON path while the body is parsed, building only the values it selects.
//!
//! Parsing a whole response into a `serde_json::Value` allocates a map per object and a
//! string per key and string value, all thrown away after a check or two; for a journey
//! step that extracts one id from a product list it was most of the step's CPU. Here the
//! path steers a serde visitor: keys are compared without allocating, values off the path
//! are skipped (still validated, so a body that is not JSON is still refused), and only the
//! matches become `Value`s. Matches come in document order.
//!
//! Paths with `..key` (any depth) or a negative index (counted from the end, so the length
//! must be known first) are not handled here: [`JsonPath::selectable`] says so and the
//! caller parses the whole document instead.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::jsonpath::Segment;

/// Pushes onto `out` every match of `segments` in `body`; `Err` when the body is not JSON.
pub(crate) fn select(segments: &[Segment], body: &[u8], out: &mut Vec<Value>) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(body);
    Select { segments, out }.deserialize(&mut de)?;
    de.end()
}

/// The rest of a path, applied to the value about to be parsed.
struct Select<'p, 'o> {
    segments: &'p [Segment],
    out: &'o mut Vec<Value>,
}

impl<'de> DeserializeSeed<'de> for Select<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        match self.segments.split_first() {
            None => {
                self.out.push(serde::Deserialize::deserialize(d)?);
                Ok(())
            }
            Some((segment, rest)) => d.deserialize_any(Step {
                segment,
                rest,
                out: self.out,
            }),
        }
    }
}

/// One segment of the path, applied to an array or object (scalars match nothing).
struct Step<'p, 'o> {
    segment: &'p Segment,
    rest: &'p [Segment],
    out: &'o mut Vec<Value>,
}

impl Step<'_, '_> {
    fn next(&mut self) -> Select<'_, '_> {
        Select {
            segments: self.rest,
            out: self.out,
        }
    }
}

macro_rules! no_match {
    ($($method:ident: $t:ty),*) => {
        $(fn $method<E: serde::de::Error>(self, _: $t) -> Result<(), E> { Ok(()) })*
    };
}

impl<'de> Visitor<'de> for Step<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    no_match!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        match *self.segment {
            Segment::Wildcard => while seq.next_element_seed(self.next())?.is_some() {},
            Segment::Index(wanted) => {
                let mut index = 0;
                loop {
                    let found = if index == wanted {
                        seq.next_element_seed(self.next())?.is_some()
                    } else {
                        seq.next_element::<IgnoredAny>()?.is_some()
                    };
                    if !found {
                        break;
                    }
                    index += 1;
                }
            }
            Segment::Key(_) | Segment::Descend(_) => while seq.next_element::<IgnoredAny>()?.is_some() {},
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let wanted = match self.segment {
            Segment::Key(k) => Some(k.as_str()),
            _ => None,
        };
        let every = matches!(self.segment, Segment::Wildcard);
        while let Some(hit) = map.next_key_seed(KeyIs(wanted))? {
            if hit || every {
                map.next_value_seed(self.next())?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// Reads an object key and says whether it is the wanted one, without allocating (and as
/// bytes: a key that is not the wanted one need not be checked for UTF-8).
struct KeyIs<'k>(Option<&'k str>);

impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_bytes(self)
    }
}

impl<'de> Visitor<'de> for KeyIs<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<bool, E> {
        Ok(self.0 == Some(key))
    }

    fn visit_bytes<E: serde::de::Error>(self, key: &[u8]) -> Result<bool, E> {
        Ok(self.0.map(str::as_bytes) == Some(key))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::jsonpath::JsonPath;

    fn select(path: &str, body: &str) -> Option<Vec<serde_json::Value>> {
        let path = JsonPath::compile(path).unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        path.select(body.as_bytes(), &mut out).then_some(out)
    }

    const DOC: &str = r#"{"z": 0, "items": [{"id": 1, "name": "a"}, {"name": "b", "id": 2, "tags": {"id": 9}}],
        "odd key": {"x.y": true}, "esc\"key": "e", "n": null, "s": "str"}"#;

    #[test]
    fn selects_like_the_whole_document_would() {
        assert_eq!(select("$.items[*].id", DOC), Some(vec![json!(1), json!(2)]));
        assert_eq!(select("$.items[1].tags.id", DOC), Some(vec![json!(9)]));
        assert_eq!(select("$.items.*.name", DOC), Some(vec![json!("a"), json!("b")]));
        assert_eq!(select("$['odd key'][\"x.y\"]", DOC), Some(vec![json!(true)]));
        assert_eq!(select("$['esc\"key']", DOC), Some(vec![json!("e")]));
        assert_eq!(select("$.n", DOC), Some(vec![serde_json::Value::Null]));
        assert_eq!(select("$.items[0]", DOC), Some(vec![json!({"id": 1, "name": "a"})]));
        for nothing in ["$.missing", "$.items[5]", "$.s.x", "$.s[0]", "$.z[*]", "$.items.id"] {
            assert_eq!(select(nothing, DOC), Some(vec![]), "{nothing}");
        }
        // Wildcards over objects keep document order.
        assert_eq!(select("$.*", r#"{"b": 1, "a": 2}"#), Some(vec![json!(1), json!(2)]));
        assert_eq!(select("$", "[1, 2]"), Some(vec![json!([1, 2])]));
    }

    #[test]
    fn a_body_that_is_not_json_selects_nothing_at_all() {
        for bad in ["<html>", r#"{"a": 1"#, r#"{"a": 1} trailing"#, "", r#"{"a": [1,]}"#] {
            assert_eq!(select("$.a", bad), None, "{bad}");
        }
        // Parts off the path are still checked.
        assert_eq!(select("$.a", r#"{"a": 1, "b": [}"#), None);
    }
}
