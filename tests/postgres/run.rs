//! `loadcell run --postgres URL` against the target's DB-backed search: the database
//! section names the search as the top statement with its sequential scan, the `database`
//! verdict follows from it without the index and not with it, and the password appears
//! nowhere (terminal, summary.json).

use loadcell_schema::{BottleneckKind, Summary};
use loadcell_target::{Config, PostgresConfig, SEARCH_SQL, TargetHandle};
use loadcell_testkit::postgres::PASSWORD;
use loadcell_testkit::{Loadcell, Postgres, process::run_summary};

/// The normalised search as pg_stat_statements shows it.
const SEARCH: &str = "FROM loadcell_products WHERE category = $1 ORDER BY price LIMIT $2";

fn search_target(pg: &Postgres, index: bool) -> TargetHandle {
    let mut postgres = PostgresConfig::new(pg.url());
    postgres.index = index;
    TargetHandle::spawn(Config {
        postgres: Some(postgres),
        ..Config::default()
    })
    .expect("target with --postgres")
}

/// 30 searches a second for 4 s, watched.
fn watched_run(target: &TargetHandle, pg: &Postgres) -> (Summary, String) {
    let url = format!("{}/api/db/search?category=7", target.url());
    let done = run_summary(
        url.as_ref(),
        &["--rate", "30", "-d", "4s", "--postgres", &pg.url()],
        Loadcell::alone,
    );
    done.assert_exit(0);
    let text = format!("{}{}", done.output(), serde_json::to_string(done.summary()).unwrap());
    assert!(!text.contains(PASSWORD), "the password leaked:\n{text}");
    (done.typed(), done.output())
}

#[test]
fn without_its_index_the_search_is_database_bound_and_named_with_its_sequential_scan() {
    let Some(pg) = Postgres::start() else { return };
    assert!(SEARCH_SQL.ends_with("ORDER BY price LIMIT 10"));
    let target = search_target(&pg, false);
    let (summary, _) = watched_run(&target, &pg);
    let db = &summary.postgres[0];
    assert_eq!(db.database, format!("127.0.0.1:{}/postgres", pg.port));
    let top = &db.top_queries[0];
    assert!(top.query.contains(SEARCH), "{top:?}");
    let served = target.stats().by_route.get("GET /api/db/search").copied().unwrap_or(0);
    assert_eq!(
        top.calls, served,
        "one statement per request the target served: {top:?}"
    );
    let scans = db
        .seq_scans
        .iter()
        .find(|t| t.table == "public.loadcell_products")
        .expect("scanned");
    assert!(scans.seq_rows_read >= 200_000, "{scans:?}");
    let verdict = summary
        .bottlenecks
        .iter()
        .find(|b| b.kind == BottleneckKind::Database)
        .unwrap_or_else(|| panic!("no database verdict: {:#?}\n{db:#?}", summary.bottlenecks));
    assert!(verdict.verdict.contains(SEARCH), "{}", verdict.verdict);
    assert!(
        verdict
            .evidence
            .iter()
            .any(|e| e.contains("sequential scans of public.loadcell_products")),
        "{verdict:?}"
    );
    assert!(
        verdict.recommendations[0].starts_with("add an index on public.loadcell_products"),
        "{verdict:?}"
    );
}

#[test]
fn with_its_index_the_same_rate_is_not_database_bound() {
    let Some(pg) = Postgres::start() else { return };
    let target = search_target(&pg, true);
    let (summary, output) = watched_run(&target, &pg);
    let db = &summary.postgres[0];
    assert!(db.top_queries[0].query.contains(SEARCH), "{db:?}");
    // At most the seeding's own count(*): PostgreSQL publishes a connection's table counters
    // up to a second late, so it can land inside the window. Never one scan per request.
    let scans = db
        .seq_scans
        .iter()
        .find(|t| t.table == "public.loadcell_products")
        .map_or(0, |t| t.seq_scans);
    assert!(scans <= 1, "{:?}", db.seq_scans);
    assert!(
        summary.bottlenecks.iter().all(|b| b.kind != BottleneckKind::Database),
        "{:#?}\n{db:#?}",
        summary.bottlenecks
    );
    assert!(
        output.contains(&format!("database 127.0.0.1:{}/postgres", pg.port)),
        "{output}"
    );
}

