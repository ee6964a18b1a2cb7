//! Templates: the compiled form of `"Bearer {{ token }}"` and its rendering. Parsing the
//! `{{ ... }}` syntax lives here too (`split`); resolving names against data sources and
//! earlier extractions is done by the validator (`parse::template`).
//!
//! Syntax: `{{ EXPR }}` with optional spaces inside, where EXPR is a variable (`token`), a data
//! field (`users.name`), `env.NAME` (replaced when the scenario is loaded) or a built-in
//! (`uuid`, `random_int(a, b)`, `random_string(n)`, `now_ms`, `vu`, `iteration`). `{{{{` is a
//! literal `{{`; a `}}` outside a template is literal text.

use std::fmt::{self, Write as _};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::error::RenderError;

/// What rendering needs from the running virtual user.
pub trait Vars {
    /// The value of an extracted variable (`token`) or, by default, a data field
    /// (`users.name`, see [`Vars::field`]).
    fn get(&self, name: &str) -> Option<&Value>;
    /// The virtual user's number.
    fn vu(&self) -> u64;
    /// The iteration's number for this VU.
    fn iteration(&self) -> u64;
    /// A uniformly distributed random number (the runtime owns the generator).
    fn random(&mut self) -> u64;
    /// The current row's value for a data field: `source` indexes [`crate::Scenario::data`],
    /// `column` its columns, `name` is `SOURCE.COLUMN` as written. The default looks `name` up
    /// with [`Vars::get`]; a runtime can override this to index its rows directly.
    fn field(&self, source: usize, column: usize, name: &str) -> Option<&Value> {
        let _ = (source, column);
        self.get(name)
    }
}

/// One piece of a compiled template.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// Literal text (including resolved `{{ env.X }}`).
    Text(String),
    /// An extracted variable.
    Var(String),
    /// A data-source field of the current row: `name` is `SOURCE.COLUMN`.
    Field {
        name: String,
        source: usize,
        column: usize,
    },
    /// A random v4 UUID.
    Uuid,
    /// A random whole number in `lo..=hi`.
    RandomInt(i64, i64),
    /// `n` random letters and digits.
    RandomString(usize),
    /// Milliseconds since the Unix epoch.
    NowMs,
    Vu,
    Iteration,
}

/// A compiled text template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

impl Template {
    pub(crate) fn new(source: String, mut parts: Vec<Part>) -> Template {
        // Merge adjacent text so rendering does fewer pushes.
        let mut merged: Vec<Part> = Vec::with_capacity(parts.len());
        for part in parts.drain(..) {
            match (merged.last_mut(), part) {
                (Some(Part::Text(prev)), Part::Text(next)) => prev.push_str(&next),
                (_, Part::Text(t)) if t.is_empty() => {}
                (_, part) => merged.push(part),
            }
        }
        Template { source, parts: merged }
    }

    /// A template that is plain text (no `{{ }}` processing).
    pub fn text(text: &str) -> Template {
        Template::new(text.to_string(), vec![Part::Text(text.to_string())])
    }

    /// Appends the rendered text to `out`.
    pub fn render(&self, vars: &mut dyn Vars, out: &mut String) -> Result<(), RenderError> {
        self.render_to(vars, out)
    }

    /// Renders into any `fmt::Write` sink (e.g. an escaping or percent-encoding adapter).
    pub fn render_to(&self, vars: &mut dyn Vars, out: &mut dyn fmt::Write) -> Result<(), RenderError> {
        for part in &self.parts {
            render_part(part, vars, out)?;
        }
        Ok(())
    }

    /// The rendered text as a new string (convenience; prefer [`Template::render`] on hot paths).
    pub fn render_string(&self, vars: &mut dyn Vars) -> Result<String, RenderError> {
        let mut out = String::new();
        self.render(vars, &mut out)?;
        Ok(out)
    }

    /// The text as written in the file.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// True when rendering always gives the same text (no variables or built-ins).
    pub fn is_static(&self) -> bool {
        self.parts.iter().all(|p| matches!(p, Part::Text(_)))
    }

    /// The text of a static template.
    pub fn static_text(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [] => Some(""),
            [Part::Text(t)] => Some(t),
            _ => None,
        }
    }

    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// The single part when the template is exactly one `{{ ... }}`.
    pub(crate) fn single_expression(&self) -> Option<&Part> {
        match self.parts.as_slice() {
            [p] if !matches!(p, Part::Text(_)) => Some(p),
            _ => None,
        }
    }
}

