//! The event-driven tree builder: aliases, cycles, the alias budget, duplicate keys in small
//! and big maps, depth, tags and documents.

use super::*;

fn error(text: &str) -> (Pos, String) {
    match parse_yaml(text) {
        Ok(node) => panic!("{text:?} parsed: {node:?}"),
        Err(e) => (e.pos, e.message),
    }
}

fn map_of(text: &str) -> Vec<(Key, Node)> {
    match parse_yaml(text).map(|n| n.kind) {
        Ok(Kind::Map(entries)) => entries.into_vec(),
        Ok(other) => panic!("{text:?}: not a map: {other:?}"),
        Err(e) => panic!("{text:?}: {}", e.message),
    }
}

#[test]
fn an_alias_inside_its_own_anchor_is_a_cycle() {
    let (pos, message) = error("a: &x [*x]\n");
    assert_eq!(pos, Pos { line: 1, col: 8 });
    assert_eq!(
        message,
        "YAML alias '*x' refers to the anchor it is inside ('&x' at line 1): a value cannot contain itself"
    );
    let (pos, message) = error("x: &loop\n  journeys:\n    - steps: [*loop]\n");
    assert_eq!(pos.line, 3);
    assert!(
        message.starts_with("YAML alias '*loop' refers to the anchor it is inside"),
        "{message}"
    );
}

#[test]
fn aliases_copy_the_anchored_value_to_where_they_are() {
    let entries = map_of("base: &b {get: /}\nsteps: [*b, *b]\n");
    let Kind::Seq(steps) = &entries[1].1.kind else {
        panic!("steps is not a list")
    };
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[1].pos, Pos { line: 2, col: 13 });
    assert!(matches!(&steps[1].kind, Kind::Map(m) if m[0].0.text == "get"));
    let (_, message) = error("a: *nope\n");
    assert!(message.contains("unknown anchor"), "{message}");
}

#[test]
fn nested_aliases_that_multiply_are_refused() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..8 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let (pos, message) = error(&text);
    assert!(pos.line >= 5, "{pos:?}");
    assert!(
        message.starts_with("YAML aliases expand to more than 100000 nodes"),
        "{message}"
    );
}

#[test]
fn duplicate_keys_are_found_in_small_and_big_maps() {
    let (pos, message) = error("a: 1\nb: 2\na: 3\n");
    assert_eq!(pos, Pos { line: 3, col: 1 });
    assert_eq!(message, "YAML syntax error: key 'a' appears twice in the same map");
    let mut big: String = (0..100).map(|i| format!("k{i}: {i}\n")).collect();
    big.push_str("k42: again\n");
    let (pos, message) = error(&big);
    assert_eq!(pos.line, 101);
    assert!(message.contains("key 'k42' appears twice"), "{message}");
    // The first duplicate in file order is the one reported.
    let (pos, _) = error("a: 1\na: 2\nb: {c: 1, c: 2}\n");
    assert_eq!(pos.line, 2);
}

#[test]
fn nesting_is_bounded() {
    let deep = format!("{}{}", "[".repeat(70), "]".repeat(70));
    let (_, message) = error(&deep);
    assert_eq!(message, format!("nested more than {MAX_DEPTH} levels deep"));
    let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    assert!(parse_yaml(&ok).is_ok());
}

#[test]
fn scalars_follow_the_core_schema_and_tags() {
    let entries = map_of("a: 5\nb: '5'\nc: !!str 5\nd: ~\ne: 1.5\nf: true\ng: !custom 7\n5: int key\n");
    let kinds: Vec<String> = entries.iter().map(|(_, v)| v.describe()).collect();
    assert_eq!(
        kinds,
        ["5", "\"5\"", "\"5\"", "nothing", "1.5", "true", "7", "\"int key\""]
    );
    assert_eq!(entries[7].0.text, "5");
    let (pos, message) = error("a: !!int xyz\n");
    assert_eq!(pos, Pos { line: 1, col: 4 });
    assert!(message.starts_with("invalid YAML value"), "{message}");
    let (_, message) = error("? [1]\n: v\n");
    assert_eq!(message, "a map key must be text, not a list, a map or nothing");
}

#[test]
fn spans_cover_scalars_and_collections() {
    let entries = map_of("key: 'a {{ x }}'\nlist: [1, 2]\n");
    let v = &entries[0].1;
    assert_eq!((v.start, v.end), (5, 16));
    let list = &entries[1].1;
    assert_eq!(list.pos, Pos { line: 2, col: 7 });
    assert!(list.end > list.start);
}

#[test]
fn a_document_that_is_only_a_tag_is_placed_on_line_1() {
    // Found by fuzzing: the validator reported `fuzz.yaml:0:1` for `!=?`.
    for text in ["!=?\n", "!", "--- !x\n"] {
        match parse_yaml(text) {
            Ok(node) => assert!(node.pos.line >= 1 && node.pos.col >= 1, "{text:?}: {:?}", node.pos),
            Err(e) => assert!(e.pos.line >= 1, "{text:?}: {:?}", e.pos),
        }
    }
    let errors = crate::parse::run("!=?\n", "f.yaml", std::path::Path::new("."))
        .err()
        .unwrap_or_default();
    assert!(errors.iter().all(|e| e.line == 1 && e.col == 1), "{errors:?}");
}
