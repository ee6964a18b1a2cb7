//! `--postgres` on `capacity` and `scale`, and `postgres:` in a scenario file: each step of
//! a sweep has its own database window (its statements are the step's requests), the
//! sweep's `postgres[]` adds them up, and the verdicts are decided per step and overall —
//! in summary.json and the terminal. The password appears nowhere.

use loadcell_schema::{BottleneckKind, Summary};
use loadcell_target::{Config, PostgresConfig, TargetHandle};
use loadcell_testkit::postgres::PASSWORD;
use loadcell_testkit::{Finished, Loadcell, Postgres, TempDir};

/// The normalised search as pg_stat_statements shows it.
const SEARCH: &str = "FROM loadcell_products WHERE category = $1 ORDER BY price LIMIT $2";

fn search_target(pg: &Postgres) -> TargetHandle {
    TargetHandle::spawn(Config {
        postgres: Some(PostgresConfig::new(pg.url())),
        ..Config::default()
    })
    .expect("target with --postgres")
}

/// `loadcell ARGS --out DIR/sweep -q`: the run and the folder's summary.
fn sweep(args: &[&str], env: Option<(&str, &str)>) -> (Finished, Summary) {
    let dir = TempDir::new();
    let out = dir.path().join("sweep");
    let out_arg = out.display().to_string();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--out", &out_arg]);
    let mut command = Loadcell::new(&all).alone();
    if let Some((key, value)) = env {
        command = command.env(key, value);
    }
    let done = command.run();
    let summary = loadcell_testkit::read_typed(&out.join("summary.json"));
    let text = format!(
        "{}{}",
        done.output(),
        std::fs::read_to_string(out.join("summary.json")).unwrap_or_default()
    );
    assert!(!text.contains(PASSWORD), "the password leaked:\n{text}");
    (done, summary)
}

/// Every step's window holds the search, once per request measured in the step (give or
/// take the requests in flight as the window opened), and the sweep's sum is theirs.
fn each_step_has_its_window(summary: &Summary, in_flight: u64) {
    assert!(summary.phases.len() >= 2, "{:#?}", summary.phases);
    let mut calls = 0;
    for phase in &summary.phases {
        let db = phase
            .postgres
            .first()
            .unwrap_or_else(|| panic!("no window: {phase:#?}"));
        let top = &db.top_queries[0];
        assert!(top.query.contains(SEARCH), "{top:?}");
        eprintln!(
            "{}: {} searches, {} requests measured, window {:.2} s",
            phase.name, top.calls, phase.requests, db.window_s
        );
        assert!(
            top.calls <= phase.requests + in_flight && top.calls + in_flight + 3 >= phase.requests,
            "{}: {} searches for {} requests",
            phase.name,
            top.calls,
            phase.requests
        );
        calls += top.calls;
    }
    let all = &summary.postgres[0];
    assert_eq!(all.top_queries[0].calls, calls, "{all:#?}");
    assert!(
        summary.bottlenecks.iter().any(|b| b.kind == BottleneckKind::Database),
        "{:#?}",
        summary.bottlenecks
    );
}

#[test]
fn scale_takes_one_database_window_per_level_and_judges_each() {
    let Some(pg) = Postgres::start() else { return };
    let target = search_target(&pg);
    let url = format!("{}/api/db/search?category=7", target.url());
    let pg_url = pg.url();
    let (done, summary) = sweep(
        &[
            "scale",
            &url,
            "--vus",
            "1,2,3",
            "--step-duration",
            "2s",
            "--postgres",
            &pg_url,
        ],
        None,
    );
    done.assert_exit(0);
    each_step_has_its_window(&summary, 3);
    // The search scans 200,000 rows per request: each level is database-bound on its own.
    for phase in &summary.phases {
        assert!(
            phase.bottlenecks.iter().any(|b| b.kind == BottleneckKind::Database),
            "{}: {:#?}",
            phase.name,
            phase.bottlenecks
        );
    }
    let output = done.output();
    assert!(output.contains("bottlenecks by step"), "{output}");
    assert!(output.contains("3 VUs: database ("), "{output}");
    assert!(
        output.contains(&format!("database 127.0.0.1:{}/postgres", pg.port)),
        "{output}"
    );
}

#[test]
fn capacity_takes_one_database_window_per_step() {
    let Some(pg) = Postgres::start() else { return };
    let target = search_target(&pg);
    let url = format!("{}/api/db/search?category=7", target.url());
    let pg_url = pg.url();
    // 5/s passes, 10/s is the highest rate tried and passes too: two steps.
    let (done, summary) = sweep(
        &[
            "capacity",
            &url,
            "--slo",
            "p95<10s",
            "--start-rate",
            "5",
            "--max-rate",
            "10",
            "--step-duration",
            "2s",
            "--postgres",
            &pg_url,
        ],
        None,
    );
    done.assert_exit(0);
    each_step_has_its_window(&summary, 2);
    assert!(done.output().contains("bottlenecks by step"), "{}", done.output());
}

#[test]
fn a_scenarios_postgres_takes_its_password_from_the_environment_and_the_flag_replaces_it() {
    let Some(pg) = Postgres::start() else { return };
    let target = search_target(&pg);
    let dir = TempDir::new();
    let file = dir.path().join("db.yaml");
    let with_env = pg.url().replace(PASSWORD, "{{ env.LOADCELL_TEST_PG_PASSWORD }}");
    assert_ne!(with_env, pg.url(), "the URL carries the password");
    std::fs::write(
        &file,
        format!(
            "target: {}\npostgres: '{with_env}'\nload: {{ rate: 20, duration: 3s }}\njourneys:\n  - name: search\n    steps:\n      - get: /api/db/search?category=7\n",
            target.url()
        ),
    )
    .unwrap();
    let file_arg = file.display().to_string();
    let (done, summary) = sweep(&["run", &file_arg, "-q"], Some(("LOADCELL_TEST_PG_PASSWORD", PASSWORD)));
    done.assert_exit(0);
    let db = summary.postgres.first().unwrap_or_else(|| panic!("{}", done.output()));
    assert_eq!(db.database, format!("127.0.0.1:{}/postgres", pg.port));
    assert!(db.top_queries[0].query.contains(SEARCH), "{db:#?}");

    // Unset, the file is bad input at its line and column, before any request.
    let served = target.stats().requests_total;
    let unset = loadcell_testkit::run_raw(&["run", &file_arg, "-q"]);
    unset.assert_exit(2);
    let line = format!("{}:2:", file.display());
    let why = "environment variable 'LOADCELL_TEST_PG_PASSWORD'";
    assert!(
        unset.output().contains(&line) && unset.output().contains(why),
        "{}",
        unset.output()
    );
    assert_eq!(target.stats().requests_total, served);

    // The flag replaces the file's list: a wrong password in the file is never used.
    let wrong = format!("postgres: '{}'\n", pg.url().replace(PASSWORD, "wrong-Pw-991"));
    let text = std::fs::read_to_string(&file).unwrap();
    let line2 = text.lines().nth(1).unwrap().to_string();
    std::fs::write(&file, text.replace(&format!("{line2}\n"), &wrong)).unwrap();
    let pg_url = pg.url();
    let (done, summary) = sweep(&["run", &file_arg, "-q", "--postgres", &pg_url], None);
    done.assert_exit(0);
    assert_eq!(summary.postgres.len(), 1, "{:#?}", summary.postgres);
    assert!(!done.output().contains("wrong-Pw-991"), "{}", done.output());
}
