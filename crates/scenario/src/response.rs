//! What checks and extractions see of a response: [`ResponseView`] (borrowed status, headers,
//! body, duration) and [`LazyJson`], which selects JSON paths from the body while parsing it
//! (`select.rs`), or parses the whole body once when a path needs the whole document.

use std::time::Duration;

use serde_json::Value;

use crate::jsonpath::JsonPath;

/// A received response, borrowed from the runtime's buffers.
#[derive(Debug, Clone, Copy)]
pub struct ResponseView<'a> {
    pub status: u16,
    /// `(name, value)` with lower-case names, in the order received.
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
    /// The response time the `duration` check compares.
    pub duration: Duration,
}

impl<'a> ResponseView<'a> {
    /// Values of the headers named `name` (lower-case), in order.
    pub fn header_values(&self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The body as JSON, looked at on demand; `None` when it is not JSON.
#[derive(Debug)]
pub struct LazyJson<'a> {
    body: &'a [u8],
    /// The whole document, once parsed (`Some(None)`: the body is not JSON).
    parsed: Option<Option<Value>>,
    /// The matches of the last [`select`](Self::select).
    matches: Vec<Value>,
}

impl<'a> LazyJson<'a> {
    pub fn new(body: &'a [u8]) -> LazyJson<'a> {
        LazyJson::reusing(body, Vec::new())
    }

    /// Like [`new`](Self::new), with `matches` (emptied) as the buffer for matches: a VU
    /// hands the same one from response to response ([`into_matches`](Self::into_matches)),
    /// so that selecting allocates nothing once it has grown.
    pub fn reusing(body: &'a [u8], mut matches: Vec<Value>) -> LazyJson<'a> {
        matches.clear();
        LazyJson {
            body,
            parsed: None,
            matches,
        }
    }

    /// The buffer of matches, for the next response's [`reusing`](Self::reusing).
    pub fn into_matches(self) -> Vec<Value> {
        self.matches
    }

    /// Every match of `path` in the body, in document order (yours to take); `None` when the
    /// body is not JSON. Only the matches are built, unless the path needs the whole
    /// document (`..key`, a negative index) or it was parsed already.
    pub fn select(&mut self, path: &JsonPath) -> Option<&mut Vec<Value>> {
        self.matches.clear();
        match &self.parsed {
            None if path.selectable() => {
                if !path.select(self.body, &mut self.matches) {
                    self.parsed = Some(None);
                    return None;
                }
            }
            _ => {
                let root = self
                    .parsed
                    .get_or_insert_with(|| serde_json::from_slice(self.body).ok())
                    .as_ref()?;
                self.matches.extend(path.find(root).into_iter().cloned());
            }
        }
        Some(&mut self.matches)
    }

    /// The parsed body (parsed now if it has not been yet).
    pub fn value(&mut self) -> Option<&Value> {
        let body = self.body;
        self.parsed
            .get_or_insert_with(|| serde_json::from_slice(body).ok())
            .as_ref()
    }

    /// True once the body has been parsed (whether or not it was JSON).
    pub fn is_parsed(&self) -> bool {
        self.parsed.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_once_and_tolerates_non_json() {
        let mut j = LazyJson::new(br#"{"a": 1}"#);
        assert!(!j.is_parsed());
        assert_eq!(j.value().and_then(|v| v.get("a")).and_then(Value::as_i64), Some(1));
        assert!(j.is_parsed());
        let mut bad = LazyJson::new(b"<html>");
        assert!(bad.value().is_none());
        assert!(bad.is_parsed());
    }

    #[test]
    fn a_reused_buffer_starts_empty_and_keeps_its_memory() {
        let path = JsonPath::compile("$.items[*].id").unwrap_or_else(|e| panic!("{e}"));
        let mut j = LazyJson::new(br#"{"items": [{"id": 1}, {"id": 2}, {"id": 3}]}"#);
        assert_eq!(j.select(&path).map(|m| m.len()), Some(3));
        let buffer = j.into_matches();
        let (capacity, at) = (buffer.capacity(), buffer.as_ptr());
        let mut next = LazyJson::reusing(br#"{"items": [{"id": 7}]}"#, buffer);
        assert_eq!(next.select(&path).cloned(), Some(vec![Value::from(7)]));
        let buffer = next.into_matches();
        assert_eq!((buffer.capacity(), buffer.as_ptr()), (capacity, at));
    }

    #[test]
    fn header_values() {
        let headers = vec![
            ("set-cookie".to_string(), "a=1".to_string()),
            ("content-type".to_string(), "text/plain".to_string()),
            ("set-cookie".to_string(), "b=2".to_string()),
        ];
        let r = ResponseView {
            status: 200,
            headers: &headers,
            body: b"",
            duration: Duration::ZERO,
        };
        assert_eq!(r.header_values("set-cookie").collect::<Vec<_>>(), ["a=1", "b=2"]);
    }
}