#[test]
fn a_database_that_refuses_the_password_stops_the_run_before_any_request() {
    let Some(pg) = Postgres::start() else { return };
    let target = loadcell_testkit::fast_target();
    let wrong = pg.url().replace(PASSWORD, "wrong-Pw-991");
    let done = loadcell_testkit::run_raw(&["run", &target.url(), "-n", "5", "--postgres", &wrong]);
    done.assert_exit(2);
    let output = done.output();
    assert!(output.contains("password authentication failed"), "{output}");
    assert!(!output.contains("wrong-Pw-991"), "{output}");
    assert_eq!(
        target.stats().requests_total,
        0,
        "no request before the database was checked"
    );

    // Nothing listening: the cause is named, still on one line.
    let closed = loadcell_testkit::RefusingPort::new();
    let url = format!("postgres://app:wrong-Pw-991@127.0.0.1:{}/shop", closed.port);
    let done = loadcell_testkit::run_raw(&["run", &target.url(), "-n", "5", "--postgres", &url]);
    done.assert_exit(2);
    let line = format!(
        "error: --postgres 127.0.0.1:{}/shop: error connecting to server: Connection refused",
        closed.port
    );
    assert!(done.output().contains(&line), "{}", done.output());
    assert!(!done.output().contains("wrong-Pw-991"), "{}", done.output());
}

#[test]
fn the_database_window_starts_at_the_end_of_the_warm_up() {
    let Some(pg) = Postgres::start() else { return };
    let target = search_target(&pg, true);
    let url = format!("{}/api/db/search?category=7", target.url());
    let done = run_summary(
        url.as_ref(),
        &["--rate", "30", "--warmup", "2s", "-d", "3s", "--postgres", &pg.url()],
        Loadcell::alone,
    );
    done.assert_exit(0);
    let summary = done.typed();
    let db = &summary.postgres[0];
    let served = target.stats().by_route.get("GET /api/db/search").copied().unwrap_or(0);
    let measured = summary.requests.total;
    let calls = db.top_queries[0].calls;
    eprintln!(
        "warm-up window: {calls} searches in the window, {measured} measured requests, {served} served, window {:.2} s",
        db.window_s
    );
    // The warm-up's searches are not the window's: the window opens when the warm-up's last
    // interval is merged (a few ms late, so a request or two may fall before it).
    assert!(served >= measured + 30, "{served} served, {measured} measured");
    assert!(calls <= measured && calls + 3 >= measured, "{db:#?}");
    assert!((2.5..4.0).contains(&db.window_s), "window {} s", db.window_s);
}

#[test]
fn report_rebuilds_the_database_section_and_its_verdict_from_the_folder() {
    let Some(pg) = Postgres::start() else { return };
    let target = search_target(&pg, false);
    let url = format!("{}/api/db/search?category=7", target.url());
    let dir = loadcell_testkit::TempDir::new();
    let out = dir.path().join("run");
    let out_arg = out.display().to_string();
    let pg_url = pg.url();
    let done = loadcell_testkit::Loadcell::new(&[
        "run",
        &url,
        "--rate",
        "30",
        "-d",
        "3s",
        "-q",
        "--postgres",
        &pg_url,
        "--out",
        &out_arg,
    ])
    .alone()
    .run();
    done.assert_exit(0);
    let before = loadcell_testkit::read_typed(&out.join("summary.json"));
    assert!(!before.postgres.is_empty(), "{}", done.output());
    let end = std::fs::read_to_string(out.join("end.json")).expect("end.json");
    assert!(!end.contains(PASSWORD), "the password leaked into end.json");
    std::fs::remove_file(out.join("summary.json")).expect("remove summary.json");
    let rebuilt = loadcell_testkit::run_raw(&["report".as_ref(), out.as_os_str()]);
    rebuilt.assert_exit(0);
    let after = loadcell_testkit::read_typed(&out.join("summary.json"));
    assert_eq!(before.postgres, after.postgres);
    assert_eq!(before.bottlenecks, after.bottlenecks);
    assert!(
        after.bottlenecks.iter().any(|b| b.kind == BottleneckKind::Database),
        "{:#?}",
        after.bottlenecks
    );
}
