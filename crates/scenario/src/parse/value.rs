//! Typed reads of YAML nodes — text, whole numbers, durations, think times, rates, choices,
//! maps, lists — each recording a `'key' must be …, found …` error when the node does not fit,
//! and the unknown-key check with its did-you-mean suggestion.

use std::time::Duration;

use loadcell_units::{parse_count, parse_duration, parse_rate};

use super::Ctx;
use super::node::{Key, Kind, Node};
use crate::error::quote;
use crate::model::Think;
use crate::suggest;

/// Reports every key of `entries` that is not in `allowed`: `unknown key 'x' {context}; …`.
/// Returns false when one was found.
pub(crate) fn known_keys(ctx: &mut Ctx<'_>, entries: &[(Key, Node)], allowed: &[&str], context: &str) -> bool {
    let mut ok = true;
    for (k, _) in entries {
        if !allowed.contains(&k.text.as_str()) {
            let hint = suggest::hint(&k.text, allowed);
            ctx.error(k.pos, format!("unknown key {} {context}{hint}", quote_key(&k.text)));
            ok = false;
        }
    }
    ok
}

/// `'name'` for messages (control characters escaped, long keys shortened).
pub(crate) fn quote_key(key: &str) -> String {
    format!("'{}'", crate::error::clip(key, 60))
}

pub(crate) fn map<'n>(ctx: &mut Ctx<'_>, node: &'n Node, what: &str) -> Option<&'n [(Key, Node)]> {
    match &node.kind {
        Kind::Map(entries) => Some(entries),
        _ => {
            ctx.error(node.pos, format!("{what} must be a map, found {}", node.describe()));
            None
        }
    }
}

pub(crate) fn seq<'n>(ctx: &mut Ctx<'_>, node: &'n Node, what: &str) -> Option<&'n [Node]> {
    match &node.kind {
        Kind::Seq(items) => Some(items),
        _ => {
            ctx.error(node.pos, format!("{what} must be a list, found {}", node.describe()));
            None
        }
    }
}

/// Any scalar as text (`5` → "5"); null and collections are errors.
pub(crate) fn text(ctx: &mut Ctx<'_>, node: &Node, what: &str) -> Option<String> {
    let t = node.scalar_text();
    if t.is_none() {
        ctx.error(node.pos, format!("{what} must be text, found {}", node.describe()));
    }
    t
}

/// Text that is not empty (after trimming).
pub(crate) fn non_empty_text(ctx: &mut Ctx<'_>, node: &Node, what: &str) -> Option<String> {
    let t = text(ctx, node, what)?;
    if t.trim().is_empty() {
        ctx.error(node.pos, format!("{what} must not be empty"));
        return None;
    }
    Some(t)
}

/// A whole number ≥ 0: `5`, `5.0` or `"10k"`.
pub(crate) fn whole(ctx: &mut Ctx<'_>, node: &Node, what: &str) -> Option<u64> {
    let n = match &node.kind {
        Kind::Int(i) if *i < 0 => {
            ctx.error(node.pos, format!("{what} must be 0 or more, found {i}"));
            return None;
        }
        Kind::Int(i) => u64::try_from(*i).ok(),
        Kind::Float(f) if *f < 0.0 => {
            ctx.error(node.pos, format!("{what} must be 0 or more, found {f}"));
            return None;
        }
        Kind::Float(f) if f.fract() == 0.0 && *f < u64::MAX as f64 => Some(*f as u64),
        Kind::Str(s) if s.trim_start().starts_with('-') && parse_count(&s.replacen('-', "", 1)).is_ok() => {
            ctx.error(node.pos, format!("{what} must be 0 or more, found {}", node.describe()));
            return None;
        }
        Kind::Str(s) => parse_count(s).ok(),
        _ => None,
    };
    if n.is_none() {
        ctx.error(
            node.pos,
            format!("{what} must be a whole number, found {}", node.describe()),
        );
    }
    n
}

/// A whole number in `min..=max`.
pub(crate) fn whole_in(ctx: &mut Ctx<'_>, node: &Node, what: &str, min: u64, max: u64) -> Option<u64> {
    let n = whole(ctx, node, what)?;
    if n < min || n > max {
        let range = if max >= u64::from(u32::MAX) {
            format!("{min} or more")
        } else {
            format!("from {min} to {max}")
        };
        ctx.error(node.pos, format!("{what} must be {range}, found {n}"));
        return None;
    }
    Some(n)
}

