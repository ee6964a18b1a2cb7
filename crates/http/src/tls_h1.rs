//! HTTP/1.1 over TLS, the HTTPS hot path: rustls driven by hand over the socket, the way
//! `plain.rs` drives plain TCP, once tokio-rustls has done the handshake.
//!
//! Going through tokio-rustls' `AsyncRead`/`AsyncWrite` costs a readiness poll per read and
//! write, a 16 KiB read buffer per connection and a copy into it. Here the request is
//! encrypted by rustls and written with one `write_tls` (a `writev`), TLS records are read
//! with one `read_tls` per readiness event, and the plaintext is decrypted into the
//! worker's shared scratch buffer, so a connection holds no buffer of its own beyond
//! rustls' state. As in `plain.rs`, after a short read that completed the response,
//! readiness is cleared by hand instead of paying a read that returns `EAGAIN`.

use crate::connection::Timing;
use crate::error::HttpError;
use crate::parse::{Capture, Progress, ResponseParser};
use crate::plain::SCRATCH;
use crate::stamp;
use loadcell_schema::ErrorKind;
use rustls::ClientConnection;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::time::Instant;
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;

/// A keep-alive HTTP/1.1 connection over TLS.
pub struct TlsH1 {
    fd: AsyncFd<TcpStream>,
    tls: ClientConnection,
    parser: ResponseParser,
    /// Reads come with the kernel's arrival stamps (`stamp.rs`).
    stamped: bool,
    used: bool,
    /// Request bytes (plaintext) handed to TLS in the current (or last) exchange.
    sent: u64,
}

/// What draining the decrypted bytes gave.
enum Drained {
    /// The response is complete.
    Done,
    /// More TLS records are needed.
    More,
    /// The server ended the TLS session (close_notify).
    Closed,
}

impl TlsH1 {
    /// Takes over a connection whose handshake tokio-rustls completed.
    pub fn new(
        stream: tokio_rustls::client::TlsStream<tokio::net::TcpStream>,
        stamped: bool,
    ) -> Result<TlsH1, HttpError> {
        let (tcp, tls) = stream.into_inner();
        let std = tcp.into_std().map_err(|e| HttpError::from_connect_io(&e))?;
        // SAFETY: the std `TcpStream` owns its descriptor, keeps it open until it is dropped
        // together with the `AsyncFd`, and is never swapped for another one.
        let fd = unsafe { AsyncFd::register_with_interest(std, Interest::READABLE | Interest::WRITABLE) }
            .map_err(|e| HttpError::from_connect_io(&e.into_parts().1))?;
        if stamped {
            stamp::enable(fd.as_raw_fd());
        }
        Ok(TlsH1 {
            fd,
            tls,
            parser: ResponseParser::new(false),
            stamped,
            used: false,
            sent: 0,
        })
    }

    /// Whether another request may be sent on this connection.
    pub fn reusable(&self) -> bool {
        self.parser.keep_alive()
    }

    /// Bytes received for the last response (plaintext, TLS overhead excluded).
    pub fn received(&self) -> u64 {
        self.parser.received()
    }

    /// Bytes (sent, received) in the current (or last) exchange, complete or not.
    pub fn exchanged(&self) -> (u64, u64) {
        (self.sent, self.parser.received())
    }

