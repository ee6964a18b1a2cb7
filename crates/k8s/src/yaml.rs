//! The YAML writer for the manifests: a small typed tree ([`Yaml`]) written in block style,
//! with strings written plain only when no YAML 1.1 or 1.2 reader can take them for
//! anything else, as literal blocks when they are multi-line text, and double-quoted
//! otherwise. Kubernetes reads manifests with a YAML 1.1 reader (where `yes`, `on` and
//! `2026-12-04` are not strings), so plain style is kept to an unambiguous alphabet.

/// A YAML value: what the manifests are built from.
#[derive(Debug, Clone, PartialEq)]
pub enum Yaml {
    Str(String),
    Int(i64),
    Bool(bool),
    Seq(Vec<Yaml>),
    /// Entries in the order written.
    Map(Vec<(String, Yaml)>),
}

impl Yaml {
    /// A string value.
    pub fn str(text: impl Into<String>) -> Yaml {
        Yaml::Str(text.into())
    }

    /// A map from `(key, value)` pairs, in order.
    pub fn map<const N: usize>(entries: [(&str, Yaml); N]) -> Yaml {
        Yaml::Map(entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    /// A list of strings.
    pub fn strs<S: AsRef<str>>(items: &[S]) -> Yaml {
        Yaml::Seq(items.iter().map(|s| Yaml::str(s.as_ref())).collect())
    }
}

/// One document (no `---`), ending in a newline.
pub fn document(value: &Yaml) -> String {
    let mut out = String::new();
    match value {
        Yaml::Map(entries) if !entries.is_empty() => map(&mut out, entries, 0),
        Yaml::Seq(items) if !items.is_empty() => seq(&mut out, items, 0),
        scalar => {
            out.push_str(&inline(scalar));
            out.push('\n');
        }
    }
    out
}

fn map(out: &mut String, entries: &[(String, Yaml)], indent: usize) {
    for (key, value) in entries {
        out.push_str(&" ".repeat(indent));
        out.push_str(&quoted_unless_plain(key));
        out.push(':');
        match value {
            Yaml::Map(inner) if !inner.is_empty() => {
                out.push('\n');
                map(out, inner, indent + 2);
            }
            Yaml::Seq(items) if !items.is_empty() => {
                out.push('\n');
                seq(out, items, indent + 2);
            }
            Yaml::Str(text) if literal_ok(text) => literal(out, text, indent),
            scalar => {
                out.push(' ');
                out.push_str(&inline(scalar));
                out.push('\n');
            }
        }
    }
}

fn seq(out: &mut String, items: &[Yaml], indent: usize) {
    let pad = " ".repeat(indent);
    for item in items {
        match item {
            Yaml::Map(inner) if !inner.is_empty() => {
                // The map's first line shares the dash: written at indent + 2, then its
                // first two spaces become "- ".
                let mut nested = String::new();
                map(&mut nested, inner, indent + 2);
                out.push_str(&pad);
                out.push_str("- ");
                out.push_str(&nested[indent + 2..]);
            }
            Yaml::Seq(inner) if !inner.is_empty() => {
                out.push_str(&pad);
                out.push_str("-\n");
                seq(out, inner, indent + 2);
            }
            // Text inside lists is always quoted: a literal block's indentation under a
            // dash is easy to get wrong and lists here hold short arguments.
            Yaml::Str(text) => {
                out.push_str(&pad);
                out.push_str("- ");
                out.push_str(&quoted_unless_plain(text));
                out.push('\n');
            }
            scalar => {
                out.push_str(&pad);
                out.push_str("- ");
                out.push_str(&inline(scalar));
                out.push('\n');
            }
        }
    }
}

/// A scalar (or an empty collection) on one line.
fn inline(value: &Yaml) -> String {
    match value {
        Yaml::Str(text) => quoted_unless_plain(text),
        Yaml::Int(n) => n.to_string(),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Seq(_) => "[]".into(),
        Yaml::Map(_) => "{}".into(),
    }
}

/// Multi-line text as a literal block: the explicit indentation indicator (2) lets the text
/// start with spaces; the chomping indicator keeps its last newline exactly (`|2` one,
/// `|2-` none). Text with several trailing newlines, carriage returns, tabs or characters
/// YAML does not print is double-quoted instead.
fn literal_ok(text: &str) -> bool {
    let body = text.strip_suffix('\n').unwrap_or(text);
    body.contains('\n') && !body.ends_with('\n') && text.chars().all(|c| c == '\n' || (printable(c) && c != '\t'))
}

fn literal(out: &mut String, text: &str, indent: usize) {
    let (body, header) = match text.strip_suffix('\n') {
        Some(body) => (body, " |2\n"),
        None => (text, " |2-\n"),
    };
    out.push_str(header);
    let pad = " ".repeat(indent + 2);
    for line in body.split('\n') {
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
        out.push('\n');
    }
}

/// `text` plain when that is unambiguous, else double-quoted.
pub fn quoted_unless_plain(text: &str) -> String {
    if plain_ok(text) {
        text.to_string()
    } else {
        double_quoted(text)
    }
}

/// Plain only for text that starts with a letter or `/` and is made of letters, digits and
/// `_ . / -`: never a number, a date, a flow indicator, a comment or a key; and not one of
/// the words YAML 1.1 reads as a boolean or null.
fn plain_ok(text: &str) -> bool {
    const WORDS: [&str; 11] = ["y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "nan"];
    let mut chars = text.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '/');
    first_ok
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-'))
        && !WORDS.contains(&text.to_ascii_lowercase().as_str())
}

/// A double-quoted YAML string: `"` and `\` escaped, line breaks and tabs by their escapes,
/// every character YAML does not print (C0 and C1 controls, DEL, the byte-order mark, the
/// Unicode line and paragraph separators, U+FFFE/U+FFFF) as `\uXXXX`.
pub fn double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if printable(c) => out.push(c),
            c => out.push_str(&format!("\\u{:04X}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// YAML's printable set, less what YAML 1.1 treats as line breaks (NEL, U+2028, U+2029)
/// and the byte-order mark.
fn printable(c: char) -> bool {
    match c {
        ' '..='~' => true,
        '\u{A0}'..='\u{D7FF}' => !matches!(c, '\u{2028}' | '\u{2029}'),
        '\u{E000}'..='\u{FFFD}' => c != '\u{FEFF}',
        '\u{10000}'..='\u{10FFFF}' => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unambiguous_words_are_plain() {
        for plain in [
            "loadcell",
            "batch/v1",
            "app.kubernetes.io/name",
            "run",
            "Mi512",
            "/results",
        ] {
            assert_eq!(quoted_unless_plain(plain), plain);
        }
        for quoted in [
            "",
            "yes",
            "No",
            "ON",
            "off",
            "true",
            "null",
            "~",
            "1",
            "0.5",
            "1e3",
            "0x1F",
            "2026-12-04",
            "512Mi",
            "1:20",
            "-c",
            "--threshold",
            "p95<200ms",
            "a b",
            "#x",
            "key: value",
            "*ref",
            "&a",
            "!tag",
            "@x",
            "`x",
            "{x}",
            "[x]",
            "'x'",
            "\"x\"",
            ".inf",
            "-.5",
            "%x",
            "?x",
            "|x",
            ">x",
            "NaN",
        ] {
            let q = quoted_unless_plain(quoted);
            assert!(q.starts_with('"') && q.ends_with('"'), "{quoted:?} written as {q}");
        }
    }

    #[test]
    fn quoting_escapes_what_yaml_does_not_print() {
        assert_eq!(double_quoted("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(double_quoted("l1\nl2\tx\r"), r#""l1\nl2\tx\r""#);
        assert_eq!(
            double_quoted("\u{7}\u{7F}\u{85}\u{2028}\u{FEFF}"),
            r#""\u0007\u007F\u0085\u2028\uFEFF""#
        );
        assert_eq!(double_quoted("héllo ✓ 🦀"), "\"héllo ✓ 🦀\"");
        assert_eq!(double_quoted("$((1+1)) '$@' `x`"), "\"$((1+1)) '$@' `x`\"");
    }

    #[test]
    fn blocks_maps_and_lists_are_indented_by_two() {
        let doc = Yaml::map([
            ("kind", Yaml::str("Job")),
            (
                "spec",
                Yaml::map([("completions", Yaml::Int(3)), ("suspend", Yaml::Bool(false))]),
            ),
            (
                "containers",
                Yaml::Seq(vec![Yaml::map([
                    ("name", Yaml::str("part")),
                    ("args", Yaml::strs(&["-c", "10"])),
                ])]),
            ),
            ("empty", Yaml::Map(Vec::new())),
            ("none", Yaml::Seq(Vec::new())),
        ]);
        assert_eq!(
            document(&doc),
            "kind: Job\nspec:\n  completions: 3\n  suspend: false\ncontainers:\n  - name: part\n    args:\n      - \"-c\"\n      - \"10\"\nempty: {}\nnone: []\n"
        );
    }

    #[test]
    fn multi_line_text_is_a_literal_block_that_keeps_its_last_newline_exactly() {
        let doc = |text: &str| document(&Yaml::map([("data", Yaml::map([("f", Yaml::str(text))]))]));
        assert_eq!(doc("a: 1\n  b: 2\n"), "data:\n  f: |2\n    a: 1\n      b: 2\n");
        assert_eq!(doc("  lead\n\nend"), "data:\n  f: |2-\n      lead\n\n    end\n");
        // One line, several trailing newlines, tabs and carriage returns are quoted.
        assert_eq!(doc("one line\n"), "data:\n  f: \"one line\\n\"\n");
        assert_eq!(doc("a\nb\n\n"), "data:\n  f: \"a\\nb\\n\\n\"\n");
        assert_eq!(doc("a\tb\nc\n"), "data:\n  f: \"a\\tb\\nc\\n\"\n");
        assert_eq!(doc("a\r\nb\r\n"), "data:\n  f: \"a\\r\\nb\\r\\n\"\n");
    }
}
