//! `data:` — named data sources (`{ csv: FILE }` or `{ json: FILE }`, `pick`, `on_exhausted`),
//! their files read now, relative to the scenario file's directory.

use super::node::{Node, get};
use super::{Ctx, value};
use crate::data::{parse_csv, parse_json};
use crate::model::{DataSource, Exhausted, Pick};
use crate::validate::names::check_name;
use crate::validate::scope::DataInfo;

const KEYS: [&str; 4] = ["csv", "json", "pick", "on_exhausted"];

/// The loaded sources (`None` if any failed) and, always, what templates may refer to.
pub(crate) fn section(ctx: &mut Ctx<'_>, node: &Node) -> (Option<Vec<DataSource>>, Vec<DataInfo>) {
    let Some(entries) = value::map(ctx, node, "'data'") else {
        return (None, Vec::new());
    };
    let mut sources = Some(Vec::with_capacity(entries.len()));
    let mut info = Vec::with_capacity(entries.len());
    for (key, spec) in entries {
        if let Some(message) = check_name(&key.text, "data source") {
            ctx.error(key.pos, message);
        }
        let source = source(ctx, &key.text, spec);
        info.push(DataInfo {
            name: key.text.clone(),
            columns: source.as_ref().map(|s| s.columns.clone()),
        });
        match (source, sources.as_mut()) {
            (Some(s), Some(list)) => list.push(s),
            _ => sources = None,
        }
    }
    (sources, info)
}

fn source(ctx: &mut Ctx<'_>, name: &str, node: &Node) -> Option<DataSource> {
    let what = format!("data source '{name}'");
    let entries = value::map(ctx, node, &format!("{what} (e.g. {{ csv: users.csv }})"))?;
    let mark = ctx.errors.len();
    let keys_ok = value::known_keys(ctx, entries, &KEYS, &format!("in {what}"));
    let pick = match get(entries, "pick") {
        Some((_, n)) => value::choice(ctx, n, "'pick'", &["sequential", "random", "unique"]).map(|i| match i {
            0 => Pick::Sequential,
            1 => Pick::Random,
            _ => Pick::Unique,
        }),
        None => Some(Pick::Sequential),
    };
    let on_exhausted = match get(entries, "on_exhausted") {
        Some((_, n)) => value::choice(ctx, n, "'on_exhausted'", &["stop", "recycle"]).map(|i| match i {
            0 => Exhausted::Stop,
            _ => Exhausted::Recycle,
        }),
        None => Some(match pick {
            Some(Pick::Unique) => Exhausted::Stop,
            _ => Exhausted::Recycle,
        }),
    };
    if let (Some(Pick::Random), Some((k, _))) = (pick, get(entries, "on_exhausted")) {
        ctx.error(
            k.pos,
            "'on_exhausted' has no effect with 'pick: random' (random rows never run out)",
        );
    }
    let file = match (get(entries, "csv"), get(entries, "json")) {
        (Some(_), Some((json_key, _))) => {
            ctx.error(json_key.pos, format!("{what} has both 'csv' and 'json': give one file"));
            None
        }
        (Some((_, n)), None) => read(ctx, n, false),
        (None, Some((_, n))) => read(ctx, n, true),
        (None, None) => {
            if keys_ok {
                ctx.error(
                    node.pos,
                    format!("{what} has no file: expected 'csv: FILE' or 'json: FILE'"),
                );
            }
            None
        }
    };
    let (columns, rows) = file?;
    if !ctx.clean_since(mark) {
        return None;
    }
    Some(DataSource {
        name: name.to_string(),
        columns,
        rows,
        pick: pick?,
        on_exhausted: on_exhausted?,
    })
}

/// Reads and parses the file named by `node`; errors at `node`.
fn read(ctx: &mut Ctx<'_>, node: &Node, json: bool) -> Option<crate::data::Table> {
    let what = if json { "'json'" } else { "'csv'" };
    let file = value::non_empty_text(ctx, node, what)?;
    let path = ctx.base_dir.join(&file);
    ctx.reads(&file, &path, node.pos);
    let shown = crate::error::clip(&file, 120);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            ctx.error(
                node.pos,
                format!("cannot read data file '{shown}' ({}): {e}", path.display()),
            );
            return None;
        }
    };
    let parsed = if json {
        parse_json(&bytes)
    } else {
        match String::from_utf8(bytes) {
            Ok(text) => parse_csv(&text),
            Err(_) => Err("is not UTF-8 text".into()),
        }
    };
    match parsed {
        Ok(table) => Some(table),
        Err(e) => {
            ctx.error(node.pos, format!("data file '{shown}' {e}"));
            None
        }
    }
}
