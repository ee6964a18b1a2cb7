//! `postgres:` — the databases to watch while the scenario runs, as `--postgres URL` on the
//! command line (the flags replace the file's list): one connection string or a list of
//! them, each may use `{{ env.NAME }}` (a password kept out of the file). Each is checked
//! by `loadcell-postgres`'s own parser, the error pointing at it; whether the database
//! answers is checked when the run starts.

use super::node::{Kind, Node};
use super::{Ctx, template};
use crate::validate::scope::{DataInfo, Place, Scope};

pub(crate) fn section(ctx: &mut Ctx<'_>, node: &Node, data: &[DataInfo]) -> Option<Vec<String>> {
    let mark = ctx.errors.len();
    let items: Vec<&Node> = match &node.kind {
        Kind::Seq(items) => items.iter().collect(),
        Kind::Map(_) => {
            ctx.error(
                node.pos,
                format!(
                    "'postgres' must be a connection string such as postgres://app@127.0.0.1:5432/shop, or a list of them, found {}",
                    node.describe()
                ),
            );
            return None;
        }
        _ => vec![node],
    };
    let scope = Scope {
        data,
        place: Place::Postgres,
    };
    let mut out = Vec::new();
    for item in items {
        let Some(t) = template::compile_node(ctx, item, "'postgres'", &scope) else {
            continue;
        };
        let url = t.static_text().unwrap_or_default().trim().to_string();
        if url.is_empty() {
            ctx.error(
                item.pos,
                "'postgres' must not be empty: a connection string such as postgres://app@127.0.0.1:5432/shop",
            );
            continue;
        }
        match loadcell_postgres::place::parse(&url) {
            Ok(_) => out.push(url),
            Err(loadcell_postgres::PostgresError::InvalidUrl(reason)) => ctx.error(
                item.pos,
                format!(
                    "bad 'postgres' connection string ({reason}): expected postgres://USER@HOST:PORT/DB or key=value pairs such as host=127.0.0.1 dbname=shop"
                ),
            ),
            Err(e) => ctx.error(item.pos, format!("bad 'postgres': {e}")),
        }
    }
    ctx.clean_since(mark).then_some(out)
}

#[cfg(test)]
mod tests {
    use crate::{ScenarioError, parse_str};
    use std::path::Path;

    const JOURNEYS: &str = "journeys:\n  - name: j\n    steps:\n      - get: http://127.0.0.1:1/\n";

    fn parse(postgres: &str) -> Result<Vec<String>, ScenarioError> {
        parse_str(&format!("{JOURNEYS}{postgres}"), "s.yaml", Path::new(".")).map(|s| s.postgres)
    }

    #[test]
    fn one_string_or_a_list_with_env_interpolated() {
        assert_eq!(
            parse("postgres: postgres://app@127.0.0.1:5432/shop\n").unwrap(),
            ["postgres://app@127.0.0.1:5432/shop"]
        );
        // HOME stands for a password kept in the environment (set in any test process).
        let home = std::env::var("HOME").unwrap_or_default();
        if !home.is_empty() && !home.contains(char::is_whitespace) {
            let list = parse(
                "postgres:\n  - postgres://app@127.0.0.1/shop\n  - host=127.0.0.1 dbname=other password={{ env.HOME }}\n",
            )
            .unwrap();
            assert_eq!(
                list,
                [
                    "postgres://app@127.0.0.1/shop".to_string(),
                    format!("host=127.0.0.1 dbname=other password={home}")
                ]
            );
        }
        assert!(parse("\n").unwrap().is_empty());
    }

    #[test]
    fn bad_strings_unset_variables_and_other_templates_point_at_the_entry() {
        let e = parse("postgres:\n  - postgres://127.0.0.1/a\n  - 'postgres://h:notaport/db'\n").unwrap_err();
        assert_eq!((e.line, e.col), (7, 5), "{e}");
        assert!(e.message.starts_with("bad 'postgres' connection string"), "{e}");
        let e = parse("postgres: postgres://app:{{ env.LOADCELL_TEST_PG_UNSET_VARIABLE }}@h/db\n").unwrap_err();
        assert!(e.message.contains("LOADCELL_TEST_PG_UNSET_VARIABLE"), "{e}");
        assert!(e.message.contains("is not set"), "{e}");
        let e = parse("postgres: postgres://h/{{ uuid }}\n").unwrap_err();
        assert!(e.message.contains("'postgres' can only use"), "{e}");
        let e = parse("postgres:\n  url: x\n").unwrap_err();
        assert!(e.message.starts_with("'postgres' must be a connection string"), "{e}");
        let e = parse("postgres: ''\n").unwrap_err();
        assert!(e.message.contains("must not be empty"), "{e}");
    }
}
