//! Compiling template text found in the file: splitting `{{ }}`, resolving each expression to a
//! variable, data field, `env.NAME` (read from the environment now) or built-in, and reporting
//! problems at the `{{` that caused them.

use super::Ctx;
use super::node::Node;
use super::value;
use crate::suggest;
use crate::template::{Part, Piece, Template, split};
use crate::validate::names::{ALL_BUILTINS, BUILTIN_FUNCTIONS};
use crate::validate::scope::{Place, Scope};

/// Compiles a scalar node as a template (`what` names it in a type error).
pub(crate) fn compile_node(ctx: &mut Ctx<'_>, node: &Node, what: &str, scope: &Scope<'_>) -> Option<Template> {
    let text = value::text(ctx, node, what)?;
    compile(ctx, node, &text, scope)
}

/// Compiles `text`, the value of `node`.
pub(crate) fn compile(ctx: &mut Ctx<'_>, node: &Node, text: &str, scope: &Scope<'_>) -> Option<Template> {
    let pieces = match split(text) {
        Ok(p) => p,
        Err(e) => {
            let pos = ctx.template_pos(node, e.occurrence);
            ctx.error(pos, e.message);
            return None;
        }
    };
    let mut parts = Vec::with_capacity(pieces.len());
    let mut ok = true;
    for piece in pieces {
        match piece {
            Piece::Text(t) => parts.push(Part::Text(t.to_string())),
            Piece::Expr { text, occurrence } => match resolve(text, scope) {
                Ok(part) => parts.push(part),
                Err(message) => {
                    let pos = ctx.template_pos(node, occurrence);
                    ctx.error(pos, message);
                    ok = false;
                }
            },
        }
    }
    ok.then(|| Template::new(text.to_string(), parts))
}

/// One `{{ expr }}` (trimmed) → its part.
fn resolve(expr: &str, scope: &Scope<'_>) -> Result<Part, String> {
    let shown = format!("'{{{{ {} }}}}'", crate::error::clip(expr, 60));
    if let Some(open) = expr.find('(') {
        return call(expr, open, &shown, scope);
    }
    if let Some((head, field)) = expr.split_once('.') {
        let (head, field) = (head.trim(), field.trim());
        if head == "env" {
            if let Place::Step(vars) = scope.place
                && let Some((_, v)) = vars.env.iter().find(|(k, _)| k == field)
            {
                return Ok(Part::Text(v.clone()));
            }
            return env(field, &shown);
        }
        if let Some(section) = scope.place.fixed() {
            return Err(format!("{shown}: '{section}' can only use '{{{{ env.NAME }}}}'"));
        }
        return data_field(head, field, &shown, scope);
    }
    if !crate::parse::is_identifier(expr) {
        return Err(format!(
            "bad template {shown}: expected a variable name, SOURCE.FIELD, env.NAME or a built-in such as uuid"
        ));
    }
    if scope.place.fixed().is_none() {
        match expr {
            "uuid" => return Ok(Part::Uuid),
            "now_ms" => return Ok(Part::NowMs),
            "vu" => return Ok(Part::Vu),
            "iteration" => return Ok(Part::Iteration),
            "random_int" | "random_string" => {
                return Err(format!("{shown}: '{expr}' needs arguments, e.g. {}", example(expr)));
            }
            _ => {}
        }
    }
    if scope.data.iter().any(|d| d.name == expr) {
        return Err(format!(
            "{shown} names a data source; use one of its fields, e.g. '{{{{ {expr}.FIELD }}}}'"
        ));
    }
    scope.check_var(expr)?;
    Ok(Part::Var(expr.to_string()))
}

fn example(function: &str) -> &'static str {
    match function {
        "random_int" => "'{{ random_int(1, 100) }}'",
        _ => "'{{ random_string(12) }}'",
    }
}

