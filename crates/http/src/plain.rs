//! HTTP/1.1 over plain TCP, the hot path: the request is written straight from bytes the
//! caller encoded, and responses are read into one scratch buffer per worker thread, so a
//! connection holds no read buffer of its own (10,000 idle VUs cost almost nothing).
//!
//! Readiness is handled by hand through `AsyncFd` so that after a short read that
//! completed a response, readiness is cleared without the wasted `read` → `EAGAIN` round
//! trip a plain `TcpStream` would make. Per request that leaves `write`, one shared
//! `epoll_wait` and `read` — what wrk does.

use crate::connection::Timing;
use crate::error::HttpError;
use crate::parse::{Capture, Progress, ResponseParser};
use crate::stamp;
use loadcell_schema::ErrorKind;
use std::cell::RefCell;
use std::io::{self, Write};
use std::os::fd::AsRawFd;
use std::time::Instant;
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;

/// Size of the per-thread read buffer: one read takes up to this much.
const SCRATCH_BYTES: usize = 64 * 1024;

thread_local! {
    /// Borrowed only between an await and the next, never across one (`tls_h1.rs` shares it).
    pub(crate) static SCRATCH: RefCell<Vec<u8>> = RefCell::new(vec![0; SCRATCH_BYTES]);
}

/// A keep-alive HTTP/1.1 connection over plain TCP.
pub struct PlainH1 {
    fd: AsyncFd<std::net::TcpStream>,
    parser: ResponseParser,
    /// Reads come with the kernel's arrival stamps (`stamp.rs`).
    stamped: bool,
    used: bool,
    /// Request bytes written in the current (or last) exchange.
    sent: u64,
}

enum Step {
    Again,
    More,
    Done,
    Eof,
    Failed(io::Error),
    Malformed(&'static str),
}

impl PlainH1 {
    /// Takes over a connected socket.
    pub fn new(tcp: tokio::net::TcpStream, stamped: bool) -> Result<PlainH1, HttpError> {
        let std = tcp.into_std().map_err(|e| HttpError::from_connect_io(&e))?;
        // SAFETY: the std `TcpStream` owns its descriptor, keeps it open until it is dropped
        // together with the `AsyncFd`, and is never swapped for another one.
        let fd = unsafe { AsyncFd::register_with_interest(std, Interest::READABLE | Interest::WRITABLE) }
            .map_err(|e| HttpError::from_connect_io(&e.into_parts().1))?;
        if stamped {
            stamp::enable(fd.as_raw_fd());
        }
        Ok(PlainH1 {
            fd,
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

    /// Writes `wire` and reads one complete response; returns the status and when the
    /// request was written and the first response byte came. The clock is read once after
    /// the write (k6's `http_req_sending` ends there), the only read this path adds.
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
        self.write_all(wire)
            .await
            .map_err(|e| stale_if(HttpError::from_io(&e), reused))?;
        let mut timing = Timing::after_write(Instant::now());
        loop {
            let mut guard = self.fd.readable().await.map_err(|e| HttpError::from_io(&e))?;
            let (parser, stamped) = (&mut self.parser, self.stamped);
            let mut drained = false;
            let step =
                SCRATCH.with_borrow_mut(|buf| match guard.try_io(|fd| stamp::recv(fd.get_ref(), buf, stamped)) {
                    Err(_would_block) => Step::Again,
                    Ok(Err(e)) if e.kind() == io::ErrorKind::Interrupted => Step::Again,
                    Ok(Err(e)) => Step::Failed(e),
                    Ok(Ok((0, _))) => Step::Eof,
                    Ok(Ok((n, stamp))) => {
                        timing.read(stamp);
                        drained = n < buf.len();
                        match parser.feed(&buf[..n], cap) {
                            Ok(Progress::NeedMore) => Step::More,
                            Ok(Progress::Done) => Step::Done,
                            Err(m) => Step::Malformed(m.0),
                        }
                    }
                });
            match step {
                Step::Again | Step::More => continue,
                Step::Done => {
                    // A short read emptied the socket and the server sends nothing unasked:
                    // forget readiness now instead of paying a read that returns EAGAIN.
                    if drained && self.parser.keep_alive() {
                        guard.clear_ready();
                    }
                    return Ok((self.parser.status(), timing));
                }
                Step::Eof => {
                    if self.parser.finish_on_close() == Progress::Done {
                        return Ok((self.parser.status(), timing.at_close()));
                    }
                    let e = HttpError::new(
                        ErrorKind::ConnectionClosed,
                        "the server closed the connection before a complete response",
                    );
                    return Err(stale_if(e, reused && !self.parser.started()));
                }
                Step::Failed(e) => return Err(stale_if(HttpError::from_io(&e), reused && !self.parser.started())),
                Step::Malformed(why) => return Err(HttpError::new(ErrorKind::MalformedResponse, why)),
            }
        }
    }

    /// Bytes received for the last response.
    pub fn received(&self) -> u64 {
        self.parser.received()
    }

    /// Bytes (sent, received) in the current (or last) exchange, complete or not.
    pub fn exchanged(&self) -> (u64, u64) {
        (self.sent, self.parser.received())
    }

    async fn write_all(&mut self, mut wire: &[u8]) -> io::Result<()> {
        while !wire.is_empty() {
            let mut guard = self.fd.writable().await?;
            match guard.try_io(|fd| fd.get_ref().write(wire)) {
                Ok(Ok(0)) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(Ok(n)) => {
                    self.sent += n as u64;
                    wire = &wire[n..];
                }
                Ok(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                Ok(Err(e)) => return Err(e),
                Err(_would_block) => {}
            }
        }
        Ok(())
    }
}

fn stale_if(e: HttpError, stale: bool) -> HttpError {
    if stale { e.stale() } else { e }
}
