//! TLS client settings: rustls with the Mozilla root store (or the user's CA bundle,
//! `--cacert`), verification on unless the user passes `--insecure`, a client certificate
//! for mutual TLS (`--cert`/`--key`), and ALPN offering h2 when HTTP/2 is asked for.
//!
//! PEM files are read here, once, before any request: a file that cannot be read or holds
//! nothing usable is a [`RequestError::TlsFile`] naming it.

use crate::error::RequestError;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, ring};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What the user asked of TLS.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// Accept any certificate (`--insecure`).
    pub insecure: bool,
    /// Offer h2 in ALPN.
    pub http2: bool,
    /// PEM bundle of CA certificates that replaces the Mozilla roots (`--cacert`, as curl).
    pub cacert: Option<PathBuf>,
    /// PEM client certificate chain and its private key (`--cert`, `--key`): mutual TLS.
    pub client_cert: Option<(PathBuf, PathBuf)>,
}

/// Builds the rustls configuration shared by every connection of a run.
pub fn tls_config(options: &TlsOptions) -> Result<Arc<rustls::ClientConfig>, RequestError> {
    let provider = Arc::new(ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| RequestError::Tls(e.to_string()))?;
    let builder = if options.insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
    } else {
        builder.with_root_certificates(roots(options.cacert.as_deref())?)
    };
    let mut config = match &options.client_cert {
        Some((cert, key)) => {
            let chain = certificates(cert, "client certificate")?;
            let key = PrivateKeyDer::from_pem_file(key).map_err(|e| pem_error("client key", key, &e))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| RequestError::TlsFile {
                    what: "client certificate",
                    path: cert.display().to_string(),
                    reason: format!("does not go with its key: {e}"),
                })?
        }
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = if options.http2 {
        vec![b"h2".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    Ok(Arc::new(config))
}

/// The Mozilla roots, or only the certificates of `cacert`.
fn roots(cacert: Option<&Path>) -> Result<rustls::RootCertStore, RequestError> {
    let Some(path) = cacert else {
        return Ok(rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        });
    };
    let mut store = rustls::RootCertStore::empty();
    for cert in certificates(path, "CA bundle")? {
        store.add(cert).map_err(|e| RequestError::TlsFile {
            what: "CA bundle",
            path: path.display().to_string(),
            reason: format!("holds a certificate that is not a usable CA: {e}"),
        })?;
    }
    Ok(store)
}

/// Every certificate of a PEM file; none is an error.
fn certificates(path: &Path, what: &'static str) -> Result<Vec<CertificateDer<'static>>, RequestError> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
        .map_err(|e| pem_error(what, path, &e))?;
    if certs.is_empty() {
        return Err(RequestError::TlsFile {
            what,
            path: path.display().to_string(),
            reason: "holds no PEM certificate (-----BEGIN CERTIFICATE-----)".into(),
        });
    }
    Ok(certs)
}

fn pem_error(what: &'static str, path: &Path, e: &rustls::pki_types::pem::Error) -> RequestError {
    use rustls::pki_types::pem::Error;
    let reason = match e {
        Error::Io(io) => format!("cannot read it: {io}"),
        Error::NoItemsFound => "holds no PEM item of the expected kind".to_string(),
        other => format!("is not valid PEM: {other:?}"),
    };
    RequestError::TlsFile {
        what,
        path: path.display().to_string(),
        reason,
    }
}

/// `--insecure`: accepts any certificate but still checks handshake signatures, so the
/// connection is encrypted with whoever answered.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_and_empty_pem_files_are_named() {
        let dir = std::env::temp_dir().join(format!("loadcell-tls-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not pem\n").unwrap_or_else(|e| panic!("{e}"));
        let missing = dir.join("missing.pem");
        for (options, named) in [
            (
                TlsOptions {
                    cacert: Some(empty.clone()),
                    ..TlsOptions::default()
                },
                &empty,
            ),
            (
                TlsOptions {
                    cacert: Some(missing.clone()),
                    ..TlsOptions::default()
                },
                &missing,
            ),
            (
                TlsOptions {
                    client_cert: Some((missing.clone(), empty.clone())),
                    ..TlsOptions::default()
                },
                &missing,
            ),
        ] {
            let e = tls_config(&options).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(e.contains(&named.display().to_string()), "{e}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
