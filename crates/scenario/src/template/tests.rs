//! Tests of template compiling and rendering: every built-in, spacing, escapes and errors.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::*;
use crate::parse::template::compile_for_test;
use crate::validate::scope::DataInfo;

/// A `Vars` for tests: fixed variables, a counting random source.
pub(crate) struct TestVars {
    pub(crate) values: HashMap<String, Value>,
    pub(crate) next: u64,
}

impl TestVars {
    pub(crate) fn new(values: &[(&str, Value)]) -> TestVars {
        TestVars {
            values: values.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
            next: 0,
        }
    }
}

impl Vars for TestVars {
    fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }
    fn vu(&self) -> u64 {
        7
    }
    fn iteration(&self) -> u64 {
        42
    }
    fn random(&mut self) -> u64 {
        self.next = self.next.wrapping_add(0x9E37_79B9_7F4A_7C15);
        self.next
    }
}

fn data() -> Vec<DataInfo> {
    vec![DataInfo {
        name: "users".into(),
        columns: Some(vec!["name".into(), "password".into()]),
    }]
}

fn compile(text: &str) -> Template {
    match compile_for_test(text, &data(), &["token", "product_id", "count"]) {
        Ok(t) => t,
        Err(e) => panic!("{text}: {e:?}"),
    }
}

fn error(text: &str) -> (usize, String) {
    match compile_for_test(text, &data(), &["token", "product_id"]) {
        Ok(t) => panic!("{text} compiled: {t:?}"),
        Err(e) => e,
    }
}

