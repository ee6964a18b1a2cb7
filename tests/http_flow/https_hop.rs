//! A redirect from a plain-HTTP target to an `https://` origin: the hop goes over TLS to
//! Caddy, verified against the private CA given with `--cacert` (or the file's
//! `tls: { cacert }`), and refused as `tls` without it.

use crate::support::*;

const ITERATIONS: u64 = 8;
const NAME: &str = "secure.example.test";

/// Caddy serving `NAME` over TLS with a certificate from a throw-away CA.
fn caddy() -> (Caddy, Pki) {
    let dir = TempDir::new();
    let pki = Pki::write(&dir, &[NAME]);
    let site = format!(
        "https://{NAME}:{{port}} {{\n  bind 127.0.0.1\n  tls {} {}\n  respond \"secure {{path}} over {{tls_version}}\" 200\n}}",
        pki.server_cert.display(),
        pki.server_key.display()
    );
    (Caddy::start(&site, dir), pki)
}

fn scenario(dir: &TempDir, target: &str, port: u16, tls: &str) -> std::path::PathBuf {
    dir.write(
        "https.yaml",
        &format!(
            "name: to-https\ntarget: {target}\nload: {{ vus: 2, duration: 30s, iterations: {ITERATIONS} }}\n{tls}\
             journeys:\n  - name: j\n    steps:\n\
             \x20     - get: /to-https/{NAME}/{port}/landing\n        check: {{ status: 200, body_contains: \"secure /landing over tls1.3\" }}\n"
        ),
    )
}

#[test]
fn an_http_target_follows_a_redirect_to_an_https_origin() {
    let (caddy, pki) = caddy();
    let server = FlowServer::start();
    let dir = TempDir::new();
    let resolve = format!("{NAME}:{}:127.0.0.1", caddy.port);
    let cacert = pki.ca.display().to_string();
    let first = format!("/to-https/{NAME}/{}/landing", caddy.port);
    let file = scenario(&dir, &server.url(), caddy.port, "");

    let run = run_file(&file, &["--cacert", &cacert, "--resolve", &resolve]);
    run.assert_exit(0);
    let s = run.summary();
    assert_eq!(server.count("GET", &first) as u64, ITERATIONS);
    assert_eq!(u64_at(s, "requests.total"), 2 * ITERATIONS, "{}", short(s));
    assert_eq!(u64_at(s, "requests.failed"), 0, "{}", short(s));
    assert_eq!(failed_checks(s), 0, "{}", short(s));
    assert_eq!(passed_checks(s), 2 * ITERATIONS);

    // The same CA from the file's `tls:` works as the flag does.
    let in_file = format!("tls: {{ cacert: {cacert} }}\nresolve: [\"{resolve}\"]\n");
    let file = scenario(&dir, &server.url(), caddy.port, &in_file);
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    assert_eq!(u64_at(run.summary(), "requests.failed"), 0, "{}", short(run.summary()));

    // Without the private CA, the hop's certificate is not trusted: each hop fails as `tls`.
    let file = scenario(&dir, &server.url(), caddy.port, "");
    let run = run_file(&file, &["--resolve", &resolve]);
    run.assert_exit(0);
    let s = run.summary();
    assert_eq!(u64_at(s, "errors.tls"), ITERATIONS, "{}", short(s));
    assert_eq!(u64_at(s, "requests.failed"), ITERATIONS);
}
