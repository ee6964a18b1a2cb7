//! Evaluating a compiled [`Check`] on a response: pure, no allocation except to compare a
//! non-string JSON value against a regex.

use serde_json::Value;

use crate::model::{Check, CheckKind, ValueTest};
use crate::response::{LazyJson, ResponseView};

impl Check {
    /// True when the response passes. A JSON check on a body that is not JSON fails.
    pub fn evaluate(&self, r: &ResponseView<'_>, json: &mut LazyJson<'_>) -> bool {
        match &self.kind {
            CheckKind::Status(matches) => matches.iter().any(|m| m.matches(r.status)),
            CheckKind::BodyContains(text) => memchr::memmem::find(r.body, text.as_bytes()).is_some(),
            CheckKind::Json { path, test } => {
                let Some(matches) = json.select(path) else {
                    return false;
                };
                match test {
                    ValueTest::Exists(want) => matches.is_empty() != *want,
                    ValueTest::Equals(expected) => matches.iter().any(|v| json_eq(v, expected)),
                    ValueTest::Matches(re) => matches.iter().any(|v| match v {
                        Value::String(s) => re.is_match(s),
                        other => re.is_match(&other.to_string()),
                    }),
                }
            }
            CheckKind::Header { name, test } => {
                let mut values = r.headers.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str());
                match test {
                    ValueTest::Exists(want) => values.next().is_some() == *want,
                    ValueTest::Equals(Value::String(expected)) => values.any(|v| v == expected),
                    ValueTest::Equals(other) => {
                        let expected = other.to_string();
                        values.any(|v| v == expected)
                    }
                    ValueTest::Matches(re) => values.any(|v| re.is_match(v)),
                }
            }
            CheckKind::Duration { op, limit } => op.holds(r.duration, *limit),
        }
    }
}

/// JSON equality with numbers compared by value (`1` equals `1.0`).
pub(crate) fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => match (x.as_u64(), y.as_u64()) {
                (Some(x), Some(y)) => x == y,
                _ => x.as_f64() == y.as_f64(),
            },
        },
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;
    use crate::jsonpath::JsonPath;
    use crate::model::{Compare, StatusMatch};

    fn check(kind: CheckKind) -> Check {
        Check {
            label: String::new(),
            kind,
        }
    }

    fn path(p: &str) -> JsonPath {
        JsonPath::compile(p).unwrap_or_else(|e| panic!("{e}"))
    }

    fn re(r: &str) -> regex::Regex {
        regex::Regex::new(r).unwrap_or_else(|e| panic!("{e}"))
    }

    fn run(c: &Check, status: u16, body: &str) -> bool {
        let headers = vec![
            (
                "content-type".to_string(),
                "application/json; charset=utf-8".to_string(),
            ),
            ("x-id".to_string(), "42".to_string()),
        ];
        let r = ResponseView {
            status,
            headers: &headers,
            body: body.as_bytes(),
            duration: Duration::from_millis(150),
        };
        c.evaluate(&r, &mut LazyJson::new(r.body))
    }

    const BODY: &str = r#"{"token": "abc", "n": 3, "items": [{"id": 1}, {"id": 2.0}], "none": null}"#;

    #[test]
    fn status() {
        let c = check(CheckKind::Status(vec![StatusMatch::Code(200), StatusMatch::Class(3)]));
        assert!(run(&c, 200, ""));
        assert!(run(&c, 302, ""));
        assert!(!run(&c, 201, ""));
        assert!(!run(&c, 500, ""));
    }

    #[test]
    fn body_contains() {
        let c = check(CheckKind::BodyContains("\"token\"".into()));
        assert!(run(&c, 200, BODY));
        assert!(!run(&c, 200, "nothing"));
        assert!(run(&check(CheckKind::BodyContains(String::new())), 200, ""));
    }

    #[test]
    fn json_tests() {
        let json = |p: &str, test: ValueTest| check(CheckKind::Json { path: path(p), test });
        assert!(run(&json("$.token", ValueTest::Exists(true)), 200, BODY));
        assert!(run(&json("$.none", ValueTest::Exists(true)), 200, BODY));
        assert!(!run(&json("$.nope", ValueTest::Exists(true)), 200, BODY));
        assert!(run(&json("$.nope", ValueTest::Exists(false)), 200, BODY));
        assert!(!run(&json("$.token", ValueTest::Exists(false)), 200, BODY));
        assert!(run(&json("$.n", ValueTest::Equals(json!(3))), 200, BODY));
        assert!(run(&json("$.n", ValueTest::Equals(json!(3.0))), 200, BODY));
        assert!(!run(&json("$.n", ValueTest::Equals(json!("3"))), 200, BODY));
        assert!(run(&json("$.items[*].id", ValueTest::Equals(json!(2))), 200, BODY));
        assert!(run(
            &json("$.items[0]", ValueTest::Equals(json!({"id": 1.0}))),
            200,
            BODY
        ));
        assert!(run(&json("$.token", ValueTest::Matches(re("^a.c$"))), 200, BODY));
        assert!(run(&json("$.n", ValueTest::Matches(re("^3$"))), 200, BODY));
        assert!(!run(&json("$.token", ValueTest::Matches(re("z"))), 200, BODY));
        // Not JSON: every JSON check fails, even "absent".
        assert!(!run(&json("$.token", ValueTest::Exists(false)), 200, "<html>"));
        assert!(!run(&json("$", ValueTest::Exists(true)), 200, "<html>"));
    }

    #[test]
    fn header_tests() {
        let header = |n: &str, test: ValueTest| check(CheckKind::Header { name: n.into(), test });
        assert!(run(&header("content-type", ValueTest::Matches(re("json"))), 200, ""));
        assert!(!run(&header("content-type", ValueTest::Matches(re("xml"))), 200, ""));
        assert!(run(&header("x-id", ValueTest::Exists(true)), 200, ""));
        assert!(run(&header("x-gone", ValueTest::Exists(false)), 200, ""));
        assert!(run(&header("x-id", ValueTest::Equals(json!("42"))), 200, ""));
        assert!(run(&header("x-id", ValueTest::Equals(json!(42))), 200, ""));
        assert!(!run(&header("x-gone", ValueTest::Equals(json!("42"))), 200, ""));
    }

    #[test]
    fn duration() {
        let d = |op, ms| {
            check(CheckKind::Duration {
                op,
                limit: Duration::from_millis(ms),
            })
        };
        assert!(run(&d(Compare::Lt, 200), 200, ""));
        assert!(!run(&d(Compare::Lt, 150), 200, ""));
        assert!(run(&d(Compare::Le, 150), 200, ""));
        assert!(run(&d(Compare::Gt, 100), 200, ""));
        assert!(!run(&d(Compare::Ge, 151), 200, ""));
    }

    #[test]
    fn json_equality() {
        assert!(json_eq(&json!(1), &json!(1.0)));
        assert!(json_eq(&json!(u64::MAX), &json!(u64::MAX)));
        assert!(!json_eq(&json!(-1), &json!(1)));
        assert!(json_eq(&json!({"a": [1, 2]}), &json!({"a": [1.0, 2]})));
        assert!(!json_eq(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
        assert!(!json_eq(&json!([1]), &json!([1, 2])));
        assert!(json_eq(&json!("x"), &json!("x")));
    }
}
