//! Building a step's request into the VU's reused buffers: the URL (with query), headers
//! (defaults, the step's own, content type, cookies) and body, then the HTTP/1.1 bytes.
//! A batch's requests are built the same way, each into buffers of its own.

use crate::cookies::{CookieJar, JarAccess};
use crate::vu::{Io, Parts, VarsView, VuState};
use loadcell_http::{Origin, encode_h1_with_body};
use loadcell_scenario::{RequestStep, Scenario, Template, append_query};

/// A template referred to a variable that has not been set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderFailed;

/// Fills a request's header list in place, reusing the strings of the previous request,
/// and of earlier ones that had more headers (`spare`).
struct HeaderWriter<'a> {
    headers: &'a mut Vec<(String, String)>,
    spare: &'a mut Vec<(String, String)>,
    count: usize,
}

impl HeaderWriter<'_> {
    fn slot(&mut self, name: &str) -> &mut String {
        if self.count == self.headers.len() {
            self.headers.push(self.spare.pop().unwrap_or_default());
        }
        let (n, v) = &mut self.headers[self.count];
        self.count += 1;
        n.clear();
        n.push_str(name);
        v.clear();
        v
    }

    /// Renders a header value; a value that came out with a line break (say, an extracted
    /// variable holding CR/LF) would inject headers, so the request is not made.
    fn render(&mut self, name: &str, value: &Template, view: &mut VarsView<'_>) -> Result<(), RenderFailed> {
        let slot = self.slot(name);
        value.render(view, slot).map_err(|_| RenderFailed)?;
        if memchr::memchr2(b'\r', b'\n', slot.as_bytes()).is_some() {
            return Err(RenderFailed);
        }
        Ok(())
    }

    fn text(&mut self, name: &str, value: &str) {
        self.slot(name).push_str(value);
    }

    fn has(&self, name: &str) -> bool {
        self.headers[..self.count]
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    fn finish(self) {
        self.spare.extend(self.headers.drain(self.count..));
    }
}

/// What every request of a run is built against: the scenario (its data and defaults), the
/// target's origin and its `scheme://authority` (made once per run, which the cookie jar
/// matches with the path), and whether requests go out over HTTP/2.
pub struct Target<'a> {
    pub scenario: &'a Scenario,
    pub origin: &'a Origin,
    pub base: &'a str,
    pub http2: bool,
}

/// Renders `rs` into `vu.io` (its request and wire bytes).
pub fn build_request(rs: &RequestStep, target: &Target<'_>, vu: &mut VuState) -> Result<(), RenderFailed> {
    let Parts { mut view, jar, io, .. } = vu.parts(&target.scenario.data);
    render(rs, target, &mut view, jar, io)
}

/// Renders `rs`, request `i` of the batch step being run, into that request's buffers.
pub(crate) fn build_batch_request(
    rs: &RequestStep,
    target: &Target<'_>,
    vu: &mut VuState,
    i: usize,
) -> Result<(), RenderFailed> {
    let Parts {
        mut view, jar, batch, ..
    } = vu.parts(&target.scenario.data);
    let io = &mut batch.get_mut(i).ok_or(RenderFailed)?.get_mut().io;
    render(rs, target, &mut view, jar, io)
}

