//! A TLS server on 127.0.0.1 with a bad certificate: self-signed (an issuer nobody trusts) or
//! self-signed and expired. Blocking rustls on a thread per connection; it only ever gets as
//! far as the handshake, which loadcell must refuse. (A certificate for the wrong name cannot
//! be shown from here: loadcell trusts only the Mozilla roots, and an untrusted issuer is
//! reported first. `loadcell-http`'s tests cover it with a private CA.)

use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// What is wrong with the server's certificate.
#[derive(Debug, Clone, Copy)]
pub enum BadCert {
    SelfSigned,
    /// Self-signed and valid from 2000 to 2001.
    Expired,
}

pub struct TlsServer {
    addr: SocketAddr,
    handshakes: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl TlsServer {
    pub fn start(cert: BadCert) -> TlsServer {
        let config = Arc::new(server_config(cert));
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener.set_nonblocking(true).expect("non-blocking listener");
        let addr = listener.local_addr().expect("local addr");
        let handshakes = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (handshakes, stop) = (handshakes.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let Ok((mut tcp, _)) = listener.accept() else {
                        std::thread::sleep(Duration::from_millis(5));
                        continue;
                    };
                    handshakes.fetch_add(1, Ordering::SeqCst);
                    let config = config.clone();
                    std::thread::spawn(move || {
                        let _ = tcp.set_nonblocking(false);
                        let _ = tcp.set_read_timeout(Some(Duration::from_secs(5)));
                        if let Ok(mut conn) = rustls::ServerConnection::new(config) {
                            while conn.is_handshaking() && conn.complete_io(&mut tcp).is_ok() {}
                        }
                    });
                }
            })
        };
        TlsServer {
            addr,
            handshakes,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("https://{}/", self.addr)
    }

    /// Connections that started a handshake.
    pub fn handshakes(&self) -> u64 {
        self.handshakes.load(Ordering::SeqCst)
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn server_config(cert: BadCert) -> rustls::ServerConfig {
    let mut params =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).expect("cert params");
    if let BadCert::Expired = cert {
        params.not_before = rcgen::date_time_ymd(2000, 1, 1);
        params.not_after = rcgen::date_time_ymd(2001, 1, 1);
    }
    let key = rcgen::KeyPair::generate().expect("key pair");
    let certificate = params.self_signed(&key).expect("self-signed certificate");
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![certificate.der().clone()], key)
        .expect("server certificate")
}
