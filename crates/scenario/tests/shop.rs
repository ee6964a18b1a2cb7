//! Parses the shop example from the format's documentation and checks the compiled model,
//! then renders its steps against a fake VU.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use loadcell_scenario::{
    Body, CheckKind, Exhausted, ExtractSource, Load, OnFail, Pick, PickMatch, Stage, StatusMatch, Step, Think,
    ValueTest, Vars, load, parse_str,
};
use serde_json::{Value, json};

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

struct Vu {
    values: HashMap<String, Value>,
    n: u64,
}

impl Vars for Vu {
    fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }
    fn vu(&self) -> u64 {
        1
    }
    fn iteration(&self) -> u64 {
        0
    }
    fn random(&mut self) -> u64 {
        self.n += 1;
        self.n
    }
}

#[test]
fn shop_example() {
    let path = fixtures().join("shop.yaml");
    let s = load(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.name, "shop");
    assert_eq!(s.target.as_deref(), Some("http://127.0.0.1:8080"));
    assert_eq!(s.source_path.as_deref(), Some(path.as_path()));
    assert_eq!(
        s.load,
        Load::Open {
            rate: None,
            stages: vec![
                Stage {
                    duration: Duration::from_secs(30),
                    target: 50.0
                },
                Stage {
                    duration: Duration::from_secs(120),
                    target: 200.0
                },
            ],
            duration: None,
            max_vus: Some(500),
            pre_allocated_vus: None,
        }
    );
    assert_eq!(s.warmup, None);
    assert_eq!(s.iterations, None);

    assert_eq!(s.defaults.headers.len(), 1);
    assert_eq!(s.defaults.headers[0].0, "accept");
    assert_eq!(s.defaults.headers[0].1.static_text(), Some("application/json"));
    assert_eq!(
        s.defaults.think,
        Some(Think::Uniform(Duration::from_millis(200), Duration::from_secs(1)))
    );
    assert_eq!(s.defaults.timeout, Some(Duration::from_secs(10)));

    assert_eq!(s.data.len(), 1);
    let users = &s.data[0];
    assert_eq!(users.name, "users");
    assert_eq!(users.columns, ["name", "password"]);
    assert_eq!(users.rows.len(), 3);
    assert_eq!(users.rows[0], vec![json!("alice"), json!("pa,ss")]);
    assert_eq!(users.rows[1], vec![json!("bob"), json!("say \"hi\"")]);
    assert_eq!(users.pick, Pick::Sequential);
    assert_eq!(users.on_exhausted, Exhausted::Recycle);

    assert_eq!(s.journeys.len(), 2);
    assert_eq!(s.total_weight(), 60);
    let login = &s.journeys[0];
    assert_eq!((login.name.as_str(), login.weight, login.loops), ("login", 20, 1));
    assert_eq!(login.think, None);
    assert_eq!(login.pacing, None);
    assert_eq!(login.steps.len(), 2);
    let Step::Request(post) = &login.steps[0] else {
        panic!("not a request")
    };
    assert_eq!(post.method, "POST");
    assert_eq!(post.name, "POST /api/auth/login");
    assert_eq!(post.endpoint, "POST /api/auth/login");
    assert!(!post.absolute);
    assert_eq!((post.line, post.col), (21, 9));
    assert_eq!(post.on_fail, OnFail::Continue);
    assert_eq!(post.body.content_type(), Some("application/json"));
    let labels: Vec<&str> = post.checks.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, ["status is 200", "$.token exists"]);
    assert!(matches!(&post.checks[0].kind, CheckKind::Status(m) if m == &[StatusMatch::Code(200)]));
    assert!(matches!(
        &post.checks[1].kind,
        CheckKind::Json {
            test: ValueTest::Exists(true),
            ..
        }
    ));
    assert_eq!(post.extract.len(), 1);
    assert_eq!(post.extract[0].var, "token");
    assert_eq!(post.extract[0].pick, PickMatch::First);
    assert!(matches!(&post.extract[0].source, ExtractSource::Json(p) if p.source() == "$.token"));
    assert_eq!(post.data_sources(), vec![0]);
    assert_eq!(s.data_used_by(login), vec![0]);

    let mut vu = Vu {
        values: [
            ("users.name".to_string(), json!("alice")),
            ("users.password".to_string(), json!("pa\"ss")),
            ("token".to_string(), json!("T0K")),
            ("product_id".to_string(), json!(7)),
        ]
        .into_iter()
        .collect(),
        n: 0,
    };
    let mut body = Vec::new();
    post.body.render(&mut vu, &mut body).unwrap();
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v, json!({"user": "alice", "password": "pa\"ss"}));

    let Step::Request(profile) = &login.steps[1] else {
        panic!("not a request")
    };
    assert_eq!(profile.headers[0].0, "authorization");
    let mut out = String::new();
    profile.headers[0].1.render(&mut vu, &mut out).unwrap();
    assert_eq!(out, "Bearer T0K");
    assert!(matches!(profile.body, Body::None));

    let browse = &s.journeys[1];
    assert_eq!((browse.name.as_str(), browse.weight), ("browse", 40));
    assert_eq!(browse.steps.len(), 4);
    assert!(s.data_used_by(browse).is_empty());
    let Step::Request(list) = &browse.steps[0] else {
        panic!("not a request")
    };
    assert_eq!(list.extract[0].pick, PickMatch::Random);
    let Step::Request(item) = &browse.steps[1] else {
        panic!("not a request")
    };
    assert_eq!(item.endpoint, "GET /api/products/{{ product_id }}");
    assert_eq!(item.name, "GET /api/products/{{ product_id }}");
    let mut url = String::new();
    item.url.render(&mut vu, &mut url).unwrap();
    assert_eq!(url, "/api/products/7");
    let Step::Request(reviews) = &browse.steps[2] else {
        panic!("not a request")
    };
    assert_eq!(reviews.endpoint, "GET /api/products/{{ product_id }}/reviews");
    assert!(matches!(browse.steps[3], Step::Sleep(Think::Fixed(d)) if d == Duration::from_secs(1)));

    let exprs: Vec<&str> = s.thresholds.iter().map(|t| t.expr.as_str()).collect();
    assert_eq!(
        exprs,
        [
            "http_req_duration: p(95)<200",
            "http_req_duration: p(99)<500",
            "http_req_failed: rate<0.01",
            "http_req_duration{journey:browse}: p(95)<150",
            "checks: rate>0.99",
        ]
    );
}