fn render(t: &Template, vars: &mut TestVars) -> String {
    match t.render_string(vars) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn variables_and_spacing() {
    let mut vars = TestVars::new(&[
        ("token", json!("abc")),
        ("product_id", json!(17)),
        ("users.name", json!("alice")),
    ]);
    for text in [
        "\"Bearer {{ token }}\"",
        "\"Bearer {{token}}\"",
        "\"Bearer {{   token  }}\"",
    ] {
        let t = compile(text);
        assert_eq!(render(&t, &mut vars), "Bearer abc", "{text}");
        assert!(!t.is_static());
    }
    let t = compile("/api/products/{{ product_id }}/reviews");
    assert_eq!(render(&t, &mut vars), "/api/products/17/reviews");
    assert_eq!(t.source(), "/api/products/{{ product_id }}/reviews");
    let t = compile("\"{{ users.name }}\"");
    assert_eq!(
        t.parts(),
        &[Part::Field {
            name: "users.name".into(),
            source: 0,
            column: 0
        }]
    );
    assert_eq!(render(&t, &mut vars), "alice");
}

#[test]
fn static_text_and_escapes() {
    let mut vars = TestVars::new(&[]);
    let t = compile("plain text");
    assert!(t.is_static());
    assert_eq!(t.static_text(), Some("plain text"));
    let t = compile("\"a {{{{ b }} c\"");
    assert!(t.is_static());
    assert_eq!(render(&t, &mut vars), "a {{ b }} c");
    let t = compile("\"}} alone\"");
    assert_eq!(render(&t, &mut vars), "}} alone");
}

#[test]
fn builtins() {
    let mut vars = TestVars::new(&[]);
    assert_eq!(render(&compile("\"{{ vu }}-{{ iteration }}\""), &mut vars), "7-42");
    assert_eq!(render(&compile("\"{{ vu() }}\""), &mut vars), "7");
    let ms: u128 = render(&compile("\"{{ now_ms }}\""), &mut vars).parse().unwrap_or(0);
    assert!(ms > 1_600_000_000_000);
    for _ in 0..50 {
        let n: i64 = render(&compile("\"{{ random_int(-3, 3) }}\""), &mut vars)
            .parse()
            .unwrap_or(99);
        assert!((-3..=3).contains(&n), "{n}");
    }
    assert_eq!(render(&compile("\"{{ random_int(5, 5) }}\""), &mut vars), "5");
    let s = render(&compile("\"{{ random_string(25) }}\""), &mut vars);
    assert_eq!(s.len(), 25);
    assert!(s.bytes().all(|b| b.is_ascii_alphanumeric()), "{s}");
    let u = render(&compile("\"{{ uuid }}\""), &mut vars);
    let groups: Vec<&str> = u.split('-').collect();
    assert_eq!(
        groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
        [8, 4, 4, 4, 12],
        "{u}"
    );
    assert!(groups[2].starts_with('4'), "version nibble: {u}");
    assert!(
        matches!(groups[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'),
        "variant: {u}"
    );
    assert_ne!(u, render(&compile("\"{{ uuid }}\""), &mut vars));
}

#[test]
fn env_is_resolved_at_load() {
    // PATH is set wherever tests run.
    let path = std::env::var("PATH").unwrap_or_default();
    let t = compile("\"{{ env.PATH }}\"");
    assert!(t.is_static());
    assert_eq!(t.static_text(), Some(path.as_str()));
    let (col, msg) = error("\"x {{ env.LOADCELL_SURELY_UNSET_VAR_42 }}\"");
    assert_eq!(col, 9);
    assert_eq!(
        msg,
        "environment variable 'LOADCELL_SURELY_UNSET_VAR_42' used in '{{ env.LOADCELL_SURELY_UNSET_VAR_42 }}' is not set"
    );
}

#[test]
fn errors_point_at_the_template() {
    // "key: " is 5 characters, so the value starts at column 6.
    assert_eq!(
        error("/a/{{ b"),
        (
            9,
            "unclosed '{{' in \"/a/{{ b\": expected '}}' (write '{{{{' for a literal '{{')".into()
        )
    );
    assert_eq!(error("/a/{{ x {{ token }}").0, 9);
    assert_eq!(
        error("\"{{ }}\""),
        (
            7,
            "empty template '{{ }}': expected a variable or built-in inside".into()
        )
    );
    assert_eq!(
        error("\"{{ token }} {{ randm_int(1, 2) }}\""),
        (
            19,
            "unknown template function 'randm_int' in '{{ randm_int(1, 2) }}'; did you mean 'random_int'?".into()
        )
    );
    assert_eq!(
        error("\"{{ random_int(5, 1) }}\"").1,
        "'{{ random_int(5, 1) }}': random_int(a, b) needs a <= b"
    );
    assert_eq!(
        error("\"{{ random_int(a, 1) }}\"").1,
        "'{{ random_int(a, 1) }}': random_int(a, b) needs two whole numbers"
    );
    assert!(
        error("\"{{ random_int(1) }}\"")
            .1
            .contains("random_int takes two whole numbers")
    );
    assert!(
        error("\"{{ random_string(0) }}\"")
            .1
            .contains("needs a length n from 1 to 65536")
    );
    assert!(
        error("\"{{ random_string }}\"")
            .1
            .contains("'random_string' needs arguments")
    );
    assert_eq!(
        error("\"{{ uuid(3) }}\"").1,
        "'{{ uuid(3) }}': 'uuid' takes no arguments"
    );
    assert!(error("\"{{ a b }}\"").1.starts_with("bad template '{{ a b }}'"));
    assert_eq!(
        error("\"{{ usres.name }}\"").1,
        "unknown data source 'usres' in '{{ usres.name }}'; did you mean 'users'?"
    );
    assert_eq!(
        error("\"{{ users.nmae }}\"").1,
        "data source 'users' has no column 'nmae' (used in '{{ users.nmae }}'); did you mean 'name'?"
    );
    assert!(error("\"{{ users }}\"").1.contains("names a data source"));
    assert_eq!(
        error("\"{{ missing }}\"").1,
        "'{{ missing }}' is used before any step extracts it"
    );
    assert_eq!(
        error("\"{{ tokn }}\"").1,
        "'{{ tokn }}' is used before any step extracts it; did you mean 'token'?"
    );
    assert!(error("\"{{ later }}\"").1.contains("(step 3 extracts it;"));
}

#[test]
fn missing_variable_is_a_render_error() {
    let t = compile("\"{{ token }}\"");
    let mut vars = TestVars::new(&[]);
    let mut out = String::new();
    assert_eq!(t.render(&mut vars, &mut out), Err(RenderError { name: "token".into() }));
}

#[test]
fn value_rendering() {
    let mut vars = TestVars::new(&[
        ("token", json!(null)),
        ("product_id", json!([1, "a"])),
        ("count", json!(true)),
    ]);
    assert_eq!(
        render(&compile("\"[{{ token }}|{{ product_id }}|{{ count }}]\""), &mut vars),
        "[|[1,\"a\"]|true]"
    );
}

#[test]
fn json_templates() {
    let mut vars = TestVars::new(&[
        ("token", json!("a\"b\n")),
        ("product_id", json!(17)),
        ("users.name", json!("alice")),
    ]);
    let t = JsonTemplate::new(vec![
        JsonPart::Raw("{\"id\":".into()),
        JsonPart::Whole(compile("\"{{ product_id }}\"")),
        JsonPart::Raw(",\"t\":".into()),
        JsonPart::Str(compile("\"x {{ token }}\"")),
        JsonPart::Raw(",\"n\":".into()),
        JsonPart::Whole(compile("\"{{ vu }}\"")),
        JsonPart::Raw(",\"u\":".into()),
        JsonPart::Whole(compile("\"{{ users.name }}\"")),
        JsonPart::Raw(",\"r\":".into()),
        JsonPart::Whole(compile("\"{{ random_string(3) }}\"")),
        JsonPart::Raw("}".into()),
    ]);
    assert!(!t.is_static());
    let mut out = Vec::new();
    assert_eq!(t.render(&mut vars, &mut out), Ok(()));
    let v: Value = serde_json::from_slice(&out).unwrap_or_default();
    assert_eq!(v["id"], json!(17));
    assert_eq!(v["t"], json!("x a\"b\n"));
    assert_eq!(v["n"], json!(7));
    assert_eq!(v["u"], json!("alice"));
    assert_eq!(v["r"].as_str().map(str::len), Some(3));
}

#[test]
fn json_escape_controls() {
    let mut out = Vec::new();
    let _ = fmt::Write::write_str(&mut JsonEscape(&mut out), "a\u{1}\t\"\\é");
    assert_eq!(String::from_utf8_lossy(&out), "a\\u0001\\t\\\"\\\\é");
}

#[test]
fn uuid_bits() {
    let mut s = String::new();
    let _ = write_uuid(u64::MAX, u64::MAX, &mut s);
    assert_eq!(s, "ffffffff-ffff-4fff-bfff-ffffffffffff");
    s.clear();
    let _ = write_uuid(0, 0, &mut s);
    assert_eq!(s, "00000000-0000-4000-8000-000000000000");
}

#[test]
fn random_int_covers_the_range() {
    assert_eq!(random_int(1, 3, 0), 1);
    assert_eq!(random_int(1, 3, u64::MAX), 3);
    assert_eq!(random_int(i64::MIN, i64::MAX, 0), i64::MIN);
    assert_eq!(random_int(i64::MIN, i64::MAX, u64::MAX), i64::MAX);
}

#[test]
fn split_pieces() {
    assert_eq!(
        split("a{{ x }}b{{{{c"),
        Ok(vec![
            Piece::Text("a"),
            Piece::Expr {
                text: "x",
                occurrence: 0
            },
            Piece::Text("b"),
            Piece::Text("{{"),
            Piece::Text("c"),
        ])
    );
    assert_eq!(split("{{ a }}{{ b }}").map(|p| p.len()), Ok(2));
}

#[test]
fn uuid_keeps_every_random_bit_in_place() {
    let mut s = String::new();
    let _ = write_uuid(0x0123_4567_89ab_cdef, 0x0fed_cba9_8765_4321, &mut s);
    assert_eq!(s, "01234567-89ab-4def-8fed-cba987654321");
}
