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

#[cfg(test)]
mod tests {
    use crate::model::{Batch, DEFAULT_BATCH_PARALLEL, OnFail, Step};
    use std::path::Path;

    fn parse(steps: &str) -> Result<crate::Scenario, Vec<crate::ScenarioError>> {
        let text = format!("journeys:\n  - name: j\n    steps:\n{steps}");
        super::super::run(&text, "t.yaml", Path::new("."))
    }

    fn batch(s: &crate::Scenario, i: usize) -> &Batch {
        match &s.journeys[0].steps[i] {
            Step::Batch(b) => b,
            _ => panic!("step {i} is not a batch"),
        }
    }

    /// The first problem as `line:col: message`.
    fn error(steps: &str) -> String {
        match parse(steps) {
            Ok(_) => panic!("accepted:\n{steps}"),
            Err(e) => format!("{}:{}: {}", e[0].line, e[0].col, e[0].message),
        }
    }

    #[test]
    fn requests_are_written_as_request_steps() {
        let s = parse(
            r#"      - name: home page
        parallel: 3
        batch:
          - { name: css, get: /app.css, check: { status: 200 }, timeout: 2s }
          - name: products
            post: /api/products
            json: { q: 1 }
            extract: { id: { json: "$.items[0].id" } }
            on_fail: abort_iteration
            tags: { kind: api }
            follow_redirects: false
      - get: /api/products/{{ id }}
"#,
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        let b = batch(&s, 0);
        assert_eq!((b.name.as_str(), b.parallel, b.line, b.col), ("home page", 3, 4, 9));
        let names: Vec<&str> = b.requests.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["css", "products"]);
        assert_eq!(b.requests[0].timeout, Some(std::time::Duration::from_secs(2)));
        assert_eq!(b.requests[1].endpoint, "POST /api/products");
        assert_eq!(b.requests[1].on_fail, OnFail::AbortIteration);
        assert_eq!(b.requests[1].extract[0].var, "id");
        assert_eq!(s.journeys[0].steps[1].requests().len(), 1);
    }

    #[test]
    fn parallel_defaults_to_k6s_batch_per_host() {
        let s = parse("      - batch: [{ get: /a }, { get: /b }]\n").unwrap_or_else(|e| panic!("{e:?}"));
        let b = batch(&s, 0);
        assert_eq!(
            (b.parallel, b.name.as_str(), b.requests.len()),
            (DEFAULT_BATCH_PARALLEL, "batch", 2)
        );
    }

    #[test]
    fn what_cannot_be_in_a_batch_is_refused_at_its_place() {
        let e = error("      - batch: []\n");
        assert!(e.starts_with("4:16: step 1 of journey 'j' has an empty 'batch'"), "{e}");
        let e = error("      - batch:\n          - sleep: 1s\n");
        assert!(
            e.starts_with("5:13: request 1 of the batch") && e.contains("requests only"),
            "{e}"
        );
        let e = error("      - batch:\n          - get: /a\n          - batch: [{ get: /b }]\n");
        assert!(
            e.starts_with("6:13: request 2 of the batch") && e.contains("another batch"),
            "{e}"
        );
        let e = error("      - batch: [{ get: /a, once: true }]\n");
        assert!(
            e.starts_with("4:28:") && e.contains("'once' is not supported inside a batch"),
            "{e}"
        );
        let e = error("      - parallel: 0\n        batch: [{ get: /a }]\n");
        assert!(e.starts_with("4:19: 'parallel'"), "{e}");
        let e = error("      - batch: { get: /a }\n");
        assert!(
            e.starts_with("4:16: 'batch' (a list of requests) must be a list"),
            "{e}"
        );
    }

    #[test]
    fn unknown_keys_get_a_suggestion() {
        let e = error("      - batch: [{ get: /a }]\n        paralel: 2\n");
        assert!(
            e.starts_with("5:9: unknown key 'paralel'") && e.contains("did you mean 'parallel'"),
            "{e}"
        );
        let e = error("      - batch: [{ get: /a, chek: { status: 200 } }]\n");
        assert!(
            e.starts_with("4:28: unknown key 'chek'") && e.contains("did you mean 'check'"),
            "{e}"
        );
        let e = error("      - get: /a\n        parallel: 2\n");
        assert!(e.starts_with("5:9: unknown key 'parallel'"), "{e}");
    }

    #[test]
    fn requests_of_a_batch_see_earlier_values_not_each_others() {
        let e = error(
            r#"      - batch:
          - { get: /login, extract: { token: { json: "$.token" } } }
          - { get: "/me?t={{ token }}" }
"#,
        );
        assert!(e.contains("'{{ token }}' is used before any step extracts it"), "{e}");
        assert!(e.contains("cannot use each other's values"), "{e}");
        parse(
            r#"      - get: /login
        extract: { token: { json: "$.token" } }
      - batch:
          - { get: "/me?t={{ token }}", extract: { me: { json: "$.id" } } }
          - { get: "/cart?t={{ token }}" }
      - get: "/users/{{ me }}"
"#,
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
    }
}