fn render(
    rs: &RequestStep,
    target: &Target<'_>,
    view: &mut VarsView<'_>,
    jar: &mut CookieJar,
    io: &mut Io,
) -> Result<(), RenderFailed> {
    let Target {
        scenario,
        origin,
        base,
        http2,
    } = *target;
    let Io {
        request,
        body,
        wire,
        scratch,
        spare_headers,
        ..
    } = io;

    request.method = http::Method::from_bytes(rs.method.as_bytes()).unwrap_or(http::Method::GET);
    let path = &mut request.path_and_query;
    path.clear();
    rs.url.render(view, path).map_err(|_| RenderFailed)?;
    if rs.absolute {
        // Same origin only: the VU's connection goes to the run's target.
        let base = origin.base();
        let rest = path.strip_prefix(&base).ok_or(RenderFailed)?;
        *path = if rest.is_empty() {
            "/".to_string()
        } else {
            rest.to_string()
        };
    }
    append_query(path, &rs.query, view).map_err(|_| RenderFailed)?;

    let mut headers = HeaderWriter {
        headers: &mut request.headers,
        spare: spare_headers,
        count: 0,
    };
    for (name, value) in &scenario.defaults.headers {
        if !rs.headers.iter().any(|(n, _)| n == name) {
            headers.render(name, value, view)?;
        }
    }
    for (name, value) in &rs.headers {
        headers.render(name, value, view)?;
    }
    if let Some(content_type) = rs.body.content_type().filter(|_| !headers.has("content-type")) {
        headers.text("content-type", content_type);
    }
    if !headers.has("cookie") && jar.header_value(base, &request.path_and_query, scratch) {
        headers.text("cookie", scratch);
    }
    headers.finish();

    body.clear();
    rs.body.render(view, body).map_err(|_| RenderFailed)?;
    if http2 {
        request.body = bytes::Bytes::copy_from_slice(body);
    }
    wire.clear();
    encode_h1_with_body(request, body, origin, wire);
    Ok(())
}

/// The next request of a redirect chain.
pub struct Hop<'a> {
    pub method: http::Method,
    /// 307 and 308 keep the body; the others drop it (with its `content-type`).
    pub keep_body: bool,
    /// Path and query on `origin`.
    pub path: &'a str,
    pub origin: &'a Origin,
    /// `origin`'s `scheme://authority`, which the cookie jar matches with the path.
    pub base: &'a str,
}

/// Turns the request in `io` into `hop`: its method, path and body, and the jar's cookies
/// for the new URL unless the step sets its own `cookie` header. The step's other headers go
/// along, as browsers and k6 send them.
pub(crate) fn redirect_request(
    io: &mut Io,
    jar: &mut impl JarAccess,
    hop: &Hop<'_>,
    step_sets_cookie: bool,
    http2: bool,
) {
    let Io {
        request,
        body,
        wire,
        scratch,
        ..
    } = io;
    request.method = hop.method.clone();
    request.path_and_query.clear();
    request.path_and_query.push_str(hop.path);
    if !hop.keep_body {
        body.clear();
        request.body = bytes::Bytes::new();
        request
            .headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case("content-type") && !n.eq_ignore_ascii_case("content-length"));
    }
    if !step_sets_cookie {
        request.headers.retain(|(n, _)| !n.eq_ignore_ascii_case("cookie"));
        if jar.with(|jar| jar.header_value(hop.base, hop.path, scratch)) {
            request.headers.push(("cookie".to_string(), scratch.clone()));
        }
    }
    if http2 && hop.keep_body {
        request.body = bytes::Bytes::copy_from_slice(body);
    }
    wire.clear();
    encode_h1_with_body(request, body, hop.origin, wire);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(headers: &mut Vec<(String, String)>, spare: &mut Vec<(String, String)>, list: &[(&str, &str)]) {
        let mut w = HeaderWriter {
            headers,
            spare,
            count: 0,
        };
        for (name, value) in list {
            w.text(name, value);
        }
        w.finish();
    }

    #[test]
    fn header_slots_a_shorter_request_left_are_reused_by_a_later_longer_one() {
        let (mut headers, mut spare) = (Vec::new(), Vec::new());
        write(&mut headers, &mut spare, &[("x-request", "abc")]);
        let value_buffer = headers[0].1.as_ptr();
        write(&mut headers, &mut spare, &[]);
        assert!(headers.is_empty());
        write(&mut headers, &mut spare, &[("x-other", "def")]);
        assert_eq!(headers, [("x-other".to_string(), "def".to_string())]);
        assert_eq!(headers[0].1.as_ptr(), value_buffer, "the slot's string was reused");
        assert!(spare.is_empty());
    }
}