/// `name(args)`.
fn call(expr: &str, open: usize, shown: &str, scope: &Scope<'_>) -> Result<Part, String> {
    let name = expr[..open].trim();
    let Some(inner) = expr[open + 1..].strip_suffix(')') else {
        return Err(format!("bad template {shown}: expected ')' at the end of the call"));
    };
    let args: Vec<&str> = if inner.trim().is_empty() {
        Vec::new()
    } else {
        inner.split(',').map(str::trim).collect()
    };
    if let Some(section) = scope.place.fixed() {
        return Err(format!("{shown}: '{section}' can only use '{{{{ env.NAME }}}}'"));
    }
    match (name, args.as_slice()) {
        ("uuid", []) => Ok(Part::Uuid),
        ("now_ms", []) => Ok(Part::NowMs),
        ("vu", []) => Ok(Part::Vu),
        ("iteration", []) => Ok(Part::Iteration),
        ("uuid" | "now_ms" | "vu" | "iteration", _) => Err(format!("{shown}: '{name}' takes no arguments")),
        ("random_int", [a, b]) => match (a.parse::<i64>(), b.parse::<i64>()) {
            (Ok(a), Ok(b)) if a <= b => Ok(Part::RandomInt(a, b)),
            (Ok(_), Ok(_)) => Err(format!("{shown}: random_int(a, b) needs a <= b")),
            _ => Err(format!("{shown}: random_int(a, b) needs two whole numbers")),
        },
        ("random_int", _) => Err(format!(
            "{shown}: random_int takes two whole numbers, e.g. '{{{{ random_int(1, 100) }}}}'"
        )),
        ("random_string", [n]) => match n.parse::<usize>() {
            Ok(n) if (1..=65_536).contains(&n) => Ok(Part::RandomString(n)),
            _ => Err(format!("{shown}: random_string(n) needs a length n from 1 to 65536")),
        },
        ("random_string", _) => Err(format!(
            "{shown}: random_string takes one length, e.g. '{{{{ random_string(12) }}}}'"
        )),
        _ => {
            let hint = match suggest::closest(name, ALL_BUILTINS) {
                Some(near) => format!("; did you mean '{near}'?"),
                None => format!(
                    "; the functions are {} (and uuid, now_ms, vu, iteration without arguments)",
                    BUILTIN_FUNCTIONS.join(", ")
                ),
            };
            Err(format!(
                "unknown template function '{}' in {shown}{hint}",
                crate::error::clip(name, 40)
            ))
        }
    }
}

/// `env.NAME`, replaced by the variable's value now.
fn env(name: &str, shown: &str) -> Result<Part, String> {
    if !crate::parse::is_identifier(name) {
        return Err(format!(
            "bad template {shown}: expected env.NAME with NAME made of letters, digits and '_'"
        ));
    }
    match std::env::var(name) {
        Ok(v) => Ok(Part::Text(v)),
        Err(std::env::VarError::NotPresent) => Err(format!("environment variable '{name}' used in {shown} is not set")),
        Err(std::env::VarError::NotUnicode(_)) => Err(format!(
            "environment variable '{name}' used in {shown} is not valid UTF-8"
        )),
    }
}

/// `SOURCE.FIELD`.
fn data_field(source: &str, field: &str, shown: &str, scope: &Scope<'_>) -> Result<Part, String> {
    let Some(index) = scope.data.iter().position(|d| d.name == source) else {
        let names: Vec<&str> = scope.data.iter().map(|d| d.name.as_str()).collect();
        let hint = match suggest::closest(source, names.iter().copied()) {
            Some(near) => format!("; did you mean '{near}'?"),
            None if names.is_empty() => "; the scenario has no 'data' section".to_string(),
            None => format!("; the data sources are {}", names.join(", ")),
        };
        return Err(format!(
            "unknown data source '{}' in {shown}{hint}",
            crate::error::clip(source, 40)
        ));
    };
    if field.is_empty() {
        return Err(format!("bad template {shown}: expected a field name after '{source}.'"));
    }
    let column = match &scope.data[index].columns {
        None => 0,
        Some(columns) => match columns.iter().position(|c| c == field) {
            Some(c) => c,
            None => {
                let hint = match suggest::closest(field, columns.iter().map(String::as_str)) {
                    Some(near) => format!("; did you mean '{near}'?"),
                    None => format!("; its columns are {}", crate::error::clip(&columns.join(", "), 200)),
                };
                return Err(format!(
                    "data source '{source}' has no column '{}' (used in {shown}){hint}",
                    crate::error::clip(field, 40)
                ));
            }
        },
    };
    Ok(Part::Field {
        name: format!("{source}.{field}"),
        source: index,
        column,
    })
}

/// Compiles `text` as the value of `key: TEXT` on line 1, for tests: the error's column points
/// into that line.
#[cfg(test)]
pub(crate) fn compile_for_test(
    text: &str,
    data: &[crate::validate::scope::DataInfo],
    defined: &[&str],
) -> Result<Template, (usize, String)> {
    use crate::validate::scope::StepVars;
    let source = format!("key: {text}\n");
    let root = super::node::parse_yaml(&source).map_err(|e| (e.pos.col as usize, e.message))?;
    let node = match root.as_map() {
        Some([(_, n)]) => n.clone(),
        _ => return Err((0, "not a one-key map".into())),
    };
    let mut ctx = Ctx::new(&source, "t.yaml", std::path::Path::new("."));
    let vars = StepVars {
        defined: defined.iter().map(|s| s.to_string()).collect(),
        extracted_at: [("later".to_string(), 3)].into_iter().collect(),
        step: 2,
        looped: false,
        env: Vec::new(),
        batch: false,
    };
    let scope = Scope {
        data,
        place: Place::Step(&vars),
    };
    let t = compile_node(&mut ctx, &node, "'key'", &scope);
    match (t, ctx.errors.into_iter().next()) {
        (Some(t), None) => Ok(t),
        (_, Some(e)) => Err((e.col, e.message)),
        (None, None) => Err((0, "no template and no error".into())),
    }
}
