//! A small hyper server that records what it receives (and from which address): plain TCP (HTTP/1.1 and h2c
//! prior knowledge, via hyper_util's auto builder) or TLS with a self-signed rcgen
//! certificate for `localhost`/127.0.0.1 offering ALPN `h2` and `http/1.1`. It answers
//! every request `200` (`ok`, or a JSON product list for scenarios that extract from it)
//! and counts requests per HTTP version, so a test can prove which protocol loadcell spoke
//! and what it sent.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response, Version};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::sync::oneshot;

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// How many requests [`HttpServer`] keeps in full (the counters count them all).
const KEEP: usize = 64;
/// How many requests [`Recorder`] keeps in full.
const KEEP_ALL: usize = 1_000_000;

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path and query, as sent.
    pub path: String,
    pub version: Version,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The client's address, as the server's socket saw it.
    pub peer: SocketAddr,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON; panics when it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The value of query parameter `name` (not URL-decoded).
    pub fn query(&self, name: &str) -> Option<&str> {
        let (_, query) = self.path.split_once('?')?;
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }
}

/// What every request is answered with.
#[derive(Clone)]
struct Answer {
    body: Bytes,
    content_type: Option<&'static str>,
    /// Requests kept in full.
    keep: usize,
}

#[derive(Default)]
struct Record {
    requests: AtomicU64,
    http1: AtomicU64,
    http2: AtomicU64,
    tls_handshakes: AtomicU64,
    alpn_h2: AtomicU64,
    seen: Mutex<Vec<Seen>>,
}

/// A recording server on 127.0.0.1; stops on drop.
pub struct HttpServer {
    pub addr: SocketAddr,
    tls: bool,
    record: Arc<Record>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl HttpServer {
    /// Plain TCP: HTTP/1.1, or HTTP/2 with prior knowledge (h2c); answers `ok`.
    pub fn plain() -> HttpServer {
        HttpServer::spawn(LOCALHOST, None, ok())
    }

    /// HTTPS with a self-signed certificate; ALPN offers h2 and http/1.1; answers `ok`.
    pub fn tls() -> HttpServer {
        HttpServer::spawn(LOCALHOST, Some(tls_acceptor()), ok())
    }

    /// Binds `ip` on a free port before its runtime's thread starts: the socket is made
    /// in the caller's network namespace (see `Netns::in_hub`).
    fn spawn(ip: IpAddr, tls: Option<tokio_rustls::TlsAcceptor>, answer: Answer) -> HttpServer {
        let listener = std::net::TcpListener::bind((ip, 0)).unwrap_or_else(|e| panic!("bind {ip}:0: {e}"));
        listener.set_nonblocking(true).expect("nonblocking listener");
        let addr = listener.local_addr().expect("local addr");
        let record = Arc::new(Record::default());
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let is_tls = tls.is_some();
        let thread = {
            let record = record.clone();
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .enable_all()
                    .build()
                    .expect("server runtime");
                runtime.block_on(accept_loop(listener, tls, answer, record, stop_rx));
            })
        };
        HttpServer {
            addr,
            tls: is_tls,
            record,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT/` or `https://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}/", self.addr)
    }

    pub fn requests(&self) -> u64 {
        self.record.requests.load(Ordering::SeqCst)
    }

    pub fn http1_requests(&self) -> u64 {
        self.record.http1.load(Ordering::SeqCst)
    }

    pub fn http2_requests(&self) -> u64 {
        self.record.http2.load(Ordering::SeqCst)
    }

    /// TLS handshakes that completed.
    pub fn tls_handshakes(&self) -> u64 {
        self.record.tls_handshakes.load(Ordering::SeqCst)
    }

    /// TLS connections on which ALPN settled on `h2`.
    pub fn alpn_h2(&self) -> u64 {
        self.record.alpn_h2.load(Ordering::SeqCst)
    }

