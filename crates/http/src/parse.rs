//! An incremental HTTP/1.x response parser: fed whatever bytes a read returned, it says
//! when the response is complete, with what status, and whether the connection may be
//! reused.
//!
//! It parses no further than a load tester needs (wrk's lesson): the status line, the
//! headers that frame the body, and the body framing itself. Body bytes are counted and
//! copied out only when the caller asked for them. Request-side encoding lives in
//! `request.rs`.

/// How many headers a response may carry before it counts as malformed.
const MAX_HEADERS: usize = 64;
/// Largest response head accepted; beyond it the response counts as malformed.
pub(crate) const MAX_HEAD_BYTES: usize = 64 * 1024;

/// A response the parser refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed(pub &'static str);

/// What the parser needs next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// More bytes are needed.
    NeedMore,
    /// The response is complete.
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    /// Exactly this many bytes remain.
    Length(u64),
    /// Chunked transfer coding, in the given sub-state.
    Chunked(Chunk),
    /// Everything until the server closes the connection.
    UntilClose,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    /// Reading hex digits of a chunk size (value so far, digits seen).
    Size(u64, u8),
    /// Skipping a chunk extension up to the CR of the size line.
    Extension(u64),
    /// Expecting the LF that ends the size line.
    SizeLf(u64),
    /// Inside chunk data with this many bytes left.
    Data(u64),
    /// Expecting the CR after chunk data.
    DataCr,
    /// Expecting the LF after chunk data.
    DataLf,
    /// In the trailer section; the bool says whether the current line is empty so far.
    Trailer(bool),
    /// Expecting the LF of a trailer line (bool: the line was empty, ending the message).
    TrailerLf(bool),
}

#[derive(Debug)]
enum State {
    Head,
    Body(Body),
    Done,
}

/// Parses one response; create a new one (or `reset`) per request.
#[derive(Debug)]
pub struct ResponseParser {
    state: State,
    /// Head bytes carried over between reads when a head spans several reads.
    head: Vec<u8>,
    head_request: bool,
    status: u16,
    keep_alive: bool,
    received: u64,
    /// Bytes that arrived after the end of the response (a misbehaving server).
    trailing: u64,
}

/// Where a caller wants body and header bytes copied, if anywhere.
#[derive(Debug, Default)]
pub struct Capture<'a> {
    /// Receives the response body (de-chunked).
    pub body: Option<&'a mut Vec<u8>>,
    /// Receives the raw response head (status line and headers).
    pub head: Option<&'a mut Vec<u8>>,
}

impl ResponseParser {
    /// A parser for the response to a request; `head_request` means no body will follow.
    pub fn new(head_request: bool) -> ResponseParser {
        ResponseParser {
            state: State::Head,
            head: Vec::new(),
            head_request,
            status: 0,
            keep_alive: true,
            received: 0,
            trailing: 0,
        }
    }

    /// Prepares for the next response on the same connection, keeping allocations.
    pub fn reset(&mut self, head_request: bool) {
        self.state = State::Head;
        self.head.clear();
        self.head_request = head_request;
        self.status = 0;
        self.keep_alive = true;
        self.received = 0;
        self.trailing = 0;
    }

    /// The status code (0 until the head is parsed).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Bytes received for this response so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Whether the connection may carry another request after this response.
    pub fn keep_alive(&self) -> bool {
        self.keep_alive && self.trailing == 0
    }

    /// True once any byte of the response arrived.
    pub fn started(&self) -> bool {
        self.received > 0
    }

    /// Feeds bytes as read from the connection.
    pub fn feed(&mut self, mut bytes: &[u8], cap: &mut Capture<'_>) -> Result<Progress, Malformed> {
        self.received += bytes.len() as u64;
        loop {
            match self.state {
                State::Head => {
                    let consumed = self.feed_head(bytes, cap)?;
                    match consumed {
                        None => return Ok(Progress::NeedMore),
                        Some(n) => bytes = &bytes[n..],
                    }
                }
                State::Body(body) => {
                    let (next, n) = feed_body(body, bytes, cap)?;
                    bytes = &bytes[n..];
                    match next {
                        Some(b) => {
                            self.state = State::Body(b);
                            return Ok(Progress::NeedMore);
                        }
                        None => self.state = State::Done,
                    }
                }
                State::Done => {
                    self.trailing += bytes.len() as u64;
                    return Ok(Progress::Done);
                }
            }
        }
    }

