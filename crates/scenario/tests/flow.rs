//! `timeout:` on steps and journeys and `follow_redirects:` on steps: what they compile to,
//! and one line at the right place for each bad value.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

use loadcell_scenario::{Redirects, Step, parse_str};

fn parse(steps: &str, journey_extra: &str) -> Result<loadcell_scenario::Scenario, loadcell_scenario::ScenarioError> {
    let text = format!("journeys:\n  - name: j\n{journey_extra}    steps:\n{steps}");
    parse_str(&text, "t.yaml", Path::new("."))
}

fn request(s: &loadcell_scenario::Scenario, i: usize) -> &loadcell_scenario::RequestStep {
    match &s.journeys[0].steps[i] {
        Step::Request(r) => r,
        Step::Sleep(_) | Step::Batch(_) => panic!("step {i} is not a request"),
    }
}

#[test]
fn timeouts_and_redirect_policies_compile() {
    let s = parse(
        "      - get: /a\n        timeout: 250ms\n        follow_redirects: false\n\
         \x20     - get: /b\n        follow_redirects: 3\n\
         \x20     - get: /c\n        follow_redirects: true\n\
         \x20     - get: /d\n        follow_redirects: 0\n\
         \x20     - get: /e\n",
        "    timeout: 2s\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.journeys[0].timeout, Some(Duration::from_secs(2)));
    assert_eq!(request(&s, 0).timeout, Some(Duration::from_millis(250)));
    assert_eq!(request(&s, 1).timeout, None);
    let policies: Vec<Redirects> = (0..5).map(|i| request(&s, i).redirects).collect();
    assert_eq!(
        policies,
        [
            Redirects::Off,
            Redirects::Max(3),
            Redirects::RunLimit,
            Redirects::Off,
            Redirects::RunLimit
        ]
    );
    assert_eq!(Redirects::RunLimit.limit(10), 10);
    assert_eq!(Redirects::Off.limit(10), 0);
    assert_eq!(Redirects::Max(3).limit(10), 3);
}

#[test]
fn bad_values_are_one_line_at_their_place() {
    let cases = [
        (
            "      - get: /a\n        follow_redirects: lots\n",
            "",
            (5, 27),
            "'follow_redirects' must be false, true or a number of hops (0 to 100), found \"lots\"",
        ),
        (
            "      - get: /a\n        follow_redirects: 101\n",
            "",
            (5, 27),
            "'follow_redirects'",
        ),
        ("      - get: /a\n        timeout: 0s\n", "", (5, 18), "'timeout'"),
        ("      - get: /a\n", "    timeout: soon\n", (3, 14), "'timeout'"),
        (
            "      - get: /a\n        follow_redirect: 3\n",
            "",
            (5, 9),
            "did you mean 'follow_redirects'?",
        ),
    ];
    for (steps, extra, (line, col), message) in cases {
        let e = parse(steps, extra).expect_err(steps);
        assert_eq!((e.line, e.col), (line, col), "{e}");
        assert!(e.message.contains(message), "{e}");
    }
}
