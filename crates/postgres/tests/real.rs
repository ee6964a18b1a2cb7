//! The watcher against a real throw-away cluster (the test kit's; skipped with a printed
//! reason only when PostgreSQL is not installed): the window's statements, scans and
//! activity, the missing-extension note, and no password anywhere.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use loadcell_postgres::Watch;
use loadcell_testkit::postgres::{Options, PASSWORD, Postgres};

const TICK: Duration = Duration::from_millis(100);

fn seed(pg: &Postgres) {
    pg.psql("CREATE TABLE items (id int, category int); INSERT INTO items SELECT g, g % 100 FROM generate_series(1, 50000) g");
}

fn search(pg: &Postgres, times: usize) {
    for i in 0..times {
        pg.psql(&format!("SELECT count(*) FROM items WHERE category = {i}"));
    }
}

#[test]
fn the_window_names_the_top_statement_its_share_and_the_scanned_table() {
    let Some(pg) = Postgres::start() else { return };
    seed(&pg);
    search(&pg, 3); // before the window: must not count
    let watch = Watch::connect(&pg.url(), TICK).unwrap();
    assert_eq!(watch.place(), format!("127.0.0.1:{}/postgres", pg.port));
    watch.begin();
    search(&pg, 20);
    std::thread::sleep(3 * TICK);
    let summary = watch.finish(40);
    assert!(summary.statements_available, "{:?}", summary.notes);
    assert!(summary.notes.is_empty(), "{:?}", summary.notes);
    let top = &summary.top_queries[0];
    assert!(top.query.contains("FROM items WHERE category = $1"), "{top:?}");
    assert_eq!(top.calls, 20, "only the window's calls: {top:?}");
    assert!(
        top.total_ms > 0.0 && top.mean_ms > 0.0 && top.max_ms >= top.mean_ms,
        "{top:?}"
    );
    assert!(top.share_percent > 50.0, "{top:?}");
    let db_time = summary.db_time_ms.unwrap();
    let per_request = summary.db_time_per_request_ms.unwrap();
    assert!((per_request - db_time / 40.0).abs() < 1e-9);
    let items = summary
        .seq_scans
        .iter()
        .find(|t| t.table == "public.items")
        .expect("items scanned");
    assert_eq!(items.seq_scans, 20, "{items:?}");
    assert_eq!(items.seq_rows_read, 20 * 50_000, "{items:?}");
    assert!(summary.activity.samples >= 2, "{:?}", summary.activity);
    assert_eq!(summary.activity.max_connections, Some(50));
    assert!(
        summary.server_version.starts_with(&pg.version.to_string()),
        "{}",
        summary.server_version
    );
    let json = serde_json::to_string(&summary).unwrap();
    assert!(!json.contains(PASSWORD), "{json}");
}

#[test]
fn without_the_extension_one_note_says_how_to_enable_it_and_the_rest_is_measured() {
    let Some(pg) = Postgres::start_with(Options { stat_statements: false }) else {
        return;
    };
    seed(&pg);
    let watch = Watch::connect(&pg.url(), TICK).unwrap();
    watch.begin();
    search(&pg, 5);
    let summary = watch.finish(5);
    assert!(!summary.statements_available);
    assert_eq!(summary.notes.len(), 1, "{:?}", summary.notes);
    assert!(
        summary.notes[0].contains("shared_preload_libraries = 'pg_stat_statements'"),
        "{:?}",
        summary.notes
    );
    assert!(
        summary.notes[0].contains("CREATE EXTENSION pg_stat_statements"),
        "{:?}",
        summary.notes
    );
    assert!(summary.top_queries.is_empty() && summary.db_time_ms.is_none());
    assert_eq!(summary.seq_scans[0].seq_scans, 5);
    assert!(summary.database_stats.is_some());

    // Created but not preloaded: the view refuses to be read; the same one note.
    pg.psql("CREATE EXTENSION pg_stat_statements");
    let watch = Watch::connect(&pg.url(), TICK).unwrap();
    watch.begin();
    let summary = watch.finish(0);
    assert!(!summary.statements_available);
    assert_eq!(summary.notes.len(), 1, "{:?}", summary.notes);
    assert!(
        summary.notes[0].contains("shared_preload_libraries"),
        "{:?}",
        summary.notes
    );
}

#[test]
fn a_refused_password_is_one_line_that_never_shows_a_password() {
    let Some(pg) = Postgres::start() else { return };
    let url = pg.url().replace(PASSWORD, "not-the-pw-42");
    let err = Watch::connect(&url, TICK)
        .err()
        .expect("wrong password refused")
        .to_string();
    assert!(err.contains("password authentication failed"), "{err}");
    assert!(err.contains(&format!("127.0.0.1:{}/postgres", pg.port)), "{err}");
    assert!(!err.contains("not-the-pw-42") && !err.contains('\n'), "{err}");
}
