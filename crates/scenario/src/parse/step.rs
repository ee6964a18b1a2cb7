//! One step of a journey: a request (`get|post|put|patch|delete|head: URL`, `name`, `headers`,
//! `query`, a body, `check`, `extract`, `on_fail`, and from `flow.rs` `timeout` and
//! `follow_redirects`), `sleep: DURATION`, or a `batch:` of requests (`batch.rs`).

use super::node::{Key, Node, get};
use super::{Ctx, batch, body, check, extract, flow, template, value};
use crate::model::{OnFail, RequestStep, Step};
use crate::template::{Part, Template};
use crate::validate::scope::Scope;

pub(crate) const METHODS: [&str; 6] = ["get", "post", "put", "patch", "delete", "head"];
const OTHER_KEYS: [&str; 15] = [
    "add",
    "name",
    "tags",
    "once",
    "headers",
    "query",
    "json",
    "form",
    "body",
    "body_file",
    "multipart",
    "check",
    "extract",
    "on_fail",
    "sleep",
];

pub(crate) fn step(ctx: &mut Ctx<'_>, node: &Node, number: usize, journey: &str, scope: &Scope<'_>) -> Option<Step> {
    let label = format!("step {number} of {journey}");
    if let Some(entries) = node.as_map()
        && let Some((_, list)) = get(entries, "batch")
    {
        return batch::batch_step(ctx, node, entries, list, &label, scope);
    }
    request_step(ctx, node, &label, scope)
}

/// A request step (or a sleep step), or one request of a batch; `label` names it in messages.
pub(crate) fn request_step(ctx: &mut Ctx<'_>, node: &Node, label: &str, scope: &Scope<'_>) -> Option<Step> {
    let label = label.to_string();
    let entries = value::map(ctx, node, &format!("{label} (e.g. '- get: /path')"))?;
    let mark = ctx.errors.len();
    let allowed: Vec<&str> = METHODS
        .iter()
        .chain(OTHER_KEYS.iter())
        .chain(flow::KEYS.iter())
        .copied()
        .collect();
    let keys_ok = value::known_keys(ctx, entries, &allowed, &format!("in {label}"));

    if let Some((_, n)) = get(entries, "sleep") {
        return sleep_step(ctx, entries, n, &label, mark);
    }

    let (method_key, url_node) = the_request(ctx, node, entries, &label, keys_ok)?;
    let method = method_key.text.to_uppercase();
    let (url, absolute) = url(ctx, url_node, scope)?;

    let name = match get(entries, "name") {
        Some((_, n)) => value::non_empty_text(ctx, n, "'name'").map(|s| s.trim().to_string()),
        None => Some(format!("{method} {}", url.source().trim())),
    };
    let headers = match get(entries, "headers") {
        Some((_, n)) => headers(ctx, n, scope),
        None => Some(Vec::new()),
    };
    let query = match get(entries, "query") {
        Some((_, n)) => query(ctx, n, scope),
        None => Some(Vec::new()),
    };
    let body = body::body(ctx, entries, scope);
    let checks = match get(entries, "check") {
        Some((_, n)) => check::checks(ctx, n, &label),
        None => Some(Vec::new()),
    };
    let extract = match get(entries, "extract") {
        Some((_, n)) => extract::extracts(ctx, n, scope),
        None => Some(Vec::new()),
    };
    let on_fail = match get(entries, "on_fail") {
        Some((_, n)) => value::choice(ctx, n, "'on_fail'", &["continue", "abort_iteration"]).map(|i| match i {
            0 => OnFail::Continue,
            _ => OnFail::AbortIteration,
        }),
        None => Some(OnFail::Continue),
    };
    let tags = match get(entries, "tags") {
        Some((_, n)) => super::tags::tags(ctx, n),
        None => Some(Vec::new()),
    };
    let once = match get(entries, "once") {
        Some((_, n)) => value::boolean(ctx, n, "'once'"),
        None => Some(false),
    };
    let add = match get(entries, "add") {
        Some((_, n)) => add(ctx, node, n, scope, &label),
        None => Some(Vec::new()),
    };
    let flow = flow::step_flow(ctx, entries);
    if !ctx.clean_since(mark) {
        return None;
    }
    let (timeout, redirects) = flow?;
    let source = url.source().trim();
    let path = source.split_once('?').map_or(source, |(p, _)| p);
    Some(Step::Request(Box::new(RequestStep {
        name: name?,
        endpoint: format!("{method} {path}"),
        method,
        url,
        absolute,
        headers: headers?,
        query: query?,
        body: body?,
        checks: checks?,
        extract: extract?,
        on_fail: on_fail?,
        tags: tags?,
        once: once?,
        line: node.pos.line as usize,
        col: node.pos.col as usize,
        timeout,
        redirects,
        add: add?,
    })))
}

/// `add:`, whose templates may read what this very step extracts (they render after it).
fn add(
    ctx: &mut Ctx<'_>,
    step: &Node,
    n: &Node,
    scope: &Scope<'_>,
    label: &str,
) -> Option<Vec<crate::model::MetricAdd>> {
    let mut vars = match scope.place {
        crate::validate::scope::Place::Step(vars) => vars.clone(),
        _ => crate::validate::scope::StepVars::default(),
    };
    vars.defined.extend(super::journey::extract_names(step));
    let scope = Scope {
        data: scope.data,
        place: crate::validate::scope::Place::Step(&vars),
    };
    super::metrics::adds(ctx, n, &scope, label)
}

