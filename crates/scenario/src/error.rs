//! The crate's error types: [`ScenarioError`] (a problem in a scenario file, always at a
//! `file:line:col`) and [`RenderError`] (a template that could not be rendered at run time).

use std::fmt;

/// A problem found while reading, validating or compiling a scenario file.
///
/// `Display` is exactly one line, `FILE:LINE:COL: message`, with control characters in the
/// message escaped; `line` and `col` are 1-based (columns count characters).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}:{col}: {}", one_line(.file), one_line(.message))]
pub struct ScenarioError {
    /// The file label given to [`crate::parse_str`] or the path given to [`crate::load`].
    pub file: String,
    pub line: usize,
    pub col: usize,
    /// What is wrong and what was expected (no position, no trailing newline).
    pub message: String,
}

/// A template referred to a variable that has no value when it was rendered (for example an
/// extraction that failed in an earlier step).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("variable '{name}' has no value")]
pub struct RenderError {
    /// The variable as written in the template: `token` or `users.name`.
    pub name: String,
}

/// Escapes control characters (newlines, tabs, ...) so that a message stays on one line.
pub(crate) fn one_line(text: &str) -> impl fmt::Display + '_ {
    struct OneLine<'a>(&'a str);
    impl fmt::Display for OneLine<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            for c in self.0.chars() {
                if c.is_control() {
                    write!(f, "{}", c.escape_default())?;
                } else {
                    fmt::Write::write_char(f, c)?;
                }
            }
            Ok(())
        }
    }
    OneLine(text)
}

/// Quotes user text for a message: `"lots"`, escaped, shortened past `max` characters.
pub(crate) fn quote(text: &str, max: usize) -> String {
    let mut out = String::from("\"");
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub(crate) use loadcell_diagnostics::clip;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_one_line() {
        let e = ScenarioError {
            file: "shop.yaml".into(),
            line: 3,
            col: 7,
            message: "bad\nthing\t!".into(),
        };
        assert_eq!(e.to_string(), "shop.yaml:3:7: bad\\nthing\\t!");
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("lots", 40), "\"lots\"");
        assert_eq!(quote("a\"b\n", 40), "\"a\\\"b\\n\"");
        assert_eq!(quote("abcdef", 3), "\"abc…\"");
        assert_eq!(clip("abcdef", 3), "abc…");
    }
}
