//! `loadcell target --postgres URL [--postgres-index]`: the DB-backed routes answer from
//! the real database, the search scans the table without the index and uses it with, and
//! the password appears in no message.

use std::io::{Read, Write};
use std::net::TcpStream;

use loadcell_target::{Config, PostgresConfig, TargetHandle};
use loadcell_testkit::Postgres;
use loadcell_testkit::postgres::PASSWORD;

/// `GET path` over a fresh connection: (status, body).
fn get(handle: &TargetHandle, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(handle.addr).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_string();
    (status, body)
}

fn db_target(pg: &Postgres, index: bool, rows: u64) -> TargetHandle {
    let mut postgres = PostgresConfig::new(pg.url());
    postgres.index = index;
    postgres.rows = rows;
    TargetHandle::spawn(Config {
        postgres: Some(postgres),
        ..Config::default()
    })
    .expect("target with --postgres")
}

const EXPLAIN: &str =
    "EXPLAIN SELECT id, name, price FROM loadcell_products WHERE category = 7 ORDER BY price LIMIT 10";

#[test]
fn the_search_is_answered_from_postgres_and_scans_the_table_without_its_index() {
    let Some(pg) = Postgres::start() else { return };
    let target = db_target(&pg, false, 20_000);
    assert_eq!(pg.psql("SELECT count(*) FROM loadcell_products"), "20000");
    let (status, body) = get(&target, "/api/db/search?category=7");
    assert_eq!(status, 200, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    let items = json["items"].as_array().unwrap();
    assert_eq!(items.len(), 10, "{body}");
    let prices: Vec<i64> = items.iter().map(|i| i["price"].as_i64().unwrap()).collect();
    assert!(
        prices.windows(2).all(|w| w[0] <= w[1]),
        "not the cheapest first: {prices:?}"
    );
    let (status, body) = get(&target, "/api/db/products/1007");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#""category":7"#), "{body}");
    let (status, _) = get(&target, "/api/db/products/999999999");
    assert_eq!(status, 404);
    let (status, _) = get(&target, "/api/db/search?category=x");
    assert_eq!(status, 400);
    let stats = target.stats();
    assert_eq!(stats.by_route.get("GET /api/db/search"), Some(&2));
    let plan = pg.psql(EXPLAIN);
    assert!(plan.contains("Seq Scan on loadcell_products"), "{plan}");
    drop(target);

    // The same database with --postgres-index: the table is kept, the index is created.
    let indexed = db_target(&pg, true, 20_000);
    let plan = pg.psql(EXPLAIN);
    assert!(plan.contains("loadcell_products_category_price"), "{plan}");
    assert!(!plan.contains("Seq Scan"), "{plan}");
    assert_eq!(get(&indexed, "/api/db/search?category=7").0, 200);
}

#[test]
fn without_postgres_the_db_routes_say_what_they_need() {
    let target = TargetHandle::spawn(Config::default()).unwrap();
    let (status, body) = get(&target, "/api/db/search?category=1");
    assert_eq!(status, 404);
    assert!(body.contains("--postgres"), "{body}");
}

#[test]
fn a_wrong_password_is_one_line_without_the_password() {
    let Some(pg) = Postgres::start() else { return };
    let url = pg.url().replace(PASSWORD, "wrong-pw-123");
    let err = TargetHandle::spawn(Config {
        postgres: Some(PostgresConfig::new(url)),
        ..Config::default()
    })
    .expect_err("wrong password must fail");
    let message = err.to_string();
    assert!(message.contains("password authentication failed"), "{message}");
    assert!(
        !message.contains("wrong-pw-123") && !message.contains(PASSWORD),
        "{message}"
    );
    assert!(!message.contains('\n'), "{message}");

    // The built binary too: exit 2 is for flags; a database that refuses us is an error line.
    let out = loadcell_testkit::run_raw(&[
        "target",
        "--port",
        "0",
        "--postgres",
        &pg.url().replace(PASSWORD, "wrong-pw-123"),
    ]);
    assert!(!out.output().contains("wrong-pw-123"), "{}", out.output());
    assert!(
        out.output().contains("password authentication failed"),
        "{}",
        out.output()
    );
    out.assert_no_panic();
}
