//! What checks and extractions see of a response: [`ResponseView`] (borrowed status, headers,
//! body, duration) and [`LazyJson`], which parses the body as JSON at most once per response.

use std::time::Duration;

use serde_json::Value;

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

/// The body parsed as JSON on first use; `None` when it is not JSON.
#[derive(Debug)]
pub struct LazyJson<'a> {
    body: &'a [u8],
    parsed: Option<Option<Value>>,
}

impl<'a> LazyJson<'a> {
    pub fn new(body: &'a [u8]) -> LazyJson<'a> {
        LazyJson { body, parsed: None }
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
