//! Escaping of user-controlled strings (endpoint names, threshold expressions, scenario
//! text, hosts) for HTML, XML, inline JSON, Markdown tables and shell-like display.

/// Escapes text for HTML element content and quoted attribute values.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text for XML 1.0 content and double-quoted attributes. Characters XML 1.0 cannot
/// carry at all (most C0 controls, lone surrogates cannot occur in `str`) become U+FFFD;
/// tab, newline and carriage return are kept as character references so attributes keep them.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            _ => out.push(c),
        }
    }
    out
}

/// Makes JSON text safe inside `<script type="application/json">`: no `<` at all (so neither
/// `</script>` nor `<!--` can appear), and no U+2028/U+2029. `<` only occurs inside JSON
/// strings, where `\u003c` means the same character.
pub fn json_in_script(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// A Markdown inline code span for a table cell: backticks fenced with a longer run, `|`
/// escaped (GitHub honours `\|` even inside code spans), newlines folded into spaces.
pub fn md_code(s: &str) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect::<String>()
        .replace('|', "\\|");
    if flat.is_empty() {
        return String::new();
    }
    let longest = longest_run(&flat, '`');
    let fence = "`".repeat(longest + 1);
    let pad = if flat.starts_with('`') || flat.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{flat}{pad}{fence}")
}

/// Plain Markdown table cell text: `|` and inline markup made literal; `<` and `&` are
/// escaped only where they could start a tag or an entity, so `< 200 ms` stays readable.
pub fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied().unwrap_or(' ');
        match c {
            '\n' | '\r' => out.push(' '),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '<' if next.is_ascii_alphabetic() || "/!?".contains(next) => out.push_str("&lt;"),
            '&' if next.is_ascii_alphanumeric() || next == '#' => out.push_str("&amp;"),
            _ => out.push(c),
        }
    }
    out
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for x in s.chars() {
        run = if x == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// A command line for display: arguments joined by spaces, each quoted POSIX-shell style
/// when it holds anything but plain characters.
pub fn shell_words(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            let plain = !a.is_empty() && a.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c));
            if plain {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(
            html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn xml_replaces_forbidden_controls() {
        assert_eq!(xml("a\u{1}b\n<"), "a\u{fffd}b&#10;&lt;");
    }

    #[test]
    fn json_in_script_has_no_angle_bracket() {
        let s = json_in_script(r#"{"n":"</script><!--"}"#);
        assert!(!s.contains('<'));
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&s).unwrap()["n"],
            "</script><!--"
        );
    }

    #[test]
    fn md_code_fences_backticks_and_pipes() {
        assert_eq!(md_code("a|b"), r"`a\|b`");
        assert_eq!(md_code("x `y`"), "`` x `y` ``");
    }

    #[test]
    fn md_text_keeps_comparisons_readable_but_blocks_tags() {
        assert_eq!(md_text("< 200 ms"), "< 200 ms");
        assert_eq!(md_text("<b>x</b> a|b &amp;"), r"&lt;b>x&lt;/b> a\|b &amp;amp;");
    }

    #[test]
    fn shell_words_quotes_when_needed() {
        let args = ["run".to_string(), "p95<200ms".to_string(), "it's".to_string()];
        assert_eq!(shell_words(&args), r"run 'p95<200ms' 'it'\''s'");
    }
}
