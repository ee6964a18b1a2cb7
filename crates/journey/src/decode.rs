//! A step's response body as the server meant it: when the captured head says
//! `Content-Encoding: gzip | deflate | br | zstd`, the captured (wire) body is decoded
//! before the request is recorded (a body that does not decode is then the failure
//! `body_decode`) and before checks and extractions read it; the decoded size is recorded
//! beside the wire bytes (`exchange.rs`). Buffers are the VU's own and reused, so steady
//! state does not allocate.

use loadcell_http::{DecodeError, decode_body};

/// Where a response's body as the server meant it ended up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decoded {
    /// No coding to undo: the captured body is it.
    Plain,
    /// Decoded into the `out` buffer (to be swapped with the captured body).
    Into,
}

/// Undoes the `Content-Encoding` of a response with raw head `head` and captured (wire)
/// body `body` into `out`. HEAD, 204 and 304 answers carry the header but no body, so an
/// empty body is left as it is.
pub(crate) fn decode(head: &[u8], body: &[u8], out: &mut Vec<u8>, spare: &mut Vec<u8>) -> Result<Decoded, DecodeError> {
    let Some(coding) = content_encoding(head).filter(|_| !body.is_empty()) else {
        return Ok(Decoded::Plain);
    };
    Ok(if decode_body(coding, body, out, spare)? {
        Decoded::Into
    } else {
        Decoded::Plain
    })
}

/// The value of the first `Content-Encoding` line of a raw head, when it is text.
fn content_encoding(head: &[u8]) -> Option<&str> {
    const NAME: &[u8] = b"content-encoding:";
    crate::response::lines(head).find_map(|line| {
        (line.len() > NAME.len() && line[..NAME.len()].eq_ignore_ascii_case(NAME))
            .then(|| std::str::from_utf8(line[NAME.len()..].trim_ascii()).ok())
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_content_encoding() {
        let head = b"HTTP/1.1 200 OK\r\nContent-Type: x\r\nCONTENT-ENCODING:  gzip \r\n\r\n";
        assert_eq!(content_encoding(head), Some("gzip"));
        assert_eq!(content_encoding(b"HTTP/1.1 200 OK\r\nX: y\r\n\r\n"), None);
        assert_eq!(
            content_encoding(b"HTTP/1.1 200 OK\r\nContent-Encoding-X: br\r\n\r\n"),
            None
        );
    }
}