    /// Encrypts and writes `wire`, then reads one complete response; returns the status,
    /// when the request was written and when the first response byte came.
    pub async fn roundtrip(
        &mut self,
        wire: &[u8],
        head_request: bool,
        cap: &mut Capture<'_>,
    ) -> Result<(u16, Timing), HttpError> {
        let reused = self.used;
        self.used = true;
        self.parser.reset(head_request);
        self.sent = 0;
        let stale = |e: HttpError, started: bool| if reused && !started { e.stale() } else { e };
        self.send(wire).await.map_err(|e| stale(e, false))?;
        let mut timing = Timing::after_write(Instant::now());
        loop {
            match self.drain(cap) {
                Ok(Drained::Done) => return Ok((self.parser.status(), timing)),
                Ok(Drained::More) => {}
                Ok(Drained::Closed) => return self.closed(reused, timing.at_close()),
                Err(e) => return Err(e),
            }
            let mut guard = self.fd.readable().await.map_err(|e| HttpError::from_io(&e))?;
            let tls = &mut self.tls;
            let mut socket = ShortRead {
                socket: guard.get_inner(),
                short: false,
                stamped: self.stamped,
                stamp: None,
            };
            let read = tls.read_tls(&mut socket);
            let (short, stamp) = (socket.short, socket.stamp);
            match read {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => guard.clear_ready(),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(stale(HttpError::from_io(&e), self.parser.started())),
                Ok(0) => return self.closed(reused, timing.at_close()),
                Ok(_) => {
                    timing.read(stamp);
                    if let Err(e) = tls.process_new_packets() {
                        return Err(HttpError::new(ErrorKind::Tls, e.to_string()));
                    }
                    if tls.wants_write() {
                        // rustls has something to say back (an alert, a key update).
                        drop(guard);
                        self.flush().await.map_err(|e| HttpError::from_io(&e))?;
                    } else if short {
                        // The socket is empty: once these records are decrypted and the
                        // response is complete, nothing more is coming unasked.
                        guard.clear_ready();
                    }
                }
            }
        }
    }

    /// The server closed the connection (or the TLS session) before anything more came.
    fn closed(&mut self, reused: bool, timing: Timing) -> Result<(u16, Timing), HttpError> {
        if self.parser.finish_on_close() == Progress::Done {
            return Ok((self.parser.status(), timing));
        }
        let e = HttpError::new(
            ErrorKind::ConnectionClosed,
            "the server closed the connection before a complete response",
        );
        Err(if reused && !self.parser.started() { e.stale() } else { e })
    }

    /// Feeds the parser what rustls has decrypted so far.
    fn drain(&mut self, cap: &mut Capture<'_>) -> Result<Drained, HttpError> {
        let (tls, parser) = (&mut self.tls, &mut self.parser);
        SCRATCH.with_borrow_mut(|buf| {
            loop {
                match tls.reader().read(buf) {
                    Ok(0) => return Ok(Drained::Closed),
                    Ok(n) => match parser.feed(&buf[..n], cap) {
                        Ok(Progress::NeedMore) => {}
                        Ok(Progress::Done) => return Ok(Drained::Done),
                        Err(m) => return Err(HttpError::new(ErrorKind::MalformedResponse, m.0)),
                    },
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Drained::More),
                    // The TCP connection ended without a close_notify.
                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(Drained::Closed),
                    Err(e) => return Err(HttpError::from_io(&e)),
                }
            }
        })
    }

    /// Encrypts `wire` into TLS records and writes them all.
    async fn send(&mut self, mut wire: &[u8]) -> Result<(), HttpError> {
        while !wire.is_empty() {
            let n = self.tls.writer().write(wire).map_err(|e| HttpError::from_io(&e))?;
            self.sent += n as u64;
            wire = &wire[n..];
            // n < len: rustls' outgoing buffer is full; write it out and go on.
            self.flush().await.map_err(|e| HttpError::from_io(&e))?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> io::Result<()> {
        while self.tls.wants_write() {
            let mut guard = self.fd.writable().await?;
            match self.tls.write_tls(&mut guard.get_inner()) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => guard.clear_ready(),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// The socket as rustls reads it, remembering whether the read came back short of what
/// rustls asked for (the socket is then empty) and when the kernel stamped its data.
struct ShortRead<'a> {
    socket: &'a TcpStream,
    short: bool,
    stamped: bool,
    stamp: Option<Instant>,
}

impl Read for ShortRead<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let (n, stamp) = stamp::recv(self.socket, buf, self.stamped)?;
        self.short = n < buf.len();
        self.stamp = stamp;
        Ok(n)
    }
}