    /// Called when the peer closed the connection: completes a read-until-close body.
    pub fn finish_on_close(&mut self) -> Progress {
        match self.state {
            State::Body(Body::UntilClose) | State::Done => {
                self.state = State::Done;
                self.keep_alive = false;
                Progress::Done
            }
            _ => Progress::NeedMore,
        }
    }

    /// Parses the head from `bytes` (plus carried bytes); returns how many bytes of
    /// `bytes` belonged to the head, or `None` when the head is still incomplete.
    fn feed_head(&mut self, bytes: &[u8], cap: &mut Capture<'_>) -> Result<Option<usize>, Malformed> {
        let carried = self.head.len();
        let parsed = if carried == 0 {
            parse_head(bytes)?
        } else {
            self.head.extend_from_slice(bytes);
            parse_head(&self.head)?
        };
        let Some(head) = parsed else {
            if carried == 0 {
                self.head.extend_from_slice(bytes);
            }
            if self.head.len() > MAX_HEAD_BYTES {
                return Err(Malformed("response head larger than 64 KiB"));
            }
            return Ok(None);
        };
        let from_bytes = head.len - carried;
        if let Some(out) = cap.head.as_deref_mut() {
            out.clear();
            if carried == 0 {
                out.extend_from_slice(&bytes[..head.len]);
            } else {
                out.extend_from_slice(&self.head[..head.len]);
            }
        }
        self.head.clear();
        if (100..200).contains(&head.status) && head.status != 101 {
            // Interim response (100 Continue, 103 Early Hints): the real one follows.
            return Ok(Some(from_bytes));
        }
        self.status = head.status;
        self.keep_alive = head.keep_alive;
        let no_body = self.head_request || head.status == 204 || head.status == 304;
        self.state = if no_body {
            State::Done
        } else if head.chunked {
            State::Body(Body::Chunked(Chunk::Size(0, 0)))
        } else if let Some(len) = head.content_length {
            if len == 0 {
                State::Done
            } else {
                State::Body(Body::Length(len))
            }
        } else {
            self.keep_alive = false;
            State::Body(Body::UntilClose)
        };
        Ok(Some(from_bytes))
    }
}

struct Head {
    len: usize,
    status: u16,
    keep_alive: bool,
    chunked: bool,
    content_length: Option<u64>,
}

fn parse_head(buf: &[u8]) -> Result<Option<Head>, Malformed> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut resp = httparse::Response::new(&mut headers);
    let len = match resp.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err(Malformed("more than 64 response headers")),
        Err(_) => return Err(Malformed("invalid HTTP response head")),
    };
    // httparse takes any three digits; `020` would otherwise count as a successful response.
    let status = resp.code.unwrap_or(0);
    if status < 100 {
        return Err(Malformed("status code below 100"));
    }
    let mut keep_alive = resp.version == Some(1);
    let mut chunked = false;
    let mut content_length = None;
    for h in resp.headers.iter() {
        if h.name.eq_ignore_ascii_case("content-length") {
            let text = std::str::from_utf8(h.value).map_err(|_| Malformed("invalid Content-Length"))?;
            let len: u64 = text.trim().parse().map_err(|_| Malformed("invalid Content-Length"))?;
            if content_length.is_some_and(|prev| prev != len) {
                return Err(Malformed("conflicting Content-Length headers"));
            }
            content_length = Some(len);
        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = has_token(h.value, b"chunked");
        } else if h.name.eq_ignore_ascii_case("connection") {
            if has_token(h.value, b"close") {
                keep_alive = false;
            } else if has_token(h.value, b"keep-alive") {
                keep_alive = true;
            }
        }
    }
    Ok(Some(Head {
        len,
        status,
        keep_alive,
        chunked,
        content_length,
    }))
}

/// Whether a comma-separated header value contains `token` (case-insensitive).
fn has_token(value: &[u8], token: &[u8]) -> bool {
    value
        .split(|&b| b == b',')
        .any(|part| part.trim_ascii().eq_ignore_ascii_case(token))
}

