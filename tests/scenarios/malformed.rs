//! Malformed scenario files through the binary: `loadcell validate` and `loadcell run`
//! both exit 2 with exactly one stderr line `FILE:LINE:COL: message` that says what is
//! wrong (with a suggestion for near misses), nothing panics, and not one request reaches
//! the target. A valid file validates with exit 0 and an `ok` line.

use crate::support::*;

/// A broken file: its name, its text (after [`HEADER`] unless it has a `target:` or `name:`
/// line of its own; `TARGET` is replaced by the target's URL), and what
/// the one error line must contain besides the file name: the position `LINE:COL` and
/// pieces of the message.
struct Broken {
    name: &'static str,
    text: &'static str,
    line: u32,
    col: u32,
    expect: &'static [&'static str],
}

const HEADER: &str = "target: TARGET\nload: { vus: 1, duration: 1s }\n";

const BROKEN: &[Broken] = &[
    Broken {
        name: "unknown-key.yaml",
        text: "journeys:\n  - name: browse\n    wieght: 3\n    steps: [ { get: / } ]\n",
        line: 5,
        col: 5,
        expect: &["unknown key 'wieght'", "did you mean 'weight'?"],
    },
    Broken {
        name: "wrong-type.yaml",
        text: "journeys:\n  - name: browse\n    weight: lots\n    steps: [ { get: / } ]\n",
        line: 5,
        col: 13,
        expect: &["'weight' must be", "lots"],
    },
    Broken {
        name: "missing-steps.yaml",
        text: "journeys:\n  - name: login\n    weight: 2\n",
        line: 4,
        col: 5,
        expect: &["journey 'login' has no 'steps'"],
    },
    Broken {
        name: "bad-threshold.yaml",
        text: "journeys:\n  - name: a\n    steps: [ { get: / } ]\nthresholds:\n  http_req_duration: [\"p(95)<<200\"]\n",
        line: 7,
        col: 23,
        expect: &["p(95)<<200"],
    },
    Broken {
        name: "unknown-metric.yaml",
        text: "journeys:\n  - name: a\n    steps: [ { get: / } ]\nthresholds:\n  http_req_duraton: [\"p(95)<200\"]\n",
        line: 7,
        col: 3,
        expect: &["http_req_duraton", "http_req_duration"],
    },
    Broken {
        name: "unknown-function.yaml",
        text: "journeys:\n  - name: a\n    steps:\n      - get: \"/x/{{ random_innt(1, 5) }}\"\n",
        line: 6,
        col: 18,
        expect: &["random_innt", "did you mean 'random_int'?"],
    },
    Broken {
        name: "use-before-extract.yaml",
        text: "journeys:\n  - name: a\n    steps:\n      - get: \"/p/{{ product_id }}\"\n      - get: /api/products\n        extract: { product_id: \"$.items[0].id\" }\n",
        line: 6,
        col: 18,
        expect: &[
            "'{{ product_id }}' is used before any step extracts it",
            "step 2 extracts it",
        ],
    },
    Broken {
        name: "missing-csv.yaml",
        text: "data:\n  users: { csv: no-such-users.csv }\njourneys:\n  - name: a\n    steps: [ { get: \"/u/{{ users.name }}\" } ]\n",
        line: 4,
        col: 17,
        expect: &["no-such-users.csv"],
    },
    Broken {
        name: "yaml-syntax.yaml",
        text: "journeys:\n  - name: a\n    steps: [ { get: / }\n  - name: b\n",
        line: 6,
        col: 3,
        expect: &["YAML syntax error"],
    },
    Broken {
        name: "unknown-field.yaml",
        text: "data:\n  users: { csv: users.csv }\njourneys:\n  - name: a\n    steps: [ { get: \"/u/{{ users.nmae }}\" } ]\n",
        line: 7,
        col: 25,
        expect: &["nmae", "did you mean 'name'?"],
    },
    Broken {
        name: "unclosed-template.yaml",
        text: "journeys:\n  - name: a\n    steps: [ { get: \"/u/{{ uuid\" } ]\n",
        line: 5,
        col: 25,
        expect: &["}}"],
    },
    Broken {
        name: "random-on-exhausted.yaml",
        text: "data:\n  users: { csv: users.csv, pick: random, on_exhausted: stop }\njourneys:\n  - name: a\n    steps: [ { get: \"/u/{{ users.name }}\" } ]\n",
        line: 4,
        col: 42,
        expect: &["on_exhausted", "random"],
    },
    Broken {
        name: "two-bodies.yaml",
        text: "journeys:\n  - name: a\n    steps:\n      - post: /x\n        json: { a: 1 }\n        body: text\n",
        line: 8,
        col: 9,
        expect: &["a step has one body"],
    },
    Broken {
        name: "mixed-models.yaml",
        text: "target: TARGET\nload: { vus: 2, rate: 10 }\njourneys:\n  - name: a\n    steps: [ { get: / } ]\n",
        line: 2,
        col: 17,
        expect: &["'rate' cannot be combined with 'vus'"],
    },
    Broken {
        name: "no-journeys.yaml",
        text: "name: empty\n",
        line: 1,
        col: 1,
        expect: &["the scenario has no 'journeys'"],
    },
    Broken {
        name: "empty-csv.yaml",
        text: "data:\n  users: { csv: empty.csv }\njourneys:\n  - name: a\n    steps: [ { get: \"/u/{{ users.name }}\" } ]\n",
        line: 4,
        col: 17,
        expect: &["data file 'empty.csv' has a header but no rows"],
    },
    Broken {
        name: "builtin-var.yaml",
        text: "journeys:\n  - name: a\n    steps:\n      - get: /\n        extract: { uuid: \"$.id\" }\n",
        line: 7,
        col: 20,
        expect: &["uuid"],
    },
    Broken {
        name: "duplicate-journey.yaml",
        text: "journeys:\n  - name: a\n    steps: [ { get: / } ]\n  - name: a\n    steps: [ { get: / } ]\n",
        line: 6,
        col: 11,
        expect: &["two journeys are named 'a'"],
    },
    Broken {
        name: "duplicate-key.yaml",
        text: "journeys:\n  - name: a\n    steps: [ { get: / } ]\nthresholds:\n  checks: [\"rate>0.9\"]\n  checks: [\"rate>0.5\"]\n",
        line: 8,
        col: 3,
        expect: &["YAML syntax error", "'checks' appears twice"],
    },
    Broken {
        name: "loop-var.yaml",
        text: "target: TARGET\njourneys:\n  - name: l\n    loop: 2\n    steps:\n      - get: \"/api/products/{{ x }}\"\n      - get: /api/products/1\n        extract: { x: \"$.id\" }\n",
        line: 6,
        col: 29,
        expect: &[
            "'{{ x }}' is used before any step extracts it",
            "the first pass of a 'loop' has none yet",
        ],
    },
    Broken {
        name: "own-var.yaml",
        text: "target: TARGET\njourneys:\n  - name: l\n    steps:\n      - get: \"/api/products/{{ x }}\"\n        extract: { x: \"$.id\" }\n",
        line: 5,
        col: 29,
        expect: &["'{{ x }}' is used before any step extracts it", "from its own response"],
    },
    Broken {
        name: "default-var.yaml",
        text: "target: TARGET\ndefaults:\n  headers: { authorization: \"Bearer {{ token }}\" }\njourneys:\n  - name: l\n    steps:\n      - get: /\n        extract: { token: \"$.id\" }\n",
        line: 3,
        col: 37,
        expect: &["'{{ token }}' in defaults", "not extracted variables"],
    },
    Broken {
        name: "target-template.yaml",
        text: "target: \"http://127.0.0.1:{{ random_int(1, 2) }}\"\njourneys:\n  - name: l\n    steps: [ { get: / } ]\n",
        line: 1,
        col: 27,
        expect: &["'target' can only use '{{ env.NAME }}'"],
    },
    Broken {
        name: "other-journeys-var.yaml",
        text: "target: TARGET\njourneys:\n  - name: a\n    steps:\n      - get: /api/products/1\n        extract: { x: \"$.id\" }\n  - name: b\n    steps:\n      - get: \"/api/products/{{ x }}\"\n",
        line: 9,
        col: 29,
        expect: &["'{{ x }}' is used before any step extracts it"],
    },
];

