//! What a step looks at in a response: headers split out of the captured head (names
//! lower-cased, strings reused between responses) when a check or an extraction reads them,
//! and cookies taken into the jar from the head's `Set-Cookie` lines.

use crate::cookies::CookieJar;

/// Response headers of the last response, reusing their strings.
#[derive(Debug, Default)]
pub struct Headers {
    pairs: Vec<(String, String)>,
    len: usize,
}

impl Headers {
    /// Parses a raw head (`HTTP/1.1 200 OK\r\nName: value\r\n…`); keeps only what parses.
    /// Works on the bytes (every response of a journey goes through here): no copy of the
    /// whole head, and text that is not UTF-8 is replaced only in the header it is in.
    pub fn parse(&mut self, head: &[u8]) {
        self.len = 0;
        for line in lines(head) {
            let Some(colon) = memchr::memchr(b':', line) else {
                continue;
            };
            if self.len == self.pairs.len() {
                self.pairs.push((String::new(), String::new()));
            }
            let (n, v) = &mut self.pairs[self.len];
            set_text(n, line[..colon].trim_ascii());
            n.make_ascii_lowercase();
            set_text(v, line[colon + 1..].trim_ascii());
            self.len += 1;
        }
    }

    pub fn as_slice(&self) -> &[(String, String)] {
        &self.pairs[..self.len]
    }

    /// Forgets the headers (the step does not look at them).
    pub fn clear(&mut self) {
        self.len = 0;
    }
}

/// The header lines of a raw head (the status line skipped), without their line ends.
/// Line ends are found with `memchr`: every response's head is read this way twice (for
/// `Set-Cookie` here, for `Content-Encoding` in `decode.rs`), and a byte-by-byte split was
/// a tenth of a journey step's own CPU.
pub(crate) fn lines(head: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(head);
    std::iter::from_fn(move || {
        let text = rest?;
        let line = match memchr::memchr(b'\n', text) {
            Some(end) => {
                rest = Some(&text[end + 1..]);
                &text[..end]
            }
            None => {
                rest = None;
                text
            }
        };
        Some(line.strip_suffix(b"\r").unwrap_or(line))
    })
    .skip(1)
}

/// Takes every `Set-Cookie` of a raw head, the response to a request to `base` + `path`,
/// into the jar.
pub fn store_cookies(head: &[u8], jar: &mut CookieJar, base: &str, path: &str) {
    const NAME: &[u8] = b"set-cookie:";
    for line in lines(head) {
        if line.len() > NAME.len() && line[..NAME.len()].eq_ignore_ascii_case(NAME) {
            jar.set(&String::from_utf8_lossy(line[NAME.len()..].trim_ascii()), base, path);
        }
    }
}

/// `out` = `bytes` as text, invalid UTF-8 replaced.
fn set_text(out: &mut String, bytes: &[u8]) {
    out.clear();
    match std::str::from_utf8(bytes) {
        Ok(text) => out.push_str(text),
        Err(_) => out.push_str(&String::from_utf8_lossy(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_reuses() {
        let mut h = Headers::default();
        h.parse(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nSet-Cookie: s=1; Path=/\r\n\r\n");
        assert_eq!(h.as_slice().len(), 2);
        assert_eq!(
            h.as_slice()[0],
            ("content-type".to_string(), "application/json".to_string())
        );
        let mut jar = CookieJar::default();
        let base = "http://127.0.0.1:1";
        store_cookies(
            b"HTTP/1.1 200 OK\r\nContent-Type: x\r\nSET-COOKIE:  s=1; Path=/\r\nSet-Cookie-2: no\r\n\r\n",
            &mut jar,
            base,
            "/",
        );
        let mut out = String::new();
        jar.header_value(base, "/", &mut out);
        assert_eq!(out, "s=1");
        h.parse(b"HTTP/1.1 204 No Content\r\n\r\n");
        assert!(h.as_slice().is_empty());
        h.parse(b"HTTP/1.1 200 OK\r\nX-Odd:  caf\xc3\xa9 \xff \r\nno colon here\r\n\r\n");
        assert_eq!(h.as_slice(), [("x-odd".to_string(), "café \u{fffd}".to_string())]);
    }
}
