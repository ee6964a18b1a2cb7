//! Opening a connection: DNS, TCP (with TCP_NODELAY), TLS and the HTTP/2 handshake, all
//! inside the connect timeout and timed together as the connect time, with the DNS lookup,
//! the TCP connect and the TLS handshake also timed apart (k6's phases). Three clock reads
//! per connection, none per request.

use crate::connection::Connection;
use crate::error::HttpError;
use crate::origin::{Origin, Scheme};
use crate::resolve::Resolve;
use crate::{h2, plain, tls_h1, tls_reason};
use loadcell_schema::ErrorKind;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

/// Settings shared by every connection of a run.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub connect_timeout: Duration,
    /// Speak HTTP/2: prior knowledge over `http://`, ALPN over `https://`.
    pub http2: bool,
    /// Present for `https://` origins, and for scenario runs whatever their target (a
    /// redirect may lead to an `https://` origin).
    pub tls: Option<Arc<rustls::ClientConfig>>,
    /// Addresses that replace DNS for a host and port (`--resolve`); TLS SNI and `Host`
    /// keep the name.
    pub resolve: Vec<Resolve>,
    /// Date each HTTP/1.1 response's end by the kernel's stamp of its arrival rather than
    /// by when it was read (`stamp.rs`). It costs a little per read, so the engine asks for
    /// it only where it reads answers late (the open model of quick mode).
    pub stamp_arrivals: bool,
}

/// A fresh connection and what opening it cost.
pub struct Connected {
    pub connection: Connection,
    pub connect_time: Duration,
    pub phases: ConnectPhases,
}

/// The parts of opening a connection, as k6 names them: the DNS lookup (part of k6's
/// `http_req_blocked`), the TCP connect (`http_req_connecting`) and the TLS handshake
/// (`http_req_tls_handshaking`). An HTTP/2 handshake is in none of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConnectPhases {
    pub dns: Duration,
    pub tcp: Duration,
    pub tls: Duration,
}

impl std::ops::AddAssign for ConnectPhases {
    fn add_assign(&mut self, other: ConnectPhases) {
        self.dns += other.dns;
        self.tcp += other.tcp;
        self.tls += other.tls;
    }
}

/// Opens a connection to `origin`, failing with a classified error.
pub async fn connect(origin: &Origin, config: &ClientConfig) -> Result<Connected, HttpError> {
    let started = Instant::now();
    let mut phases = ConnectPhases::default();
    let opened = tokio::time::timeout(config.connect_timeout, open(origin, config, &mut phases)).await;
    let connection = match opened {
        Ok(result) => result?,
        Err(_) => {
            return Err(HttpError::new(
                ErrorKind::ConnectTimeout,
                format!("no connection to {} within {:?}", origin.base(), config.connect_timeout),
            ));
        }
    };
    Ok(Connected {
        connection,
        connect_time: started.elapsed(),
        phases,
    })
}

async fn open(origin: &Origin, config: &ClientConfig, phases: &mut ConnectPhases) -> Result<Connection, HttpError> {
    let started = Instant::now();
    let tcp = tcp_connect(origin, &config.resolve, &mut phases.dns).await?;
    phases.tcp = started.elapsed().saturating_sub(phases.dns);
    match (origin.scheme, &config.tls) {
        (Scheme::Https, Some(tls)) => {
            let connector = tokio_rustls::TlsConnector::from(tls.clone());
            // TLS and HTTP/2 futures are boxed so the plain-TCP path (10,000 VUs connecting
            // at once) stays small.
            let handshake = Instant::now();
            let tls_stream = Box::pin(connector.connect(origin.server_name.clone(), tcp))
                .await
                .map_err(|e| tls_reason::handshake_failed(&e, &origin.host))?;
            phases.tls = handshake.elapsed();
            let negotiated_h2 = tls_stream.get_ref().1.alpn_protocol() == Some(b"h2");
            if config.http2 && negotiated_h2 {
                Box::pin(h2::handshake(tls_stream, origin)).await.map(Connection::H2)
            } else {
                tls_h1::TlsH1::new(tls_stream, config.stamp_arrivals).map(|c| Connection::Tls(Box::new(c)))
            }
        }
        (Scheme::Https, None) => Err(HttpError::new(
            ErrorKind::Tls,
            "TLS is not configured for an https:// origin",
        )),
        (Scheme::Http, _) if config.http2 => Box::pin(h2::handshake(tcp, origin)).await.map(Connection::H2),
        (Scheme::Http, _) => plain::PlainH1::new(tcp, config.stamp_arrivals).map(Connection::Plain),
    }
}

/// Resolves (a `--resolve` override first; timing the lookup into `dns`) and connects to the
/// first address that accepts.
async fn tcp_connect(origin: &Origin, resolve: &[Resolve], dns: &mut Duration) -> Result<TcpStream, HttpError> {
    let lookup = Instant::now();
    let overridden = resolve.iter().find(|r| r.matches(&origin.host, origin.port));
    let addrs: Vec<SocketAddr> = match (overridden, origin.host.parse::<IpAddr>()) {
        (Some(r), _) => vec![SocketAddr::new(r.addr, origin.port)],
        (None, Ok(ip)) => vec![SocketAddr::new(ip, origin.port)],
        (None, Err(_)) => Box::pin(tokio::net::lookup_host((origin.host.as_str(), origin.port)))
            .await
            .map_err(|e| HttpError::new(ErrorKind::Dns, format!("cannot resolve '{}': {e}", origin.host)))?
            .collect(),
    };
    *dns = lookup.elapsed();
    let mut last = HttpError::new(ErrorKind::Dns, format!("'{}' resolved to no address", origin.host));
    for addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(tcp) => {
                // Requests are written whole; Nagle would only add latency.
                tcp.set_nodelay(true).map_err(|e| HttpError::from_connect_io(&e))?;
                return Ok(tcp);
            }
            Err(e) => last = HttpError::from_connect_io(&e),
        }
    }
    Err(last)
}
