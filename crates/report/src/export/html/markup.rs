//! Small HTML building blocks: sortable data tables whose numeric cells carry their raw
//! value in `data-v` (what the inline JavaScript sorts by), and stat cards. Every piece of
//! text that reaches the page goes through [`crate::text::escape::html`] here or in the
//! section modules; nothing else writes user strings.

use std::fmt::Write;

use crate::text::escape::html;

/// One column of a [`Table`].
pub struct Column {
    pub label: &'static str,
    /// Right-aligned, sorted by `data-v`, first click sorts descending.
    pub numeric: bool,
}

pub const fn text(label: &'static str) -> Column {
    Column { label, numeric: false }
}

pub const fn num(label: &'static str) -> Column {
    Column { label, numeric: true }
}

/// One cell: escaped content, an optional sort value and optional extra classes.
pub struct Cell {
    html: String,
    sort: Option<f64>,
    class: &'static str,
}

impl Cell {
    /// Plain text (escaped).
    pub fn text(s: &str) -> Cell {
        Cell {
            html: html(s),
            sort: None,
            class: "",
        }
    }
    /// Text in a monospace code element (escaped), in a wrapping `name` column.
    pub fn code(s: &str) -> Cell {
        Cell {
            html: format!("<code>{}</code>", html(s)),
            sort: None,
            class: "name",
        }
    }
    /// A number shown as `shown`, sorted by `value`.
    pub fn num(value: f64, shown: String) -> Cell {
        Cell {
            html: html(&shown),
            sort: Some(value),
            class: "",
        }
    }
    /// Ready-made markup (the caller escaped it), sorted by `value`.
    pub fn raw(value: f64, markup: String) -> Cell {
        Cell {
            html: markup,
            sort: Some(value),
            class: "",
        }
    }
    /// Marks the cell as bad news (red).
    pub fn bad_if(mut self, bad: bool) -> Cell {
        if bad {
            self.class = if self.class.is_empty() { "bad" } else { "name bad" };
        }
        self
    }
}

/// A titled card with a sortable table; `empty` is shown instead when there are no rows.
pub fn table(id: &str, title: &str, note: &str, columns: &[Column], rows: Vec<Vec<Cell>>, empty: &str) -> String {
    let mut out = String::new();
    let _ = write!(out, "<div class=\"card tablecard\" id=\"{id}\"><h3>{}", html(title));
    if !note.is_empty() {
        let _ = write!(out, "<span>{}</span>", html(note));
    }
    out.push_str("</h3><table class=\"data sortable\"><thead><tr>");
    for c in columns {
        let class = if c.numeric { " class=\"num\"" } else { "" };
        let _ = write!(
            out,
            "<th{class} scope=\"col\"><button type=\"button\">{}</button></th>",
            html(c.label)
        );
    }
    out.push_str("</tr></thead><tbody>");
    if rows.is_empty() {
        let _ = write!(
            out,
            "<tr><td class=\"empty\" colspan=\"{}\">{}</td></tr>",
            columns.len(),
            html(empty)
        );
    }
    for row in rows {
        out.push_str("<tr>");
        for (cell, col) in row.into_iter().zip(columns) {
            let mut classes = Vec::new();
            if col.numeric {
                classes.push("num");
            }
            if !cell.class.is_empty() {
                classes.push(cell.class);
            }
            out.push_str("<td");
            if !classes.is_empty() {
                let _ = write!(out, " class=\"{}\"", classes.join(" "));
            }
            if let Some(v) = cell.sort.filter(|v| v.is_finite()) {
                let _ = write!(out, " data-v=\"{v}\"");
            }
            let _ = write!(out, ">{}</td>", cell.html);
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>\n");
    out
}

/// A headline stat card: label, big value with an optional unit, and a small line below.
pub fn stat(label: &str, value: &str, unit: &str, sub: &str, class: &str) -> String {
    let unit = if unit.is_empty() {
        String::new()
    } else {
        format!("<small>{}</small>", html(unit))
    };
    let sub = if sub.is_empty() {
        String::new()
    } else {
        format!("<div class=\"sub\">{}</div>", html(sub))
    };
    format!(
        "<div class=\"card stat {class}\"><div class=\"label\">{}</div><div class=\"value\">{}{unit}</div>{sub}</div>\n",
        html(label),
        html(value)
    )
}