/// A `sleep:` step: nothing else may sit beside it.
fn sleep_step(ctx: &mut Ctx<'_>, entries: &[(Key, Node)], n: &Node, label: &str, mark: usize) -> Option<Step> {
    for (k, _) in entries.iter().filter(|(k, _)| k.text != "sleep") {
        ctx.error(
            k.pos,
            format!(
                "{label} is a sleep step and cannot also have '{}': put the request in its own step",
                crate::error::clip(&k.text, 40)
            ),
        );
    }
    let think = value::think(ctx, n, "'sleep'");
    think.filter(|_| ctx.clean_since(mark)).map(Step::Sleep)
}

/// The step's one method key and its URL node; none or two are errors.
fn the_request<'a>(
    ctx: &mut Ctx<'_>,
    node: &Node,
    entries: &'a [(Key, Node)],
    label: &str,
    keys_ok: bool,
) -> Option<(&'a Key, &'a Node)> {
    let methods: Vec<&(Key, Node)> = entries
        .iter()
        .filter(|(k, _)| METHODS.contains(&k.text.as_str()))
        .collect();
    match methods.as_slice() {
        [] => {
            if keys_ok {
                ctx.error(
                    node.pos,
                    format!(
                        "{label} has no request: expected one of {} (or sleep, or batch)",
                        METHODS.join(", ")
                    ),
                );
            }
            None
        }
        [(k, n)] => Some((k, n)),
        [(first, _), (second, _), ..] => {
            ctx.error(
                second.pos,
                format!(
                    "{label} has two requests ('{}' and '{}'): put each request in its own step",
                    first.text, second.text
                ),
            );
            None
        }
    }
}

/// The URL template and whether it is absolute.
fn url(ctx: &mut Ctx<'_>, node: &Node, scope: &Scope<'_>) -> Option<(Template, bool)> {
    let text = value::non_empty_text(ctx, node, "the URL")?;
    let trimmed = text.trim();
    let absolute = trimmed.starts_with("http://") || trimmed.starts_with("https://");
    if !absolute && !trimmed.starts_with('/') {
        ctx.error(
            node.pos,
            format!(
                "the URL must start with '/' (a path under 'target') or be an absolute http:// or https:// URL, found {}",
                node.describe()
            ),
        );
        return None;
    }
    if trimmed.contains(char::is_whitespace) && !trimmed.contains("{{") {
        ctx.error(
            node.pos,
            format!("the URL must not contain spaces, found {}", node.describe()),
        );
        return None;
    }
    let t = template::compile(ctx, node, trimmed, scope)?;
    Some((t, absolute))
}

/// `headers:` — a map of name → template; names lower-cased.
pub(crate) fn headers(ctx: &mut Ctx<'_>, node: &Node, scope: &Scope<'_>) -> Option<Vec<(String, Template)>> {
    let entries = value::map(ctx, node, "'headers'")?;
    let mut out = Some(Vec::with_capacity(entries.len()));
    for (k, v) in entries {
        let name = k.text.trim().to_ascii_lowercase();
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            ctx.error(
                k.pos,
                format!(
                    "{} is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)",
                    value::quote_key(&k.text)
                ),
            );
            out = None;
            continue;
        }
        if out
            .as_ref()
            .is_some_and(|h: &Vec<(String, Template)>| h.iter().any(|(n, _)| *n == name))
        {
            ctx.error(k.pos, format!("header '{name}' is given twice (names ignore case)"));
            out = None;
            continue;
        }
        let t = template::compile_node(ctx, v, &format!("header '{name}'"), scope)
            .filter(|t| header_text_ok(ctx, v, &name, t));
        match (t, out.as_mut()) {
            (Some(t), Some(list)) => list.push((name, t)),
            _ => out = None,
        }
    }
    out
}

/// Whether the literal text of a header's template can go on one header line: a CR or LF
/// would end the header and start another (reported without echoing it).
fn header_text_ok(ctx: &mut Ctx<'_>, node: &Node, name: &str, t: &Template) -> bool {
    for part in t.parts() {
        if let Part::Text(text) = part
            && let Err(e) = loadcell_http::check_header(name, text)
        {
            ctx.error(node.pos, e.to_string());
            return false;
        }
    }
    true
}

/// `query:` — a map of parameter → template.
fn query(ctx: &mut Ctx<'_>, node: &Node, scope: &Scope<'_>) -> Option<Vec<(String, Template)>> {
    let entries = value::map(ctx, node, "'query'")?;
    let mut out = Some(Vec::with_capacity(entries.len()));
    for (k, v) in entries {
        let t = template::compile_node(ctx, v, &format!("query parameter '{}'", k.text), scope);
        match (t, out.as_mut()) {
            (Some(t), Some(list)) => list.push((k.text.clone(), t)),
            _ => out = None,
        }
    }
    out
}

/// RFC 9110 `tchar`.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}
