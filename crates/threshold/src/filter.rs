//! Tag filters (`{endpoint:GET /api/x,status:200}`): the known tag keys, which metric each
//! key can split, the `status` values (`200`, `2xx`), and parsing the text between the
//! outermost braces. Whether a value names something the run has (an endpoint, a journey)
//! is checked against the run by `loadcell-analysis` before the first request.

use std::fmt;

use crate::error::{ThresholdError, clip};
use crate::parse::Ctx;
use crate::suggest;

/// A tag a threshold can filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TagKey {
    Endpoint,
    Name,
    Method,
    Status,
    Journey,
    Step,
    Check,
    Scenario,
    Url,
    /// k6's `group`: the journey (`::browse` or `browse`).
    Group,
    /// k6's `expected_response`: `true` for a status below 400, `false` otherwise.
    ExpectedResponse,
    /// k6's `error`: the kind of a failed request (`request_timeout`, `reset` …).
    Error,
}

impl TagKey {
    /// Every key, in documentation order.
    pub const ALL: [TagKey; 12] = [
        TagKey::Endpoint,
        TagKey::Name,
        TagKey::Method,
        TagKey::Status,
        TagKey::Journey,
        TagKey::Step,
        TagKey::Check,
        TagKey::Scenario,
        TagKey::Url,
        TagKey::Group,
        TagKey::ExpectedResponse,
        TagKey::Error,
    ];

    /// The key as written in a filter, e.g. `endpoint`.
    pub fn as_str(self) -> &'static str {
        match self {
            TagKey::Endpoint => "endpoint",
            TagKey::Name => "name",
            TagKey::Method => "method",
            TagKey::Status => "status",
            TagKey::Journey => "journey",
            TagKey::Step => "step",
            TagKey::Check => "check",
            TagKey::Scenario => "scenario",
            TagKey::Url => "url",
            TagKey::Group => "group",
            TagKey::ExpectedResponse => "expected_response",
            TagKey::Error => "error",
        }
    }

    /// The key with this exact spelling.
    pub fn from_name(name: &str) -> Option<TagKey> {
        TagKey::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// A `status` tag's value: one code (`200`) or a class (`2xx`, any case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusFilter {
    Code(u16),
    /// The hundreds digit: `2` for `2xx`.
    Class(u16),
}

impl StatusFilter {
    /// `200` (100 to 599) or `2xx` (1xx to 5xx); `None` for anything else.
    pub fn parse(text: &str) -> Option<StatusFilter> {
        let bytes = text.as_bytes();
        if bytes.len() != 3 || !(b'1'..=b'5').contains(&bytes[0]) {
            return None;
        }
        let first = u16::from(bytes[0] - b'0');
        if text[1..].eq_ignore_ascii_case("xx") {
            return Some(StatusFilter::Class(first));
        }
        text.parse().ok().map(StatusFilter::Code)
    }

    /// The codes it matches, inclusive: `(200, 200)`, `(200, 299)`.
    pub fn range(self) -> (u16, u16) {
        match self {
            StatusFilter::Code(c) => (c, c),
            StatusFilter::Class(n) => (n * 100, n * 100 + 99),
        }
    }
}

impl fmt::Display for StatusFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusFilter::Code(c) => write!(f, "{c}"),
            StatusFilter::Class(n) => write!(f, "{n}xx"),
        }
    }
}

impl fmt::Display for TagKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The tags a threshold is restricted to; all must match. Empty means no
/// filter. Values are kept exactly as written (trimmed), e.g.
/// `GET /api/products/{{ product_id }}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TagFilter {
    pub tags: Vec<(TagKey, String)>,
    /// Tags of the scenario file's own (`tags:` on scenarios, journeys and steps), in
    /// filter order after the built-in ones; whether the run has them is checked before it.
    pub custom: Vec<(String, String)>,
}