/// The one error line names the file, the expected position and every expected piece.
fn assert_one_error_line(run: &Finished, file: &std::path::Path, b: &Broken) {
    run.assert_exit(2);
    let lines = run.stderr_lines();
    assert_eq!(lines.len(), 1, "{}: exactly one stderr line\n{}", b.name, run.output());
    let line = lines[0];
    let shown = file.display().to_string();
    let pos = format!("{shown}:{}:{}: ", b.line, b.col);
    assert!(
        line.starts_with(&format!("error: {pos}")),
        "{}: expected 'error: {pos}…', found: {line}",
        b.name
    );
    for piece in b.expect {
        assert!(line.contains(piece), "{}: expected {piece:?} in: {line}", b.name);
    }
    assert!(
        run.stdout.trim().is_empty(),
        "{}: nothing on stdout\n{}",
        b.name,
        run.output()
    );
}

#[test]
fn broken_files_fail_validate_and_run_with_one_located_line() {
    let server = shop();
    let dir = TempDir::new();
    dir.first_users_csv("users.csv", 3);
    dir.write("empty.csv", "name,password\n");
    for b in BROKEN {
        let text = if b.text.starts_with("target:") || b.text.starts_with("name:") {
            b.text.replace("TARGET", &server.url())
        } else {
            HEADER.replace("TARGET", &server.url()) + b.text
        };
        let file = dir.write(b.name, &text);

        let validate = loadcell(&["validate".as_ref(), file.as_os_str()]);
        assert_one_error_line(&validate, &file, b);

        let run = run_file(&file, &[]);
        assert_one_error_line(&run, &file, b);
        assert!(
            run.summary.is_none(),
            "{}: no summary for a file that does not load",
            b.name
        );
        assert_eq!(
            validate.stderr, run.stderr,
            "{}: validate and run report the same problem",
            b.name
        );
    }
    assert_eq!(server.stats().requests_total, 0, "a broken file sent requests");
}

