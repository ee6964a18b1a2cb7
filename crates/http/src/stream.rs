//! HTTP/1.1 over any async byte stream (TLS): the same parser as the plain path, with a
//! read buffer per connection because TLS records must be decrypted into one anyway.

use crate::error::HttpError;
use crate::parse::{Capture, Progress, ResponseParser};
use loadcell_schema::ErrorKind;
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

const READ_BYTES: usize = 16 * 1024;

/// A keep-alive HTTP/1.1 connection over a stream such as TLS.
pub struct StreamH1<S> {
    io: S,
    buf: Vec<u8>,
    parser: ResponseParser,
    used: bool,
}

impl<S: AsyncRead + AsyncWrite + Unpin> StreamH1<S> {
    pub fn new(io: S) -> StreamH1<S> {
        StreamH1 {
            io,
            buf: vec![0; READ_BYTES],
            parser: ResponseParser::new(false),
            used: false,
        }
    }

    pub fn reusable(&self) -> bool {
        self.parser.keep_alive()
    }

    pub fn received(&self) -> u64 {
        self.parser.received()
    }

    /// Writes `wire` and reads one complete response.
    pub async fn roundtrip(
        &mut self,
        wire: &[u8],
        head_request: bool,
        cap: &mut Capture<'_>,
    ) -> Result<(u16, Option<Instant>), HttpError> {
        let reused = self.used;
        self.used = true;
        self.parser.reset(head_request);
        let stale = |e: HttpError, started: bool| if reused && !started { e.stale() } else { e };
        self.io
            .write_all(wire)
            .await
            .map_err(|e| stale(HttpError::from_io(&e), false))?;
        self.io
            .flush()
            .await
            .map_err(|e| stale(HttpError::from_io(&e), false))?;
        let mut first_byte = None;
        loop {
            let n = match self.io.read(&mut self.buf).await {
                Ok(n) => n,
                Err(e) => return Err(stale(HttpError::from_io(&e), self.parser.started())),
            };
            if n == 0 {
                if self.parser.finish_on_close() == Progress::Done {
                    return Ok((self.parser.status(), first_byte));
                }
                let e = HttpError::new(
                    ErrorKind::ConnectionClosed,
                    "the server closed the connection before a complete response",
                );
                return Err(stale(e, self.parser.started()));
            }
            first_byte.get_or_insert_with(Instant::now);
            match self.parser.feed(&self.buf[..n], cap) {
                Ok(Progress::NeedMore) => {}
                Ok(Progress::Done) => return Ok((self.parser.status(), first_byte)),
                Err(m) => return Err(HttpError::new(ErrorKind::MalformedResponse, m.0)),
            }
        }
    }
}
