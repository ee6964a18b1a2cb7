//! The JSON Schema of plan files (`loadcell schema --plan`), for editors: the top-level keys,
//! and for each test type the flags of the command it runs as — the same [`Vocabulary`] the
//! parser checks against, so the schema cannot drift from what `loadcell suite` accepts.

use crate::model::{Flag, Kind, Vocabulary};
use crate::parse::SUITE_FLAGS;
use serde_json::{Map, Value, json};

/// The JSON Schema (draft 2020-12) of plan files.
pub fn json_schema(vocabulary: &Vocabulary) -> Value {
    let strings = json!({ "oneOf": [{ "type": "string" }, { "type": "array", "items": { "type": "string" } }] });
    let tests: Vec<Value> = Kind::all()
        .map(|kind| test_schema(kind, vocabulary, &strings))
        .collect();
    let kinds: Vec<&str> = Kind::all().map(Kind::as_str).collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "loadcell suite plan",
        "description": "A performance test plan for `loadcell suite` (see docs/suite.md).",
        "type": "object",
        "required": ["tests"],
        "additionalProperties": false,
        "properties": {
            "target": { "type": "string", "description": "The URL under test (or give 'scenario')." },
            "scenario": { "type": "string", "description": "A scenario file, relative to the plan." },
            "base_url": { "type": "string", "description": "Send a scenario's requests here (--base-url)." },
            "monitor": strings.clone(),
            "postgres": strings.clone(),
            "slo": strings.clone(),
            "baseline": {
                "type": "string",
                "description": "A previous suite's folder (each run-type test compared with its namesake) or one results folder / summary.json, relative to the plan."
            },
            "tests": {
                "type": "array",
                "minItems": 1,
                "items": { "oneOf": [{ "enum": kinds }, { "oneOf": tests }] }
            }
        }
    })
}

/// `{ KIND: { options } }` for one test type.
fn test_schema(kind: Kind, vocabulary: &Vocabulary, strings: &Value) -> Value {
    let mut options = Map::new();
    options.insert(
        "name".into(),
        json!({ "type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$" }),
    );
    match kind {
        Kind::Bench => options.insert(
            "commands".into(),
            json!({ "type": "array", "items": { "type": "string" }, "description": "The commands to time (loadcell bench's CMD…)." }),
        ),
        _ => options.insert("slo".into(), strings.clone()),
    };
    for flag in vocabulary
        .of(kind.command())
        .iter()
        .filter(|f| !SUITE_FLAGS.contains(&f.long.as_str()))
    {
        options.insert(flag.long.replace('-', "_"), value_schema(flag));
    }
    json!({
        "type": "object",
        "additionalProperties": false,
        "minProperties": 1,
        "maxProperties": 1,
        "properties": {
            kind.as_str(): {
                "oneOf": [
                    { "type": "null" },
                    { "type": "object", "additionalProperties": false, "properties": options }
                ]
            }
        }
    })
}

fn value_schema(flag: &Flag) -> Value {
    match flag.takes_value {
        false => json!({ "type": "boolean" }),
        true => json!({ "type": ["string", "number", "array"] }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_lists_its_command_flags_but_the_suite_s_own() {
        let flag = |long: &str, takes_value| Flag {
            long: long.into(),
            takes_value,
            repeatable: false,
        };
        let vocabulary = Vocabulary {
            run: vec![
                flag("target-rate", true),
                flag("out", true),
                flag("abort-on-fail", false),
            ],
            capacity: vec![flag("step-duration", true)],
            scale: vec![flag("vus", true)],
            bench: vec![flag("runs", true)],
        };
        let schema = json_schema(&vocabulary);
        let tests = &schema["properties"]["tests"]["items"]["oneOf"];
        assert_eq!(tests[0]["enum"].as_array().map(Vec::len), Some(9));
        let load = &tests[1]["oneOf"][1]["properties"]["load"]["oneOf"][1]["properties"];
        assert_eq!(load["target_rate"]["type"][0], "string");
        assert_eq!(load["abort_on_fail"]["type"], "boolean");
        assert!(load.get("out").is_none(), "the suite sets --out");
        let scale = &tests[1]["oneOf"][7]["properties"]["scale"]["oneOf"][1]["properties"];
        assert!(scale.get("vus").is_some() && scale.get("target_rate").is_none());
        let bench = &tests[1]["oneOf"][8]["properties"]["bench"]["oneOf"][1]["properties"];
        assert!(bench.get("commands").is_some() && bench.get("runs").is_some() && bench.get("slo").is_none());
    }
}
