//! Names and certificates: `--resolve` (and `resolve:`) sends a request for a name that
//! does not resolve to 127.0.0.1 with TLS SNI and `Host` still the name, which Caddy needs
//! to pick its certificate; `--cacert` (and `tls: cacert`) trusts a private CA, which is
//! needed; mutual TLS is accepted with the right client certificate and refused without
//! it, the refusal counted as an error kind; bad input is one line with exit code 2.

use crate::support::*;

const NAME: &str = "api.example.test";

/// Caddy serving `NAME` by SNI with a certificate from a private CA; `mtls` also requires
/// a client certificate from that CA.
fn caddy_tls(mtls: bool) -> (Caddy, Pki) {
    let dir = TempDir::new();
    let pki = Pki::write(&dir, &[NAME]);
    let client_auth = if mtls {
        format!(
            "\n    client_auth {{\n      mode require_and_verify\n      trusted_ca_cert_file {}\n    }}",
            pki.ca.display()
        )
    } else {
        String::new()
    };
    let site = format!(
        "https://{NAME}:{{port}} {{\n  bind 127.0.0.1\n  tls {} {} {{{client_auth}\n  }}\n  respond \"hello {{host}} over {{tls_version}}\" 200\n}}",
        pki.server_cert.display(),
        pki.server_key.display()
    );
    (Caddy::start(&site, dir), pki)
}

fn resolve(caddy: &Caddy) -> String {
    format!("{NAME}:{}:127.0.0.1", caddy.port)
}

#[test]
fn resolve_reaches_a_name_by_sni_and_the_private_ca_must_be_trusted() {
    let (caddy, pki) = caddy_tls(false);
    let url = format!("https://{NAME}:{}/", caddy.port);
    let cacert = pki.ca.display().to_string();
    let run = run_url(
        &url,
        &[
            "-n",
            "20",
            "-c",
            "2",
            "--resolve",
            &resolve(&caddy),
            "--cacert",
            &cacert,
        ],
    );
    run.assert_exit(0);
    assert_eq!(u64_at(run.summary(), "requests.ok"), 20, "{}", run.output());

    // The certificate is issued by a CA the system does not trust: without --cacert every
    // connection fails verification, counted as `tls`.
    let untrusted = run_url(&url, &["-n", "10", "-c", "1", "--resolve", &resolve(&caddy)]);
    untrusted.assert_no_panic();
    let s = untrusted.summary();
    assert_eq!(u64_at(s, "requests.ok"), 0, "{}", untrusted.output());
    assert!(errors_of(s, "tls") > 0, "{}", untrusted.output());
}

#[test]
fn a_scenario_resolves_the_name_and_the_server_sees_it_as_host() {
    let (caddy, pki) = caddy_tls(false);
    let dir = TempDir::new();
    std::fs::copy(&pki.ca, dir.path().join("ca.pem")).expect("copy ca.pem");
    let file = dir.write(
        "named.yaml",
        &format!(
            r#"
target: https://{NAME}:{port}
resolve: ["{resolve}"]
tls: {{ cacert: ca.pem }}
load: {{ vus: 1, duration: 30s, iterations: 10 }}
journeys:
  - name: named
    steps:
      - get: /
        check: {{ status: 200, body_contains: "hello {NAME}" }}
"#,
            port = caddy.port,
            resolve = resolve(&caddy)
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    assert_eq!(check_totals(run.summary()), (20, 0), "{}", run.output());
}

#[test]
fn mutual_tls_is_accepted_with_the_client_certificate_and_refused_without() {
    let (caddy, pki) = caddy_tls(true);
    let url = format!("https://{NAME}:{}/", caddy.port);
    let (ca, cert, key) = (
        pki.ca.display().to_string(),
        pki.client_cert.display().to_string(),
        pki.client_key.display().to_string(),
    );
    let resolve = resolve(&caddy);
    let base = ["-n", "10", "-c", "1", "--resolve", &resolve, "--cacert", &ca];
    let mut with_cert = base.to_vec();
    with_cert.extend(["--cert", &cert, "--key", &key]);
    let accepted = run_url(&url, &with_cert);
    accepted.assert_exit(0);
    assert_eq!(u64_at(accepted.summary(), "requests.ok"), 10, "{}", accepted.output());

    let refused = run_url(&url, &base);
    refused.assert_no_panic();
    let s = refused.summary();
    assert_eq!(u64_at(s, "requests.ok"), 0, "{}", refused.output());
    assert!(
        errors_of(s, "tls") > 0,
        "the refusal is a TLS error\n{}",
        refused.output()
    );
}

#[test]
fn bad_resolve_and_pem_input_is_one_line_and_exit_code_2() {
    let dir = TempDir::new();
    let not_pem = dir.write("not.pem", "this is not PEM\n");
    let not_pem = not_pem.display().to_string();
    let url = "https://api.example.test:9/";
    for (args, needle) in [
        (vec!["--resolve", "api.example.test:9"], "api.example.test:9"),
        (vec!["--resolve", "api.example.test:9:localhost"], "localhost"),
        (vec!["--cacert", not_pem.as_str()], not_pem.as_str()),
        (
            vec!["--cert", not_pem.as_str(), "--key", not_pem.as_str()],
            not_pem.as_str(),
        ),
    ] {
        let mut full = vec!["run", url, "-n", "1"];
        full.extend(args.iter().copied());
        let run = run_raw(&full);
        run.assert_exit(2);
        let lines = run.stderr_lines();
        assert!(
            lines.len() == 1 && lines[0].contains(needle),
            "{args:?}\n{}",
            run.output()
        );
    }

    let file = dir.write(
        "bad.yaml",
        "target: https://api.example.test:9\nresolve: [\"api.example.test:x:127.0.0.1\"]\ntls: { cacert: not.pem }\njourneys:\n  - name: j\n    steps:\n      - get: /\n",
    );
    let run = run_raw(&["validate".as_ref(), file.as_os_str()]);
    run.assert_exit(2);
    let first = run.stderr_lines().first().map(|l| l.to_string()).unwrap_or_default();
    assert!(first.contains("bad.yaml:2:"), "{}", run.output());
    let fixed = dir.write(
        "pem.yaml",
        "target: https://api.example.test:9\ntls: { cacert: not.pem }\njourneys:\n  - name: j\n    steps:\n      - get: /\n",
    );
    let run = run_raw(&["validate".as_ref(), fixed.as_os_str()]);
    run.assert_exit(2);
    let lines = run.stderr_lines();
    assert!(
        lines.len() == 1 && lines[0].contains("pem.yaml:2:") && lines[0].contains("not.pem"),
        "{}",
        run.output()
    );
}
