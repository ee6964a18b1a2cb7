//! Reading data files: CSV (RFC 4180: a header row, `"quoted, fields"` with `""` escapes and
//! line breaks inside quotes, LF or CRLF) and JSON (an array of objects). Errors name the
//! line of the data file and are placed by the caller at the scenario's `csv:`/`json:` value.

use serde_json::Value;

/// Columns and rows of a data file.
pub(crate) type Table = (Vec<String>, Vec<Vec<Value>>);

/// Parses CSV text: the first record names the columns; every cell is a string.
pub(crate) fn parse_csv(text: &str) -> Result<Table, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Records { rest: text, line: 1 };
    let Some((line, header)) = records.next_record()? else {
        return Err("is empty: expected a header row naming the columns".into());
    };
    let columns: Vec<String> = header.into_iter().map(|c| c.trim().to_string()).collect();
    for (i, c) in columns.iter().enumerate() {
        if c.is_empty() {
            return Err(format!("line {line}: column {} of the header has no name", i + 1));
        }
        if columns[..i].contains(c) {
            return Err(format!("line {line}: column '{c}' appears twice in the header"));
        }
    }
    let mut rows = Vec::new();
    while let Some((line, record)) = records.next_record()? {
        if record.len() != columns.len() {
            return Err(format!(
                "line {line} has {} fields but the header has {}",
                record.len(),
                columns.len()
            ));
        }
        rows.push(record.into_iter().map(Value::String).collect());
    }
    if rows.is_empty() {
        return Err("has a header but no rows".into());
    }
    Ok((columns, rows))
}

struct Records<'a> {
    rest: &'a str,
    line: usize,
}

impl Records<'_> {
    /// The next non-blank record and the line it starts on.
    fn next_record(&mut self) -> Result<Option<(usize, Vec<String>)>, String> {
        loop {
            if self.rest.is_empty() {
                return Ok(None);
            }
            let start = self.line;
            let record = self.record()?;
            if !(record.len() == 1 && record[0].is_empty()) {
                return Ok(Some((start, record)));
            }
        }
    }

    /// One record, consuming its line end.
    fn record(&mut self) -> Result<Vec<String>, String> {
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut chars = self.rest.char_indices().peekable();
        let start_line = self.line;
        let mut quoted = false;
        let mut after_quote = false;
        let mut consumed = self.rest.len();
        while let Some((i, c)) = chars.next() {
            if quoted {
                match c {
                    '"' if chars.peek().is_some_and(|&(_, n)| n == '"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => {
                        quoted = false;
                        after_quote = true;
                    }
                    '\n' => {
                        self.line += 1;
                        field.push(c);
                    }
                    _ => field.push(c),
                }
                continue;
            }
            match c {
                ',' => {
                    fields.push(std::mem::take(&mut field));
                    after_quote = false;
                }
                '\n' => {
                    consumed = i + 1;
                    self.line += 1;
                    break;
                }
                '\r' if chars.peek().is_some_and(|&(_, n)| n == '\n') => {}
                '"' if field.is_empty() && !after_quote => quoted = true,
                _ if after_quote => {
                    return Err(format!(
                        "line {}: unexpected {:?} after a closing quote (double a quote inside a quoted field: \"\")",
                        self.line, c
                    ));
                }
                _ => field.push(c),
            }
        }
        if quoted {
            return Err(format!("line {start_line}: a quoted field is never closed"));
        }
        fields.push(field);
        self.rest = &self.rest[consumed..];
        Ok(fields)
    }
}

/// Parses a JSON array of objects; columns are the keys of all objects (sorted), a key missing
/// from an object is `null` in its row.
pub(crate) fn parse_json(bytes: &[u8]) -> Result<Table, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| format!("is not valid JSON: {e}"))?;
    let Value::Array(items) = value else {
        return Err("must be a JSON array of objects, e.g. [{\"id\": 1}, {\"id\": 2}]".into());
    };
    if items.is_empty() {
        return Err("is an empty array: expected at least one object".into());
    }
    let mut columns: Vec<String> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Value::Object(map) = item else {
            return Err(format!("item {} is not an object (found {})", i + 1, kind(item)));
        };
        for key in map.keys() {
            if !columns.contains(key) {
                columns.push(key.clone());
            }
        }
    }
    columns.sort();
    let rows = items
        .into_iter()
        .map(|item| match item {
            Value::Object(mut map) => columns.iter().map(|c| map.remove(c).unwrap_or(Value::Null)).collect(),
            _ => Vec::new(),
        })
        .collect();
    Ok((columns, rows))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn strings(rows: &[Vec<Value>]) -> Vec<Vec<&str>> {
        rows.iter()
            .map(|r| r.iter().map(|v| v.as_str().unwrap_or("?")).collect())
            .collect()
    }

    #[test]
    fn csv_plain_and_quoted() {
        let text = "name,password,note\r\nalice,a1,\"hello, world\"\r\nbob,\"b\"\"2\",\"two\nlines\"\n\ncarol,c3,\n";
        let Ok((columns, rows)) = parse_csv(text) else {
            panic!("{:?}", parse_csv(text))
        };
        assert_eq!(columns, ["name", "password", "note"]);
        assert_eq!(
            strings(&rows),
            vec![
                vec!["alice", "a1", "hello, world"],
                vec!["bob", "b\"2", "two\nlines"],
                vec!["carol", "c3", ""],
            ]
        );
    }

    #[test]
    fn csv_without_final_newline_and_bom() {
        let Ok((columns, rows)) = parse_csv("\u{feff}id\n1\n2") else {
            panic!("parse failed")
        };
        assert_eq!(columns, ["id"]);
        assert_eq!(strings(&rows), vec![vec!["1"], vec!["2"]]);
    }

    #[test]
    fn csv_errors() {
        let err = |t: &str| parse_csv(t).err().unwrap_or_default();
        assert_eq!(err(""), "is empty: expected a header row naming the columns");
        assert_eq!(err("a,b\n1\n"), "line 2 has 1 fields but the header has 2");
        assert_eq!(err("a,b\n1,\"2\n"), "line 2: a quoted field is never closed");
        assert!(err("a,b\n1,\"2\"x\n").starts_with("line 2: unexpected 'x' after a closing quote"));
        assert_eq!(err("a,a\n1,2\n"), "line 1: column 'a' appears twice in the header");
        assert_eq!(err("a,\n1,2\n"), "line 1: column 2 of the header has no name");
        assert_eq!(err("a,b\n"), "has a header but no rows");
        // A line break inside quotes counts for later line numbers.
        assert_eq!(err("a,b\n\"x\ny\",1\n3\n"), "line 4 has 1 fields but the header has 2");
    }

    #[test]
    fn json_arrays() {
        let Ok((columns, rows)) = parse_json(br#"[{"id": 1, "name": "a"}, {"id": 2, "tags": ["x"]}]"#) else {
            panic!("parse failed")
        };
        assert_eq!(columns, ["id", "name", "tags"]);
        assert_eq!(rows[0], vec![json!(1), json!("a"), Value::Null]);
        assert_eq!(rows[1], vec![json!(2), Value::Null, json!(["x"])]);
        let err = |b: &[u8]| parse_json(b).err().unwrap_or_default();
        assert!(err(b"{}").starts_with("must be a JSON array"));
        assert_eq!(err(b"[]"), "is an empty array: expected at least one object");
        assert_eq!(err(b"[{}, 3]"), "item 2 is not an object (found a number)");
        assert!(err(b"[").starts_with("is not valid JSON"));
    }
}
