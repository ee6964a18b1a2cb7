//! A connection of any kind behind one `send`, so the engine does not care which
//! protocol a run speaks.

use crate::error::HttpError;
use crate::h2::H2Conn;
use crate::parse::Capture;
use crate::plain::PlainH1;
use crate::request::Request;
use crate::tls_h1::TlsH1;
use std::time::Instant;

/// An open connection owned by one VU.
pub enum Connection {
    Plain(PlainH1),
    Tls(Box<TlsH1>),
    H2(H2Conn),
}

/// When an HTTP/1.1 exchange reached its milestones.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timing {
    /// The whole request (head and body) was written to the socket.
    pub written: Option<Instant>,
    /// The first response byte arrived (as the kernel stamped the first read's data, where
    /// it did: `stamp.rs`).
    pub first_byte: Option<Instant>,
    /// The response's last bytes reached the socket, as the kernel stamped them; `None`
    /// where it did not (unless `ClientConfig::stamp_arrivals`, over HTTP/2, or on a socket
    /// the stamps could not be enabled on).
    pub arrived: Option<Instant>,
}

/// What a completed request returned.
#[derive(Debug, Clone, Copy)]
pub struct ResponseInfo {
    pub status: u16,
    /// When the whole request had been written (k6's `http_req_sending` ends here);
    /// `None` over HTTP/2, where hyper writes the request on a task of its own.
    pub written: Option<Instant>,
    /// When the first response byte arrived.
    pub first_byte: Option<Instant>,
    /// When the response's last bytes reached the socket (see [`Timing::arrived`]).
    pub arrived: Option<Instant>,
    pub sent_bytes: u64,
    pub received_bytes: u64,
}

impl Timing {
    /// The milestones of an exchange whose request was written at `written`.
    pub(crate) fn after_write(written: Instant) -> Timing {
        Timing {
            written: Some(written),
            first_byte: None,
            arrived: None,
        }
    }

    /// Notes a read of response bytes, which the kernel stamped `stamp` where it did.
    pub(crate) fn read(&mut self, stamp: Option<Instant>) {
        self.arrived = stamp;
        self.first_byte
            .get_or_insert_with(|| stamp.unwrap_or_else(Instant::now));
    }

    /// The milestones of a response that ended at the close, which carries no stamp.
    pub(crate) fn at_close(self) -> Timing {
        Timing { arrived: None, ..self }
    }

    /// When the request was written, as far as the answer lets us know: over loopback the
    /// kernel delivers the request, and the server may answer, before the write call
    /// returns, so the answer's stamp can come before the clock read after the write. The
    /// request was out by the time its answer began.
    fn written_by_first_byte(&self) -> Option<Instant> {
        match (self.written, self.first_byte) {
            (Some(w), Some(f)) => Some(w.min(f)),
            (w, _) => w,
        }
    }
}

impl Connection {
    /// Sends one request and reads its whole response. `wire` is `req` encoded by
    /// [`encode_h1`](crate::encode_h1) (ignored over HTTP/2). On error the connection must
    /// be dropped.
    pub async fn send(&mut self, req: &Request, wire: &[u8], cap: &mut Capture<'_>) -> Result<ResponseInfo, HttpError> {
        let head = req.is_head();
        match self {
            Connection::Plain(c) => {
                let (status, t) = c.roundtrip(wire, head, cap).await?;
                Ok(ResponseInfo {
                    status,
                    written: t.written_by_first_byte(),
                    first_byte: t.first_byte,
                    arrived: t.arrived,
                    sent_bytes: wire.len() as u64,
                    received_bytes: c.received(),
                })
            }
            Connection::Tls(c) => {
                let (status, t) = c.roundtrip(wire, head, cap).await?;
                Ok(ResponseInfo {
                    status,
                    written: t.written_by_first_byte(),
                    first_byte: t.first_byte,
                    arrived: t.arrived,
                    sent_bytes: wire.len() as u64,
                    received_bytes: c.received(),
                })
            }
            Connection::H2(c) => {
                // Boxed so hyper's large request future does not size every HTTP/1.1 VU too.
                let (status, first_byte, sent_bytes, received_bytes) = Box::pin(c.roundtrip(req, cap)).await?;
                Ok(ResponseInfo {
                    status,
                    written: None,
                    first_byte,
                    arrived: None,
                    sent_bytes,
                    received_bytes,
                })
            }
        }
    }

    /// Bytes (sent, received) in the current (or last) exchange, whether or not it
    /// completed: a failed request is still traffic.
    pub fn exchanged(&self) -> (u64, u64) {
        match self {
            Connection::Plain(c) => c.exchanged(),
            Connection::Tls(c) => c.exchanged(),
            Connection::H2(c) => c.exchanged(),
        }
    }

    /// Whether the next request may use this connection.
    pub fn reusable(&self) -> bool {
        match self {
            Connection::Plain(c) => c.reusable(),
            Connection::Tls(c) => c.reusable(),
            Connection::H2(c) => c.reusable(),
        }
    }
}
