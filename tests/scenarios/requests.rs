//! What a step puts on the wire, as a recording server received it: `query:` values
//! URL-encoded after the URL's own query, `form:` and `body:` / `body_file:` bodies with
//! their content types, default headers replaced by a step's header of the same name
//! (names ignore case), and `loop:` / `think` / `sleep` / `pacing` shaping the iteration.
//! The last test runs the shop's whole checkout chain over HTTP/1.1 and HTTP/2.

use crate::support::*;

/// Decodes `%XX` and `+` of a query or form value.
fn url_decode(s: &str) -> String {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap_or_else(|_| panic!("bad escape in {s}")));
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn queries_bodies_and_headers_arrive_as_written() {
    let rec = Recorder::start();
    let dir = TempDir::new();
    dir.write("payload.bin", "raw \u{0} bytes\r\n{{ not rendered }}");
    let file = dir.write(
        "wire.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 1, duration: 30s, iterations: 2 }}
defaults:
  headers: {{ Accept: application/json, x-default: kept, X-Replaced: default }}
journeys:
  - name: wire
    steps:
      - name: query
        get: "/search?fixed=1"
        query: {{ q: "a b&c=d/é", n: 7, t: "{{{{ vu }}}}-{{{{ iteration }}}}" }}
        headers: {{ x-replaced: step }}
      - name: form
        post: /form
        form: {{ user: "jo hn", pass: "p&ss=1", vu: "{{{{ vu }}}}" }}
      - name: text
        put: /text
        headers: {{ content-type: text/plain }}
        body: "hello {{{{ vu }}}}"
      - name: file
        patch: /file
        headers: {{ content-type: application/octet-stream }}
        body_file: payload.bin
      - name: json with own type
        post: /json
        headers: {{ Content-Type: application/vnd.api+json }}
        json: [1, "two", {{ three: 3 }}]
      - name: delete
        delete: /thing/1
"#,
            url = rec.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let seen = rec.seen();
    assert_eq!(seen.len(), 12, "{:?}", seen.iter().map(|r| &r.path).collect::<Vec<_>>());
    for (it, chunk) in seen.chunks(6).enumerate() {
        let [query, form, text, file, json, delete] = chunk else {
            panic!("six requests per iteration")
        };

        assert_eq!(query.method, "GET");
        assert!(query.path.starts_with("/search?fixed=1&"), "{}", query.path);
        assert_eq!(query.query("fixed"), Some("1"));
        assert_eq!(url_decode(query.query("q").unwrap()), "a b&c=d/é", "{}", query.path);
        assert_eq!(query.query("n"), Some("7"));
        assert_eq!(query.query("t"), Some(format!("1-{it}").as_str()));
        assert!(!query.path.contains(' '), "{}", query.path);
        assert_eq!(query.header("accept"), Some("application/json"));
        assert_eq!(query.header("x-default"), Some("kept"));
        let replaced: Vec<&str> = query
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("x-replaced"))
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(
            replaced,
            ["step"],
            "a step's header replaces the default of the same name"
        );

        assert_eq!(form.method, "POST");
        assert_eq!(form.header("content-type"), Some("application/x-www-form-urlencoded"));
        let body = String::from_utf8(form.body.clone()).unwrap();
        let fields: Vec<(String, String)> = body
            .split('&')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or_else(|| panic!("form body {body}"));
                (k.to_string(), url_decode(v))
            })
            .collect();
        assert_eq!(
            fields,
            [("user", "jo hn"), ("pass", "p&ss=1"), ("vu", "1")].map(|(k, v)| (k.to_string(), v.to_string())),
            "{body}"
        );

        assert_eq!(text.method, "PUT");
        assert_eq!(text.header("content-type"), Some("text/plain"));
        assert_eq!(text.body, b"hello 1");

        assert_eq!(file.method, "PATCH");
        assert_eq!(file.body, "raw \u{0} bytes\r\n{{ not rendered }}".as_bytes());

        assert_eq!(json.header("content-type"), Some("application/vnd.api+json"));
        let types: Vec<&str> = json
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(types.len(), 1, "one content-type: {types:?}");
        assert_eq!(json.json(), serde_json::json!([1, "two", {"three": 3}]));

        assert_eq!(delete.method, "DELETE");
        assert_eq!(delete.path, "/thing/1");
        assert!(delete.body.is_empty());
    }
}

