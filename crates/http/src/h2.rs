//! HTTP/2 through hyper's connection-level client: h2c with prior knowledge over plain
//! TCP, or h2 negotiated by ALPN over TLS. Bytes are counted on the socket, so sent and
//! received volumes are what crossed the wire (HPACK-compressed headers, frames).

use crate::error::HttpError;
use crate::origin::Origin;
use crate::parse::Capture;
use crate::request::Request;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use loadcell_schema::ErrorKind;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// One HTTP/2 connection owned by one VU.
pub struct H2Conn {
    sender: hyper::client::conn::http2::SendRequest<Full<Bytes>>,
    counter: Arc<IoCounter>,
    base: String,
    /// Why the connection task ended, if it failed: a request on a dead connection only
    /// learns "closed", while the real cause (a reset, a protocol error) ends the task.
    failure: Arc<OnceLock<(ErrorKind, String)>>,
    /// The counters (read, written) when the current request started.
    mark: (u64, u64),
}

/// Bytes through one connection's socket (only this connection's tasks touch it).
#[derive(Default, Debug)]
struct IoCounter {
    read: AtomicU64,
    written: AtomicU64,
}

/// Performs the HTTP/2 handshake on `io` and drives the connection on the runtime.
pub async fn handshake<S>(io: S, origin: &Origin) -> Result<H2Conn, HttpError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let counter = Arc::new(IoCounter::default());
    let io = TokioIo::new(Counting {
        io,
        counter: counter.clone(),
    });
    let (sender, conn) = hyper::client::conn::http2::handshake(TokioExecutor::new(), io)
        .await
        .map_err(|e| classify(&e))?;
    let failure = Arc::new(OnceLock::new());
    let failed = failure.clone();
    tokio::spawn(async move {
        // The connection ends when the VU drops its sender or the peer goes away.
        if let Err(e) = conn.await {
            let e = classify(&e);
            let _ = failed.set((e.kind, e.detail));
        }
    });
    Ok(H2Conn {
        sender,
        counter,
        base: origin.base(),
        failure,
        mark: (0, 0),
    })
}

impl H2Conn {
    pub fn reusable(&self) -> bool {
        !self.sender.is_closed()
    }

    /// Sends `req` and reads the whole response; returns (status, first byte, sent, received).
    pub async fn roundtrip(
        &mut self,
        req: &Request,
        cap: &mut Capture<'_>,
    ) -> Result<(u16, Option<Instant>, u64, u64), HttpError> {
        let (read0, written0) = (
            self.counter.read.load(Ordering::Relaxed),
            self.counter.written.load(Ordering::Relaxed),
        );
        self.mark = (read0, written0);
        let mut builder = http::Request::builder()
            .method(req.method.clone())
            .uri(format!("{}{}", self.base, req.path_and_query));
        for (name, value) in &req.headers {
            if !is_connection_specific(name) {
                builder = builder.header(name.as_str(), value.as_str());
            }
        }
        let request = builder
            .body(Full::new(req.body.clone()))
            .map_err(|e| HttpError::new(ErrorKind::Other, e.to_string()))?;
        self.sender.ready().await.map_err(|e| self.explain(&e))?;
        let response = self.sender.send_request(request).await.map_err(|e| self.explain(&e))?;
        let first_byte = Some(Instant::now());
        let status = response.status().as_u16();
        if let Some(head) = cap.head.as_deref_mut() {
            head.clear();
            head.extend_from_slice(format!("HTTP/2 {status}\r\n").as_bytes());
            for (name, value) in response.headers() {
                head.extend_from_slice(name.as_str().as_bytes());
                head.extend_from_slice(b": ");
                head.extend_from_slice(value.as_bytes());
                head.extend_from_slice(b"\r\n");
            }
            head.extend_from_slice(b"\r\n");
        }
        let mut body = response.into_body();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| self.explain(&e))?;
            if let (Some(data), Some(out)) = (frame.data_ref(), cap.body.as_deref_mut()) {
                out.extend_from_slice(data);
            }
        }
        let read = self.counter.read.load(Ordering::Relaxed) - read0;
        let written = self.counter.written.load(Ordering::Relaxed) - written0;
        Ok((status, first_byte, written, read))
    }
}

impl H2Conn {
    /// Bytes (sent, received) on the wire since the current (or last) request started,
    /// whether or not it completed.
    pub fn exchanged(&self) -> (u64, u64) {
        let read = self.counter.read.load(Ordering::Relaxed).saturating_sub(self.mark.0);
        let written = self.counter.written.load(Ordering::Relaxed).saturating_sub(self.mark.1);
        (written, read)
    }

    /// Classifies a request error, preferring the connection's own failure when the request
    /// only saw the connection go away.
    fn explain(&self, e: &hyper::Error) -> HttpError {
        let err = classify(e);
        match (err.kind, self.failure.get()) {
            (ErrorKind::ConnectionClosed | ErrorKind::Other, Some((kind, detail))) => {
                HttpError::new(*kind, detail.clone())
            }
            _ => err,
        }
    }
}

/// Headers HTTP/2 forbids; users copying HTTP/1.1 headers should not break the request.
fn is_connection_specific(name: &str) -> bool {
    [
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "upgrade",
        "host",
    ]
    .iter()
    .any(|n| name.eq_ignore_ascii_case(n))
}

fn classify(e: &hyper::Error) -> HttpError {
    use std::error::Error as _;
    let mut source = e.source();
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return HttpError::from_io(io);
        }
        // h2 keeps its I/O cause out of `source()`; ask for it directly.
        if let Some(h2e) = s.downcast_ref::<h2::Error>() {
            if let Some(io) = h2e.get_io() {
                return HttpError::from_io(io);
            }
            if let Some(reason) = h2e.reason() {
                let kind = match reason {
                    h2::Reason::PROTOCOL_ERROR | h2::Reason::FRAME_SIZE_ERROR | h2::Reason::COMPRESSION_ERROR => {
                        ErrorKind::MalformedResponse
                    }
                    h2::Reason::REFUSED_STREAM | h2::Reason::CANCEL | h2::Reason::NO_ERROR => {
                        ErrorKind::ConnectionClosed
                    }
                    _ => ErrorKind::Other,
                };
                return HttpError::new(kind, e.to_string());
            }
        }
        source = s.source();
    }
    let kind = if e.is_parse() || e.is_parse_status() {
        ErrorKind::MalformedResponse
    } else if e.is_timeout() {
        ErrorKind::RequestTimeout
    } else if e.is_closed() || e.is_incomplete_message() || e.is_canceled() {
        ErrorKind::ConnectionClosed
    } else {
        ErrorKind::Other
    };
    HttpError::new(kind, e.to_string())
}

/// Counts bytes through an I/O object.
struct Counting<S> {
    io: S,
    counter: Arc<IoCounter>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Counting<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let res = Pin::new(&mut self.io).poll_read(cx, buf);
        let n = (buf.filled().len() - before) as u64;
        self.counter.read.fetch_add(n, Ordering::Relaxed);
        res
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counting<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        let res = Pin::new(&mut self.io).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = res {
            self.counter.written.fetch_add(n as u64, Ordering::Relaxed);
        }
        res
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}