/// Consumes body bytes; returns the next body state (`None` when the body ended) and how
/// many bytes were consumed.
fn feed_body(body: Body, bytes: &[u8], cap: &mut Capture<'_>) -> Result<(Option<Body>, usize), Malformed> {
    match body {
        Body::Length(left) => {
            let take = (left.min(bytes.len() as u64)) as usize;
            keep(cap, &bytes[..take]);
            let left = left - take as u64;
            Ok((if left == 0 { None } else { Some(Body::Length(left)) }, take))
        }
        Body::UntilClose => {
            keep(cap, bytes);
            Ok((Some(Body::UntilClose), bytes.len()))
        }
        Body::Chunked(mut chunk) => {
            let mut i = 0;
            while i < bytes.len() {
                let b = bytes[i];
                chunk = match chunk {
                    Chunk::Data(left) => {
                        let take = (left.min((bytes.len() - i) as u64)) as usize;
                        keep(cap, &bytes[i..i + take]);
                        i += take;
                        let left = left - take as u64;
                        if left == 0 { Chunk::DataCr } else { Chunk::Data(left) }
                    }
                    other => {
                        i += 1;
                        match chunk_step(other, b)? {
                            Some(next) => next,
                            None => return Ok((None, i)),
                        }
                    }
                };
            }
            Ok((Some(Body::Chunked(chunk)), i))
        }
    }
}

/// One byte of chunk framing; `None` means the chunked body ended.
fn chunk_step(chunk: Chunk, b: u8) -> Result<Option<Chunk>, Malformed> {
    let bad = Malformed("invalid chunked encoding");
    Ok(Some(match chunk {
        Chunk::Size(size, digits) => match b {
            b'0'..=b'9' | b'a'..=b'f' | b'A'..=b'F' => {
                if digits >= 15 {
                    return Err(Malformed("chunk size too large"));
                }
                let d = (b as char).to_digit(16).unwrap_or(0) as u64;
                Chunk::Size(size * 16 + d, digits + 1)
            }
            b'\r' if digits > 0 => Chunk::SizeLf(size),
            b';' | b' ' | b'\t' if digits > 0 => Chunk::Extension(size),
            _ => return Err(bad),
        },
        Chunk::Extension(size) => match b {
            b'\r' => Chunk::SizeLf(size),
            _ => Chunk::Extension(size),
        },
        Chunk::SizeLf(size) => match (b, size) {
            (b'\n', 0) => Chunk::Trailer(true),
            (b'\n', n) => Chunk::Data(n),
            _ => return Err(bad),
        },
        Chunk::Data(_) => return Err(bad),
        Chunk::DataCr => match b {
            b'\r' => Chunk::DataLf,
            _ => return Err(bad),
        },
        Chunk::DataLf => match b {
            b'\n' => Chunk::Size(0, 0),
            _ => return Err(bad),
        },
        Chunk::Trailer(empty) => match b {
            b'\r' => Chunk::TrailerLf(empty),
            _ => Chunk::Trailer(false),
        },
        Chunk::TrailerLf(empty) => match b {
            b'\n' if empty => return Ok(None),
            b'\n' => Chunk::Trailer(true),
            _ => return Err(bad),
        },
    }))
}