#[test]
fn loop_think_sleep_and_pacing_shape_the_iteration() {
    let server = shop();
    let dir = TempDir::new();
    let file = dir.write(
        "timing.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 1, duration: 30s, iterations: 4 }}
defaults:
  think: 50ms
journeys:
  - name: looped
    loop: 3
    pacing: 600ms
    steps:
      - get: /
      - sleep: 20ms
      - get: /api/products/1
"#,
            url = server.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let s = run.summary();
    let stats = server.stats();
    // loop: 3 → both request steps three times per iteration.
    assert_eq!(stats.requests_total, 24, "{stats:?}");
    assert_eq!(route(&stats, "GET /"), 12, "{stats:?}");
    assert_eq!(u64_at(s, "requests.total"), 24);
    let j = journey(s, "looped");
    assert_eq!(u64_at(j, "iterations"), 4);
    // Per iteration: 3 sleeps of 20 ms, and 50 ms think after each request except before a
    // sleep and after the last request: 2 thinks. At least 160 ms, whatever the machine.
    let min = f64_at(j, "duration_ms.min");
    assert!(min >= 160.0, "iteration took {min} ms, less than its sleeps and thinks");
    assert!(f64_at(j, "duration_ms.max") < 600.0, "{}", short(&j["duration_ms"]));
    // pacing: 600ms → four iterations take at least three full periods.
    assert!(
        run.elapsed.as_secs_f64() >= 1.8,
        "4 paced iterations in {:?}",
        run.elapsed
    );
}

fn checkout_chain(url: &str) -> String {
    format!(
        r#"
target: {url}
load: {{ vus: 2, duration: 30s, iterations: 40 }}
data:
  users: {{ csv: users.csv }}
journeys:
  - name: buy
    steps:
      - name: log in
        post: /api/auth/login
        json: {{ user: "{{{{ users.name }}}}", password: "{{{{ users.password }}}}" }}
        check: {{ status: 200 }}
        extract: {{ token: "$.token" }}
        on_fail: abort_iteration
      - name: add
        post: /api/cart/add
        headers: {{ authorization: "Bearer {{{{ token }}}}" }}
        json: {{ product_id: 3, qty: 2 }}
        check: {{ status: 200, json: {{ "$.items[0].qty": 2 }} }}
      - name: checkout
        post: /api/checkout
        headers: {{ authorization: "Bearer {{{{ token }}}}" }}
        check: {{ status: 200 }}
        extract: {{ order_id: "$.order_id" }}
      - name: order
        get: /api/orders/{{{{ order_id }}}}
        headers: {{ authorization: "Bearer {{{{ token }}}}" }}
        check: {{ status: 200, json: {{ "$.status": placed }} }}
"#
    )
}

#[test]
fn checkout_chain_correlates_over_http1_and_http2() {
    for flags in [&[][..], &["--http2"][..]] {
        let server = shop();
        let dir = TempDir::new();
        dir.users_csv();
        let file = dir.write("buy.yaml", &checkout_chain(&server.url()));
        let run = run_file(&file, flags);
        run.assert_exit(0);
        let s = run.summary();
        let stats = server.stats();
        assert_eq!(stats.orders, 40, "{flags:?}: {stats:?}");
        assert_eq!(status(&stats, 200), 160, "{flags:?}: {stats:?}");
        assert_eq!(stats.correlation_failures.auth, 0, "{flags:?}: {stats:?}");
        assert_eq!(stats.correlation_failures.unknown_order, 0, "{flags:?}: {stats:?}");
        assert_eq!(u64_at(s, "requests.total"), stats.requests_total, "{flags:?}");
        assert_eq!(failed_checks(s), 0, "{flags:?}: {}", short(&s["checks"]));
        assert_eq!(
            passed_checks(s),
            40 * 8,
            "{flags:?}: 4 steps, each a check and an extraction or two checks"
        );
        assert_eq!(check_counts(s, "buy", "order", "$.status equals \"placed\""), (40, 0));
    }
}

/// README: "The URL is a path starting with `/` (appended to `target`) or an absolute
/// `http://` / `https://` URL." An absolute URL on another origin passes `validate`, but
/// at run time the step is never sent: no request, no error, no failed check, exit 0.
#[test]
fn absolute_url_on_another_origin_is_sent_or_rejected() {
    let server = shop();
    let other = Recorder::start();
    let dir = TempDir::new();
    let file = dir.write(
        "other-origin.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 1, duration: 30s, iterations: 3 }}
journeys:
  - name: other
    steps:
      - get: {other}/elsewhere
        check: {{ status: 200 }}
      - get: /
"#,
            url = server.url(),
            other = other.url()
        ),
    );
    let validate = loadcell(&["validate".as_ref(), file.as_os_str()]);
    let run = run_file(&file, &[]);
    let rejected = validate.code == Some(2) && run.code == Some(2);
    let sent = run.code == Some(0) && other.seen().len() == 3 && server.stats().requests_total == 3;
    assert!(
        rejected || sent,
        "neither rejected nor sent: validate {:?}, run {:?}, other origin got {}, target got {}\n{}",
        validate.code,
        run.code,
        other.seen().len(),
        server.stats().requests_total,
        run.output()
    );
}

#[test]
fn a_header_value_that_renders_with_a_line_break_is_not_sent() {
    // A data row (or an extracted value) holding CR/LF must not inject headers: the step
    // is skipped and counted, the other rows' requests go out as written.
    let rec = Recorder::start();
    let dir = TempDir::new();
    dir.write("users.csv", "name\n\"evil\r\nX-Injected: yes\"\nplain\n");
    let file = dir.write(
        "inject.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 1, duration: 30s, iterations: 4 }}
data:
  users: {{ csv: users.csv, pick: sequential }}
journeys:
  - name: inject
    steps:
      - get: /who
        headers: {{ x-user: "{{{{ users.name }}}}" }}
"#,
            url = rec.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_no_panic();
    let seen = rec.seen();
    assert_eq!(seen.len(), 2, "only the plain rows were sent\n{}", run.output());
    for request in &seen {
        assert_eq!(request.header("x-user"), Some("plain"));
        assert_eq!(request.header("x-injected"), None);
    }
    let s = run.summary();
    assert_eq!(u64_at(endpoint(s, "GET /who"), "skipped"), 2, "{}", run.output());
    assert_eq!(u64_at(s, "requests.total"), 2);
}