    /// The first requests in full.
    pub fn seen(&self) -> Vec<Seen> {
        self.record.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn accept_loop(
    listener: std::net::TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    answer: Answer,
    record: Arc<Record>,
    mut stop: oneshot::Receiver<()>,
) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
    loop {
        let accepted = tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((tcp, peer)) = accepted else { continue };
        let _ = tcp.set_nodelay(true);
        let record = record.clone();
        let tls = tls.clone();
        let answer = answer.clone();
        tokio::spawn(async move {
            match tls {
                None => serve_connection(tcp, peer, answer, record).await,
                Some(acceptor) => {
                    // A client that rejects our certificate ends here; that is the point
                    // of some tests.
                    let Ok(stream) = acceptor.accept(tcp).await else { return };
                    record.tls_handshakes.fetch_add(1, Ordering::SeqCst);
                    if stream.get_ref().1.alpn_protocol() == Some(b"h2") {
                        record.alpn_h2.fetch_add(1, Ordering::SeqCst);
                    }
                    serve_connection(stream, peer, answer, record).await;
                }
            }
        });
    }
}

async fn serve_connection<S>(io: S, peer: SocketAddr, answer: Answer, record: Arc<Record>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |req: Request<Incoming>| {
        let record = record.clone();
        let answer = answer.clone();
        async move {
            let (parts, body) = req.into_parts();
            let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
            record.requests.fetch_add(1, Ordering::SeqCst);
            match parts.version {
                Version::HTTP_2 => record.http2.fetch_add(1, Ordering::SeqCst),
                _ => record.http1.fetch_add(1, Ordering::SeqCst),
            };
            if let Ok(mut seen) = record.seen.lock()
                && seen.len() < answer.keep
            {
                seen.push(Seen {
                    method: parts.method.to_string(),
                    path: parts
                        .uri
                        .path_and_query()
                        .map_or_else(|| parts.uri.path().to_string(), |pq| pq.as_str().to_string()),
                    version: parts.version,
                    headers: parts
                        .headers
                        .iter()
                        .map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                        .collect(),
                    body: body.to_vec(),
                    peer,
                });
            }
            let mut response = Response::builder();
            if let Some(content_type) = answer.content_type {
                response = response.header("content-type", content_type);
            }
            let response = response.body(Full::new(answer.body)).expect("response");
            Ok::<_, Infallible>(response)
        }
    });
    let builder = auto::Builder::new(TokioExecutor::new());
    let _ = builder.serve_connection(TokioIo::new(io), service).await;
}

/// `200 ok`, the first requests kept.
fn ok() -> Answer {
    Answer {
        body: Bytes::from_static(b"ok"),
        content_type: None,
        keep: KEEP,
    }
}

/// The JSON every request of the [`Recorder`] gets: a product list with ids 1..=50.
pub fn recorder_body() -> String {
    let items: Vec<String> = (1..=50).map(|i| format!("{{\"id\":{i},\"name\":\"p{i}\"}}")).collect();
    format!("{{\"items\":[{}],\"total\":50,\"ok\":true}}", items.join(","))
}

/// An [`HttpServer`] for scenarios: it answers every request `200` with
/// [`recorder_body`] and keeps every request in full, in arrival order; stops on drop.
pub struct Recorder {
    pub addr: SocketAddr,
    server: HttpServer,
}

impl Recorder {
    /// On 127.0.0.1.
    pub fn start() -> Recorder {
        Recorder::start_on(LOCALHOST)
    }

    /// On `ip` (an address of the caller's network namespace, e.g. a hub's).
    pub fn start_on(ip: IpAddr) -> Recorder {
        let server = HttpServer::spawn(
            ip,
            None,
            Answer {
                body: Bytes::from(recorder_body()),
                content_type: Some("application/json"),
                keep: KEEP_ALL,
            },
        );
        Recorder {
            addr: server.addr,
            server,
        }
    }

    /// `http://127.0.0.1:PORT` (a base URL for a scenario's `target:`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request so far, in arrival order.
    pub fn seen(&self) -> Vec<Seen> {
        self.server.seen()
    }

    /// How many requests it answered.
    pub fn requests(&self) -> u64 {
        self.server.requests()
    }
}

/// A TLS acceptor with a fresh self-signed certificate for localhost and 127.0.0.1.
fn tls_acceptor() -> tokio_rustls::TlsAcceptor {
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .expect("self-signed certificate");
    let cert = certified.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.signing_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .expect("server certificate");
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}
