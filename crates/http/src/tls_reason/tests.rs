//! The messages for each kind of handshake failure, from rustls errors built by hand, and
//! real handshakes against a TLS server on 127.0.0.1 whose certificate comes from a private
//! CA the client trusts: a certificate for another name and an expired one must fail with
//! those reasons (not "unknown issuer"), so the words reach users from real rustls errors.

use super::*;
use crate::{ClientConfig, Origin, connect};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use std::sync::Arc;
use std::time::Duration;

fn cert_error(c: CertificateError) -> String {
    explain(&rustls::Error::InvalidCertificate(c), "api.test")
}

#[test]
fn certificate_problems_name_the_reason_and_the_way_past_it() {
    let unknown = cert_error(CertificateError::UnknownIssuer);
    assert!(
        unknown.starts_with("certificate not trusted: unknown issuer"),
        "{unknown}"
    );
    assert!(unknown.ends_with("pass -k/--insecure to skip certificate verification (for testing only)"));
    let expired = cert_error(CertificateError::ExpiredContext {
        time: UnixTime::since_unix_epoch(Duration::from_secs(1_000_000)),
        not_after: UnixTime::since_unix_epoch(Duration::from_secs(1_000_000 - 3 * 86_400 - 5)),
    });
    assert!(
        expired.starts_with("certificate expired 3 days ago; pass -k"),
        "{expired}"
    );
    let other_name = cert_error(CertificateError::NotValidForNameContext {
        expected: rustls::pki_types::ServerName::try_from("api.test").unwrap_or_else(|e| panic!("{e}")),
        presented: vec!["DnsName(\"www.test\")".into(), "IpAddress(10.0.0.1)".into()],
    });
    assert!(
        other_name
            .starts_with("certificate is not valid for the name 'api.test': it is for www.test, 10.0.0.1; pass -k"),
        "{other_name}"
    );
    assert!(cert_error(CertificateError::NotValidYet).contains("clock"));
}

#[test]
fn protocol_problems_say_what_is_not_shared() {
    let version = explain(&rustls::Error::AlertReceived(AlertDescription::ProtocolVersion), "h");
    assert_eq!(
        version,
        "the server refused the TLS version: loadcell speaks TLS 1.2 and 1.3 (alert protocol_version)"
    );
    let old = explain(
        &rustls::Error::PeerIncompatible(PeerIncompatible::ServerDoesNotSupportTls12Or13),
        "h",
    );
    assert!(old.contains("neither TLS 1.2 nor TLS 1.3"), "{old}");
    let handshake = explain(&rustls::Error::AlertReceived(AlertDescription::HandshakeFailure), "h");
    assert!(handshake.ends_with("(alert handshake_failure)"), "{handshake}");
    let plain = explain(
        &rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType),
        "h",
    );
    assert!(plain.contains("not TLS") && plain.contains("http://"), "{plain}");
    assert!(!version.contains("--insecure") && !plain.contains("--insecure"));
}

#[test]
fn io_failures_during_the_handshake_say_so() {
    let eof = handshake_failed(&io::Error::from(io::ErrorKind::UnexpectedEof), "h");
    assert_eq!(eof.kind, ErrorKind::Tls);
    assert!(eof.detail.contains("closed the connection during the TLS handshake"));
    let wrapped = io::Error::new(
        io::ErrorKind::InvalidData,
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer),
    );
    assert!(handshake_failed(&wrapped, "h").detail.contains("unknown issuer"));
}

/// A private CA, and a server certificate it signed for `names`, valid until `not_after`.
struct Pki {
    ca: CertificateDer<'static>,
    cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
}

fn pki(names: &[&str], not_after_year: i32) -> Pki {
    let fail = |e: rcgen::Error| -> ! { panic!("rcgen: {e}") };
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap_or_else(|e| fail(e));
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca_key = rcgen::KeyPair::generate().unwrap_or_else(|e| fail(e));
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap_or_else(|e| fail(e));
    let mut params = rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
        .unwrap_or_else(|e| fail(e));
    params.not_before = rcgen::date_time_ymd(2000, 1, 1);
    params.not_after = rcgen::date_time_ymd(not_after_year, 1, 1);
    let key = rcgen::KeyPair::generate().unwrap_or_else(|e| fail(e));
    let cert = params.signed_by(&key, &ca).unwrap_or_else(|e| fail(e));
    Pki {
        ca: ca.der().clone(),
        cert: cert.der().clone(),
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    }
}

/// Connects to a one-shot TLS server presenting `pki`'s certificate, trusting its CA.
async fn handshake(pki: Pki) -> String {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(vec![pki.cert], pki.key))
        .unwrap_or_else(|e| panic!("server config: {e}"));
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let port = listener.local_addr().map_or(0, |a| a.port());
    tokio::spawn(async move {
        if let Ok((tcp, _)) = listener.accept().await {
            let _ = acceptor.accept(tcp).await;
        }
    });
    let mut roots = rustls::RootCertStore::empty();
    roots.add(pki.ca).unwrap_or_else(|e| panic!("root: {e}"));
    let client = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap_or_else(|e| panic!("client config: {e}"))
        .with_root_certificates(roots)
        .with_no_client_auth();
    let config = ClientConfig {
        connect_timeout: Duration::from_secs(10),
        http2: false,
        tls: Some(Arc::new(client)),
        resolve: Vec::new(),
        stamp_arrivals: false,
    };
    let origin = Origin::parse(&format!("https://127.0.0.1:{port}/")).unwrap_or_else(|e| panic!("{e}"));
    match connect(&origin, &config).await {
        Ok(_) => panic!("the handshake should have failed"),
        Err(e) => {
            assert_eq!(e.kind, ErrorKind::Tls, "{e}");
            e.detail
        }
    }
}

#[tokio::test]
async fn a_certificate_for_another_name_says_which_name_it_is_for() {
    let detail = handshake(pki(&["other.test"], 4000)).await;
    assert_eq!(
        detail,
        "certificate is not valid for the name '127.0.0.1': it is for other.test; \
         pass -k/--insecure to skip certificate verification (for testing only)"
    );
}

#[tokio::test]
async fn an_expired_certificate_says_when_it_expired() {
    let detail = handshake(pki(&["127.0.0.1"], 2001)).await;
    assert!(
        detail.starts_with("certificate expired ") && detail.contains(" days ago; pass -k"),
        "{detail}"
    );
}
