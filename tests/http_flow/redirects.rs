//! Redirects: chains followed hop by hop (each hop a request in the results under its own
//! endpoint, counted as the server saw it, past the cap in its step's `(redirects)` slot;
//! the check on the final response), `follow_redirects: false | N`, a loop ending in
//! `too_many_redirects` (`--max-redirects` too), POST → 303 → GET without the body, 307
//! keeping both, and a hop to another origin.

use crate::support::*;

const ITERATIONS: u64 = 12;

fn scenario(dir: &TempDir, target: &str, steps: &str) -> std::path::PathBuf {
    dir.write(
        "flow.yaml",
        &format!(
            "name: redirects\ntarget: {target}\nload: {{ vus: 2, duration: 30s, iterations: {ITERATIONS} }}\n\
             journeys:\n  - name: j\n    steps:\n{steps}"
        ),
    )
}

#[test]
fn a_chain_is_followed_hop_by_hop_and_the_check_sees_the_final_200() {
    let httpbin = Httpbin::start();
    let dir = TempDir::new();
    let file = scenario(
        &dir,
        &httpbin.url(),
        r#"      - get: /redirect/3
        check: { status: 200, json: { "$.url": { matches: "/get$" } } }
      - get: /absolute-redirect/2
        check: { status: 200 }
"#,
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let s = run.summary();
    // /redirect/3 → /relative-redirect/2 → /relative-redirect/1 → /get, each hop under its
    // own endpoint.
    assert_eq!(requests_of(s, "GET /redirect/3"), ITERATIONS);
    assert_eq!(count_of(s, "GET /redirect/3", "status_codes", "302"), ITERATIONS);
    for hop in ["GET /relative-redirect/2", "GET /relative-redirect/1"] {
        assert_eq!(requests_of(s, hop), ITERATIONS, "{hop}: {}", short(s));
        assert_eq!(count_of(s, hop, "status_codes", "302"), ITERATIONS);
    }
    // An absolute Location on the same origin stays on the VU's connection, named by its
    // path; both chains end at /get.
    assert_eq!(requests_of(s, "GET /absolute-redirect/1"), ITERATIONS);
    assert_eq!(requests_of(s, "GET /get"), 2 * ITERATIONS);
    assert_eq!(count_of(s, "GET /get", "status_codes", "200"), 2 * ITERATIONS);
    assert!(
        !endpoint_names(s).iter().any(|n| n.ends_with("(redirects)")),
        "{}",
        short(s)
    );
    assert_eq!(u64_at(s, "requests.total"), 7 * ITERATIONS);
    assert_eq!(u64_at(s, "requests.failed"), 0);
    for check in ["status is 200", "$.url matches \"/get$\""] {
        assert_eq!(
            check_counts(s, "j", "GET /redirect/3", check),
            (ITERATIONS, 0),
            "{check}"
        );
    }
}

#[test]
fn follow_redirects_false_stops_at_the_3xx_and_n_allows_n_hops() {
    let httpbin = Httpbin::start();
    let dir = TempDir::new();
    let file = scenario(
        &dir,
        &httpbin.url(),
        r#"      - name: off
        get: /redirect/2
        follow_redirects: false
        check: { status: 302, header: { location: { matches: "relative-redirect/1" } } }
      - name: two
        get: /redirect/2
        follow_redirects: 2
        check: { status: 200 }
      - name: short
        get: /redirect/3
        follow_redirects: 2
"#,
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let s = run.summary();
    assert_eq!(check_counts(s, "j", "off", "status is 302").0, ITERATIONS);
    assert_eq!(check_counts(s, "j", "two", "status is 200"), (ITERATIONS, 0));
    // `off` and `two` share the endpoint GET /redirect/2: 2 first requests per iteration,
    // and only `two` has hops: /relative-redirect/1, /get.
    assert_eq!(requests_of(s, "GET /redirect/2"), 2 * ITERATIONS);
    assert_eq!(requests_of(s, "GET /get"), ITERATIONS);
    // `short`'s two hops: /relative-redirect/2 (302), then /relative-redirect/1, which
    // still redirects: that hop is the error. `two`'s first hop shares that endpoint.
    assert_eq!(requests_of(s, "GET /relative-redirect/2"), ITERATIONS);
    let last = "GET /relative-redirect/1";
    assert_eq!(requests_of(s, last), 2 * ITERATIONS);
    assert_eq!(count_of(s, last, "errors", "too_many_redirects"), ITERATIONS);
    assert_eq!(count_of(s, last, "status_codes", "302"), ITERATIONS);
    assert_eq!(u64_at(s, "requests.failed"), ITERATIONS);
}

#[test]
fn a_loop_ends_in_too_many_redirects_after_the_limit() {
    let server = FlowServer::start();
    let dir = TempDir::new();
    let file = scenario(
        &dir,
        &server.url(),
        "      - get: /loop\n        check: { status: 200 }\n",
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let s = run.summary();
    // The request and 10 hops (the default, as k6 and browsers), all seen by the server.
    assert_eq!(server.count("GET", "/loop") as u64, 11 * ITERATIONS);
    assert_eq!(u64_at(s, "requests.total"), 11 * ITERATIONS);
    // Every hop goes to /loop again: one endpoint, as the server counts it.
    assert_eq!(requests_of(s, "GET /loop"), 11 * ITERATIONS);
    assert_eq!(count_of(s, "GET /loop", "errors", "too_many_redirects"), ITERATIONS);
    assert_eq!(check_counts(s, "j", "GET /loop", "status is 200"), (0, ITERATIONS));
    assert!(
        s.to_string().contains("after 10 redirects"),
        "the error's message: {}",
        short(s)
    );

    let server = FlowServer::start();
    let file = scenario(&dir, &server.url(), "      - get: /loop\n");
    let run = run_file(&file, &["--max-redirects", "3"]);
    run.assert_exit(0);
    assert_eq!(server.count("GET", "/loop") as u64, 4 * ITERATIONS);
    assert_eq!(
        count_of(run.summary(), "GET /loop", "errors", "too_many_redirects"),
        ITERATIONS
    );
}

#[test]
fn each_hop_is_counted_under_its_own_endpoint_as_the_server_saw_it() {
    let server = FlowServer::start();
    let dir = TempDir::new();
    let file = scenario(
        &dir,
        &server.url(),
        "      - get: /chain/3
        check: { status: 200 }
",
    );
    let hop = format!("http_reqs{{endpoint:GET /chain/1}}: count=={ITERATIONS}");
    let hop = hop.as_str();
    let out = dir.path().join("results");
    let out_arg = out.display().to_string();
    let run = run_file(&file, &["--threshold", hop, "--out", &out_arg]);
    run.assert_exit(0);
    let s = run.summary();
    for n in 0..=3 {
        let path = format!("/chain/{n}");
        let seen = server.count("GET", &path) as u64;
        assert_eq!(seen, ITERATIONS, "{path}");
        assert_eq!(requests_of(s, &format!("GET {path}")), seen, "{path}: {}", short(s));
    }
    assert_eq!(threshold(s, hop)["passed"], true, "{}", short(s));
    assert_eq!(u64_at(s, "requests.total"), server.hits().len() as u64);

    // The results folder learned the hops' endpoints as they appeared (`new_endpoints` on
    // the interval lines), so `loadcell report` rebuilds the same counts.
    let lines = std::fs::read_to_string(out.join("intervals.ndjson")).expect("intervals.ndjson");
    assert!(lines.contains("new_endpoints"), "{lines}");
    std::fs::remove_file(out.join("summary.json")).expect("remove summary.json");
    let rebuilt = loadcell_testkit::process::run_raw(&["report".as_ref(), out.as_os_str()]);
    rebuilt.assert_exit(0);
    let again: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).expect("rebuilt summary"))
            .expect("json");
    for n in 0..=3 {
        let name = format!("GET /chain/{n}");
        assert_eq!(
            requests_of(&again, &name),
            ITERATIONS,
            "{name} rebuilt: {}",
            short(&again)
        );
    }
    assert_eq!(threshold(&again, hop)["passed"], true);
    // `loadcell compare` splits a folder's rows by the hops' endpoints too.
    let compared = loadcell_testkit::process::run_raw(&["compare".as_ref(), out.as_os_str(), out.as_os_str()]);
    compared.assert_no_panic();
    assert!(compared.stdout.contains("GET /chain/1"), "{}", compared.output());

    // A filter on a hop that never happens cannot be checked before the run; it fails after.
    let never = "http_reqs{endpoint:GET /chain/9}: count>0";
    let run = run_file(&file, &["--threshold", never]);
    run.assert_exit(1);
    let verdict = threshold(run.summary(), never);
    assert_eq!(verdict["passed"], false);
    assert!(verdict.to_string().contains("no request matched"), "{verdict}");
}

#[test]
fn hops_past_the_cap_of_hop_endpoints_land_in_the_steps_redirects_slot() {
    // 70 hops to 70 distinct paths: 64 get endpoints of their own, the other 6 are counted
    // under `GET /chain/70 (redirects)`; nothing is dropped.
    let server = FlowServer::start();
    let dir = TempDir::new();
    let file = dir.write(
        "cap.yaml",
        &format!(
            "name: cap\ntarget: {}\nload: {{ vus: 1, duration: 30s, iterations: 2 }}\n\
             journeys:\n  - name: j\n    steps:\n      - get: /chain/70\n        follow_redirects: 70\n        check: {{ status: 200 }}\n",
            server.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let s = run.summary();
    let names = endpoint_names(s);
    let overflow = "GET /chain/70 (redirects)";
    assert_eq!(requests_of(s, overflow), 2 * 6, "{names:?}");
    // The step's own endpoint, 64 hop endpoints and the overflow slot.
    assert_eq!(names.len(), 1 + 64 + 1, "{names:?}");
    assert_eq!(u64_at(s, "requests.total"), server.hits().len() as u64);
    assert_eq!(server.hits().len(), 2 * 71);
    for n in 70 - 64..=70 {
        let path = format!("/chain/{n}");
        assert_eq!(
            requests_of(s, &format!("GET {path}")),
            server.count("GET", &path) as u64,
            "{path}"
        );
    }
    assert_eq!(check_counts(s, "j", "GET /chain/70", "status is 200"), (2, 0));
}

#[test]
fn post_303_becomes_a_get_without_body_and_307_keeps_both() {
    let server = FlowServer::start();
    let dir = TempDir::new();
    let file = scenario(
        &dir,
        &server.url(),
        r#"      - post: /form
        json: { item: 7 }
        check: { status: 200, json: { "$.method": "GET", "$.path": "/done" } }
      - post: /keep
        body: "payload"
        check: { status: 200, json: { "$.method": "POST", "$.path": "/kept" } }
"#,
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    assert_eq!(failed_checks(run.summary()), 0, "{}", short(run.summary()));
    let hits = server.hits();
    let of =
        |method: &'static str, path: &'static str| hits.iter().filter(move |h| h.method == method && h.path == path);
    assert_eq!(of("POST", "/form").count() as u64, ITERATIONS);
    assert!(of("POST", "/form").all(|h| h.body == br#"{"item":7}"#));
    assert_eq!(of("GET", "/done").count() as u64, ITERATIONS);
    assert!(of("GET", "/done").all(|h| h.body.is_empty()));
    assert_eq!(of("POST", "/kept").count() as u64, ITERATIONS);
    assert!(of("POST", "/kept").all(|h| h.body == b"payload"));
}

#[test]
fn httpbin_redirects_a_post_with_303_to_a_get_only_route() {
    let httpbin = Httpbin::start();
    let dir = TempDir::new();
    // httpbin's /get answers 405 to anything but GET: a 200 says the hop was a GET.
    let file = scenario(
        &dir,
        &httpbin.url(),
        r#"      - post: /redirect-to
        query: { url: /get, status_code: "303" }
        form: { a: "1" }
        check: { status: 200 }
"#,
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let s = run.summary();
    assert_eq!(
        check_counts(s, "j", "POST /redirect-to", "status is 200"),
        (ITERATIONS, 0)
    );
    assert_eq!(count_of(s, "POST /redirect-to", "status_codes", "303"), ITERATIONS);
}

#[test]
fn a_location_on_another_origin_is_followed_there() {
    let httpbin = Httpbin::start();
    let other = FlowServer::start();
    let dir = TempDir::new();
    let file = scenario(
        &dir,
        &httpbin.url(),
        &format!(
            "      - get: /redirect-to\n        query: {{ url: \"{}/elsewhere\" }}\n        \
             check: {{ status: 200, json: {{ \"$.path\": \"/elsewhere\" }} }}\n",
            other.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    assert_eq!(other.count("GET", "/elsewhere") as u64, ITERATIONS);
    assert_eq!(failed_checks(run.summary()), 0);
    // A hop to another origin is named with it.
    let elsewhere = format!("GET {}/elsewhere", other.url());
    assert_eq!(requests_of(run.summary(), &elsewhere), ITERATIONS);
}

#[test]
fn prometheus_exports_a_hop_endpoint_once_it_happened() {
    let server = FlowServer::start();
    let dir = TempDir::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let file = dir.write(
        "live.yaml",
        &format!(
            "name: live\ntarget: {}\nload: {{ vus: 1, duration: 3s, iterations: 20000 }}\n\
             journeys:\n  - name: j\n    steps:\n      - get: /chain/2\n",
            server.url()
        ),
    );
    let json = dir.path().join("summary.json");
    let json_arg = json.display().to_string();
    let running = loadcell_testkit::process::spawn(&[
        "run".as_ref(),
        file.as_os_str(),
        "-q".as_ref(),
        "--prometheus".as_ref(),
        addr.as_ref(),
        "--summary-json".as_ref(),
        json_arg.as_ref(),
    ]);
    let wanted = "endpoint=\"GET /chain/1\"";
    let mut seen = String::new();
    loadcell_testkit::wait_until(std::time::Duration::from_secs(10), || {
        seen = scrape(port).unwrap_or_default();
        seen.contains(wanted)
    });
    let mut finished = running.wait();
    finished.summary = loadcell_testkit::summary::read_summary(&json);
    finished.assert_exit(0);
    assert!(seen.contains(wanted), "no hop endpoint in a scrape:\n{seen}");
    assert!(!seen.contains("(redirects)"), "{seen}");
    let s = finished.summary();
    assert_eq!(requests_of(s, "GET /chain/1"), server.count("GET", "/chain/1") as u64);
}

/// One scrape of `/metrics` on `port`, when it answers 200.
fn scrape(port: u16) -> Option<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(3))).ok()?;
    let request = format!("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut raw = String::new();
    stream.read_to_string(&mut raw).ok()?;
    let (head, body) = raw.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.1 200").then(|| body.to_string())
}