fn render_part(part: &Part, vars: &mut dyn Vars, out: &mut dyn fmt::Write) -> Result<(), RenderError> {
    // `fmt::Write` into our sinks never fails; results are ignored rather than unwrapped.
    let _ = match part {
        Part::Text(t) => out.write_str(t),
        Part::Var(name) => match vars.get(name) {
            Some(v) => write_value(v, out),
            None => return Err(RenderError { name: name.clone() }),
        },
        Part::Field { name, source, column } => match vars.field(*source, *column, name) {
            Some(v) => write_value(v, out),
            None => return Err(RenderError { name: name.clone() }),
        },
        Part::Uuid => {
            let (hi, lo) = (vars.random(), vars.random());
            write_uuid(hi, lo, out)
        }
        Part::RandomInt(lo, hi) => write!(out, "{}", random_int(*lo, *hi, vars.random())),
        Part::RandomString(n) => write_random_string(*n, vars, out),
        Part::NowMs => write!(out, "{}", now_ms()),
        Part::Vu => write!(out, "{}", vars.vu()),
        Part::Iteration => write!(out, "{}", vars.iteration()),
    };
    Ok(())
}

/// Text form of a value: strings as they are, `null` as nothing, others as compact JSON.
fn write_value(v: &Value, out: &mut dyn fmt::Write) -> fmt::Result {
    match v {
        Value::String(s) => out.write_str(s),
        Value::Null => Ok(()),
        // An extracted id is usually a number: skip the JSON serializer for it.
        Value::Number(n) => write!(out, "{n}"),
        Value::Bool(b) => out.write_str(if *b { "true" } else { "false" }),
        other => write!(out, "{other}"),
    }
}

/// A v4 UUID from two random numbers (hex written by hand: `write!` with widths cost more
/// than the rest of a request's templating).
fn write_uuid(hi: u64, lo: u64, out: &mut dyn fmt::Write) -> fmt::Result {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let hi = (hi & !0xF000) | 0x4000;
    let lo = (lo & !(0b11 << 62)) | (0b10 << 62);
    let value = (u128::from(hi) << 64) | u128::from(lo);
    let mut text = [b'-'; 36];
    let mut nibble = 32;
    for (i, byte) in text.iter_mut().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            continue;
        }
        nibble -= 1;
        *byte = HEX[((value >> (nibble * 4)) & 0xF) as usize];
    }
    out.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
}

/// Maps `r` onto `lo..=hi` without modulo bias worth speaking of.
fn random_int(lo: i64, hi: i64, r: u64) -> i64 {
    let span = (i128::from(hi) - i128::from(lo) + 1) as u128;
    let offset = (u128::from(r) * span) >> 64;
    (i128::from(lo) + offset as i128) as i64
}

const ALPHANUMERIC: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

fn write_random_string(n: usize, vars: &mut dyn Vars, out: &mut dyn fmt::Write) -> fmt::Result {
    let mut left = 0;
    let mut r = 0u64;
    for _ in 0..n {
        if left == 0 {
            r = vars.random();
            left = 10; // 62^10 < 2^64
        }
        out.write_char(char::from(ALPHANUMERIC[(r % 62) as usize]))?;
        r /= 62;
        left -= 1;
    }
    Ok(())
}

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

/// A compiled `json:` body: the JSON text with holes for templates.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonTemplate {
    parts: Vec<JsonPart>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum JsonPart {
    /// JSON text as is.
    Raw(String),
    /// A string with templates inside: rendered between quotes, escaped.
    Str(Template),
    /// A string that is exactly one `{{ x }}`: the value itself (a number stays a number).
    Whole(Template),
}

impl JsonTemplate {
    pub(crate) fn new(parts: Vec<JsonPart>) -> JsonTemplate {
        JsonTemplate { parts }
    }

    /// Appends the JSON text to `out`.
    pub fn render(&self, vars: &mut dyn Vars, out: &mut Vec<u8>) -> Result<(), RenderError> {
        for part in &self.parts {
            match part {
                JsonPart::Raw(text) => out.extend_from_slice(text.as_bytes()),
                JsonPart::Str(t) => {
                    out.push(b'"');
                    t.render_to(vars, &mut JsonEscape(out))?;
                    out.push(b'"');
                }
                JsonPart::Whole(t) => render_whole(t, vars, out)?,
            }
        }
        Ok(())
    }

