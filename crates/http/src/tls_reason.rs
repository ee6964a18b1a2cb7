//! Why a TLS handshake failed, in words a user can act on: the certificate problem (unknown
//! issuer, wrong name, expired, …), the protocol mismatch (TLS version, cipher suites), or a
//! server that does not speak TLS at all — with the `-k/--insecure` hint where skipping
//! verification would get past it. rustls's own `Display` names the failure but not the way
//! out, and an I/O error during the handshake says nothing about TLS.

use crate::error::HttpError;
use loadcell_diagnostics::clip;
use loadcell_schema::ErrorKind;
use rustls::{AlertDescription, CertificateError, PeerIncompatible};
use std::io;

/// Appended to certificate problems, which `--insecure` skips.
const INSECURE_HINT: &str = "pass -k/--insecure to skip certificate verification (for testing only)";

/// The classified error of a handshake with `host` that failed with `e`.
pub(crate) fn handshake_failed(e: &io::Error, host: &str) -> HttpError {
    let detail = match e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
        Some(tls) => explain(tls, host),
        None => match e.kind() {
            io::ErrorKind::UnexpectedEof => {
                "the server closed the connection during the TLS handshake (does this port speak TLS?)".to_string()
            }
            io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted => {
                "the server reset the connection during the TLS handshake".to_string()
            }
            _ => format!("TLS handshake failed: {e}"),
        },
    };
    HttpError::new(ErrorKind::Tls, detail)
}

/// One line saying what went wrong with the handshake and what to do about it.
pub(crate) fn explain(e: &rustls::Error, host: &str) -> String {
    match e {
        rustls::Error::InvalidCertificate(c) => format!("{}; {INSECURE_HINT}", certificate(c, host)),
        rustls::Error::AlertReceived(alert) => alert_received(*alert, host),
        rustls::Error::PeerIncompatible(p) => incompatible(p),
        rustls::Error::InvalidMessage(m) => {
            format!("the server's answer is not TLS ({m:?}): is this port plain HTTP? then use http://")
        }
        rustls::Error::NoCertificatesPresented => "the server presented no certificate".to_string(),
        rustls::Error::NoApplicationProtocol => {
            "the server accepts none of the offered application protocols (ALPN: h2 with --http2, http/1.1 without)"
                .to_string()
        }
        other => format!("TLS handshake failed: {other}"),
    }
}

fn certificate(c: &CertificateError, host: &str) -> String {
    match c {
        CertificateError::UnknownIssuer => {
            "certificate not trusted: unknown issuer (self-signed, or signed by a CA that is not in the Mozilla root store)"
                .to_string()
        }
        CertificateError::NotValidForName => format!("certificate is not valid for the name '{host}'"),
        CertificateError::NotValidForNameContext { presented, .. } if presented.is_empty() => {
            format!("certificate is not valid for the name '{host}' (it names no host)")
        }
        CertificateError::NotValidForNameContext { presented, .. } => {
            let names: Vec<&str> = presented.iter().map(|n| plain_name(n)).collect();
            format!(
                "certificate is not valid for the name '{host}': it is for {}",
                clip(&names.join(", "), 200)
            )
        }
        CertificateError::Expired => "certificate expired".to_string(),
        CertificateError::ExpiredContext { time, not_after } => format!(
            "certificate expired {} ago",
            ago(time.as_secs().saturating_sub(not_after.as_secs()))
        ),
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            "certificate not valid yet (check this machine's clock)".to_string()
        }
        CertificateError::Revoked => "certificate revoked".to_string(),
        CertificateError::BadSignature => "certificate has a bad signature".to_string(),
        CertificateError::BadEncoding => "certificate is not correctly encoded".to_string(),
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            "certificate is not meant for a TLS server".to_string()
        }
        other => format!("invalid certificate: {other}"),
    }
}

fn alert_received(alert: AlertDescription, host: &str) -> String {
    match alert {
        AlertDescription::ProtocolVersion => {
            "the server refused the TLS version: loadcell speaks TLS 1.2 and 1.3 (alert protocol_version)".to_string()
        }
        AlertDescription::HandshakeFailure | AlertDescription::InsufficientSecurity => format!(
            "the server refused the handshake: no TLS version, cipher suite or key exchange in common (alert {})",
            alert_name(alert)
        ),
        AlertDescription::UnrecognisedName => {
            format!("the server does not serve the name '{host}' (alert unrecognised_name)")
        }
        AlertDescription::NoApplicationProtocol => {
            "the server accepts none of the offered application protocols (alert no_application_protocol)".to_string()
        }
        AlertDescription::CertificateRequired | AlertDescription::BadCertificate => format!(
            "the server wants a client certificate, which loadcell does not send (alert {})",
            alert_name(alert)
        ),
        other => format!("the server ended the TLS handshake (alert {})", alert_name(other)),
    }
}

fn incompatible(p: &PeerIncompatible) -> String {
    match p {
        PeerIncompatible::ServerDoesNotSupportTls12Or13 | PeerIncompatible::ServerTlsVersionIsDisabledByOurConfig => {
            "the server speaks neither TLS 1.2 nor TLS 1.3 (an old TLS version loadcell refuses)".to_string()
        }
        PeerIncompatible::NoCipherSuitesInCommon => "no cipher suite in common with the server".to_string(),
        PeerIncompatible::NoKxGroupsInCommon => "no key exchange group in common with the server".to_string(),
        PeerIncompatible::NoSignatureSchemesInCommon => "no signature scheme in common with the server".to_string(),
        other => format!("the server's TLS is incompatible with loadcell's ({other:?})"),
    }
}

/// `AlertDescription`'s Debug name (`ProtocolVersion`) in the RFC's spelling (`protocol_version`).
fn alert_name(alert: AlertDescription) -> String {
    let mut out = String::new();
    for (i, c) in format!("{alert:?}").chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A name as rustls presents it (`DnsName("www.test")`, `IpAddress(10.0.0.1)`) as written
/// in a URL.
fn plain_name(presented: &str) -> &str {
    let inner = |prefix: &str, suffix: &str| presented.strip_prefix(prefix)?.strip_suffix(suffix);
    inner("DnsName(\"", "\")")
        .or_else(|| inner("IpAddress(", ")"))
        .unwrap_or(presented)
}

/// `3 days`, `5 hours`, `12 minutes`, `40 seconds`.
fn ago(seconds: u64) -> String {
    let (n, unit) = match seconds {
        s if s >= 2 * 86_400 => (s / 86_400, "days"),
        s if s >= 2 * 3_600 => (s / 3_600, "hours"),
        s if s >= 2 * 60 => (s / 60, "minutes"),
        s => (s, "seconds"),
    };
    format!("{n} {unit}")
}

#[cfg(test)]
mod tests;
