//! Compressed responses: gzip, deflate and brotli from httpbin and zstd from Caddy are
//! decoded before checks and extractions read them (a JSON check passes on each), the
//! summary counts wire bytes and decoded bytes apart, no `Accept-Encoding` is sent unless
//! the scenario sets one (as k6), and quick mode never decodes.

use crate::support::*;

const N: u64 = 12;

#[test]
fn gzip_deflate_and_brotli_bodies_are_decoded_before_json_checks() {
    let httpbin = Httpbin::start();
    let dir = TempDir::new();
    let file = dir.write(
        "encodings.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 2, duration: 30s, iterations: {N} }}
journeys:
  - name: encodings
    steps:
      - get: /gzip
        check: {{ status: 200, json: {{ "$.gzipped": {{ equals: true }} }} }}
      - get: /deflate
        check: {{ json: {{ "$.deflated": {{ equals: true }} }} }}
      - get: /brotli
        check: {{ json: {{ "$.brotli": {{ equals: true }} }} }}
        extract: {{ method: {{ json: "$.method" }} }}
"#,
            url = httpbin.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let s = run.summary();
    assert_eq!(u64_at(s, "requests.total"), 3 * N, "{}", run.output());
    assert_eq!(
        check_totals(s),
        (5 * N, 0),
        "every check and extraction passes\n{}",
        run.output()
    );
    assert!(u64_at(s, "data.decoded_body_bytes") > 0, "{}", short(at(s, "data")));
}

/// A body of `len` bytes that compresses well: a JSON object with one long string.
fn json_body(len: usize) -> String {
    let filler = "loadcell ".repeat(len / 9 + 1);
    let head = r#"{"ok":true,"text":""#;
    let text = &filler[..len - head.len() - 2];
    format!("{head}{text}\"}}")
}

/// Caddy answering `body` at `/`, compressed with zstd or gzip when asked.
fn caddy_with(body: &str) -> Caddy {
    let dir = TempDir::new();
    dir.write("body.json", body);
    let root = dir.path().display().to_string();
    Caddy::start(
        &format!(
            "http://127.0.0.1:{{port}} {{\n  bind 127.0.0.1\n  encode zstd gzip\n  root * {root}\n  rewrite * /body.json\n  file_server\n}}"
        ),
        dir,
    )
}

#[test]
fn zstd_is_decoded_and_wire_and_decoded_bytes_are_counted_apart() {
    const LEN: usize = 20_000;
    let body = json_body(LEN);
    let caddy = caddy_with(&body);
    let dir = TempDir::new();
    let scenario = |accept: &str| {
        format!(
            r#"
target: http://127.0.0.1:{port}
load: {{ vus: 1, duration: 30s, iterations: {N} }}
journeys:
  - name: zstd
    steps:
      - get: /
        {accept}
        check: {{ status: 200, json: {{ "$.ok": {{ equals: true }} }}, body_contains: "loadcell loadcell" }}
"#,
            port = caddy.port
        )
    };
    let compressed = run_file(
        &dir.write("zstd.yaml", &scenario("headers: { accept-encoding: zstd }")),
        &[],
    );
    compressed.assert_exit(0);
    let s = compressed.summary();
    assert_eq!(check_totals(s), (3 * N, 0), "{}", compressed.output());
    let (wire, decoded) = (u64_at(s, "data.received_bytes"), u64_at(s, "data.decoded_body_bytes"));
    assert_eq!(decoded, N * LEN as u64, "every decoded body counted whole");
    assert!(
        wire * 10 < decoded,
        "zstd on the wire: {wire} bytes for {decoded} decoded"
    );

    // Without an Accept-Encoding (the default, as k6) the server sends the body as is:
    // decoded and wire bodies are the same bytes, and the wire adds only the heads.
    let plain = run_file(&dir.write("plain.yaml", &scenario("")), &[]);
    plain.assert_exit(0);
    let s = plain.summary();
    let (wire, decoded) = (u64_at(s, "data.received_bytes"), u64_at(s, "data.decoded_body_bytes"));
    assert_eq!(decoded, N * LEN as u64);
    assert!(
        wire > decoded && wire < decoded + N * 1_000,
        "wire {wire}, decoded {decoded}"
    );
}

#[test]
fn quick_mode_counts_the_wire_and_never_decodes() {
    let caddy = caddy_with(&json_body(20_000));
    let url = format!("http://127.0.0.1:{}/", caddy.port);
    let run = run_url(&url, &["-n", "40", "-c", "2", "-H", "Accept-Encoding: zstd"]);
    run.assert_exit(0);
    let s = run.summary();
    assert_eq!(u64_at(s, "requests.ok"), 40, "{}", run.output());
    assert_eq!(
        u64_at(s, "data.decoded_body_bytes"),
        0,
        "quick mode reads only the framing"
    );
    let wire = u64_at(s, "data.received_bytes");
    assert!(
        wire < 40 * 5_000,
        "the compressed bodies were framed, not decoded: {wire} bytes"
    );
}
