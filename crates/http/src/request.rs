//! What to send: a method, a path, headers and a body, and its HTTP/1.1 wire encoding.
//!
//! Quick mode encodes its one request once for the whole run; scenarios encode into a
//! buffer each VU reuses, so the hot path does not allocate.

use crate::error::RequestError;
use crate::origin::Origin;
use bytes::Bytes;
use loadcell_diagnostics::clip;

/// A request to send on a connection to its origin.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: http::Method,
    pub path_and_query: String,
    /// Header names and values as the user wrote them; they replace defaults of the same
    /// name (case-insensitively).
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Request {
    /// Validates method and headers for a request to `path_and_query`.
    pub fn new(
        method: &str,
        path_and_query: &str,
        headers: Vec<(String, String)>,
        body: Bytes,
    ) -> Result<Request, RequestError> {
        let method = http::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
            .map_err(|_| RequestError::InvalidMethod(method.to_string()))?;
        for (name, value) in &headers {
            check_header(name, value)?;
        }
        Ok(Request {
            method,
            path_and_query: path_and_query.to_string(),
            headers,
            body,
        })
    }

    /// True for HEAD, whose response carries no body whatever its headers say.
    pub fn is_head(&self) -> bool {
        self.method == http::Method::HEAD
    }

    fn has_header(&self, name: &str) -> bool {
        self.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
    }
}

/// Splits a `Name: value` line (as given to `-H`) and checks it with [`check_header`].
pub fn parse_header_line(line: &str) -> Result<(String, String), RequestError> {
    let (name, value) = line
        .split_once(':')
        .ok_or_else(|| RequestError::InvalidHeader(clip(line, 80)))?;
    let (name, value) = (name.trim(), value.trim());
    check_header(name, value)?;
    Ok((name.to_string(), value.to_string()))
}

/// Checks that `name: value` can be sent as one header line. The errors quote user text
/// with control characters escaped, so a refused CR/LF is shown, never echoed.
pub fn check_header(name: &str, value: &str) -> Result<(), RequestError> {
    if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(RequestError::InvalidHeaderName(clip(name, 80)));
    }
    if value.contains(['\r', '\n']) {
        return Err(RequestError::HeaderLineBreak(clip(name, 80)));
    }
    if let Some(c) = value.chars().find(|c| c.is_control() && *c != '\t') {
        return Err(RequestError::HeaderControlCharacter {
            name: clip(name, 80),
            found: c.escape_default().to_string(),
        });
    }
    Ok(())
}

/// Appends the HTTP/1.1 encoding of `req` to `out`.
pub fn encode_h1(req: &Request, origin: &Origin, out: &mut Vec<u8>) {
    encode_h1_with_body(req, &req.body, origin, out);
}

/// Appends the HTTP/1.1 encoding of `req` with `body` in place of `req.body`, so callers
/// that render bodies into a reused buffer need not hand over ownership (no allocation).
pub fn encode_h1_with_body(req: &Request, body: &[u8], origin: &Origin, out: &mut Vec<u8>) {
    out.extend_from_slice(req.method.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(req.path_and_query.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\n");
    let mut header = |name: &str, value: &str| {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    };
    if !req.has_header("host") {
        header("Host", &origin.authority);
    }
    if !req.has_header("user-agent") {
        header("User-Agent", concat!("loadcell/", env!("CARGO_PKG_VERSION")));
    }
    if !req.has_header("accept") {
        header("Accept", "*/*");
    }
    for (name, value) in &req.headers {
        if !name.eq_ignore_ascii_case("content-length") {
            header(name, value);
        }
    }
    let needs_length =
        !body.is_empty() || matches!(req.method, http::Method::POST | http::Method::PUT | http::Method::PATCH);
    if needs_length {
        let mut digits = [0u8; 20];
        header("Content-Length", decimal(body.len(), &mut digits));
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
}

/// Formats `n` in decimal into `buf` without allocating.
fn decimal(mut n: usize, buf: &mut [u8; 20]) -> &str {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[i..]).unwrap_or("0")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        Origin::parse("http://127.0.0.1:8080/").unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn encodes_defaults_user_headers_and_body() {
        let req = Request::new(
            "post",
            "/x?y=1",
            vec![("X-A".into(), "1".into()), ("accept".into(), "application/json".into())],
            Bytes::from_static(b"hi"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        encode_h1(&req, &origin(), &mut out);
        let text = String::from_utf8(out).unwrap_or_default();
        assert!(
            text.starts_with("POST /x?y=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"),
            "{text}"
        );
        assert!(text.contains("X-A: 1\r\n"));
        assert!(text.contains("accept: application/json\r\n"));
        assert!(!text.contains("Accept: */*"));
        assert!(text.ends_with("Content-Length: 2\r\n\r\nhi"), "{text}");
    }

    #[test]
    fn get_without_body_has_no_length() {
        let req = Request::new("GET", "/", vec![], Bytes::new()).unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        encode_h1(&req, &origin(), &mut out);
        assert!(!String::from_utf8_lossy(&out).contains("Content-Length"));
    }

    #[test]
    fn rejects_bad_methods_and_headers() {
        assert!(Request::new("GE T", "/", vec![], Bytes::new()).is_err());
        assert!(Request::new("GET", "/", vec![("bad name".into(), "v".into())], Bytes::new()).is_err());
        assert!(Request::new("GET", "/", vec![("x".into(), "a\nb".into())], Bytes::new()).is_err());
    }

    #[test]
    fn header_injection_is_refused_without_echoing_control_characters() {
        let refused =
            |name: &str, value: &str| match Request::new("GET", "/", vec![(name.into(), value.into())], Bytes::new()) {
                Ok(_) => panic!("{name:?}: {value:?} accepted"),
                Err(e) => e.to_string(),
            };
        let crlf = refused("X-A", "1\r\nX-Injected: yes");
        assert_eq!(
            crlf,
            "header 'X-A' has a line break (CR or LF) in its value; a header value must be one line"
        );
        assert_eq!(refused("X-A", "bare\rcr"), crlf);
        let name = refused("X-\r\nB", "v");
        assert_eq!(
            name,
            "invalid header name 'X-\\r\\nB': use letters, digits and !#$%&'*+-.^_`|~"
        );
        assert_eq!(
            refused("X-A", "a\u{7f}"),
            "header 'X-A' has a control character (\\u{7f}) in its value"
        );
        for message in [crlf, name] {
            assert!(!message.contains(['\r', '\n']), "{message:?}");
        }
        assert!(Request::new("GET", "/", vec![("X-Tab".into(), "a\tb".into())], Bytes::new()).is_ok());
    }

    #[test]
    fn header_lines_split_at_the_first_colon() {
        assert_eq!(
            parse_header_line(" Authorization : Bearer a:b "),
            Ok(("Authorization".to_string(), "Bearer a:b".to_string()))
        );
        let missing = parse_header_line("no colon\r\nX-Injected: 1".split(':').next().unwrap_or_default());
        assert_eq!(
            missing.map_err(|e| e.to_string()),
            Err("invalid header 'no colon\\r\\nX-Injected': expected 'Name: value'".to_string())
        );
        assert!(matches!(
            parse_header_line("X: a\nb"),
            Err(RequestError::HeaderLineBreak(_))
        ));
    }
}
