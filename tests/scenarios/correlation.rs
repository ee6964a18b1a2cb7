//! Correlation end to end: a token extracted from the login response is sent on the next
//! request, and the shop target (which knows every session it issued) confirms that every
//! profile call carried a valid one. The negative control sends tokens the server never
//! issued: the server counts auth failures, loadcell counts failed checks, and a checks
//! threshold turns that into exit code 1.

use crate::support::*;

#[test]
fn login_token_is_extracted_and_sent_on_every_profile_call() {
    let server = shop();
    let dir = TempDir::new();
    dir.users_csv();
    let file = dir.write(
        "login.yaml",
        &format!(
            r#"
name: correlation
target: {url}
load: {{ vus: 4, duration: 30s, iterations: 300 }}
data:
  users: {{ csv: users.csv, pick: sequential }}
journeys:
  - name: login
    steps:
      - name: log in
        post: /api/auth/login
        json: {{ user: "{{{{ users.name }}}}", password: "{{{{ users.password }}}}" }}
        check: {{ status: 200, json: {{ "$.token": exists }} }}
        extract: {{ token: {{ json: "$.token" }} }}
      - name: profile
        get: /api/user/profile
        # The server also accepts the login's session cookie, which the VU's cookie jar
        # would send: replace the jar's cookie so the bearer token alone must be right.
        headers: {{ authorization: "Bearer {{{{ token }}}}", cookie: "none=1" }}
        check: {{ status: 200, json: {{ "$.user": {{ matches: "^user[0-9]+$" }} }} }}
thresholds:
  checks: ["rate>0.99"]
"#,
            url = server.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let s = run.summary();
    let stats = server.stats();

    assert_eq!(stats.correlation_failures.auth, 0, "server saw bad tokens: {stats:?}");
    assert_eq!(route(&stats, "POST /api/auth/login"), 300, "{stats:?}");
    assert_eq!(route(&stats, "GET /api/user/profile"), 300, "{stats:?}");
    assert_eq!(status(&stats, 200), 600, "every request answered 200: {stats:?}");
    assert_eq!(
        u64_at(s, "requests.total"),
        stats.requests_total,
        "loadcell and server disagree"
    );
    assert_eq!(u64_at(s, "requests.total"), 600);
    assert_eq!(u64_at(s, "requests.failed"), 0);

    let j = journey(s, "login");
    assert_eq!(u64_at(j, "iterations"), 300);
    assert_eq!(u64_at(j, "failed"), 0);
    assert_eq!(u64_at(j, "requests"), 600);
    let profile = endpoint(s, "GET /api/user/profile");
    assert_eq!(u64_at(profile, "requests"), 300);
    assert_eq!(u64_at(profile, "status_codes.200"), 300);

    for (step, name) in [
        ("log in", "status is 200"),
        ("log in", "$.token exists"),
        ("log in", "extract token"),
        ("profile", "status is 200"),
        ("profile", "$.user matches \"^user[0-9]+$\""),
    ] {
        assert_eq!(
            check_counts(s, "login", step, name),
            (300, 0),
            "check '{name}' of '{step}'"
        );
        assert_eq!(f64_at(check(s, "login", step, name), "pass_rate"), 1.0);
    }
    assert_eq!(failed_checks(s), 0);
    assert!(
        at(s, "thresholds.0.passed").as_bool().unwrap(),
        "{}",
        short(&s["thresholds"])
    );
}

#[test]
fn cookie_jar_carries_the_session_without_an_authorization_header() {
    let server = shop();
    let dir = TempDir::new();
    dir.users_csv();
    let file = dir.write(
        "cookies.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 2, duration: 30s, iterations: 100 }}
data:
  users: {{ csv: users.csv }}
journeys:
  - name: cookie login
    steps:
      - post: /api/auth/login
        json: {{ user: "{{{{ users.name }}}}", password: "{{{{ users.password }}}}" }}
        check: {{ header: {{ set-cookie: {{ matches: "^session=" }} }} }}
      - get: /api/user/profile
        check: {{ status: 200 }}
"#,
            url = server.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let s = run.summary();
    let stats = server.stats();
    assert_eq!(stats.correlation_failures.auth, 0, "{stats:?}");
    assert_eq!(route(&stats, "GET /api/user/profile"), 100, "{stats:?}");
    assert_eq!(status(&stats, 200), 200, "{stats:?}");
    assert_eq!(u64_at(s, "requests.total"), stats.requests_total);
    assert_eq!(
        check_counts(
            s,
            "cookie login",
            "POST /api/auth/login",
            "header set-cookie matches \"^session=\""
        ),
        (100, 0)
    );
    assert_eq!(
        check_counts(s, "cookie login", "GET /api/user/profile", "status is 200"),
        (100, 0)
    );
}

#[test]
fn wrong_tokens_are_counted_by_server_and_by_checks_and_fail_the_threshold() {
    let server = shop();
    let dir = TempDir::new();
    let file = dir.write(
        "bad-token.yaml",
        &format!(
            r#"
name: bad tokens
target: {url}
load: {{ vus: 2, duration: 30s, iterations: 50 }}
journeys:
  - name: forged
    steps:
      - name: profile
        get: /api/user/profile
        headers: {{ authorization: "Bearer forged-{{{{ random_string(16) }}}}" }}
        check: {{ status: 200 }}
thresholds:
  checks: ["rate>0.99"]
"#,
            url = server.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(1);
    let s = run.summary();
    let stats = server.stats();

    assert_eq!(stats.correlation_failures.auth, 50, "{stats:?}");
    assert_eq!(status(&stats, 401), 50, "{stats:?}");
    assert_eq!(u64_at(s, "requests.total"), stats.requests_total);
    assert_eq!(u64_at(s, "requests.failed"), 50);
    assert_eq!(u64_at(s, "status_codes.401"), 50);
    assert_eq!(check_counts(s, "forged", "profile", "status is 200"), (0, 50));
    assert_eq!(f64_at(check(s, "forged", "profile", "status is 200"), "pass_rate"), 0.0);
    let j = journey(s, "forged");
    assert_eq!(u64_at(j, "iterations"), 50);
    assert_eq!(u64_at(j, "failed"), 50);

    let t = threshold(s, "checks: rate>0.99");
    assert!(!t["passed"].as_bool().unwrap(), "{}", short(t));
    assert_eq!(f64_at(t, "actual"), 0.0, "{}", short(t));
}
