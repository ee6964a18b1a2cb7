//! Building a step's request into the VU's reused buffers: the URL (with query), headers
//! (defaults, the step's own, content type, cookies) and body, then the HTTP/1.1 bytes.

use crate::vu::{VarsView, VuState};
use loadcell_http::{Origin, encode_h1_with_body};
use loadcell_scenario::{RequestStep, Scenario, Template, append_query};

/// A template referred to a variable that has not been set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderFailed;

/// Fills a request's header list in place, reusing the strings of the previous request.
struct HeaderWriter<'a> {
    headers: &'a mut Vec<(String, String)>,
    count: usize,
}

impl HeaderWriter<'_> {
    fn slot(&mut self, name: &str) -> &mut String {
        if self.count == self.headers.len() {
            self.headers.push((String::new(), String::new()));
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
        if slot.contains(['\r', '\n']) {
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
        self.headers.truncate(self.count);
    }
}

/// Renders `rs` into `vu.request` and `vu.wire`.
pub fn build_request(
    rs: &RequestStep,
    scenario: &Scenario,
    origin: &Origin,
    vu: &mut VuState,
    http2: bool,
) -> Result<(), RenderFailed> {
    let VuState {
        vars,
        rows,
        rng,
        vu: vu_id,
        iteration,
        request,
        body,
        wire,
        scratch,
        jar,
        ..
    } = vu;
    let mut view = VarsView {
        vars,
        rows,
        data: &scenario.data,
        vu: *vu_id,
        iteration: *iteration,
        rng,
    };

    request.method = http::Method::from_bytes(rs.method.as_bytes()).unwrap_or(http::Method::GET);
    let path = &mut request.path_and_query;
    path.clear();
    rs.url.render(&mut view, path).map_err(|_| RenderFailed)?;
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
    append_query(path, &rs.query, &mut view).map_err(|_| RenderFailed)?;

    let mut headers = HeaderWriter {
        headers: &mut request.headers,
        count: 0,
    };
    for (name, value) in &scenario.defaults.headers {
        if !rs.headers.iter().any(|(n, _)| n == name) {
            headers.render(name, value, &mut view)?;
        }
    }
    for (name, value) in &rs.headers {
        headers.render(name, value, &mut view)?;
    }
    if let Some(content_type) = rs.body.content_type().filter(|_| !headers.has("content-type")) {
        headers.text("content-type", content_type);
    }
    if !headers.has("cookie") && jar.header_value(scratch) {
        headers.text("cookie", scratch);
    }
    headers.finish();

    body.clear();
    rs.body.render(&mut view, body).map_err(|_| RenderFailed)?;
    if http2 {
        request.body = bytes::Bytes::copy_from_slice(body);
    }
    wire.clear();
    encode_h1_with_body(request, body, origin, wire);
    Ok(())
}