#[test]
fn shop_example_as_json() {
    // JSON is YAML: the same scenario written as JSON loads the same way.
    let text = r#"{
      "name": "shop-json",
      "target": "http://127.0.0.1:8080",
      "load": {"vus": 5, "duration": "1m", "warmup": "5s", "iterations": 100},
      "data": {"products": {"json": "products.json", "pick": "random"}},
      "journeys": [{"name": "j", "steps": [
        {"get": "/p/{{ products.id }}", "check": {"status": [200, "3xx"]}}
      ]}]
    }"#;
    let s = parse_str(text, "shop.json", fixtures()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        s.load,
        Load::Closed {
            vus: Some(5),
            stages: vec![],
            duration: Some(Duration::from_secs(60))
        }
    );
    assert_eq!(s.warmup, Some(Duration::from_secs(5)));
    assert_eq!(s.iterations, Some(100));
    assert_eq!(s.data[0].columns, ["id", "name", "price", "tags"]);
    assert_eq!(
        s.data[0].rows[1],
        vec![json!(2), json!("desk"), Value::Null, json!(["wood"])]
    );
    assert_eq!(s.data[0].pick, Pick::Random);
    let Step::Request(r) = &s.journeys[0].steps[0] else {
        panic!("not a request")
    };
    assert_eq!(r.checks[0].label, "status is 200 or 3xx");
}

