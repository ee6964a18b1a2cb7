//! `extract:` — variable → `{ json: PATH }`, `{ regex: RE, group: N }` or `{ header: NAME }`,
//! with `pick: first | random | all`; a bare `"$.path"` is short for `{ json: "$.path" }`.

use super::check::regex_error;
use super::node::{Kind, Node, get};
use super::{Ctx, value};
use crate::jsonpath::JsonPath;
use crate::model::{Extract, ExtractSource, PickMatch};
use crate::validate::names::check_name;
use crate::validate::scope::Scope;

const KEYS: [&str; 5] = ["json", "regex", "header", "group", "pick"];
const SOURCES: [&str; 3] = ["json", "regex", "header"];

pub(crate) fn extracts(ctx: &mut Ctx<'_>, node: &Node, scope: &Scope<'_>) -> Option<Vec<Extract>> {
    let entries = value::map(ctx, node, "'extract'")?;
    let mark = ctx.errors.len();
    let mut out = Vec::with_capacity(entries.len());
    for (key, spec) in entries {
        let var = key.text.clone();
        if let Some(message) = check_name(&var, "variable") {
            ctx.error(key.pos, message);
        } else if scope.data.iter().any(|d| d.name == var) {
            ctx.error(
                key.pos,
                format!("variable '{var}' has the name of a data source; choose another name"),
            );
        }
        if let Some((source, pick)) = spec_of(ctx, &var, spec) {
            out.push(Extract { var, source, pick });
        }
    }
    ctx.clean_since(mark).then_some(out)
}

fn spec_of(ctx: &mut Ctx<'_>, var: &str, node: &Node) -> Option<(ExtractSource, PickMatch)> {
    if let Kind::Str(s) = &node.kind
        && s.trim_start().starts_with('$')
    {
        return json_path(ctx, node, s).map(|p| (ExtractSource::Json(p), PickMatch::First));
    }
    let entries = value::map(ctx, node, &format!("extraction '{var}' (e.g. {{ json: \"$.token\" }})"))?;
    let mark = ctx.errors.len();
    let keys_ok = value::known_keys(ctx, entries, &KEYS, &format!("in extraction '{var}'"));
    let given: Vec<_> = entries
        .iter()
        .filter(|(k, _)| SOURCES.contains(&k.text.as_str()))
        .collect();
    let pick = match get(entries, "pick") {
        Some((_, n)) => value::choice(ctx, n, "'pick'", &["first", "random", "all"]).map(|i| match i {
            0 => PickMatch::First,
            1 => PickMatch::Random,
            _ => PickMatch::All,
        }),
        None => Some(PickMatch::First),
    };
    let source = match given.as_slice() {
        [] => {
            if keys_ok {
                ctx.error(
                    node.pos,
                    format!("extraction '{var}' needs one of 'json', 'regex' or 'header'"),
                );
            }
            None
        }
        [(k, n)] => match k.text.as_str() {
            "json" => value::text(ctx, n, "'json'")
                .and_then(|t| json_path(ctx, n, &t))
                .map(ExtractSource::Json),
            "regex" => regex(ctx, n, get(entries, "group").map(|(_, g)| g)),
            _ => {
                value::non_empty_text(ctx, n, "'header'").map(|h| ExtractSource::Header(h.trim().to_ascii_lowercase()))
            }
        },
        [(first, _), (second, _), ..] => {
            ctx.error(
                second.pos,
                format!(
                    "extraction '{var}' has both '{}' and '{}': give one source",
                    first.text, second.text
                ),
            );
            None
        }
    };
    if let (Some((gk, _)), Some(ExtractSource::Json(_) | ExtractSource::Header(_))) =
        (get(entries, "group"), source.as_ref())
    {
        ctx.error(gk.pos, "'group' applies only to 'regex' extractions");
    }
    if !ctx.clean_since(mark) {
        return None;
    }
    Some((source?, pick?))
}

fn json_path(ctx: &mut Ctx<'_>, node: &Node, text: &str) -> Option<JsonPath> {
    match JsonPath::compile(text) {
        Ok(p) => Some(p),
        Err(e) => {
            ctx.error(node.pos, e);
            None
        }
    }
}

/// The regex (matched on the body bytes) and the capture group to keep: `group`, or 1 when
/// the regex has a group, else the whole match.
fn regex(ctx: &mut Ctx<'_>, node: &Node, group: Option<&Node>) -> Option<ExtractSource> {
    let text = value::non_empty_text(ctx, node, "'regex'")?;
    let re = match regex::bytes::Regex::new(&text) {
        Ok(re) => re,
        Err(e) => {
            ctx.error(node.pos, regex_error(&text, &e.to_string()));
            return None;
        }
    };
    let groups = re.captures_len() - 1;
    let group = match group {
        Some(g) => {
            let n = value::whole(ctx, g, "'group'")?;
            if n as usize > groups {
                ctx.error(
                    g.pos,
                    format!("'group' is {n} but the regex has {groups} capture group(s)"),
                );
                return None;
            }
            n as usize
        }
        None => usize::from(groups >= 1),
    };
    Some(ExtractSource::Regex { regex: re, group })
}
