//! Building request parts from a compiled step at run time: the query string (percent-encoded),
//! the body bytes (JSON, URL-encoded form, text or file), and which data sources a journey
//! reads (so the runtime knows whose rows an iteration needs).

use std::fmt;

use crate::error::RenderError;
use crate::model::{Body, Journey, Multipart, PartContent, RequestStep, Scenario, Step};
use crate::template::{Part, RawBytes, Template, Vars};

/// Appends `?k=v&...` (or `&k=v...` when `url` already has a query) with names and rendered
/// values percent-encoded as in HTML forms.
pub fn append_query(url: &mut String, query: &[(String, Template)], vars: &mut dyn Vars) -> Result<(), RenderError> {
    for (i, (name, value)) in query.iter().enumerate() {
        let sep = if i == 0 && !url.contains('?') { '?' } else { '&' };
        url.push(sep);
        let mut enc = FormEncode(url);
        let _ = fmt::Write::write_str(&mut enc, name);
        enc.0.push('=');
        value.render_to(vars, &mut FormEncode(url))?;
    }
    Ok(())
}

impl Body {
    /// Appends the body bytes to `out` (nothing for [`Body::None`]).
    pub fn render(&self, vars: &mut dyn Vars, out: &mut Vec<u8>) -> Result<(), RenderError> {
        match self {
            Body::None => Ok(()),
            Body::Json(t) => t.render(vars, out),
            Body::Raw(t) => t.render_to(vars, &mut RawBytes(out)),
            Body::File(bytes) => {
                out.extend_from_slice(bytes);
                Ok(())
            }
            Body::Multipart(m) => {
                for part in &m.parts {
                    out.extend_from_slice(&part.head);
                    match &part.content {
                        PartContent::Field(t) => t.render_to(vars, &mut RawBytes(out))?,
                        PartContent::File(bytes) => out.extend_from_slice(bytes),
                    }
                }
                out.extend_from_slice(&m.tail);
                Ok(())
            }
            Body::Form(fields) => {
                let mut text = String::new();
                for (i, (name, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        text.push('&');
                    }
                    let _ = fmt::Write::write_str(&mut FormEncode(&mut text), name);
                    text.push('=');
                    value.render_to(vars, &mut FormEncode(&mut text))?;
                }
                out.extend_from_slice(text.as_bytes());
                Ok(())
            }
        }
    }

    /// True when the body is the same for every request.
    pub fn is_static(&self) -> bool {
        match self {
            Body::None | Body::File(_) => true,
            Body::Json(t) => t.is_static(),
            Body::Raw(t) => t.is_static(),
            Body::Form(fields) => fields.iter().all(|(_, t)| t.is_static()),
            Body::Multipart(m) => m.fields().all(Template::is_static),
        }
    }
}

impl RequestStep {
    /// Every template of the step: URL, headers, query and body.
    pub fn templates(&self) -> Vec<&Template> {
        let mut all = vec![&self.url];
        all.extend(self.headers.iter().map(|(_, t)| t));
        all.extend(self.query.iter().map(|(_, t)| t));
        match &self.body {
            Body::Json(j) => all.extend(j.templates()),
            Body::Form(fields) => all.extend(fields.iter().map(|(_, t)| t)),
            Body::Multipart(m) => all.extend(m.fields()),
            Body::Raw(t) => all.push(t),
            Body::None | Body::File(_) => {}
        }
        all.extend(self.add.iter().filter_map(|a| match &a.value {
            crate::model::AddValue::Template(t) => Some(t),
            _ => None,
        }));
        all
    }

    /// Indexes into [`Scenario::data`] of the sources this step's templates read, in order of
    /// first use.
    pub fn data_sources(&self) -> Vec<usize> {
        let mut sources = Vec::new();
        for t in self.templates() {
            add_sources(t, &mut sources);
        }
        sources
    }
}

fn add_sources(t: &Template, sources: &mut Vec<usize>) {
    for part in t.parts() {
        if let Part::Field { source, .. } = part
            && !sources.contains(source)
        {
            sources.push(*source);
        }
    }
}

impl Scenario {
    /// Indexes into [`Scenario::data`] of the sources `journey` reads (its steps and the
    /// default headers), sorted. An iteration of the journey needs one row of each.
    pub fn data_used_by(&self, journey: &Journey) -> Vec<usize> {
        let mut used: Vec<usize> = Vec::new();
        for (_, t) in &self.defaults.headers {
            add_sources(t, &mut used);
        }
        for r in journey.steps.iter().flat_map(Step::requests) {
            for t in r.templates() {
                add_sources(t, &mut used);
            }
        }
        used.sort_unstable();
        used
    }
}

/// `application/x-www-form-urlencoded` encoding: unreserved bytes kept, space as `+`, the rest
/// as `%XX`.
struct FormEncode<'a>(&'a mut String);

impl fmt::Write for FormEncode<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        for &b in s.as_bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => self.0.push(char::from(b)),
                b' ' => self.0.push('+'),
                _ => {
                    self.0.push('%');
                    self.0.push(char::from(HEX[usize::from(b >> 4)]));
                    self.0.push(char::from(HEX[usize::from(b & 15)]));
                }
            }
        }
        Ok(())
    }
}

impl Multipart {
    /// The templates of its text fields.
    pub fn fields(&self) -> impl Iterator<Item = &Template> {
        self.parts.iter().filter_map(|p| match &p.content {
            PartContent::Field(t) => Some(t),
            PartContent::File(_) => None,
        })
    }
}
