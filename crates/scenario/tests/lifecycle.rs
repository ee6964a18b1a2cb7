//! `setup:` and `teardown:` with their timeouts: what they compile to, that what the setup
//! extracts is defined in every journey and in the teardown, and one line at the right
//! place for each mistake.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

use loadcell_scenario::{LIFECYCLE_TIMEOUT, parse_str};

const JOURNEY: &str = "journeys:\n  - name: j\n    steps:\n      - get: /x?t={{ token }}\n";

fn parse(text: &str) -> Result<loadcell_scenario::Scenario, loadcell_scenario::ScenarioError> {
    parse_str(text, "t.yaml", Path::new("."))
}

#[test]
fn setup_values_are_defined_in_journeys_and_the_teardown() {
    let text = format!(
        "setup:\n  - post: /login\n    extract: {{ token: {{ json: \"$.t\" }} }}\n\
         teardown:\n  - delete: /session/{{{{ token }}}}\n\
         teardown_timeout: 5s\n{JOURNEY}"
    );
    let s = parse(&text).unwrap_or_else(|e| panic!("{e}"));
    let setup = s.setup.as_ref().unwrap();
    assert_eq!(setup.journey.name, "setup");
    assert_eq!(setup.journey.weight, 0, "never picked by the load");
    assert_eq!(setup.timeout, LIFECYCLE_TIMEOUT);
    assert_eq!(LIFECYCLE_TIMEOUT, Duration::from_secs(60), "k6's default");
    let teardown = s.teardown.as_ref().unwrap();
    assert_eq!(teardown.timeout, Duration::from_secs(5));
    assert_eq!(s.journeys.len(), 1);
}

#[test]
fn without_a_setup_the_variable_is_undefined() {
    let e = parse(JOURNEY).unwrap_err().to_string();
    assert!(e.starts_with("t.yaml:4:"), "{e}");
    assert!(e.contains("'{{ token }}' is used before any step extracts it"), "{e}");
}

#[test]
fn mistakes_are_one_line_at_their_place() {
    let cases = [
        (
            format!("setup_timeout: 0s\nsetup:\n  - get: /a\n{JOURNEY}").replace("?t={{ token }}", ""),
            "t.yaml:1:16: 'setup_timeout' must be more than 0",
        ),
        (
            format!("setup: []\n{JOURNEY}").replace("?t={{ token }}", ""),
            "t.yaml:1:8: 'setup' has no steps",
        ),
        (
            "setup:\n  - get: /a\njourneys:\n  - name: setup\n    steps:\n      - get: /b\n".to_string(),
            "t.yaml:1:1: a journey is named 'setup' beside this 'setup:' section",
        ),
        (
            format!(
                "teardown:\n  - get: /t/{{{{ tokn }}}}\nsetup:\n  - get: /a\n    extract: {{ token: {{ json: \"$.t\" }} }}\n{JOURNEY}"
            ),
            "did you mean 'token'?",
        ),
    ];
    for (text, expected) in cases {
        let e = parse(&text).unwrap_err().to_string();
        assert!(e.contains(expected), "{text}\n→ {e}\nexpected {expected}");
        assert!(!e.contains('\n'), "{e}");
    }
}
