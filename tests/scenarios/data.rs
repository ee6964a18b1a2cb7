//! Data feeders: `sequential` hands out rows in file order (recycling by default),
//! `unique` uses each row at most once and by default stops the run when they are used up
//! (`stop_reason: data_exhausted`), `unique` with `recycle` starts over, `random` draws
//! from all rows, and JSON data files keep their values' types. The shop target confirms
//! that every login with a data row succeeded; the recording server shows which rows were
//! used, in which order.

use crate::support::*;
use std::collections::{BTreeMap, BTreeSet};

/// The `user` query parameter of every request the recorder saw, in arrival order.
fn users_seen(rec: &Recorder) -> Vec<String> {
    rec.seen()
        .iter()
        .map(|r| {
            r.query("user")
                .unwrap_or_else(|| panic!("no user in {}", r.path))
                .to_string()
        })
        .collect()
}

fn names(range: std::ops::RangeInclusive<usize>) -> Vec<String> {
    range.map(|i| format!("user{i}")).collect()
}

#[test]
fn sequential_rows_are_used_in_file_order_by_one_vu() {
    let rec = Recorder::start();
    let dir = TempDir::new();
    dir.users_csv();
    let file = dir.write(
        "seq.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 1, duration: 30s, iterations: 25 }}
data:
  users: {{ csv: users.csv, pick: sequential }}
journeys:
  - name: seq
    steps:
      - get: /who
        query: {{ user: "{{{{ users.name }}}}" }}
"#,
            url = rec.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    assert_eq!(users_seen(&rec), names(1..=25));
    assert_eq!(u64_at(run.summary(), "requests.total"), 25);
}

#[test]
fn sequential_rows_recycle_by_default() {
    let rec = Recorder::start();
    let dir = TempDir::new();
    dir.first_users_csv("five.csv", 5);
    let file = dir.write(
        "seq-recycle.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 1, duration: 30s, iterations: 12 }}
data:
  users: {{ csv: five.csv }}
journeys:
  - name: seq
    steps:
      - get: "/who?user={{{{ users.name }}}}"
"#,
            url = rec.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let mut expected = names(1..=5);
    expected.extend(names(1..=5));
    expected.extend(names(1..=2));
    assert_eq!(users_seen(&rec), expected);
}

#[test]
fn sequential_rows_shared_by_several_vus_are_each_used_once() {
    let server = shop();
    let rec = Recorder::start();
    let dir = TempDir::new();
    dir.users_csv();
    let yaml = |url: &str| {
        format!(
            r#"
target: {url}
load: {{ vus: 4, duration: 30s, iterations: 120 }}
data:
  users: {{ csv: users.csv, pick: sequential }}
journeys:
  - name: login
    steps:
      - post: "/api/auth/login?user={{{{ users.name }}}}"
        json: {{ user: "{{{{ users.name }}}}", password: "{{{{ users.password }}}}" }}
        check: {{ status: 200 }}
"#
        )
    };
    // Against the shop: every login with a row's name and password succeeds.
    let file = dir.write("shop.yaml", &yaml(&server.url()));
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let stats = server.stats();
    assert_eq!(route(&stats, "POST /api/auth/login"), 120, "{stats:?}");
    assert_eq!(status(&stats, 200), 120, "{stats:?}");
    assert_eq!(stats.correlation_failures.auth, 0, "{stats:?}");
    assert_eq!(u64_at(run.summary(), "requests.total"), stats.requests_total);

    // Against the recorder: the rows used are exactly the first 120, each once.
    let file = dir.write("rec.yaml", &yaml(&rec.url()));
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let seen = users_seen(&rec);
    let distinct: BTreeSet<&String> = seen.iter().collect();
    let expected = names(1..=120);
    assert_eq!(seen.len(), 120);
    assert_eq!(
        distinct,
        expected.iter().collect::<BTreeSet<_>>(),
        "rows used: {seen:?}"
    );
    for r in rec.seen() {
        let body = r.json();
        assert_eq!(
            Some(body["user"].as_str().unwrap()),
            r.query("user"),
            "one row per iteration"
        );
        assert_eq!(
            body["password"].as_str().unwrap(),
            body["user"].as_str().unwrap().replace("user", "pass"),
            "name and password come from the same row"
        );
    }
}

#[test]
fn unique_with_stop_runs_exactly_once_per_row_then_stops() {
    let server = shop();
    let dir = TempDir::new();
    dir.first_users_csv("fifty.csv", 50);
    let file = dir.write(
        "unique.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 4, duration: 40s }}
data:
  users: {{ csv: fifty.csv, pick: unique, on_exhausted: stop }}
journeys:
  - name: once each
    steps:
      - post: /api/auth/login
        json: {{ user: "{{{{ users.name }}}}", password: "{{{{ users.password }}}}" }}
        check: {{ status: 200 }}
"#,
            url = server.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    assert!(
        run.elapsed.as_secs() < 20,
        "the run should stop when the data is used up, not after 40 s\n{}",
        run.output()
    );
    let s = run.summary();
    let stats = server.stats();
    assert_eq!(str_at(s, "stop_reason"), "data_exhausted");
    assert_eq!(route(&stats, "POST /api/auth/login"), 50, "{stats:?}");
    assert_eq!(status(&stats, 200), 50, "{stats:?}");
    assert_eq!(u64_at(s, "requests.total"), stats.requests_total);
    assert_eq!(u64_at(journey(s, "once each"), "iterations"), 50);
    assert_eq!(
        check_counts(s, "once each", "POST /api/auth/login", "status is 200"),
        (50, 0)
    );
    assert_eq!(
        u64_at(s, "iterations.total"),
        50,
        "attempts that found no row are not iterations"
    );
}

#[test]
fn unique_rows_run_out_in_the_open_model_too() {
    let server = shop();
    let dir = TempDir::new();
    dir.first_users_csv("thirty.csv", 30);
    let file = dir.write(
        "unique-open.yaml",
        &format!(
            r#"
target: {url}
load: {{ rate: 100, duration: 40s, max_vus: 20 }}
data:
  users: {{ csv: thirty.csv, pick: unique }}
journeys:
  - name: arrivals
    steps:
      - post: /api/auth/login
        json: {{ user: "{{{{ users.name }}}}", password: "{{{{ users.password }}}}" }}
        check: {{ status: 200 }}
"#,
            url = server.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    assert!(run.elapsed.as_secs() < 20, "{}", run.output());
    let s = run.summary();
    let stats = server.stats();
    assert_eq!(str_at(s, "model"), "open");
    assert_eq!(str_at(s, "stop_reason"), "data_exhausted");
    assert_eq!(status(&stats, 200), 30, "{stats:?}");
    assert_eq!(stats.requests_total, 30, "{stats:?}");
    assert_eq!(u64_at(journey(s, "arrivals"), "iterations"), 30);
    assert_eq!(u64_at(s, "iterations.total"), 30);
    assert_eq!(u64_at(s, "iterations.dropped"), 0);
}

/// A data source with fewer rows than loadcell has worker threads: rows are split between
/// workers (`w, w+n, …`), so a worker can own no row at all. `sequential` recycles by
/// default and can never run out, yet that worker's VUs stop at once: with one row, two
/// VUs on two threads and `iterations: 40`, only 20 iterations run and the run reports
/// `stop_reason: data_exhausted`. (Without `iterations`, half the VUs silently idle for
/// the whole duration.)
#[test]
fn a_one_row_recycling_source_serves_every_vu() {
    let server = shop();
    let dir = TempDir::new();
    dir.first_users_csv("one.csv", 1);
    let file = dir.write(
        "one-row.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 2, duration: 30s, iterations: 40 }}
data:
  users: {{ csv: one.csv, pick: sequential }}
journeys:
  - name: same user
    steps:
      - post: /api/auth/login
        json: {{ user: "{{{{ users.name }}}}", password: "{{{{ users.password }}}}" }}
        check: {{ status: 200 }}
"#,
            url = server.url()
        ),
    );
    let run = run_file(&file, &["--threads", "2"]);
    run.assert_exit(0);
    let s = run.summary();
    let stats = server.stats();
    assert_eq!(
        (
            str_at(s, "stop_reason"),
            u64_at(s, "iterations.total"),
            stats.requests_total
        ),
        ("requests", 40, 40),
        "a recycling one-row source must serve all 40 iterations on both threads; {stats:?}"
    );
}

#[test]
fn csv_quoting_crlf_and_bom_are_read_per_rfc_4180() {
    let rec = Recorder::start();
    let dir = TempDir::new();
    dir.write(
        "notes.csv",
        "\u{feff}name,note\r\n\"a,b\",\"say \"\"hi\"\"\"\r\nplain,\"line1\nline2\"\r\n\"\",é\r\n",
    );
    let file = dir.write(
        "csv.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 1, duration: 30s, iterations: 3 }}
data:
  notes: {{ csv: notes.csv }}
journeys:
  - name: notes
    steps:
      - post: /notes
        json: {{ name: "{{{{ notes.name }}}}", note: "{{{{ notes.note }}}}" }}
"#,
            url = rec.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let bodies: Vec<serde_json::Value> = rec.seen().iter().map(Seen::json).collect();
    assert_eq!(
        bodies,
        [
            serde_json::json!({"name": "a,b", "note": "say \"hi\""}),
            serde_json::json!({"name": "plain", "note": "line1\nline2"}),
            serde_json::json!({"name": "", "note": "é"}),
        ]
    );
}

#[test]
fn unique_with_recycle_runs_more_iterations_than_rows() {
    let server = shop();
    let rec = Recorder::start();
    let dir = TempDir::new();
    dir.first_users_csv("ten.csv", 10);
    let yaml = |url: &str| {
        format!(
            r#"
target: {url}
load: {{ vus: 2, duration: 30s, iterations: 35 }}
data:
  users: {{ csv: ten.csv, pick: unique, on_exhausted: recycle }}
journeys:
  - name: again
    steps:
      - post: "/api/auth/login?user={{{{ users.name }}}}"
        json: {{ user: "{{{{ users.name }}}}", password: "{{{{ users.password }}}}" }}
        check: {{ status: 200 }}
"#
        )
    };
    let run = run_file(&dir.write("shop.yaml", &yaml(&server.url())), &[]);
    run.assert_exit(0);
    let s = run.summary();
    let stats = server.stats();
    assert_eq!(str_at(s, "stop_reason"), "requests");
    assert_eq!(u64_at(journey(s, "again"), "iterations"), 35);
    assert_eq!(route(&stats, "POST /api/auth/login"), 35, "{stats:?}");
    assert_eq!(status(&stats, 200), 35, "{stats:?}");

    let run = run_file(&dir.write("rec.yaml", &yaml(&rec.url())), &[]);
    run.assert_exit(0);
    let seen = users_seen(&rec);
    assert_eq!(seen.len(), 35);
    let mut uses: BTreeMap<&str, u64> = BTreeMap::new();
    for u in &seen {
        *uses.entry(u.as_str()).or_default() += 1;
    }
    assert_eq!(
        uses.keys().copied().collect::<BTreeSet<_>>(),
        names(1..=10).iter().map(String::as_str).collect::<BTreeSet<_>>(),
        "all ten rows and nothing else: {seen:?}"
    );
    // Each row is used once per pass: with 35 iterations over 10 rows, 3 or 4 times.
    assert!(uses.values().all(|&n| (3..=4).contains(&n)), "uses per row: {uses:?}");
}

#[test]
fn random_rows_come_from_the_file_in_no_fixed_order() {
    let server = shop();
    let rec = Recorder::start();
    let dir = TempDir::new();
    dir.first_users_csv("twenty.csv", 20);
    let yaml = |url: &str| {
        format!(
            r#"
target: {url}
load: {{ vus: 2, duration: 30s, iterations: 200 }}
data:
  users: {{ csv: twenty.csv, pick: random }}
journeys:
  - name: any
    steps:
      - post: "/api/auth/login?user={{{{ users.name }}}}"
        json: {{ user: "{{{{ users.name }}}}", password: "{{{{ users.password }}}}" }}
        check: {{ status: 200 }}
"#
        )
    };
    let run = run_file(&dir.write("shop.yaml", &yaml(&server.url())), &[]);
    run.assert_exit(0);
    let stats = server.stats();
    assert_eq!(status(&stats, 200), 200, "{stats:?}");
    assert_eq!(stats.correlation_failures.auth, 0, "{stats:?}");
    assert_eq!(str_at(run.summary(), "stop_reason"), "requests");

    let run = run_file(&dir.write("rec.yaml", &yaml(&rec.url())), &[]);
    run.assert_exit(0);
    let seen = users_seen(&rec);
    assert_eq!(seen.len(), 200);
    let all = names(1..=20);
    assert!(seen.iter().all(|u| all.contains(u)), "a name not in the file: {seen:?}");
    let distinct: BTreeSet<&String> = seen.iter().collect();
    // 200 draws from 20 rows miss a given row with probability 0.95^200 ≈ 3.5e-5.
    assert!(distinct.len() >= 18, "only {} distinct rows: {seen:?}", distinct.len());
    let in_order: Vec<String> = (0..200).map(|i| format!("user{}", i % 20 + 1)).collect();
    assert_ne!(seen, in_order, "random picks came out in file order");
}

#[test]
fn json_data_file_keeps_value_types() {
    let server = shop();
    let dir = TempDir::new();
    dir.write(
        "accounts.json",
        r#"[
  {"name": "user3", "password": "pass3", "product": 7, "qty": 2},
  {"name": "user4", "password": "pass4", "product": 50, "qty": 1},
  {"name": "user5", "password": "pass5", "product": 1}
]"#,
    );
    let file = dir.write(
        "json-data.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 1, duration: 30s, iterations: 30 }}
data:
  accounts: {{ json: accounts.json }}
journeys:
  - name: buy
    steps:
      - name: log in
        post: /api/auth/login
        json: {{ user: "{{{{ accounts.name }}}}", password: "{{{{ accounts.password }}}}" }}
        check: {{ status: 200 }}
        extract: {{ token: "$.token" }}
        on_fail: abort_iteration
      - name: add
        post: /api/cart/add
        headers: {{ authorization: "Bearer {{{{ token }}}}" }}
        json: {{ product_id: "{{{{ accounts.product }}}}", qty: 1 }}
        check: {{ status: 200, json: {{ "$.items[0].product_id": {{ matches: "^(7|50|1)$" }} }} }}
"#,
            url = server.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let s = run.summary();
    let stats = server.stats();
    assert_eq!(route(&stats, "POST /api/auth/login"), 30, "{stats:?}");
    assert_eq!(route(&stats, "POST /api/cart/add"), 30, "{stats:?}");
    assert_eq!(
        status(&stats, 200),
        60,
        "a JSON number must reach the server as a number: {stats:?}"
    );
    assert_eq!(stats.correlation_failures.auth, 0, "{stats:?}");
    assert_eq!(stats.correlation_failures.unknown_product, 0, "{stats:?}");
    assert_eq!(failed_checks(s), 0, "{}", short(&s["checks"]));
    assert_eq!(u64_at(s, "requests.total"), stats.requests_total);
}

#[test]
fn json_data_missing_key_is_null_and_renders_as_nothing() {
    let rec = Recorder::start();
    let dir = TempDir::new();
    dir.write(
        "rows.json",
        r#"[{"a": 1, "b": "x"}, {"a": 2.5}, {"b": true, "c": {"k": [1, 2]}}]"#,
    );
    let file = dir.write(
        "rows.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 1, duration: 30s, iterations: 3 }}
data:
  rows: {{ json: rows.json }}
journeys:
  - name: rows
    steps:
      - post: /rows
        json: {{ a: "{{{{ rows.a }}}}", b: "{{{{ rows.b }}}}", c: "{{{{ rows.c }}}}", text: "a={{{{ rows.a }}}};b={{{{ rows.b }}}}" }}
"#,
            url = rec.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let bodies: Vec<serde_json::Value> = rec.seen().iter().map(Seen::json).collect();
    assert_eq!(bodies.len(), 3);
    assert_eq!(
        bodies[0],
        serde_json::json!({"a": 1, "b": "x", "c": null, "text": "a=1;b=x"})
    );
    assert_eq!(
        bodies[1],
        serde_json::json!({"a": 2.5, "b": null, "c": null, "text": "a=2.5;b="})
    );
    assert_eq!(
        bodies[2],
        serde_json::json!({"a": null, "b": true, "c": {"k": [1, 2]}, "text": "a=;b=true"})
    );
}
