//! The top level of a scenario file: `name`, `target`, `resolve`, `tls`, `load`, `defaults`,
//! `data`, `setup`, `journeys`, `teardown`, `thresholds`, `monitor`, `postgres`, `segment`. Sections are compiled in dependency order (data before anything that uses
//! templates, journeys before thresholds that name them), whatever their order in the file.

use super::node::{Kind, Node, get};
use super::{
    Ctx, connection, data, journey, lifecycle, load, metrics, monitor, postgres, scenarios, template, thresholds, value,
};
use crate::model::{Defaults, Load, Scenario};
use crate::validate::scope::{DataInfo, Place, Scope};

const KEYS: [&str; 18] = [
    "metrics",
    "name",
    "setup",
    "teardown",
    "setup_timeout",
    "teardown_timeout",
    "scenarios",
    "target",
    "resolve",
    "tls",
    "load",
    "defaults",
    "data",
    "journeys",
    "thresholds",
    "monitor",
    "postgres",
    "segment",
];

/// Takes the tree by value so that each journey's nodes are freed once it is compiled: with
/// a big file the tree and the compiled journeys never need to be in memory whole at once.
pub(crate) fn scenario(ctx: &mut Ctx<'_>, root: Node, default_name: &str) -> Option<Scenario> {
    let root_pos = root.pos;
    let Kind::Map(entries) = root.kind else {
        ctx.error(
            root.pos,
            format!(
                "a scenario must be a map with 'journeys' (and optionally {}), found {}",
                "'name', 'target', 'resolve', 'tls', 'load', 'defaults', 'data', 'thresholds', 'monitor', 'postgres'",
                root.describe()
            ),
        );
        return None;
    };
    let mut entries = entries.into_vec();
    // A missing required key is not reported when an unknown key (likely its typo) was.
    let keys_ok = value::known_keys(ctx, &entries, &KEYS, "at the top level");

    let name = match get(&entries, "name") {
        Some((_, n)) => value::non_empty_text(ctx, n, "'name'").map(|s| s.trim().to_string()),
        None => Some(default_name.to_string()),
    };
    let (data_sources, data_info) = match get(&entries, "data") {
        Some((_, n)) => data::section(ctx, n),
        None => (Some(Vec::new()), Vec::new()),
    };
    let target = match get(&entries, "target") {
        Some((_, n)) => target(ctx, n, &data_info).map(Some),
        None => Some(None),
    };
    let (load, warmup, iterations) = match get(&entries, "load") {
        Some((_, n)) => load::section(ctx, n),
        None => Some((
            Load::Closed {
                vus: None,
                stages: Vec::new(),
                duration: None,
            },
            None,
            None,
        )),
    }
    .map_or((None, None, None), |(l, w, i)| (Some(l), w, i));
    let defaults = match get(&entries, "defaults") {
        Some((_, n)) => defaults(ctx, n, &data_info),
        None => Some(Defaults::default()),
    };
    // Declared before any step is compiled: a step's `add:` names them.
    let declared = match get(&entries, "metrics") {
        Some((_, n)) => metrics::section(ctx, n),
        None => Some(Vec::new()),
    };
    ctx.metrics = declared.clone().unwrap_or_default();
    // What the setup extracts, every journey and the teardown may read (k6's setup data).
    let from_setup = lifecycle::extracted(&entries);
    let setup = lifecycle::section(ctx, &entries, "setup", &data_info, &from_setup);
    let teardown = lifecycle::section(ctx, &entries, "teardown", &data_info, &from_setup);
    let journeys_at = entries.iter().position(|(k, _)| k.text == "journeys");
    let journeys = match journeys_at.map(|i| entries.remove(i)) {
        Some((key, n)) => journey::section(ctx, &key, n, &data_info, &from_setup, &scenarios::envs(&entries)),
        None => {
            if keys_ok {
                ctx.error(
                    root_pos,
                    "the scenario has no 'journeys': expected a list of journeys, each with 'name' and 'steps'",
                );
            }
            None
        }
    };
    let scenarios = match (get(&entries, "scenarios"), &journeys) {
        (Some((key, n)), Some(js)) => {
            if let Some((load_key, _)) = get(&entries, "load") {
                ctx.error(
                    load_key.pos,
                    "'load' cannot be combined with 'scenarios': each scenario sets its own executor",
                );
            }
            scenarios::section(ctx, key, n, js)
        }
        _ => Some(Vec::new()),
    };
    if let Some(js) = &journeys {
        lifecycle::check_names(ctx, &entries, js);
    }
    let journey_names: Vec<&str> = journeys
        .as_ref()
        .map(|js| js.iter().map(|j| j.name.as_str()).collect())
        .unwrap_or_default();
    let thresholds = match get(&entries, "thresholds") {
        Some((_, n)) => thresholds::section(
            ctx,
            n,
            journeys.as_ref().map(|_| journey_names.as_slice()),
            &crate::model::custom_refs(&ctx.metrics),
        ),
        None => Some(Vec::new()),
    };
    let resolve = match get(&entries, "resolve") {
        Some((_, n)) => connection::resolve(ctx, n),
        None => Some(Vec::new()),
    };
    let tls = match get(&entries, "tls") {
        Some((_, n)) => connection::tls(ctx, n),
        None => Some(crate::model::TlsFiles::default()),
    };
    let monitor = match get(&entries, "monitor") {
        Some((_, n)) => monitor::section(ctx, n),
        None => Some(crate::model::Monitor::default()),
    };
    let postgres = match get(&entries, "postgres") {
        Some((_, n)) => postgres::section(ctx, n, &data_info),
        None => Some(Vec::new()),
    };
    let segment = match get(&entries, "segment") {
        Some((_, n)) => value::text(ctx, n, "'segment'").and_then(|t| {
            loadcell_units::Segment::parse(&t)
                .map_err(|e| ctx.error(n.pos, e.to_string()))
                .ok()
        }),
        None => None,
    };
    let (thresholds, threshold_at): (Vec<_>, Vec<_>) = thresholds?.into_iter().unzip();
    let monitor = monitor?;
    Some(Scenario {
        name: name?,
        target: target?,
        load: load?,
        warmup,
        iterations,
        defaults: defaults?,
        data: data_sources?,
        journeys: journeys?,
        scenarios: scenarios?,
        thresholds,
        threshold_at,
        monitor,
        postgres: postgres?,
        source_path: None,
        resolve: resolve?,
        tls: tls?,
        setup: setup?,
        teardown: teardown?,
        metrics: declared?,
        segment,
        files: std::mem::take(&mut ctx.files),
    })
}