/// `500ms`, `30s`, `2m`, `1h30m`; a bare number is seconds.
pub(crate) fn duration(ctx: &mut Ctx<'_>, node: &Node, what: &str) -> Option<Duration> {
    let d = match &node.kind {
        Kind::Int(i) => u64::try_from(*i).ok().map(Duration::from_secs),
        Kind::Float(f) if f.is_finite() && *f >= 0.0 && *f < 1e12 => Some(Duration::from_secs_f64(*f)),
        Kind::Str(s) => parse_duration(s).ok(),
        _ => None,
    };
    if d.is_none() {
        ctx.error(
            node.pos,
            format!(
                "{what} must be a duration such as 500ms, 30s or 2m, found {}",
                node.describe()
            ),
        );
    }
    d
}

/// A duration above zero.
pub(crate) fn positive_duration(ctx: &mut Ctx<'_>, node: &Node, what: &str) -> Option<Duration> {
    let d = duration(ctx, node, what)?;
    if d.is_zero() {
        ctx.error(node.pos, format!("{what} must be more than 0"));
        return None;
    }
    Some(d)
}

/// `500ms` (fixed) or `200ms..1s` (uniform range).
pub(crate) fn think(ctx: &mut Ctx<'_>, node: &Node, what: &str) -> Option<Think> {
    if let Kind::Str(s) = &node.kind
        && let Some((lo, hi)) = s.split_once("..")
    {
        let bad = |ctx: &mut Ctx<'_>| {
            ctx.error(
                node.pos,
                format!(
                    "{what} must be a duration (500ms) or a range (200ms..1s), found {}",
                    node.describe()
                ),
            );
        };
        let (Ok(lo), Ok(hi)) = (parse_duration(lo), parse_duration(hi)) else {
            bad(ctx);
            return None;
        };
        if lo > hi {
            ctx.error(
                node.pos,
                format!(
                    "{what} range {} goes from long to short; write the shorter duration first",
                    quote(s, 40)
                ),
            );
            return None;
        }
        return Some(if lo == hi {
            Think::Fixed(lo)
        } else {
            Think::Uniform(lo, hi)
        });
    }
    let ok = match &node.kind {
        Kind::Int(_) | Kind::Float(_) => true,
        Kind::Str(s) => parse_duration(s).is_ok(),
        _ => false,
    };
    if !ok {
        ctx.error(
            node.pos,
            format!(
                "{what} must be a duration (500ms) or a range (200ms..1s), found {}",
                node.describe()
            ),
        );
        return None;
    }
    duration(ctx, node, what).map(Think::Fixed)
}

/// Iterations per second: `50`, `2.5`, `"50/s"`, `"3000/m"`.
pub(crate) fn rate(ctx: &mut Ctx<'_>, node: &Node, what: &str) -> Option<f64> {
    let r = match &node.kind {
        Kind::Int(i) if *i >= 0 => Some(*i as f64),
        Kind::Float(f) if f.is_finite() && *f >= 0.0 => Some(*f),
        Kind::Str(s) => parse_rate(s).ok(),
        _ => None,
    };
    if r.is_none() {
        ctx.error(
            node.pos,
            format!(
                "{what} must be an arrival rate such as 50, 50/s or 3000/m, found {}",
                node.describe()
            ),
        );
    }
    r
}

/// One of `options` (text); returns its index.
pub(crate) fn choice(ctx: &mut Ctx<'_>, node: &Node, what: &str, options: &[&str]) -> Option<usize> {
    if let Kind::Str(s) = &node.kind
        && let Some(i) = options.iter().position(|o| o == s)
    {
        return Some(i);
    }
    let mut message = format!(
        "{what} must be one of {}, found {}",
        options.join(", "),
        node.describe()
    );
    if let Kind::Str(s) = &node.kind
        && let Some(near) = suggest::closest(s, options.iter().copied())
    {
        message.push_str(&format!("; did you mean '{near}'?"));
    }
    ctx.error(node.pos, message);
    None
}

/// `true` / `false`.
pub(crate) fn boolean(ctx: &mut Ctx<'_>, node: &Node, what: &str) -> Option<bool> {
    match node.kind {
        Kind::Bool(b) => Some(b),
        _ => {
            ctx.error(
                node.pos,
                format!("{what} must be true or false, found {}", node.describe()),
            );
            None
        }
    }
}

