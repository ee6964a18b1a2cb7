//! What goes on the wire: `--http2` speaks HTTP/2 with prior knowledge (h2c) over
//! http:// and negotiates h2 by ALPN over https://; `-m`, `-b` and `-H` send the method,
//! body and headers asked for, over HTTP/1.1 and HTTP/2.

use crate::support::Version;

use crate::support::{HttpServer, counts_at, run, u64_at};

#[test]
fn http2_prior_knowledge_over_plain_tcp() {
    let server = HttpServer::plain();
    let run = run(&server.url(), &["--http2", "-c", "2", "-n", "200"]);
    run.assert_exit(0);
    let s = run.summary();
    assert_eq!(
        counts_at(s, "status_codes"),
        vec![("200".to_string(), 200)],
        "{}",
        run.output()
    );
    assert!(counts_at(s, "errors").is_empty(), "{}", run.output());
    assert_eq!(server.requests(), 200);
    assert_eq!(server.http2_requests(), 200, "every request must be HTTP/2");
    assert_eq!(server.http1_requests(), 0);
}

#[test]
fn http2_negotiated_by_alpn_over_tls() {
    let server = HttpServer::tls();
    let run = run(&server.url(), &["-k", "--http2", "-c", "2", "-n", "100"]);
    run.assert_exit(0);
    let s = run.summary();
    assert_eq!(
        counts_at(s, "status_codes"),
        vec![("200".to_string(), 100)],
        "{}",
        run.output()
    );
    assert_eq!(server.http2_requests(), 100, "every request must be HTTP/2");
    assert_eq!(server.http1_requests(), 0);
    assert!(server.alpn_h2() >= 1, "ALPN never settled on h2");
    assert_eq!(server.alpn_h2(), server.tls_handshakes());
}

fn assert_post_seen(server: &HttpServer, n: u64, version: Version) {
    assert_eq!(server.requests(), n);
    let seen = server.seen();
    assert_eq!(seen.len() as u64, n);
    for req in &seen {
        assert_eq!(req.version, version);
        assert_eq!(req.method, "POST");
        assert_eq!(req.path, "/");
        assert_eq!(req.body, br#"{"a":1}"#, "body {:?}", String::from_utf8_lossy(&req.body));
        assert_eq!(req.header("content-type"), Some("application/json"), "{req:?}");
        assert_eq!(req.header("x-loadcell-test"), Some("yes"), "{req:?}");
        if version == Version::HTTP_11 {
            assert_eq!(req.header("content-length"), Some("7"), "{req:?}");
        }
    }
}

#[test]
fn post_sends_body_and_headers() {
    let server = HttpServer::plain();
    let run = run(
        &server.url(),
        &[
            "-m",
            "POST",
            "-b",
            r#"{"a":1}"#,
            "-H",
            "Content-Type: application/json",
            "-H",
            "X-Loadcell-Test: yes",
            "-c",
            "1",
            "-n",
            "5",
        ],
    );
    run.assert_exit(0);
    assert_eq!(u64_at(run.summary(), "status_codes.200"), 5, "{}", run.output());
    assert_eq!(crate::support::str_at(run.summary(), "endpoints.0.name"), "POST /");
    assert_post_seen(&server, 5, Version::HTTP_11);
}

#[test]
fn post_sends_body_and_headers_over_http2() {
    let server = HttpServer::plain();
    let run = run(
        &server.url(),
        &[
            "--http2",
            "-m",
            "POST",
            "-b",
            r#"{"a":1}"#,
            "-H",
            "Content-Type: application/json",
            "-H",
            "X-Loadcell-Test: yes",
            "-c",
            "1",
            "-n",
            "5",
        ],
    );
    run.assert_exit(0);
    assert_eq!(u64_at(run.summary(), "status_codes.200"), 5, "{}", run.output());
    assert_post_seen(&server, 5, Version::HTTP_2);
}
