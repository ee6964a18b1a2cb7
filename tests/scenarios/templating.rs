//! Template built-ins reach the server: `uuid`, `random_int(a, b)`, `random_string(n)`,
//! `now_ms`, `vu`, `iteration` and `env.NAME` in JSON bodies, headers, query strings and
//! paths, checked on what a recording server received (formats, ranges, lengths, VU and
//! iteration numbers) and, for `random_int`, on the shop target's own 404 counter.

use crate::support::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
        && b[14] == b'4'
        && matches!(b[19].to_ascii_lowercase(), b'8' | b'9' | b'a' | b'b')
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

#[test]
fn built_ins_are_rendered_into_bodies_headers_queries_and_paths() {
    let rec = Recorder::start();
    let dir = TempDir::new();
    let file = dir.write(
        "builtins.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 3, duration: 30s, iterations: 90 }}
defaults:
  headers: {{ x-run: "{{{{ env.LOADCELL_SCEN_RUN }}}}", x-vu: "vu-{{{{ vu }}}}" }}
journeys:
  - name: builtins
    steps:
      - post: "/items/{{{{ random_int(100, 199) }}}}"
        query: {{ id: "{{{{ uuid() }}}}", s: "{{{{ random_string(5) }}}}" }}
        headers: {{ x-request: "{{{{ uuid }}}}" }}
        json:
          id: "{{{{ uuid }}}}"
          n: "{{{{ random_int(5, 9) }}}}"
          neg: "{{{{ random_int(-3, -3) }}}}"
          s: "{{{{ random_string(12) }}}}"
          t: "{{{{ now_ms }}}}"
          vu: "{{{{ vu }}}}"
          it: "{{{{ iteration }}}}"
          env: "{{{{ env.LOADCELL_SCEN_RUN }}}}"
          text: "vu {{{{ vu }}}} iteration {{{{ iteration }}}}"
          literal: "{{{{{{{{ not a template }}}}"
"#,
            url = rec.url()
        ),
    );
    let before = now_ms();
    let run = run_file_env(&file, &[], &[("LOADCELL_SCEN_RUN", "run-42 \"quoted\"")]);
    let after = now_ms();
    run.assert_exit(0);
    assert_eq!(u64_at(run.summary(), "requests.total"), 90);
    let seen = rec.seen();
    assert_eq!(seen.len(), 90);

    let mut uuids = BTreeSet::new();
    let mut ns = BTreeSet::new();
    let mut strings = BTreeSet::new();
    let mut iterations: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
    for r in &seen {
        assert_eq!(r.method, "POST");
        assert_eq!(r.header("content-type"), Some("application/json"));
        let body = r.json();
        let ctx = format!("{} {}", r.path, String::from_utf8_lossy(&r.body));

        let id = body["id"].as_str().unwrap_or_else(|| panic!("id is not text: {ctx}"));
        assert!(is_uuid_v4(id), "not a v4 UUID: {id}");
        assert!(uuids.insert(id.to_string()), "UUID repeated: {id}");
        let header_id = r.header("x-request").unwrap();
        assert!(is_uuid_v4(header_id), "header UUID: {header_id}");
        let query_id = r.query("id").unwrap();
        assert!(is_uuid_v4(query_id), "query UUID: {query_id}");
        assert!(
            header_id != id && query_id != id,
            "each {{{{ uuid }}}} is a fresh one: {ctx}"
        );

        let n = body["n"]
            .as_i64()
            .unwrap_or_else(|| panic!("n is not a whole number: {ctx}"));
        assert!((5..=9).contains(&n), "random_int(5, 9) gave {n}");
        ns.insert(n);
        assert_eq!(body["neg"], Value::from(-3), "{ctx}");
        let path_n: u64 = r
            .path
            .trim_start_matches("/items/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!((100..=199).contains(&path_n), "path {}", r.path);

        let s = body["s"].as_str().unwrap();
        assert_eq!(s.len(), 12, "random_string(12) gave {s:?}");
        assert!(s.bytes().all(|c| c.is_ascii_alphanumeric()), "{s:?}");
        strings.insert(s.to_string());
        let qs = r.query("s").unwrap();
        assert!(qs.len() == 5 && qs.bytes().all(|c| c.is_ascii_alphanumeric()), "{qs:?}");

        let t = body["t"]
            .as_u64()
            .unwrap_or_else(|| panic!("now_ms is not a number: {ctx}"));
        assert!(
            (before..=after).contains(&t),
            "now_ms {t} outside the run [{before}, {after}]"
        );

        let vu = body["vu"]
            .as_u64()
            .unwrap_or_else(|| panic!("vu is not a number: {ctx}"));
        assert!((1..=3).contains(&vu), "vu {vu} of 3");
        assert_eq!(
            r.header("x-vu"),
            Some(format!("vu-{vu}").as_str()),
            "default header template"
        );
        let it = body["it"]
            .as_u64()
            .unwrap_or_else(|| panic!("iteration is not a number: {ctx}"));
        assert_eq!(body["text"], Value::from(format!("vu {vu} iteration {it}")));
        iterations.entry(vu).or_default().push(it);

        assert_eq!(
            body["env"],
            Value::from("run-42 \"quoted\""),
            "env in a JSON body is escaped"
        );
        assert_eq!(r.header("x-run"), Some("run-42 \"quoted\""));
        assert_eq!(body["literal"], Value::from("{{ not a template }}"));
    }
    assert!(ns.len() >= 4, "random_int(5, 9) over 90 draws gave only {ns:?}");
    assert_eq!(strings.len(), 90, "random strings repeat");
    assert_eq!(iterations.len(), 3, "3 VUs: {iterations:?}");
    for (vu, its) in &iterations {
        let expected: Vec<u64> = (0..its.len() as u64).collect();
        assert_eq!(its, &expected, "VU {vu}'s iteration numbers count up from 0 by one");
    }
}