#[test]
fn every_step_feature() {
    let text = r#"
target: "http://localhost:{{ env.LOADCELL_TEST_PORT_UNSET_OK }}"
journeys: []
"#;
    // env variables are resolved when the file is loaded: unset is an error at the template.
    let e = parse_str(text, "t.yaml", fixtures()).unwrap_err();
    assert_eq!((e.line, e.col), (2, 27));
    assert!(e.message.contains("'LOADCELL_TEST_PORT_UNSET_OK'"), "{e}");

    let text = r#"
name: features
load: { stages: [{duration: 10s, target: 5}, "20s:10"] }
defaults: { think: 50ms }
data:
  users: { csv: users.csv, pick: unique }
journeys:
  - name: all
    think: 100ms..200ms
    pacing: 2s
    loop: 3
    steps:
      - name: login
        post: https://auth.example.test/login?x=1
        form: { user: "{{ users.name }}", pass: "a b&c" }
        on_fail: abort_iteration
        check:
          status: 2xx
          body_contains: ["ok", "welcome"]
          header: { content-type: { matches: "json" }, x-id: exists, x-gone: { exists: false } }
          json: { "$.user.name": "alice", "$.n": { equals: 3 }, "$.tag": { matches: "^a" }, "$.x": { exists: false } }
          duration: "<=1500ms"
        extract:
          sid: { header: X-Session }
          csrf: { regex: 'csrf=(\w+)' }
          all_ids: { json: "$..id", pick: all }
          first: "$.items[0]"
      - put: /items/{{ all_ids }}
        query: { q: "{{ csrf }} x", page: 2 }
        body: "raw {{ sid }} {{{{literal}}"
      - patch: /x
        body_file: body.json
      - delete: /x/{{ first }}
      - head: /x
      - sleep: 10ms..20ms
"#;
    let s = parse_str(text, "t.yaml", fixtures()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.name, "features");
    assert_eq!(s.target, None);
    assert_eq!(
        s.load,
        Load::Closed {
            vus: None,
            stages: vec![
                Stage {
                    duration: Duration::from_secs(10),
                    target: 5.0
                },
                Stage {
                    duration: Duration::from_secs(20),
                    target: 10.0
                }
            ],
            duration: None
        }
    );
    assert_eq!(s.data[0].on_exhausted, Exhausted::Stop);
    let j = &s.journeys[0];
    assert_eq!(j.weight, 1);
    assert_eq!(j.loops, 3);
    assert_eq!(j.pacing, Some(Duration::from_secs(2)));
    assert_eq!(
        j.think,
        Some(Think::Uniform(Duration::from_millis(100), Duration::from_millis(200)))
    );
    let Step::Request(login) = &j.steps[0] else {
        panic!("not a request")
    };
    assert_eq!(login.name, "login");
    assert!(login.absolute);
    assert_eq!(login.endpoint, "POST https://auth.example.test/login");
    assert_eq!(login.on_fail, OnFail::AbortIteration);
    assert_eq!(login.body.content_type(), Some("application/x-www-form-urlencoded"));
    let labels: Vec<&str> = login.checks.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "status is 2xx",
            "body contains \"ok\"",
            "body contains \"welcome\"",
            "header content-type matches \"json\"",
            "header x-id exists",
            "header x-gone is absent",
            "$.user.name equals \"alice\"",
            "$.n equals 3",
            "$.tag matches \"^a\"",
            "$.x is absent",
            "duration <= 1500ms",
        ]
    );
    let vars: Vec<&str> = login.extract.iter().map(|e| e.var.as_str()).collect();
    assert_eq!(vars, ["sid", "csrf", "all_ids", "first"]);
    assert!(matches!(&login.extract[0].source, ExtractSource::Header(h) if h == "x-session"));
    assert!(matches!(
        &login.extract[1].source,
        ExtractSource::Regex { group: 1, .. }
    ));

    let mut vu = Vu {
        values: [
            ("users.name".to_string(), json!("al ice")),
            ("csrf".to_string(), json!("t/k")),
            ("sid".to_string(), json!("S1")),
        ]
        .into_iter()
        .collect(),
        n: 0,
    };
    let mut body = Vec::new();
    login.body.render(&mut vu, &mut body).unwrap();
    assert_eq!(String::from_utf8_lossy(&body), "user=al+ice&pass=a+b%26c");

    let Step::Request(put) = &j.steps[1] else {
        panic!("not a request")
    };
    assert_eq!(put.method, "PUT");
    let mut url = String::from("/items/1");
    loadcell_scenario::append_query(&mut url, &put.query, &mut vu).unwrap();
    assert_eq!(url, "/items/1?q=t%2Fk+x&page=2");
    let mut raw = Vec::new();
    put.body.render(&mut vu, &mut raw).unwrap();
    assert_eq!(String::from_utf8_lossy(&raw), "raw S1 {{literal}}");

    let Step::Request(patch) = &j.steps[2] else {
        panic!("not a request")
    };
    assert!(matches!(&patch.body, Body::File(b) if b.starts_with(b"{\"hello\"")));
    let Step::Request(head) = &j.steps[4] else {
        panic!("not a request")
    };
    assert_eq!(head.method, "HEAD");
    assert!(matches!(
        j.steps[5],
        Step::Sleep(Think::Uniform(a, b)) if a == Duration::from_millis(10) && b == Duration::from_millis(20)
    ));
}

