//! The cookie jar as RFC 6265 says, seen from the server: a cookie scoped by path is sent
//! only under that path, an expired one is removed, a `Secure` one is not sent over plain
//! http (even to loopback, as k6 does), an `HttpOnly` one is, and cookies set by a redirect
//! hop go along on the next hop. httpbin echoes the jar back, as a third-party check.

use crate::support::*;

const ITERATIONS: u64 = 6;

fn run_steps(target: &str, steps: &str) -> loadcell_testkit::Finished {
    let dir = TempDir::new();
    let file = dir.write(
        "cookies.yaml",
        &format!(
            "name: cookies\ntarget: {target}\nload: {{ vus: 2, duration: 30s, iterations: {ITERATIONS} }}\n\
             journeys:\n  - name: j\n    steps:\n{steps}"
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    run
}

/// The `Cookie` headers the server saw on `path`, one per request.
fn cookies_on(server: &FlowServer, path: &str) -> Vec<String> {
    server
        .hits()
        .into_iter()
        .filter(|h| h.path == path)
        .map(|h| h.cookie.unwrap_or_default())
        .collect()
}

#[test]
fn a_cookie_scoped_by_path_is_sent_only_under_it() {
    let server = FlowServer::start();
    run_steps(
        &server.url(),
        "      - get: /set-scoped\n      - get: /app/page\n      - get: /other\n",
    );
    let app = cookies_on(&server, "/app/page");
    assert_eq!(app.len() as u64, ITERATIONS);
    for c in &app {
        assert!(c.contains("scoped=1") && c.contains("everywhere=1"), "{app:?}");
    }
    let other = cookies_on(&server, "/other");
    assert_eq!(other.len() as u64, ITERATIONS);
    assert!(other.iter().all(|c| c == "everywhere=1"), "{other:?}");
}

#[test]
fn an_expired_cookie_is_removed() {
    let server = FlowServer::start();
    run_steps(
        &server.url(),
        "      - get: /set-short\n      - get: /before\n      - get: /expire-short\n      - get: /after\n",
    );
    let before = cookies_on(&server, "/before");
    assert_eq!(before.len() as u64, ITERATIONS);
    assert!(before.iter().all(|c| c == "short=1"), "{before:?}");
    let after = cookies_on(&server, "/after");
    assert_eq!(after.len() as u64, ITERATIONS);
    assert!(after.iter().all(String::is_empty), "{after:?}");
}

#[test]
fn a_secure_cookie_is_not_sent_over_http_and_an_http_only_one_is() {
    let server = FlowServer::start();
    run_steps(&server.url(), "      - get: /set-secure\n      - get: /page\n");
    let page = cookies_on(&server, "/page");
    assert_eq!(page.len() as u64, ITERATIONS);
    assert!(page.iter().all(|c| c == "plain=1"), "{page:?}");
}

#[test]
fn a_cookie_set_by_a_redirect_hop_goes_along_on_the_next_hop() {
    let server = FlowServer::start();
    run_steps(&server.url(), "      - get: /login\n        check: { status: 200 }\n");
    let home = cookies_on(&server, "/app/home");
    assert_eq!(home.len() as u64, ITERATIONS);
    assert!(home.iter().all(|c| c == "session=s1"), "{home:?}");
}

#[test]
fn httpbin_sees_the_jar_it_filled_and_emptied() {
    let httpbin = Httpbin::start();
    // /cookies/set answers with a redirect to /cookies, which echoes the cookies it got;
    // /cookies/delete expires them the same way.
    let run = run_steps(
        &httpbin.url(),
        r#"      - get: /cookies/set
        query: { flavour: oat }
        check: { status: 200, json: { "$.cookies.flavour": "oat" } }
      - get: /cookies/delete
        query: { flavour: "" }
        check: { status: 200, json: { "$.cookies.flavour": { exists: false } } }
"#,
    );
    assert_eq!(failed_checks(run.summary()), 0, "{}", short(run.summary()));
}
