//! A step's response body as the server meant it: when the captured head says
//! `Content-Encoding: gzip | deflate | br | zstd`, the captured (wire) body is decoded in
//! place before checks and extractions read it, and the decoded size is recorded beside the
//! wire bytes. Buffers are the VU's own and reused, so steady state does not allocate.

use crate::vu::VuState;
use loadcell_engine::VuContext;

/// Decodes `vu.response_body` as its head says and records the decoded size for slot
/// `endpoint`. Returns false when the body could not be decoded: the body is then left
/// empty (checks on it fail) and the step counts as failed.
pub(crate) fn decode_response(endpoint: usize, vu: &mut VuState, ctx: &VuContext, responded: bool) -> bool {
    if !responded {
        return true;
    }
    let VuState {
        response_head,
        response_body,
        decoded,
        decode_spare,
        ..
    } = vu;
    // HEAD, 204 and 304 answers carry the header but no body to decode.
    let coding = content_encoding(response_head).filter(|_| !response_body.is_empty());
    let Some(coding) = coding else {
        ctx.record_decoded(endpoint, response_body.len() as u64);
        return true;
    };
    match loadcell_http::decode_body(coding, response_body, decoded, decode_spare) {
        Ok(true) => {
            std::mem::swap(response_body, decoded);
            ctx.record_decoded(endpoint, response_body.len() as u64);
            true
        }
        Ok(false) => {
            ctx.record_decoded(endpoint, response_body.len() as u64);
            true
        }
        Err(_) => {
            response_body.clear();
            false
        }
    }
}

/// The value of the first `Content-Encoding` line of a raw head, when it is text.
fn content_encoding(head: &[u8]) -> Option<&str> {
    const NAME: &[u8] = b"content-encoding:";
    head.split(|&b| b == b'\n').skip(1).find_map(|line| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
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