/// `target: http://host:port[/base]`, may use `{{ env.NAME }}`.
fn target(ctx: &mut Ctx<'_>, node: &Node, data: &[DataInfo]) -> Option<String> {
    let scope = Scope {
        data,
        place: Place::Target,
    };
    let t = template::compile_node(ctx, node, "'target'", &scope)?;
    let url = t.static_text().unwrap_or_default().trim().to_string();
    let rest = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://"));
    match rest {
        Some(rest) if !rest.is_empty() && !rest.starts_with('/') && !rest.contains(char::is_whitespace) => {
            Some(url.trim_end_matches('/').to_string())
        }
        _ => {
            ctx.error(
                node.pos,
                format!(
                    "'target' must be an http:// or https:// URL such as http://127.0.0.1:8080, found {}",
                    crate::error::quote(&url, 80)
                ),
            );
            None
        }
    }
}

/// `defaults: { headers, think, timeout }`.
fn defaults(ctx: &mut Ctx<'_>, node: &Node, data: &[DataInfo]) -> Option<Defaults> {
    let entries = value::map(ctx, node, "'defaults'")?;
    let mark = ctx.errors.len();
    value::known_keys(ctx, entries, &["headers", "think", "timeout"], "in defaults");
    let scope = Scope {
        data,
        place: Place::Defaults,
    };
    let mut out = Defaults::default();
    if let Some((_, n)) = get(entries, "headers") {
        out.headers = super::step::headers(ctx, n, &scope).unwrap_or_default();
    }
    if let Some((_, n)) = get(entries, "think") {
        out.think = value::think(ctx, n, "'think'");
    }
    if let Some((_, n)) = get(entries, "timeout") {
        out.timeout = value::positive_duration(ctx, n, "'timeout'");
    }
    ctx.clean_since(mark).then_some(out)
}
