//! `load: { profile: …, target_rate | target_vus: … }`: what parses, and the one-line errors
//! (with did-you-mean) for what does not.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use loadcell_scenario::{Load, Profile, parse_str};
use std::path::Path;

fn parse(load: &str) -> Result<Load, String> {
    let text = format!("name: p\nload: {load}\njourneys: [{{name: a, steps: [{{get: /}}]}}]\n");
    parse_str(&text, "p.yaml", Path::new("."))
        .map(|s| s.load)
        .map_err(|e| e.to_string())
}

#[test]
fn profiles_parse_with_their_level() {
    assert!(matches!(
        parse("{ profile: stress, target_rate: 200, max_vus: 900 }"),
        Ok(Load::Profile { profile: Profile::Stress, target_rate: Some(r), target_vus: None, max_vus: Some(900), pre_allocated_vus: None })
            if r == 200.0
    ));
    assert!(matches!(
        parse("{ profile: load, target_vus: 50, warmup: 5s }"),
        Ok(Load::Profile {
            target_vus: Some(50),
            target_rate: None,
            ..
        })
    ));
    assert!(matches!(
        parse("{ profile: smoke }"),
        Ok(Load::Profile {
            target_vus: None,
            target_rate: None,
            ..
        })
    ));
}

#[test]
fn bad_profiles_are_one_line_errors_at_the_key() {
    let cases = [
        (
            "{ profile: strss, target_rate: 10 }",
            "p.yaml:2:18: 'profile' must be one of smoke, load, stress, spike, soak, breakpoint, found \"strss\"; did you mean 'stress'?",
        ),
        (
            "{ profile: load }",
            "p.yaml:2:9: profile 'load' needs a level: add 'target_rate' (open model) or 'target_vus' (closed model)",
        ),
        (
            "{ profile: breakpoint, target_vus: 10 }",
            "p.yaml:2:30: profile 'breakpoint' ramps an arrival rate: use 'target_rate', not 'target_vus'",
        ),
        (
            "{ profile: load, target_rate: 10, duration: 1m }",
            "p.yaml:2:41: 'duration' cannot be combined with 'profile'",
        ),
        (
            "{ profile: load, target_rate: 10, target_vus: 5 }",
            "p.yaml:2:41: 'target_vus' cannot be combined with 'target_rate'",
        ),
        (
            "{ target_rate: 10 }",
            "p.yaml:2:9: 'target_rate' is the level of a test-type profile",
        ),
        (
            "{ profile: load, taget_rate: 10 }",
            "unknown key 'taget_rate' in load; did you mean 'target_rate'?",
        ),
        ("{ profile: load, target_rate: 0 }", "'target_rate' must be more than 0"),
    ];
    for (load, want) in cases {
        let got = parse(load).map(|_| ()).unwrap_err();
        assert!(got.contains(want), "{load}:\n got: {got}\nwant: {want}");
        assert!(!got.contains('\n'), "{got}");
    }
}

#[test]
fn pre_allocated_vus_belong_to_the_open_model_and_fit_under_max_vus() {
    assert!(matches!(
        parse("{ rate: 10, duration: 1s, max_vus: 20, pre_allocated_vus: 5 }"),
        Ok(Load::Open {
            pre_allocated_vus: Some(5),
            max_vus: Some(20),
            ..
        })
    ));
    assert!(matches!(
        parse("{ profile: load, target_rate: 10, pre_allocated_vus: 3 }"),
        Ok(Load::Profile {
            pre_allocated_vus: Some(3),
            ..
        })
    ));
    let cases = [
        (
            "{ rate: 10, duration: 1s, max_vus: 20, pre_allocated_vus: 30 }",
            "p.yaml:2:65: 'pre_allocated_vus' is 30, more than 'max_vus' (20)",
        ),
        (
            "{ vus: 2, pre_allocated_vus: 3 }",
            "'pre_allocated_vus' cannot be combined with 'vus'",
        ),
        (
            "{ profile: load, target_vus: 5, pre_allocated_vus: 3 }",
            "'pre_allocated_vus' applies to the open model",
        ),
    ];
    for (load, expected) in cases {
        let err = parse(load).expect_err(load);
        assert!(err.contains(expected), "{load}: {err}");
    }
}