    /// True when the body is the same for every request.
    pub fn is_static(&self) -> bool {
        self.parts.iter().all(|p| matches!(p, JsonPart::Raw(_)))
    }

    pub(crate) fn templates(&self) -> impl Iterator<Item = &Template> {
        self.parts.iter().filter_map(|p| match p {
            JsonPart::Raw(_) => None,
            JsonPart::Str(t) | JsonPart::Whole(t) => Some(t),
        })
    }
}

fn render_whole(t: &Template, vars: &mut dyn Vars, out: &mut Vec<u8>) -> Result<(), RenderError> {
    let value = match t.single_expression() {
        Some(Part::Var(name)) => vars.get(name),
        Some(Part::Field { name, source, column }) => vars.field(*source, *column, name),
        Some(Part::RandomInt(..) | Part::NowMs | Part::Vu | Part::Iteration) => {
            return t.render_to(vars, &mut RawBytes(out));
        }
        _ => {
            out.push(b'"');
            t.render_to(vars, &mut JsonEscape(out))?;
            out.push(b'"');
            return Ok(());
        }
    };
    match value {
        Some(v) => {
            let _ = write!(RawBytes(out), "{v}");
            Ok(())
        }
        None => Err(RenderError {
            name: match t.single_expression() {
                Some(Part::Var(name) | Part::Field { name, .. }) => name.clone(),
                _ => String::new(),
            },
        }),
    }
}

/// Writes text into a byte buffer as is.
pub(crate) struct RawBytes<'a>(pub(crate) &'a mut Vec<u8>);

impl fmt::Write for RawBytes<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// Writes text into a byte buffer escaped for the inside of a JSON string.
pub(crate) struct JsonEscape<'a>(pub(crate) &'a mut Vec<u8>);

impl fmt::Write for JsonEscape<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &b in s.as_bytes() {
            match b {
                b'"' => self.0.extend_from_slice(b"\\\""),
                b'\\' => self.0.extend_from_slice(b"\\\\"),
                b'\n' => self.0.extend_from_slice(b"\\n"),
                b'\r' => self.0.extend_from_slice(b"\\r"),
                b'\t' => self.0.extend_from_slice(b"\\t"),
                0..=0x1F => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    self.0.extend_from_slice(&[
                        b'\\',
                        b'u',
                        b'0',
                        b'0',
                        HEX[usize::from(b >> 4)],
                        HEX[usize::from(b & 15)],
                    ]);
                }
                _ => self.0.push(b),
            }
        }
        Ok(())
    }
}

/// One piece of template text before names are resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    Text(&'a str),
    /// The trimmed text between `{{` and `}}`; `occurrence` counts the `{{` before it in the
    /// text (an escaped `{{{{` counts two), to find it in the file for error positions.
    Expr {
        text: &'a str,
        occurrence: usize,
    },
}

/// A syntax error in template text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SplitError {
    pub(crate) occurrence: usize,
    pub(crate) message: String,
}

/// Splits template text into literal text and `{{ }}` expressions.
pub(crate) fn split(text: &str) -> Result<Vec<Piece<'_>>, SplitError> {
    let mut pieces = Vec::new();
    let mut occurrence = 0;
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        if open > 0 {
            pieces.push(Piece::Text(&rest[..open]));
        }
        let after = &rest[open + 2..];
        if let Some(tail) = after.strip_prefix("{{") {
            pieces.push(Piece::Text("{{"));
            occurrence += 2;
            rest = tail;
            continue;
        }
        let unclosed = || SplitError {
            occurrence,
            message: format!(
                "unclosed '{{{{' in {}: expected '}}}}' (write '{{{{{{{{' for a literal '{{{{')",
                crate::error::quote(text, 60)
            ),
        };
        let Some(close) = after.find("}}") else {
            return Err(unclosed());
        };
        let inner = &after[..close];
        if inner.contains("{{") {
            return Err(unclosed());
        }
        let expr = inner.trim();
        if expr.is_empty() {
            return Err(SplitError {
                occurrence,
                message: "empty template '{{ }}': expected a variable or built-in inside".into(),
            });
        }
        pieces.push(Piece::Expr { text: expr, occurrence });
        occurrence += 1;
        rest = &after[close + 2..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests;