/// `[A-Za-z_][A-Za-z0-9_]*`.
pub(crate) fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::node::parse_yaml;

    /// Runs `read` on the value of `key: TEXT`; the value or the error message.
    fn read<T>(text: &str, read: fn(&mut Ctx<'_>, &Node, &str) -> Option<T>) -> Result<T, String> {
        let source = format!("key: {text}\n");
        let root = parse_yaml(&source).map_err(|e| e.message)?;
        let Some([(_, node)]) = root.as_map() else {
            return Err("not a one-key map".into());
        };
        let mut ctx = Ctx::new(&source, "t.yaml", std::path::Path::new("."));
        match read(&mut ctx, node, "'key'") {
            Some(v) if ctx.errors.is_empty() => Ok(v),
            _ => Err(ctx.errors.first().map(|e| e.message.clone()).unwrap_or_default()),
        }
    }

    #[test]
    fn think_times() {
        let ms = Duration::from_millis;
        assert_eq!(read("500ms", think), Ok(Think::Fixed(ms(500))));
        assert_eq!(read("2", think), Ok(Think::Fixed(ms(2000))));
        assert_eq!(read("0.5", think), Ok(Think::Fixed(ms(500))));
        assert_eq!(read("200ms..1s", think), Ok(Think::Uniform(ms(200), ms(1000))));
        assert_eq!(read("\" 1s .. 2s \"", think), Ok(Think::Uniform(ms(1000), ms(2000))));
        assert_eq!(read("1s..1s", think), Ok(Think::Fixed(ms(1000))));
        assert_eq!(
            read("1s..200ms", think),
            Err("'key' range \"1s..200ms\" goes from long to short; write the shorter duration first".into())
        );
        assert_eq!(
            read("soon", think),
            Err("'key' must be a duration (500ms) or a range (200ms..1s), found \"soon\"".into())
        );
        assert_eq!(
            read("1s..x", think),
            Err("'key' must be a duration (500ms) or a range (200ms..1s), found \"1s..x\"".into())
        );
        assert!(read("[1s]", think).is_err());
        assert!(read("-1", think).is_err());
    }

    #[test]
    fn numbers_and_durations() {
        assert_eq!(read("5", whole), Ok(5));
        assert_eq!(read("5.0", whole), Ok(5));
        assert_eq!(read("10k", whole), Ok(10_000));
        assert_eq!(read("-2", whole), Err("'key' must be 0 or more, found -2".into()));
        assert_eq!(
            read("\"-2\"", whole),
            Err("'key' must be 0 or more, found \"-2\"".into())
        );
        assert_eq!(
            read("1.5", whole),
            Err("'key' must be a whole number, found 1.5".into())
        );
        assert_eq!(
            read("~", whole),
            Err("'key' must be a whole number, found nothing".into())
        );
        assert_eq!(read("30s", duration), Ok(Duration::from_secs(30)));
        assert_eq!(read("1m30s", duration), Ok(Duration::from_secs(90)));
        assert_eq!(read("90", duration), Ok(Duration::from_secs(90)));
        assert!(read("0s", positive_duration).is_err());
        assert_eq!(read("50", rate), Ok(50.0));
        assert_eq!(read("3000/m", rate), Ok(50.0));
        assert_eq!(read("2.5", rate), Ok(2.5));
        assert!(read("-1", rate).is_err());
        assert_eq!(read("{a: 1}", |c, n, w| map(c, n, w).map(<[_]>::len)), Ok(1));
        assert_eq!(
            read("x", |c, n, w| map(c, n, w).map(<[_]>::len)).err(),
            Some("'key' must be a map, found \"x\"".into())
        );
        assert_eq!(read("[1, 2]", |c, n, w| seq(c, n, w).map(<[_]>::len)), Ok(2));
        assert_eq!(read("true", boolean), Ok(true));
        assert_eq!(read("12", text), Ok("12".to_string()));
        assert_eq!(
            read("\"  \"", non_empty_text).err(),
            Some("'key' must not be empty".into())
        );
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("product_id"));
        assert!(is_identifier("_x1"));
        assert!(!is_identifier("1x"));
        assert!(!is_identifier("a-b"));
        assert!(!is_identifier(""));
    }
}
