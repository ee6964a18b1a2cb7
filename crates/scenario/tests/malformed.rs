//! Table-driven test over the malformed scenarios in `tests/malformed/`: each file must fail
//! to load with the expected message at exactly the expected line and column, and every file
//! in the folder must have a row here.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

/// (file stem, line, column, a substring of the message).
const CASES: &[(&str, usize, usize, &str)] = &[
    (
        "bad_check_duration",
        5,
        28,
        r#"'duration' must be a comparison such as "<200ms", found "200ms""#,
    ),
    (
        "bad_duration",
        2,
        12,
        r#"'timeout' must be a duration such as 500ms, 30s or 2m, found "10 seconds""#,
    ),
    (
        "bad_json_path",
        6,
        31,
        "bad JSON path '$.items[': expected ']' after '['",
    ),
    (
        "anchor_cycle",
        4,
        15,
        "YAML alias '*loop' refers to the anchor it is inside ('&loop' at line 1)",
    ),
    ("bad_loop", 3, 11, "'loop' must be 1 or more, found 0"),
    (
        "bad_on_fail",
        5,
        18,
        r#"'on_fail' must be one of continue, abort_iteration, found "abort""#,
    ),
    (
        "bad_pick",
        2,
        34,
        r#"'pick' must be one of sequential, random, unique, found "seqential"; did you mean 'sequential'?"#,
    ),
    (
        "bad_rate",
        2,
        9,
        r#"'rate' must be an arrival rate such as 50, 50/s or 3000/m, found "fast""#,
    ),
    ("bad_regex_check", 6, 46, r#"bad regex "(json": unclosed group"#),
    (
        "header_line_break",
        5,
        29,
        "header 'x-trace' has a line break (CR or LF) in its value; a header value must be one line",
    ),
    (
        "bad_status",
        5,
        32,
        "'status' must be a status code from 100 to 599, a class such as 2xx, or a list of them, found 999",
    ),
    (
        "bad_threshold",
        6,
        36,
        "bad threshold 'http_req_duration: p(99)<<500': expected a number after '<'",
    ),
    (
        "both_csv_and_json",
        2,
        28,
        "data source 'users' has both 'csv' and 'json'",
    ),
    (
        "defaults_uses_extracted",
        2,
        37,
        "'{{ token }}' in defaults: defaults can use data fields, env and built-ins, not extracted variables",
    ),
    ("duplicate_journey_name", 5, 11, "two journeys are named 'browse'"),
    (
        "duplicate_yaml_key",
        6,
        9,
        "YAML syntax error: key 'check' appears twice in the same map",
    ),
    ("empty_journeys", 2, 11, "'journeys' is empty"),
    (
        "env_unset",
        6,
        34,
        "environment variable 'LOADCELL_TEST_SURELY_UNSET_TOKEN' used in '{{ env.LOADCELL_TEST_SURELY_UNSET_TOKEN }}' is not set",
    ),
    (
        "extracted_by_later_step",
        6,
        43,
        "'{{ token }}' is used before any step extracts it (step 2 extracts it;",
    ),
    (
        "json_and_body",
        6,
        9,
        "a step has one body: found both 'json' and 'body'",
    ),
    (
        "method_typo",
        4,
        9,
        "unknown key 'gte' in step 1 of journey 'browse'; did you mean 'get'?",
    ),
    ("missing_csv_file", 2, 17, "cannot read data file 'missing-users.csv' ("),
    (
        "missing_json_value",
        6,
        32,
        "unknown test 'equal'; did you mean 'equals'?",
    ),
    ("missing_steps", 6, 5, "journey 'login' has no 'steps'"),
    ("negative_weight", 3, 13, "'weight' must be 0 or more, found -5"),
    (
        "no_request_in_step",
        4,
        9,
        "step 1 of journey 'browse' has no request: expected one of get, post, put, patch, delete, head (or sleep, or batch)",
    ),
    ("non_map_root", 1, 1, "a scenario must be a map with 'journeys'"),
    (
        "regex_group_out_of_range",
        6,
        47,
        "'group' is 2 but the regex has 1 capture group(s)",
    ),
    ("relative_url_without_slash", 4, 14, "the URL must start with '/'"),
    (
        "other_origin",
        6,
        9,
        "goes to http://other.example:9000, but every request goes to the target",
    ),
    (
        "root_key_typo",
        2,
        1,
        "unknown key 'jouneys' at the top level; did you mean 'journeys'?",
    ),
    ("sleep_with_request", 5, 9, "is a sleep step and cannot also have 'get'"),
    (
        "stages_with_duration",
        4,
        3,
        "'duration' cannot be combined with 'stages'",
    ),
    ("target_not_a_url", 1, 9, "'target' must be an http:// or https:// URL"),
    (
        "think_range_backwards",
        3,
        12,
        r#"'think' range "1s..200ms" goes from long to short"#,
    ),
    (
        "threshold_unknown_journey",
        6,
        3,
        "filters on journey 'brwse', which the scenario does not have; did you mean 'browse'?",
    ),
    ("two_methods", 5, 9, "has two requests ('get' and 'post')"),
    (
        "typo_key_suggestion",
        5,
        5,
        "unknown key 'wieght' in journey 'browse'; did you mean 'weight'?",
    ),
    (
        "unclosed_template",
        4,
        28,
        r#"unclosed '{{' in "/api/products/{{ product_id""#,
    ),
    (
        "unknown_check",
        5,
        18,
        "unknown key 'staus' in the checks of step 1 of journey 'browse'; did you mean 'status'?",
    ),
    (
        "unknown_column",
        7,
        54,
        "data source 'users' has no column 'pasword' (used in '{{ users.pasword }}'); did you mean 'password'?",
    ),
    (
        "unknown_data_source",
        7,
        24,
        "unknown data source 'usres' in '{{ usres.name }}'; did you mean 'users'?",
    ),
    (
        "unknown_metric",
        6,
        3,
        "unknown metric 'http_req_duraton'; did you mean 'http_req_duration'?",
    ),
    (
        "unknown_template_function",
        5,
        35,
        "unknown template function 'uuid4' in '{{ uuid4() }}'; did you mean 'uuid'?",
    ),
    (
        "used_before_extract",
        4,
        28,
        "'{{ product_id }}' is used before any step extracts it",
    ),
    (
        "vus_and_rate_stages",
        3,
        3,
        "'rate_stages' cannot be combined with 'vus'",
    ),
    (
        "wrong_type_max_vus",
        5,
        12,
        r#"'max_vus' must be a whole number, found "lots""#,
    ),
    ("yaml_syntax_error", 5, 12, "YAML syntax error:"),
    ("zero_total_weight", 1, 1, "the journeys' weights add up to 0"),
];

fn dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/malformed"))
}

#[test]
fn every_malformed_file_fails_where_expected() {
    let mut failures = Vec::new();
    for (stem, line, col, needle) in CASES {
        let path = dir().join(format!("{stem}.yaml"));
        match loadcell_scenario::load(&path) {
            Ok(_) => failures.push(format!("{stem}: loaded without error")),
            Err(e) => {
                let shown = e.to_string();
                if (e.line, e.col) != (*line, *col) || !e.message.contains(needle) {
                    failures.push(format!(
                        "{stem}: expected {line}:{col} containing {needle:?}\n     got {shown}"
                    ));
                }
                if !shown.starts_with(&format!("{}:{}:{}: ", path.display(), e.line, e.col)) || shown.contains('\n') {
                    failures.push(format!("{stem}: bad display {shown:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn the_table_covers_the_folder() {
    let mut on_disk: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".yaml").map(str::to_string)
        })
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = CASES.iter().map(|c| c.0.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
    assert!(CASES.len() >= 25);
}
