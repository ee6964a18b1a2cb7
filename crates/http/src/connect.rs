//! Opening a connection: DNS, TCP (with TCP_NODELAY), TLS and the HTTP/2 handshake, all
//! inside the connect timeout and timed together as the connect time.

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
    /// Present for `https://` origins.
    pub tls: Option<Arc<rustls::ClientConfig>>,
    /// Addresses that replace DNS for a host and port (`--resolve`); TLS SNI and `Host`
    /// keep the name.
    pub resolve: Vec<Resolve>,
}

/// A fresh connection and what opening it cost.
pub struct Connected {
    pub connection: Connection,
    pub connect_time: Duration,
}

/// Opens a connection to `origin`, failing with a classified error.
pub async fn connect(origin: &Origin, config: &ClientConfig) -> Result<Connected, HttpError> {
    let started = Instant::now();
    let opened = tokio::time::timeout(config.connect_timeout, open(origin, config)).await;
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
    })
}

async fn open(origin: &Origin, config: &ClientConfig) -> Result<Connection, HttpError> {
    let tcp = tcp_connect(origin, &config.resolve).await?;
    match (origin.scheme, &config.tls) {
        (Scheme::Https, Some(tls)) => {
            let connector = tokio_rustls::TlsConnector::from(tls.clone());
            // TLS and HTTP/2 futures are boxed so the plain-TCP path (10,000 VUs connecting
            // at once) stays small.
            let tls_stream = Box::pin(connector.connect(origin.server_name.clone(), tcp))
                .await
                .map_err(|e| tls_reason::handshake_failed(&e, &origin.host))?;
            let negotiated_h2 = tls_stream.get_ref().1.alpn_protocol() == Some(b"h2");
            if config.http2 && negotiated_h2 {
                Box::pin(h2::handshake(tls_stream, origin)).await.map(Connection::H2)
            } else {
                tls_h1::TlsH1::new(tls_stream).map(|c| Connection::Tls(Box::new(c)))
            }
        }
        (Scheme::Https, None) => Err(HttpError::new(
            ErrorKind::Tls,
            "TLS is not configured for an https:// origin",
        )),
        (Scheme::Http, _) if config.http2 => Box::pin(h2::handshake(tcp, origin)).await.map(Connection::H2),
        (Scheme::Http, _) => plain::PlainH1::new(tcp).map(Connection::Plain),
    }
}

async fn tcp_connect(origin: &Origin, resolve: &[Resolve]) -> Result<TcpStream, HttpError> {
    let overridden = resolve.iter().find(|r| r.matches(&origin.host, origin.port));
    let addrs: Vec<SocketAddr> = match (overridden, origin.host.parse::<IpAddr>()) {
        (Some(r), _) => vec![SocketAddr::new(r.addr, origin.port)],
        (None, Ok(ip)) => vec![SocketAddr::new(ip, origin.port)],
        (None, Err(_)) => Box::pin(tokio::net::lookup_host((origin.host.as_str(), origin.port)))
            .await
            .map_err(|e| HttpError::new(ErrorKind::Dns, format!("cannot resolve '{}': {e}", origin.host)))?
            .collect(),
    };
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