#[test]
fn all_errors_are_collected_in_file_order() {
    let text = "name: x\nload: { vus: lots }\njourneys:\n  - name: a\n    wieght: 2\n    steps: [{ get: /x }]\n";
    let errors = loadcell_scenario::validate_all(text, "t.yaml", fixtures());
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "t.yaml:2:14: 'vus' must be a whole number, found \"lots\"",
            "t.yaml:5:5: unknown key 'wieght' in journey 'a'; did you mean 'weight'?",
        ]
    );
    let minimal = "journeys: [{name: a, steps: [{get: /}]}]";
    assert!(loadcell_scenario::validate_all(minimal, "dir/t.yaml", fixtures()).is_empty());
    // Without 'name', the scenario is named after its file.
    let s = parse_str(minimal, "dir/t.yaml", fixtures()).unwrap();
    assert_eq!(s.name, "t");
}

#[test]
fn data_file_errors_point_at_the_file_name() {
    let text = "data:\n  users: { csv: nope.csv }\njourneys: [{name: a, steps: [{get: /}]}]\n";
    let e = parse_str(text, "t.yaml", fixtures()).unwrap_err();
    assert_eq!((e.line, e.col), (2, 17));
    assert!(e.message.starts_with("cannot read data file 'nope.csv' ("), "{e}");

    let text = "data:\n  users:\n    json: users.csv\njourneys: [{name: a, steps: [{get: /}]}]\n";
    let e = parse_str(text, "t.yaml", fixtures()).unwrap_err();
    assert_eq!((e.line, e.col), (3, 11));
    assert!(e.message.starts_with("data file 'users.csv' is not valid JSON"), "{e}");
}

#[test]
fn load_reports_unreadable_files() {
    let e = load(&fixtures().join("missing.yaml")).unwrap_err();
    assert_eq!((e.line, e.col), (1, 1));
    assert!(e.message.starts_with("cannot read the scenario file"), "{e}");
    assert!(e.file.ends_with("missing.yaml"));
}

#[test]
fn never_panics_on_mangled_input() {
    // Mangled versions of the example load or fail with a one-line error — never a panic.
    let text = std::fs::read_to_string(fixtures().join("shop.yaml")).unwrap();
    let mut checked = 0;
    for (n, (i, c)) in text.char_indices().enumerate() {
        let end = i + c.len_utf8();
        // Every character removed; every third prefix and doubled character (to stay quick).
        let mut variants = vec![format!("{}{}", &text[..i], &text[end..])];
        if n % 3 == 0 {
            variants.push(text[..i].to_string());
            variants.push(format!("{}{c}{}", &text[..end], &text[end..]));
        }
        for v in variants {
            for e in loadcell_scenario::validate_all(&v, "m.yaml", fixtures()) {
                let shown = e.to_string();
                assert!(!shown.contains('\n'), "{shown:?}");
                assert!(e.line >= 1 && e.col >= 1, "{shown}");
            }
            checked += 1;
        }
    }
    assert!(checked > 1000);
}
