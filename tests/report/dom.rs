//! Reading Chromium's dumped DOM: the chart containers and their `data-rendered` counts,
//! the `<body>` tag, the error `<pre>`, and text as Chromium serialises it.

/// Text as Chromium's serialiser writes it inside an element (`&`, `<`, `>`, U+00A0 escaped).
pub fn text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\u{a0}', "&nbsp;")
}

/// The opening tag that contains byte offset `at`.
fn tag_around(dom: &str, at: usize) -> &str {
    let start = dom[..at].rfind('<').expect("tag start");
    let end = at + dom[at..].find('>').expect("tag end");
    &dom[start..=end]
}

/// The value of `name="…"` in an opening tag.
pub fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

/// Every chart container: its `data-chart` name and its `data-rendered` point count.
pub fn charts(dom: &str) -> Vec<(String, Option<u64>)> {
    charts_by(dom, "data-chart")
}

/// Every element with the attribute `name`: its value and its `data-rendered` count.
pub fn charts_by(dom: &str, name: &str) -> Vec<(String, Option<u64>)> {
    dom.match_indices(&format!("{name}=\""))
        .map(|(at, _)| {
            let tag = tag_around(dom, at);
            let value = attr(tag, name).unwrap_or_default().to_string();
            (value, attr(tag, "data-rendered").and_then(|v| v.parse().ok()))
        })
        .collect()
}

/// The `<body …>` opening tag.
pub fn body_tag(dom: &str) -> &str {
    let at = dom.find("<body").expect("a <body> in the DOM");
    tag_around(dom, at + 1)
}

/// The text inside `<pre id="report-errors">`.
pub fn report_errors(dom: &str) -> &str {
    let open = dom
        .find("<pre id=\"report-errors\"")
        .expect("#report-errors in the DOM");
    let start = open + dom[open..].find('>').expect("end of <pre>") + 1;
    let len = dom[start..].find("</pre>").expect("</pre>");
    &dom[start..start + len]
}
