//! Applying a compiled [`Extract`] to a response: the JSON path, regex or header value(s),
//! narrowed by `pick` (first, random — using the runtime's random number — or all as an array).

use serde_json::Value;

use crate::model::{Extract, ExtractSource, PickMatch};
use crate::response::{LazyJson, ResponseView};

impl Extract {
    /// The extracted value, or `None` when nothing matched (the extraction failed).
    /// Regex and header values are strings; JSON values are kept as they are.
    pub fn apply(&self, r: &ResponseView<'_>, json: &mut LazyJson<'_>, random: u64) -> Option<Value> {
        match &self.source {
            ExtractSource::Json(path) => {
                let matches = json.select(path)?;
                match self.pick {
                    PickMatch::First => (!matches.is_empty()).then(|| matches.swap_remove(0)),
                    PickMatch::Random => {
                        let at = index(random, matches.len())?;
                        Some(matches.swap_remove(at))
                    }
                    PickMatch::All => non_empty(std::mem::take(matches)),
                }
            }
            ExtractSource::Regex { regex, group } => {
                let text = |m: &[u8]| Value::String(String::from_utf8_lossy(m).into_owned());
                match self.pick {
                    PickMatch::First => regex
                        .captures(r.body)
                        .and_then(|c| c.get(*group))
                        .map(|m| text(m.as_bytes())),
                    PickMatch::Random => {
                        let all: Vec<&[u8]> = regex
                            .captures_iter(r.body)
                            .filter_map(|c| c.get(*group).map(|m| m.as_bytes()))
                            .collect();
                        all.get(index(random, all.len())?).map(|m| text(m))
                    }
                    PickMatch::All => non_empty(
                        regex
                            .captures_iter(r.body)
                            .filter_map(|c| c.get(*group).map(|m| text(m.as_bytes())))
                            .collect(),
                    ),
                }
            }
            ExtractSource::Header(name) => {
                let values = r.headers.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str());
                match self.pick {
                    PickMatch::First => values.map(|v| Value::String(v.to_string())).next(),
                    PickMatch::Random => {
                        let all: Vec<&str> = values.collect();
                        all.get(index(random, all.len())?).map(|v| Value::String(v.to_string()))
                    }
                    PickMatch::All => non_empty(values.map(|v| Value::String(v.to_string())).collect()),
                }
            }
        }
    }
}

/// Maps `random` onto `0..len`; `None` when `len` is 0.
fn index(random: u64, len: usize) -> Option<usize> {
    (len > 0).then(|| ((u128::from(random) * len as u128) >> 64) as usize)
}

fn non_empty(values: Vec<Value>) -> Option<Value> {
    (!values.is_empty()).then_some(Value::Array(values))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;
    use crate::jsonpath::JsonPath;

    fn extract(source: ExtractSource, pick: PickMatch) -> Extract {
        Extract {
            var: "v".into(),
            source,
            pick,
        }
    }

    fn json_source(p: &str) -> ExtractSource {
        ExtractSource::Json(JsonPath::compile(p).unwrap_or_else(|e| panic!("{e}")))
    }

    fn regex_source(r: &str, group: usize) -> ExtractSource {
        ExtractSource::Regex {
            regex: regex::bytes::Regex::new(r).unwrap_or_else(|e| panic!("{e}")),
            group,
        }
    }

    fn run(e: &Extract, body: &str, random: u64) -> Option<Value> {
        let headers = vec![
            ("x-request-id".to_string(), "r1".to_string()),
            ("set-cookie".to_string(), "a=1".to_string()),
            ("set-cookie".to_string(), "b=2".to_string()),
        ];
        let r = ResponseView {
            status: 200,
            headers: &headers,
            body: body.as_bytes(),
            duration: Duration::ZERO,
        };
        e.apply(&r, &mut LazyJson::new(r.body), random)
    }

    const BODY: &str = r#"{"token": "abc", "items": [{"id": 10}, {"id": 20}, {"id": 30}]}"#;

    #[test]
    fn json_picks() {
        let first = extract(json_source("$.items[*].id"), PickMatch::First);
        assert_eq!(run(&first, BODY, 0), Some(json!(10)));
        let random = extract(json_source("$.items[*].id"), PickMatch::Random);
        assert_eq!(run(&random, BODY, 0), Some(json!(10)));
        assert_eq!(run(&random, BODY, u64::MAX / 2), Some(json!(20)));
        assert_eq!(run(&random, BODY, u64::MAX), Some(json!(30)));
        let all = extract(json_source("$.items[*].id"), PickMatch::All);
        assert_eq!(run(&all, BODY, 0), Some(json!([10, 20, 30])));
        let token = extract(json_source("$.token"), PickMatch::First);
        assert_eq!(run(&token, BODY, 0), Some(json!("abc")));
    }

    #[test]
    fn json_failures() {
        for pick in [PickMatch::First, PickMatch::Random, PickMatch::All] {
            let e = extract(json_source("$.missing[*]"), pick);
            assert_eq!(run(&e, BODY, 5), None, "{pick:?}");
            let e = extract(json_source("$.token"), pick);
            assert_eq!(run(&e, "not json", 5), None, "{pick:?}");
        }
    }

    #[test]
    fn regex_picks() {
        let body = "csrf=aaa; csrf=bbb; csrf=ccc";
        assert_eq!(
            run(&extract(regex_source(r"csrf=(\w+)", 1), PickMatch::First), body, 0),
            Some(json!("aaa"))
        );
        assert_eq!(
            run(&extract(regex_source(r"csrf=(\w+)", 0), PickMatch::First), body, 0),
            Some(json!("csrf=aaa"))
        );
        assert_eq!(
            run(
                &extract(regex_source(r"csrf=(\w+)", 1), PickMatch::Random),
                body,
                u64::MAX
            ),
            Some(json!("ccc"))
        );
        assert_eq!(
            run(&extract(regex_source(r"csrf=(\w+)", 1), PickMatch::All), body, 0),
            Some(json!(["aaa", "bbb", "ccc"]))
        );
        for pick in [PickMatch::First, PickMatch::Random, PickMatch::All] {
            assert_eq!(run(&extract(regex_source(r"nope=(\w+)", 1), pick), body, 0), None);
        }
        // An optional group that did not take part is a failure too.
        assert_eq!(
            run(&extract(regex_source(r"csrf=(x)?", 1), PickMatch::First), body, 0),
            None
        );
    }

    #[test]
    fn header_picks() {
        let h = |name: &str, pick| extract(ExtractSource::Header(name.into()), pick);
        assert_eq!(run(&h("x-request-id", PickMatch::First), "", 0), Some(json!("r1")));
        assert_eq!(
            run(&h("set-cookie", PickMatch::Random), "", u64::MAX),
            Some(json!("b=2"))
        );
        assert_eq!(
            run(&h("set-cookie", PickMatch::All), "", 0),
            Some(json!(["a=1", "b=2"]))
        );
        for pick in [PickMatch::First, PickMatch::Random, PickMatch::All] {
            assert_eq!(run(&h("x-none", pick), "", 0), None);
        }
    }
}
