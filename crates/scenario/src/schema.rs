//! A JSON Schema (draft 2020-12) of the scenario format, for editor completion and hover docs
//! (`loadcell schema` prints it). It describes shapes only; the loader's validation is stricter
//! (templates, data columns, variable flow, threshold syntax).

use serde_json::{Value, json};

/// `tags:` — the file's own tags, names to words or numbers.
fn tags_schema() -> Value {
    json!({
        "type": "object",
        "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
        "additionalProperties": {"type": ["string", "number", "boolean"]},
        "description": "Tags the requests and checks carry; thresholds filter on them ({kind:checkout})."
    })
}

/// `scenarios:` — named load models (k6's executors) that run at once.
fn scenarios_schema() -> Value {
    let whole = json!({"type": "integer", "minimum": 1});
    let stages = json!({"anyOf": [
        {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": false, "required": ["duration", "target"],
            "properties": {"duration": {"$ref": "#/$defs/duration"}, "target": {"anyOf": [{"type": "number"}, {"type": "string"}]}}
        }},
        {"type": "string"}
    ]});
    json!({
        "type": "object",
        "minProperties": 1,
        "description": "Several load models at once, each with its own journeys; not with 'load'.",
        "additionalProperties": {
            "type": "object",
            "additionalProperties": false,
            "required": ["executor"],
            "properties": {
                "executor": {"enum": crate::model::Executor::NAMES},
                "start_time": {"$ref": "#/$defs/duration"},
                "journeys": {"anyOf": [
                    {"type": "array", "minItems": 1, "items": {"type": "string"}},
                    {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}
                ]},
                "tags": tags_schema(),
                "env": {"description": "This scenario's {{ env.NAME }} values (k6's per-scenario env), before the process environment.", "type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}},
                "vus": whole,
                "duration": {"$ref": "#/$defs/duration"},
                "start_vus": {"type": "integer", "minimum": 0},
                "graceful_stop": {"description": "k6's gracefulStop: at the scenario's end its iterations under way get this long to finish (default: --grace, for requests in flight only).", "$ref": "#/$defs/duration"},
                "graceful_ramp_down": {"description": "k6's gracefulRampDown (ramping-vus): a VU ramped down finishes its iteration within this long, or the iteration is cut (default 30s).", "$ref": "#/$defs/duration"},
                "stages": stages,
                "rate": {"$ref": "#/$defs/rate"},
                "start_rate": {"$ref": "#/$defs/rate"},
                "pre_allocated_vus": whole,
                "max_vus": whole,
                "iterations": whole,
                "max_duration": {"$ref": "#/$defs/duration"}
            }
        }
    })
}

