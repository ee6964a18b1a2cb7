//! The entry points the `scenario` and `template` fuzz targets (`fuzz/`) and the corpus
//! replay test (`tests/fuzz_corpus.rs`) share, so the invariants checked while fuzzing on
//! nightly are the ones CI checks on stable with every committed corpus file.
//!
//! Not part of the crate's API: hidden from the docs, and panicking (on purpose, to report
//! a broken invariant) is its job.

use std::path::Path;

use serde_json::Value;

use crate::error::ScenarioError;
use crate::parse::node::{Kind, Node, Pos};
use crate::parse::{Ctx, template::compile_node};
use crate::template::Vars;
use crate::validate::scope::{DataInfo, Place, Scope, StepVars};

/// Validates `data` (as text) as a scenario file and panics if an invariant breaks: every
/// problem is one line at a position inside the file. Data and body files are looked up in
/// a directory that does not exist; inputs naming device or kernel files are skipped, since
/// reading `/dev/zero` never ends (that is the file's doing, not the parser's).
pub fn scenario(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if ["/dev", "/proc", "/sys"].iter().any(|p| text.contains(p)) {
        return;
    }
    let base = Path::new("/nonexistent/loadcell-fuzz");
    let lines = yaml_lines(&text);
    if let Err(errors) = crate::parse::run(&text, "fuzz.yaml", base) {
        assert!(!errors.is_empty(), "failed without a reason");
        for e in &errors {
            assert_placed(&text, lines, e);
        }
    }
}

/// Compiles `data` (as text) as a template inside a journey step that may use `token`,
/// `count` and the data source `users` (`name`, `password`), renders it, and panics if an
/// invariant breaks: a compiled template keeps its source and renders without error when
/// its variables are set, text without `{{` renders as itself, and every error is one
/// line pointing into the text.
pub fn template(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let node = Node {
        pos: Pos { line: 1, col: 1 },
        start: 0,
        end: u32::try_from(text.chars().count()).unwrap_or(u32::MAX),
        kind: Kind::Str(text.to_string()),
    };
    let mut ctx = Ctx::new(&text, "fuzz.yaml", Path::new("."));
    let vars = StepVars {
        defined: ["token", "count"].into_iter().map(String::from).collect(),
        extracted_at: [("later".to_string(), 3)].into_iter().collect(),
        step: 2,
        looped: false,
        env: Vec::new(),
        batch: false,
    };
    let sources = [DataInfo {
        name: "users".into(),
        columns: Some(vec!["name".into(), "password".into()]),
    }];
    let scope = Scope {
        data: &sources,
        place: Place::Step(&vars),
    };
    let compiled = compile_node(&mut ctx, &node, "'fuzz'", &scope);
    let lines = yaml_lines(&text);
    match compiled {
        Some(t) => {
            assert!(ctx.errors.is_empty(), "compiled despite {:?}", ctx.errors);
            assert_eq!(t.source(), text);
            let mut values = FuzzVars {
                value: Value::String("v".into()),
                next: 0,
            };
            let rendered = t.render_string(&mut values);
            let rendered = rendered.unwrap_or_else(|e| panic!("{text:?}: {e}"));
            if let Some(fixed) = t.static_text() {
                assert_eq!(rendered, fixed);
            }
            if !text.contains("{{") {
                assert_eq!(rendered, text, "plain text changed");
            }
        }
        None => {
            assert!(!ctx.errors.is_empty(), "refused without a reason");
            for e in &ctx.errors {
                assert_placed(&text, lines, e);
            }
        }
    }
}

/// Lines as YAML counts them: CR LF, LF and a lone CR each end one.
fn yaml_lines(text: &str) -> usize {
    let bytes = text.as_bytes();
    let lone_cr = (0..bytes.len())
        .filter(|&i| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
        .count();
    1 + bytes.iter().filter(|&&b| b == b'\n').count() + lone_cr
}

/// One line, at a 1-based position no further than one past the end of the text.
fn assert_placed(text: &str, lines: usize, e: &ScenarioError) {
    let shown = e.to_string();
    assert!(!shown.contains(['\n', '\r']), "{text:?} -> {shown:?}");
    assert!(e.line >= 1 && e.line <= lines + 1, "{text:?} -> line {}", e.line);
    assert!(e.col >= 1, "{text:?} -> col {}", e.col);
}

/// Values for every name the fuzzed template may use.
struct FuzzVars {
    value: Value,
    next: u64,
}

impl Vars for FuzzVars {
    fn get(&self, name: &str) -> Option<&Value> {
        match name {
            "token" | "count" | "users.name" | "users.password" => Some(&self.value),
            _ => None,
        }
    }
    fn vu(&self) -> u64 {
        1
    }
    fn iteration(&self) -> u64 {
        0
    }
    fn random(&mut self) -> u64 {
        self.next = self.next.wrapping_add(0x9E37_79B9_7F4A_7C15);
        self.next
    }
}