#[inline]
fn keep(cap: &mut Capture<'_>, bytes: &[u8]) {
    if let Some(body) = cap.body.as_deref_mut() {
        body.extend_from_slice(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `wire` in pieces of `step` bytes; returns (progress, body, parser).
    fn run(wire: &[u8], step: usize, head_request: bool) -> (Result<Progress, Malformed>, Vec<u8>, ResponseParser) {
        let mut p = ResponseParser::new(head_request);
        let mut body = Vec::new();
        let mut last = Ok(Progress::NeedMore);
        for piece in wire.chunks(step.max(1)) {
            let mut cap = Capture {
                body: Some(&mut body),
                head: None,
            };
            last = p.feed(piece, &mut cap);
            if last != Ok(Progress::NeedMore) {
                break;
            }
        }
        (last, body, p)
    }

    #[test]
    fn content_length_in_any_split() {
        let wire = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nhello, world\n";
        for step in 1..wire.len() + 1 {
            let (prog, body, p) = run(wire, step, false);
            assert_eq!(prog, Ok(Progress::Done), "step {step}");
            assert_eq!(body, b"hello, world\n");
            assert_eq!(p.status(), 200);
            assert!(p.keep_alive());
            assert_eq!(p.received(), wire.len() as u64);
        }
    }

    #[test]
    fn chunked_with_extension_and_trailer_in_any_split() {
        let wire = b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n7\r\n, world\r\n0\r\nX-T: 1\r\n\r\n";
        for step in 1..wire.len() + 1 {
            let (prog, body, p) = run(wire, step, false);
            assert_eq!(prog, Ok(Progress::Done), "step {step}");
            assert_eq!(body, b"hello, world");
            assert_eq!(p.status(), 201);
            assert!(p.keep_alive());
        }
    }

    #[test]
    fn chunked_without_trailer() {
        let (prog, body, _) = run(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            4,
            false,
        );
        assert_eq!(prog, Ok(Progress::Done));
        assert_eq!(body, b"abc");
    }

    #[test]
    fn connection_close_and_http10_are_not_reusable() {
        let (_, _, p) = run(
            b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
            100,
            false,
        );
        assert!(!p.keep_alive());
        let (_, _, p) = run(b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 100, false);
        assert!(!p.keep_alive());
        let (_, _, p) = run(
            b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
            100,
            false,
        );
        assert!(p.keep_alive());
    }

    #[test]
    fn body_until_close() {
        let mut p = ResponseParser::new(false);
        let mut cap = Capture::default();
        assert_eq!(
            p.feed(b"HTTP/1.1 200 OK\r\n\r\npartial", &mut cap),
            Ok(Progress::NeedMore)
        );
        assert_eq!(p.finish_on_close(), Progress::Done);
        assert!(!p.keep_alive());
    }

    #[test]
    fn head_204_and_304_have_no_body() {
        let (prog, _, _) = run(b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", 7, true);
        assert_eq!(prog, Ok(Progress::Done));
        for code in ["204 No Content", "304 Not Modified"] {
            let wire = format!("HTTP/1.1 {code}\r\n\r\n");
            assert_eq!(run(wire.as_bytes(), 5, false).0, Ok(Progress::Done));
        }
    }

    #[test]
    fn interim_100_continue_is_skipped() {
        let (prog, body, p) = run(
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
            3,
            false,
        );
        assert_eq!(prog, Ok(Progress::Done));
        assert_eq!((p.status(), body.as_slice()), (200, &b"ok"[..]));
    }

    #[test]
    fn trailing_bytes_make_the_connection_unusable() {
        let (prog, _, p) = run(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxGARBAGE", 100, false);
        assert_eq!(prog, Ok(Progress::Done));
        assert!(!p.keep_alive());
    }

    #[test]
    fn malformed_responses_are_refused() {
        for wire in [
            &b"garbage garbage\r\n\r\n"[..],
            b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n",
        ] {
            assert!(
                matches!(run(wire, 100, false).0, Err(Malformed(_))),
                "{:?}",
                String::from_utf8_lossy(wire)
            );
        }
    }

    #[test]
    fn status_codes_below_100_are_refused() {
        // Found by fuzzing: `020` parsed as status 20, counted as a success.
        for wire in [
            &b"HTTP/1.1 020\r\nContent-Length: 0\r\n\r\n"[..],
            b"HTTP/1.1 000 X\r\n\r\n",
        ] {
            assert_eq!(run(wire, 100, false).0, Err(Malformed("status code below 100")));
        }
        assert_eq!(
            run(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 999 X\r\n\r\n", 100, true).0,
            Ok(Progress::Done)
        );
    }

    #[test]
    fn oversized_head_is_refused() {
        let mut p = ResponseParser::new(false);
        let mut cap = Capture::default();
        p.feed(b"HTTP/1.1 200 OK\r\n", &mut cap).ok();
        let filler = vec![b'x'; 70 * 1024];
        assert!(p.feed(&filler, &mut cap).is_err());
    }

    #[test]
    fn reset_reuses_the_parser() {
        let mut p = ResponseParser::new(false);
        let mut cap = Capture::default();
        let wire = b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx";
        assert_eq!(p.feed(wire, &mut cap), Ok(Progress::Done));
        p.reset(false);
        assert_eq!(p.feed(wire, &mut cap), Ok(Progress::Done));
        assert_eq!(p.received(), wire.len() as u64);
    }
}
