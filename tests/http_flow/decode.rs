//! A response whose body does not decode from its `Content-Encoding` is a failed request of
//! its own kind, `body_decode`: counted per endpoint as the server saw the requests, in the
//! summary's errors, in the terminal's errors, and usable in a threshold's `error` filter.

use crate::support::*;

const ITERATIONS: u64 = 9;

fn scenario(dir: &TempDir, target: &str) -> std::path::PathBuf {
    dir.write(
        "decode.yaml",
        &format!(
            "name: decode\ntarget: {target}\nload: {{ vus: 2, duration: 30s, iterations: {ITERATIONS} }}\n\
             journeys:\n  - name: j\n    steps:\n\
             \x20     - get: /broken-gzip\n        check: {{ body_contains: never }}\n\
             \x20     - get: /plain\n        check: {{ status: 200 }}\n"
        ),
    )
}

#[test]
fn a_broken_gzip_body_fails_the_request_as_body_decode() {
    let server = FlowServer::start();
    let dir = TempDir::new();
    let file = scenario(&dir, &server.url());
    let holds = format!("http_reqs{{error:body_decode}}: count=={ITERATIONS}");
    let run = run_file(&file, &["--threshold", &holds]);
    run.assert_exit(0);
    let s = run.summary();
    let seen = server.count("GET", "/broken-gzip") as u64;
    assert_eq!(seen, ITERATIONS);
    assert_eq!(requests_of(s, "GET /broken-gzip"), seen);
    assert_eq!(
        count_of(s, "GET /broken-gzip", "errors", "body_decode"),
        seen,
        "{}",
        short(s)
    );
    // A complete response refused afterwards: its latency and wire bytes are kept.
    assert_eq!(u64_at(endpoint(s, "GET /broken-gzip"), "latency_ms.count"), seen);
    assert_eq!(u64_at(s, "requests.failed"), seen);
    assert_eq!(count_of(s, "GET /plain", "errors", "body_decode"), 0);
    assert_eq!(requests_of(s, "GET /plain"), server.count("GET", "/plain") as u64);
    // The check saw no body to read, and the message names the coding.
    assert_eq!(failed_checks(s), ITERATIONS);
    assert!(s.to_string().contains("the gzip body does not decode"), "{}", short(s));

    // The same kind fails a threshold that allows none.
    let fails = "http_reqs{error:body_decode}: count<1";
    let run = run_file(&file, &["--threshold", fails]);
    run.assert_exit(1);
    assert_eq!(threshold(run.summary(), fails)["passed"], false);
}