#[test]
fn env_in_target_and_unset_env_is_a_load_error() {
    let rec = Recorder::start();
    let dir = TempDir::new();
    let file = dir.write(
        "env.yaml",
        r#"
target: "http://127.0.0.1:{{ env.LOADCELL_SCEN_PORT }}"
load: { vus: 1, duration: 30s, iterations: 3 }
journeys:
  - name: env
    steps: [ { get: "/env/{{ env.LOADCELL_SCEN_PORT }}" } ]
"#,
    );
    let port = rec.addr.port().to_string();
    let run = run_file_env(&file, &[], &[("LOADCELL_SCEN_PORT", &port)]);
    run.assert_exit(0);
    let paths: Vec<String> = rec.seen().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, vec![format!("/env/{port}"); 3]);

    let unset = run_file(&file, &[]);
    unset.assert_exit(2);
    let lines = unset.stderr_lines();
    assert_eq!(lines.len(), 1, "{}", unset.output());
    assert!(
        lines[0].contains("env.yaml:2:") && lines[0].contains("LOADCELL_SCEN_PORT") && lines[0].contains("not set"),
        "{}",
        unset.output()
    );
    assert_eq!(rec.seen().len(), 3, "nothing sent after the load error");
}

#[test]
fn random_product_ids_are_always_in_the_catalogue() {
    let server = shop();
    let dir = TempDir::new();
    dir.users_csv();
    let file = dir.write(
        "cart.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 4, duration: 30s, iterations: 200 }}
data:
  users: {{ csv: users.csv, pick: random }}
journeys:
  - name: cart
    steps:
      - name: log in
        post: /api/auth/login
        json: {{ user: "{{{{ users.name }}}}", password: "{{{{ users.password }}}}" }}
        extract: {{ token: "$.token" }}
        on_fail: abort_iteration
      - name: add
        post: /api/cart/add
        headers: {{ authorization: "Bearer {{{{ token }}}}" }}
        json: {{ product_id: "{{{{ random_int(1, 50) }}}}", qty: "{{{{ random_int(1, 1000) }}}}", note: "{{{{ uuid }}}}" }}
        check: {{ status: 200 }}
      - name: product
        get: "/api/products/{{{{ random_int(1, 50) }}}}"
        check: {{ status: 200 }}
"#,
            url = server.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let s = run.summary();
    let stats = server.stats();
    assert_eq!(stats.correlation_failures.unknown_product, 0, "{stats:?}");
    assert_eq!(stats.correlation_failures.auth, 0, "{stats:?}");
    assert_eq!(route(&stats, "POST /api/cart/add"), 200, "{stats:?}");
    assert_eq!(status(&stats, 200), 600, "qty stays within 1..=1000: {stats:?}");
    assert_eq!(check_counts(s, "cart", "add", "status is 200"), (200, 0));
    assert_eq!(u64_at(s, "requests.total"), stats.requests_total);
}
