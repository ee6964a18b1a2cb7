//! Just enough HTTP/1.1 for `--collect`: one POST at a time over a kept-alive connection,
//! bodies framed by `Content-Length` only (both ends are loadcell). Hand-written rather than
//! a client and a server crate: the protocol is four routes and a one-word answer, and the
//! part's sender must bound every wait itself (connect, write, read).

use std::io::{self, BufRead, Read, Write};

/// Largest body either end accepts: an interval line of a large scenario is ~100 kB.
pub const MAX_BODY: usize = 64 << 20;

/// Longest request or status line, or header line, read.
const MAX_LINE: usize = 8 << 10;

/// Writes `POST path` with `body`.
pub fn write_request(out: &mut impl Write, host: &str, path: &str, body: &[u8]) -> io::Result<()> {
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    out.write_all(head.as_bytes())?;
    out.write_all(body)?;
    out.flush()
}

/// Writes a response with a plain-text `body`.
pub fn write_response(out: &mut impl Write, status: u16, body: &str) -> io::Result<()> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        409 => "Conflict",
        _ => "Error",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    out.write_all(head.as_bytes())?;
    out.write_all(body.as_bytes())?;
    out.flush()
}

/// A request: its method, path and body; `None` when the peer closed the connection
/// between requests.
pub fn read_request(input: &mut impl BufRead) -> io::Result<Option<(String, String, Vec<u8>)>> {
    let Some(first) = read_line(input)? else {
        return Ok(None);
    };
    let mut words = first.split_whitespace();
    let (Some(method), Some(path)) = (words.next(), words.next()) else {
        return Err(invalid(format!("not an HTTP request line: {first:?}")));
    };
    let (method, path) = (method.to_string(), path.to_string());
    let body = read_body(input)?;
    Ok(Some((method, path, body)))
}

/// A response: its status and body.
pub fn read_response(input: &mut impl BufRead) -> io::Result<(u16, Vec<u8>)> {
    let first = read_line(input)?.ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "connection closed"))?;
    let status = first
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| invalid(format!("not an HTTP status line: {first:?}")))?;
    Ok((status, read_body(input)?))
}

/// The headers (only `Content-Length` matters) and the body they announce.
fn read_body(input: &mut impl BufRead) -> io::Result<Vec<u8>> {
    let mut length = 0usize;
    loop {
        let line =
            read_line(input)?.ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "cut in the headers"))?;
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value
                .trim()
                .parse()
                .map_err(|_| invalid(format!("bad Content-Length: {value:?}")))?;
        }
    }
    if length > MAX_BODY {
        return Err(invalid(format!("a body of {length} bytes is too large")));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    Ok(body)
}

/// One line without its CRLF; `None` at the end of the stream before any byte.
fn read_line(input: &mut impl BufRead) -> io::Result<Option<String>> {
    let mut buf = Vec::new();
    let n = (&mut *input).take(MAX_LINE as u64).read_until(b'\n', &mut buf)?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() != Some(&b'\n') {
        return Err(invalid("a line too long or cut off".to_string()));
    }
    let text = String::from_utf8_lossy(&buf);
    Ok(Some(text.trim_end_matches(['\r', '\n']).to_string()))
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_and_a_response_round_trip() {
        let mut wire = Vec::new();
        write_request(&mut wire, "127.0.0.1:1", "/v1/part/1/3/x/interval", b"{\"seq\":0}\n").unwrap_or_default();
        write_request(&mut wire, "127.0.0.1:1", "/v1/part/1/3/x/end", b"{}").unwrap_or_default();
        let mut input = io::BufReader::new(&wire[..]);
        let first = read_request(&mut input).ok().flatten();
        assert_eq!(
            first,
            Some((
                "POST".to_string(),
                "/v1/part/1/3/x/interval".to_string(),
                b"{\"seq\":0}\n".to_vec()
            ))
        );
        let second = read_request(&mut input).ok().flatten().map(|r| r.2);
        assert_eq!(second, Some(b"{}".to_vec()));
        assert!(matches!(read_request(&mut input), Ok(None)));
        let mut wire = Vec::new();
        write_response(&mut wire, 409, "another test").unwrap_or_default();
        let got = read_response(&mut io::BufReader::new(&wire[..])).ok();
        assert_eq!(got, Some((409, b"another test".to_vec())));
    }
}