#[test]
fn a_valid_file_validates() {
    let server = shop();
    let dir = TempDir::new();
    dir.users_csv();
    let file = dir.write(
        "good.yaml",
        &format!(
            r#"
name: good shop
target: {url}
load: {{ vus: 1, duration: 1s }}
data:
  users: {{ csv: users.csv }}
journeys:
  - name: login
    steps:
      - post: /api/auth/login
        json: {{ user: "{{{{ users.name }}}}", password: "{{{{ users.password }}}}" }}
        check: {{ status: 200 }}
        extract: {{ token: "$.token" }}
      - sleep: 10ms..20ms
      - get: /api/user/profile
        headers: {{ authorization: "Bearer {{{{ token }}}}" }}
        check: {{ status: 200, json: {{ "$.user": exists }} }}
thresholds:
  checks: ["rate>0.99"]
"#,
            url = server.url()
        ),
    );
    let run = loadcell(&["validate".as_ref(), file.as_os_str()]);
    run.assert_exit(0);
    assert!(run.stderr.trim().is_empty(), "{}", run.output());
    let out = run.stdout.trim();
    assert_eq!(out.lines().count(), 1, "{}", run.output());
    assert!(out.contains(": ok"), "{}", run.output());
    assert!(out.contains("'good shop'"), "{}", run.output());
    assert!(
        out.contains("1 journeys, 3 steps (2 requests, 3 checks), 1 data sources, 1 thresholds"),
        "{out}"
    );
    assert_eq!(server.stats().requests_total, 0, "validate sends nothing");

    for example in ["login-csv.yaml", "open-ramp.yaml", "quick-smoke.yaml", "shop.yaml"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(example);
        let run = loadcell(&["validate".as_ref(), path.as_os_str()]);
        run.assert_exit(0);
    }
}