impl TagFilter {
    /// True when the threshold applies to all samples of its metric.
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty() && self.custom.is_empty()
    }

    /// The value required for `key`, if the filter has one.
    pub fn get(&self, key: TagKey) -> Option<&str> {
        self.tags.iter().find(|(k, _)| *k == key).map(|(_, v)| v.as_str())
    }

    /// The `status` tag, when there is one (its value was checked when parsed).
    pub fn status(&self) -> Option<StatusFilter> {
        self.get(TagKey::Status).and_then(StatusFilter::parse)
    }
}

impl fmt::Display for TagFilter {
    /// `{endpoint:GET /x,status:200}`, or nothing when empty.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return Ok(());
        }
        f.write_str("{")?;
        let builtin = self.tags.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        let custom = self.custom.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        for (i, (k, v)) in builtin.chain(custom).enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{k}:{v}")?;
        }
        f.write_str("}")
    }
}

/// Parses the text between the braces of a filter.
///
/// Pairs are separated by a comma only when the comma is followed by
/// `identifier:`, so values may contain commas, spaces, slashes, colons and
/// braces (`endpoint:GET /a/{{ id }}`, `url:http://x/?a=1,2`).
pub(crate) fn parse_filter(ctx: &Ctx, content: &str) -> Result<TagFilter, ThresholdError> {
    let mut filter = TagFilter::default();
    if content.trim().is_empty() {
        return Ok(filter);
    }
    for pair in split_pairs(content) {
        let pair = pair.trim();
        let Some((key, value)) = pair.split_once(':') else {
            return Err(ctx.syntax(format!(
                "expected 'key:value' in the tag filter, found '{}'",
                clip(pair, 60)
            )));
        };
        let (key, value) = (key.trim(), value.trim());
        if key.is_empty() {
            return Err(ctx.syntax(format!("missing tag key before ':' in '{}'", clip(pair, 60))));
        }
        if value.is_empty() {
            return Err(ctx.syntax(format!("missing value for tag '{key}' in the filter")));
        }
        let Some(tag) = TagKey::from_name(key) else {
            // A near-miss of a built-in key is a typo; any other name is the file's own tag
            // (`{kind:checkout}`), checked against the run before its first request.
            let names: Vec<&'static str> = TagKey::ALL.iter().map(|k| k.as_str()).collect();
            let suggestion = suggest::closest(key, &names);
            if suggestion.is_some() || !is_tag_name(key) {
                return Err(ThresholdError::UnknownTagKey {
                    expr: ctx.expr.clone(),
                    key: clip(key, 60),
                    suggestion,
                });
            }
            if filter.custom.iter().any(|(k, _)| k == key) {
                return Err(ctx.syntax(format!("tag '{key}' appears twice in the filter")));
            }
            filter.custom.push((key.to_string(), value.to_string()));
            continue;
        };
        if filter.get(tag).is_some() {
            return Err(ctx.syntax(format!("tag '{key}' appears twice in the filter")));
        }
        if tag == TagKey::ExpectedResponse && value != "true" && value != "false" {
            return Err(ctx.syntax(format!(
                "expected_response is true or false, found '{}'",
                clip(value, 30)
            )));
        }
        if tag == TagKey::Status && StatusFilter::parse(value).is_none() {
            return Err(ctx.syntax(format!(
                "status '{}' is neither a code from 100 to 599 (200) nor a class (2xx, 4xx, 5xx)",
                clip(value, 30)
            )));
        }
        filter.tags.push((tag, value.to_string()));
    }
    Ok(filter)
}

/// A name a scenario file's `tags:` can declare: `[A-Za-z_][A-Za-z0-9_]*`.
fn is_tag_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn split_pairs(content: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in content.char_indices() {
        if c == ',' && starts_pair(&content[i + 1..]) {
            parts.push(&content[start..i]);
            start = i + 1;
        }
    }
    parts.push(&content[start..]);
    parts
}

/// Whether `s` starts with optional whitespace, an identifier and a `:`.
fn starts_pair(s: &str) -> bool {
    let s = s.trim_start();
    let n = s
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    n > 0 && s[n..].trim_start().starts_with(':')
}
