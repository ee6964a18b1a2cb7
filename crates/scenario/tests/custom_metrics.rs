//! `metrics:` and a step's `add:`: what they compile to (indexes, kinds, units, values), and
//! one line at the right place for each mistake.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use loadcell_scenario::{AddValue, Scenario, ScenarioError, Step, parse_str};
use loadcell_schema::{CustomKind, CustomUnit};

fn parse(metrics: &str, add: &str) -> Result<Scenario, ScenarioError> {
    let text = format!(
        "metrics:\n{metrics}journeys:\n  - name: j\n    steps:\n      - get: /a\n        extract: {{ total: {{ json: \"$.total\" }} }}\n{add}"
    );
    parse_str(&text, "t.yaml", Path::new("."))
}

fn error(metrics: &str, add: &str) -> String {
    match parse(metrics, add) {
        Ok(_) => panic!("should fail: {metrics}{add}"),
        Err(e) => e.to_string(),
    }
}

const FOUR: &str = "  orders: counter\n  total: { type: trend, unit: ms }\n  ok_rate: rate\n  stock: gauge\n";

#[test]
fn declarations_and_adds_compile() {
    let s = parse(
        FOUR,
        "        add:\n          orders: 1\n          total: \"{{ total }}\"\n          ok_rate: checks\n          stock: 2.5\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let kinds: Vec<(&str, CustomKind, CustomUnit)> =
        s.metrics.iter().map(|m| (m.name.as_str(), m.kind, m.unit)).collect();
    assert_eq!(
        kinds,
        [
            ("orders", CustomKind::Counter, CustomUnit::None),
            ("total", CustomKind::Trend, CustomUnit::Ms),
            ("ok_rate", CustomKind::Rate, CustomUnit::None),
            ("stock", CustomKind::Gauge, CustomUnit::None),
        ]
    );
    let Step::Request(rs) = &s.journeys[0].steps[0] else {
        panic!("a request step")
    };
    let adds: Vec<(usize, &str)> = rs.add.iter().map(|a| (a.metric, a.name.as_str())).collect();
    assert_eq!(adds, [(0, "orders"), (1, "total"), (2, "ok_rate"), (3, "stock")]);
    assert!(matches!(rs.add[0].value, AddValue::Number(n) if n == 1.0));
    assert!(matches!(&rs.add[1].value, AddValue::Template(t) if t.source() == "{{ total }}"));
    assert!(matches!(rs.add[2].value, AddValue::Checks));
    assert!(matches!(rs.add[3].value, AddValue::Number(n) if n == 2.5));
    // Thresholds name them, and the tool that reads the file can list them.
    assert_eq!(s.custom_metrics().len(), 4);
}

#[test]
fn rates_take_ok_and_flags() {
    let s = parse("  r: rate\n", "        add: { r: ok }\n").unwrap();
    let Step::Request(rs) = &s.journeys[0].steps[0] else {
        panic!("a request step")
    };
    assert!(matches!(rs.add[0].value, AddValue::Ok));
    let s = parse("  r: rate\n", "        add: { r: false }\n").unwrap();
    let Step::Request(rs) = &s.journeys[0].steps[0] else {
        panic!("a request step")
    };
    assert!(matches!(rs.add[0].value, AddValue::Flag(false)));
}

#[test]
fn mistakes_are_one_line_at_their_place() {
    let cases = [
        ("  orders: countr\n", "", "t.yaml:2:11", "did you mean 'counter'?"),
        ("  iterations: counter\n", "", "t.yaml:2:3", "is a built-in metric"),
        ("  a.b: counter\n", "", "t.yaml:2:3", "letters, digits and '_' only"),
        ("  t: { unit: ms }\n", "", "t.yaml:2:6", "needs 'type'"),
        (
            "  t: { type: trend, unit: s }\n",
            "",
            "t.yaml:2:27",
            "one of none, ms, bytes",
        ),
        (
            "  total: trend\n",
            "        add: { totl: 1 }\n",
            "t.yaml:8:16",
            "does not declare; did you mean 'total'?",
        ),
        (
            "  t: trend\n",
            "        add: { t: checks }\n",
            "t.yaml:8:19",
            "takes a number or a template",
        ),
        (
            "  t: trend\n",
            "        add: { t: \"{{ nope }}\" }\n",
            "t.yaml:8",
            "'{{ nope }}' is used before any step extracts it",
        ),
    ];
    for (metrics, add, at, words) in cases {
        let e = error(metrics, add);
        assert!(e.contains(at) && e.contains(words), "{metrics}{add}: {e}");
        assert!(!e.contains('\n'), "{e}");
    }
    let text = "journeys:\n  - name: j\n    steps:\n      - get: /a\n        add: { x: 1 }\n";
    let e = parse_str(text, "t.yaml", Path::new("."))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("declares no 'metrics:'"), "{e}");
}