/// The schema of a scenario file.
pub fn json_schema() -> Value {
    let duration = json!({
        "description": "A duration: 500ms, 30s, 2m, 1h30m; a bare number is seconds.",
        "anyOf": [
            {"type": "string", "pattern": "^\\s*[0-9][0-9.]*\\s*[a-zµ]*([0-9.]+[a-zµ]+)*\\s*$"},
            {"type": "number", "minimum": 0}
        ]
    });
    let think = json!({
        "description": "A fixed pause (500ms) or a uniform range (200ms..1s).",
        "anyOf": [{"$ref": "#/$defs/duration"}, {"type": "string", "pattern": "\\.\\."}]
    });
    let rate = json!({
        "description": "Iterations per second: 50, 2.5, \"50/s\", \"3000/m\", \"1M/month\".",
        "anyOf": [{"type": "number", "minimum": 0}, {"type": "string"}]
    });
    let template = json!({
        "description": "Text with {{ templates }}: a variable, SOURCE.FIELD, env.NAME, uuid, random_int(a, b), random_string(n), now_ms, vu, iteration. {{{{ is a literal {{.",
        "type": ["string", "number", "boolean"]
    });
    let test = json!({
        "description": "exists | { exists: false } | { equals: VALUE } | { matches: REGEX } | VALUE (equals).",
        "anyOf": [
            {"const": "exists"},
            {"type": "object", "properties": {"exists": {"type": "boolean"}}, "required": ["exists"], "additionalProperties": false},
            {"type": "object", "properties": {"equals": {}}, "required": ["equals"], "additionalProperties": false},
            {"type": "object", "properties": {"matches": {"type": "string", "format": "regex"}}, "required": ["matches"], "additionalProperties": false},
            {"type": ["string", "number", "boolean", "null", "array"]}
        ]
    });
    let status = json!({
        "anyOf": [
            {"type": "integer", "minimum": 100, "maximum": 599},
            {"type": "string", "pattern": "^([1-5][xX][xX]|[1-5][0-9][0-9])$"}
        ]
    });
    let check = json!({
        "description": "Each entry is one check on the response.",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "status": {"description": "200, 2xx, or a list of them.", "anyOf": [{"$ref": "#/$defs/status"}, {"type": "array", "items": {"$ref": "#/$defs/status"}, "minItems": 1}]},
            "body_contains": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
            "json": {"description": "JSON path ($.a.b[0], $.items[*].id, $..id) → test.", "type": "object", "additionalProperties": {"$ref": "#/$defs/test"}},
            "header": {"description": "Header name → test.", "type": "object", "additionalProperties": {"$ref": "#/$defs/test"}},
            "duration": {"description": "<200ms, <=1s, >10ms, >=5ms.", "type": "string", "pattern": "^\\s*[<>]=?"}
        }
    });
    let pick_match = json!({"enum": ["first", "random", "all"]});
    let extract = json!({
        "description": "Variable name → where its value comes from.",
        "type": "object",
        "additionalProperties": {
            "anyOf": [
                {"type": "string", "pattern": "^\\s*\\$", "description": "Short for { json: PATH }."},
                {"type": "object", "additionalProperties": false, "required": ["json"], "properties": {"json": {"type": "string"}, "pick": pick_match}},
                {"type": "object", "additionalProperties": false, "required": ["regex"], "properties": {"regex": {"type": "string", "format": "regex"}, "group": {"type": "integer", "minimum": 0}, "pick": pick_match}},
                {"type": "object", "additionalProperties": false, "required": ["header"], "properties": {"header": {"type": "string"}, "pick": pick_match}}
            ]
        }
    });
    let headers = json!({"type": "object", "additionalProperties": {"$ref": "#/$defs/template"}});
    let mut request_props = serde_json::Map::new();
    for method in ["get", "post", "put", "patch", "delete", "head"] {
        request_props.insert(
            method.into(),
            json!({"description": format!("{} request: a path under 'target' (/api/x) or an absolute http(s) URL.", method.to_uppercase()), "type": "string"}),
        );
    }
    for (k, v) in [
        (
            "name",
            json!({"type": "string", "description": "Label in results (default: METHOD URL)."}),
        ),
        ("headers", json!({"$ref": "#/$defs/headers"})),
        (
            "query",
            json!({"type": "object", "additionalProperties": {"$ref": "#/$defs/template"}}),
        ),
        (
            "json",
            json!({"description": "A JSON body; strings inside are templates."}),
        ),
        (
            "form",
            json!({"type": "object", "additionalProperties": {"$ref": "#/$defs/template"}}),
        ),
        ("body", json!({"type": "string"})),
        (
            "body_file",
            json!({"type": "string", "description": "Relative to the scenario file."}),
        ),
        (
            "multipart",
            json!({
                "type": "object", "additionalProperties": false,
                "description": "A multipart/form-data body: text fields (templates) and files (read once, relative to the scenario file).",
                "properties": {
                    "fields": {"type": "object", "additionalProperties": {"$ref": "#/$defs/template"}},
                    "files": {"type": "object", "additionalProperties": {"anyOf": [
                        {"type": "string"},
                        {"type": "object", "additionalProperties": false, "required": ["path"], "properties": {
                            "path": {"type": "string"}, "filename": {"type": "string"}, "content_type": {"type": "string"}
                        }}
                    ]}}
                }
            }),
        ),
        (
            "add",
            json!({
                "type": "object",
                "description": "Adds to the scenario's own metrics (declared in 'metrics:') after the response, checks and extraction: a number, a template that renders to one (an extracted value), or for a rate checks, ok, true or false.",
                "additionalProperties": {"anyOf": [
                    {"type": "number"}, {"type": "boolean"}, {"type": "string"}
                ]}
            }),
        ),
        ("check", json!({"$ref": "#/$defs/check"})),
        ("extract", json!({"$ref": "#/$defs/extract"})),
        ("on_fail", json!({"enum": ["continue", "abort_iteration"]})),
        ("tags", tags_schema()),
        (
            "once",
            json!({"type": "boolean", "description": "Run once per VU (until it succeeds); what it extracts is kept across iterations."}),
        ),
        (
            "timeout",
            json!({"$ref": "#/$defs/duration", "description": "This request's timeout; wins over the journey's and --timeout."}),
        ),
        (
            "follow_redirects",
            json!({"description": "false, true (the run's --max-redirects, 10 by default) or a number of hops.",
                   "anyOf": [{"type": "boolean"}, {"type": "integer", "minimum": 0, "maximum": 100}]}),
        ),
    ] {
        request_props.insert(k.into(), v);
    }
    let one_method: Vec<Value> = ["get", "post", "put", "patch", "delete", "head"]
        .iter()
        .map(|m| json!({"required": [m]}))
        .collect();
    // A batch's requests are request steps without `once`.
    let mut batch_props = request_props.clone();
    batch_props.remove("once");
    let batch_request = json!({
        "type": "object",
        "additionalProperties": false,
        "properties": batch_props,
        "oneOf": one_method.clone()
    });
    let request_step = json!({
        "type": "object",
        "additionalProperties": false,
        "properties": request_props,
        "oneOf": one_method
    });
    let batch_step = json!({
        "type": "object", "additionalProperties": false, "required": ["batch"],
        "description": "Requests sent at the same time (k6's http.batch()); the step ends when all have answered. Checks, extractions and add: apply after all responses, in list order.",
        "properties": {
            "name": {"type": "string", "description": "The batch's name in messages; each request has its own."},
            "parallel": {"type": "integer", "minimum": 1, "maximum": 64,
                         "description": "The most requests in flight at once, each on a connection of the VU (k6's batchPerHost; default 6)."},
            "batch": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/batch_request"}}
        }
    });
    let sleep_step = json!({
        "type": "object", "additionalProperties": false, "required": ["sleep"],
        "properties": {"sleep": {"$ref": "#/$defs/think"}}
    });
    let journey = json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["name", "steps"],
        "properties": {
            "name": {"type": "string"},
            "weight": {"type": "integer", "minimum": 0, "description": "Relative share of iterations (default 1)."},
            "think": {"$ref": "#/$defs/think"},
            "pacing": {"$ref": "#/$defs/duration"},
            "loop": {"type": "integer", "minimum": 1, "description": "Times the steps run per iteration."},
            "tags": tags_schema(),
            "timeout": {"$ref": "#/$defs/duration", "description": "Every request's timeout unless its step has one; wins over --timeout."},
            "steps": {"type": "array", "minItems": 1, "items": {"anyOf": [{"$ref": "#/$defs/request_step"}, {"$ref": "#/$defs/sleep_step"}, {"$ref": "#/$defs/batch_step"}]}}
        }
    });
    let stage = |target: &str, schema: Value| {
        json!({
            "type": "object", "additionalProperties": false, "required": ["duration", target],
            "properties": {"duration": {"$ref": "#/$defs/duration"}, target: schema}
        })
    };
    let load = json!({
        "type": "object",
        "additionalProperties": false,
        "description": "Closed model: vus + duration, or stages. Open model: rate + duration, or rate_stages (+ max_vus). Or a test-type profile around target_rate or target_vus (docs/profiles.md).",
        "properties": {
            "vus": {"type": "integer", "minimum": 1},
            "duration": {"$ref": "#/$defs/duration"},
            "stages": {"anyOf": [{"type": "array", "minItems": 1, "items": stage("target", json!({"type": "integer", "minimum": 0}))}, {"type": "string"}]},
            "rate": {"$ref": "#/$defs/rate"},
            "rate_stages": {"anyOf": [{"type": "array", "minItems": 1, "items": stage("rate", json!({"$ref": "#/$defs/rate"}))}, {"type": "string"}]},
            "max_vus": {"type": "integer", "minimum": 1},
            "pre_allocated_vus": {"type": "integer", "minimum": 1, "description": "Open model: VUs allocated before the first arrival; more start on demand up to max_vus."},
            "warmup": {"$ref": "#/$defs/duration"},
            "iterations": {"type": "integer", "minimum": 1},
            "profile": {"enum": ["smoke", "load", "stress", "spike", "soak", "breakpoint"], "description": "Test-type profile expanded into stages around target_rate or target_vus."},
            "target_rate": {"$ref": "#/$defs/rate"},
            "target_vus": {"type": "integer", "minimum": 1}
        }
    });
    let data_source = json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "csv": {"type": "string", "description": "CSV file with a header row, relative to the scenario file."},
            "json": {"type": "string", "description": "JSON array of objects, relative to the scenario file."},
            "pick": {"enum": ["sequential", "random", "unique"]},
            "on_exhausted": {"enum": ["stop", "recycle"]}
        },
        "oneOf": [{"required": ["csv"]}, {"required": ["json"]}]
    });
    // A condition is a string or k6's object form; an empty list judges nothing (as in k6).
    let condition = json!({"anyOf": [
        {"type": "string"},
        {
            "type": "object", "additionalProperties": false, "required": ["threshold"],
            "properties": {
                "threshold": {"type": "string"},
                "abortOnFail": {"type": "boolean"},
                "delayAbortEval": {"type": "string", "description": "Measured time before this threshold may end the run, e.g. 10s."}
            }
        }
    ]});
    let conditions = json!({"anyOf": [condition, {"type": "array", "items": condition}]});
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://loadcell.dev/schema/scenario.json",
        "title": "loadcell scenario",
        "type": "object",
        "additionalProperties": false,
        "required": ["journeys"],
        "properties": {
            "name": {"type": "string"},
            "target": {"type": "string", "description": "Base URL, e.g. http://127.0.0.1:8080; may use {{ env.NAME }}."},
            "resolve": {"type": "array", "items": {"type": "string"}, "description": "host:port:address overrides, as curl's --resolve: connect to address, keep the name for Host and TLS SNI."},
            "tls": {
                "type": "object", "additionalProperties": false,
                "description": "PEM files relative to the scenario file: cacert replaces the system roots; cert and key give a client certificate (mutual TLS).",
                "properties": {"cacert": {"type": "string"}, "cert": {"type": "string"}, "key": {"type": "string"}}
            },
            "load": load,
            "scenarios": scenarios_schema(),
            "defaults": {
                "type": "object", "additionalProperties": false,
                "properties": {"headers": {"$ref": "#/$defs/headers"}, "think": {"$ref": "#/$defs/think"}, "timeout": {"$ref": "#/$defs/duration"}}
            },
            "data": {"type": "object", "additionalProperties": data_source},
            "setup": {
                "description": "Steps run once before the load (k6's setup()); what they extract every journey and the teardown can read.",
                "type": "array", "minItems": 1, "items": {"anyOf": [{"$ref": "#/$defs/request_step"}, {"$ref": "#/$defs/sleep_step"}, {"$ref": "#/$defs/batch_step"}]}
            },
            "teardown": {
                "description": "Steps run once after the load (k6's teardown()), also after an interrupted or aborted load.",
                "type": "array", "minItems": 1, "items": {"anyOf": [{"$ref": "#/$defs/request_step"}, {"$ref": "#/$defs/sleep_step"}, {"$ref": "#/$defs/batch_step"}]}
            },
            "setup_timeout": {"$ref": "#/$defs/duration"},
            "teardown_timeout": {"$ref": "#/$defs/duration"},
            "segment": {
                "description": "Run only part I of N of this test (k6's execution segments): VUs, arrivals, iterations and unique data rows striped so the N parts together are the whole. --segment overrides it.",
                "type": "string", "pattern": "^[0-9]+/[0-9]+$"
            },
            "journeys": {"type": "array", "minItems": 1, "items": journey},
            "metrics": {
                "description": "The scenario's own metrics (k6's custom metrics): NAME: counter|trend|rate|gauge, or {type, unit} (unit ms, bytes or none, for a trend or a gauge). Steps add to them with 'add:'; thresholds name them.",
                "type": "object",
                "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]{0,127}$"},
                "additionalProperties": {"anyOf": [
                    {"enum": ["counter", "trend", "rate", "gauge"]},
                    {"type": "object", "additionalProperties": false, "required": ["type"], "properties": {
                        "type": {"enum": ["counter", "trend", "rate", "gauge"]},
                        "unit": {"enum": ["none", "ms", "bytes"]}
                    }}
                ]}
            },
            "thresholds": {
                "description": "METRIC{tag:value}: [\"p(95)<200\", ...], or a list of one-line expressions.",
                "anyOf": [
                    {"type": "object", "additionalProperties": conditions},
                    {"type": "array", "items": condition}
                ]
            },
            "monitor": {
                "description": "The target's resources to watch, as --monitor: a list of sources (pid:N, process:NAME, cgroup:PATH, host, prometheus:URL), or {sources, series, flamegraph}.",
                "anyOf": [
                    {"type": "array", "items": {"type": "string"}},
                    {
                        "type": "object", "additionalProperties": false,
                        "properties": {
                            "sources": {"type": "array", "items": {"type": "string"}},
                            "series": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
                            "flamegraph": {"type": "boolean"}
                        }
                    }
                ]
            },
            "postgres": {
                "description": "Databases to watch, as --postgres URL (the flags replace this list): a connection string or a list of them; {{ env.NAME }} is replaced before the run.",
                "anyOf": [
                    {"type": "string", "minLength": 1},
                    {"type": "array", "items": {"type": "string", "minLength": 1}}
                ]
            }
        },
        "$defs": {
            "duration": duration,
            "think": think,
            "rate": rate,
            "template": template,
            "headers": headers,
            "test": test,
            "status": status,
            "check": check,
            "extract": extract,
            "request_step": request_step,
            "sleep_step": sleep_step,
            "batch_step": batch_step,
            "batch_request": batch_request
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_shape() {
        let s = json_schema();
        assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
        assert_eq!(s["required"], json!(["journeys"]));
        for def in [
            "duration",
            "check",
            "extract",
            "request_step",
            "batch_step",
            "batch_request",
        ] {
            assert!(s["$defs"][def].is_object(), "{def}");
        }
        // Every $ref points at a definition that exists.
        fn refs(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::Object(m) => {
                    if let Some(Value::String(r)) = m.get("$ref") {
                        out.push(r.clone());
                    }
                    m.values().for_each(|v| refs(v, out));
                }
                Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
                _ => {}
            }
        }
        let mut all = Vec::new();
        refs(&s, &mut all);
        assert!(!all.is_empty());
        for r in all {
            let name = r.trim_start_matches("#/$defs/");
            assert!(s["$defs"][name].is_object(), "dangling {r}");
        }
    }
}
