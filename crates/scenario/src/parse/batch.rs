//! A `batch:` step (k6's `http.batch()`): a list of requests, each written as a request
//! step, sent at the same time; `parallel:` (k6's `batchPerHost`) caps how many are in
//! flight at once, `name:` names the batch in messages. What may not be in a batch — a
//! `sleep:`, another `batch:`, `once:` — is refused here; each request itself is compiled
//! by `step.rs`.

use super::node::{Key, Kind, Node, get};
use super::{Ctx, step, value};
use crate::model::{Batch, DEFAULT_BATCH_PARALLEL, Step};
use crate::validate::scope::{Place, Scope, StepVars};

/// The keys a batch step may have beside `batch`.
pub(crate) const KEYS: [&str; 3] = ["batch", "name", "parallel"];

/// The most connections one VU may use for a batch: k6's `batchPerHost` is 6 by default;
/// far more would be a VU pretending to be many.
const MAX_PARALLEL: u64 = 64;

/// A step holding `batch:` (`entries` are its keys, `list` the value of `batch`).
pub(crate) fn batch_step(
    ctx: &mut Ctx<'_>,
    node: &Node,
    entries: &[(Key, Node)],
    list: &Node,
    label: &str,
    scope: &Scope<'_>,
) -> Option<Step> {
    let mark = ctx.errors.len();
    value::known_keys(ctx, entries, &KEYS, &format!("in {label} (a batch step)"));
    let name = match get(entries, "name") {
        Some((_, n)) => value::non_empty_text(ctx, n, "'name'").map(|s| s.trim().to_string()),
        None => Some("batch".to_string()),
    };
    let parallel = match get(entries, "parallel") {
        Some((_, n)) => value::whole_in(ctx, n, "'parallel'", 1, MAX_PARALLEL).map(|p| p as u32),
        None => Some(DEFAULT_BATCH_PARALLEL),
    };
    let items = value::seq(ctx, list, "'batch' (a list of requests)")?;
    if items.is_empty() {
        ctx.error(
            list.pos,
            format!("{label} has an empty 'batch': expected at least one request (e.g. '- get: /path')"),
        );
        return None;
    }
    // Requests of one batch are all built before any answers: they see what earlier steps
    // extracted, never each other's values.
    let vars = match scope.place {
        Place::Step(vars) => StepVars {
            batch: true,
            ..vars.clone()
        },
        _ => StepVars::default(),
    };
    let scope = Scope {
        data: scope.data,
        place: Place::Step(&vars),
    };
    let mut requests = Some(Vec::with_capacity(items.len()));
    for (i, item) in items.iter().enumerate() {
        let what = format!("request {} of the batch in {label}", i + 1);
        match (entry(ctx, item, &what, &scope), requests.as_mut()) {
            (Some(rs), Some(list)) => list.push(rs),
            _ => requests = None,
        }
    }
    if !ctx.clean_since(mark) {
        return None;
    }
    Some(Step::Batch(Box::new(Batch {
        name: name?,
        requests: requests?,
        parallel: parallel?,
        line: node.pos.line as usize,
        col: node.pos.col as usize,
    })))
}

/// One request of a batch: a request step without `sleep`, `batch` or `once`.
fn entry(ctx: &mut Ctx<'_>, item: &Node, what: &str, scope: &Scope<'_>) -> Option<crate::model::RequestStep> {
    let mut refused = false;
    if let Some(entries) = item.as_map() {
        for (k, _) in entries {
            let why = match k.text.as_str() {
                "sleep" => {
                    "a batch holds requests only: put the 'sleep' in a step of its own before or after the batch"
                }
                "batch" => "a batch cannot hold another batch: list its requests in this one",
                "once" => {
                    "'once' is not supported inside a batch: put the request in a step of its own with 'once: true'"
                }
                _ => continue,
            };
            ctx.error(k.pos, format!("{what}: {why}"));
            refused = true;
        }
    }
    if refused {
        return None;
    }
    match step::request_step(ctx, item, what, scope)? {
        Step::Request(rs) => Some(*rs),
        _ => None,
    }
}

/// The variable names a batch's requests extract (`list` is the value of `batch`).
pub(crate) fn extract_names(list: &Node) -> Vec<String> {
    match &list.kind {
        Kind::Seq(items) => items.iter().flat_map(super::journey::extract_names).collect(),
        _ => Vec::new(),
    }
}
