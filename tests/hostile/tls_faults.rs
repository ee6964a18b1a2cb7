//! TLS faults: each fails as `tls`, with a message that says why and what to do.

use std::time::Duration;

use crate::harness::{Run, run};
use crate::server::{Fault, FaultServer};
use crate::tls::{BadCert, TlsServer};

fn tls_failures(url: &str) -> Run {
    let run = run(url, &["-c", "2", "-n", "6", "--threshold", "error_rate<1%"]);
    run.assert_sane(1, Duration::from_secs(3));
    assert_eq!(run.assert_all_failed_as("tls"), 6);
    run
}

fn assert_message(run: &Run, needles: &[&str]) {
    let messages = run.messages("tls");
    assert_eq!(messages.len(), 1, "one distinct reason\n{}", run.output());
    for needle in needles {
        assert!(messages[0].contains(needle), "{needle:?} missing\n{}", run.output());
    }
}

#[test]
fn plain_http_on_an_https_url_says_it_is_not_tls() {
    let server = FaultServer::start(Fault::HttpOnTlsPort);
    let run = tls_failures(&server.https_url());
    assert_message(&run, &["not TLS", "use http://"]);
    assert_eq!(server.connections(), 6);
}

#[test]
fn a_protocol_version_alert_says_which_versions_loadcell_speaks() {
    let server = FaultServer::start(Fault::TlsProtocolVersionAlert);
    let run = tls_failures(&server.https_url());
    assert_message(&run, &["refused the TLS version", "TLS 1.2 and 1.3"]);
}

#[test]
fn a_self_signed_certificate_names_the_unknown_issuer_and_k() {
    let server = TlsServer::start(BadCert::SelfSigned);
    let run = tls_failures(&server.url());
    assert_message(&run, &["unknown issuer", "-k/--insecure"]);
    assert!(server.handshakes() >= 1);
}

#[test]
fn an_expired_certificate_says_it_expired() {
    let server = TlsServer::start(BadCert::Expired);
    let run = tls_failures(&server.url());
    assert_message(&run, &["certificate expired", "-k/--insecure"]);
}
