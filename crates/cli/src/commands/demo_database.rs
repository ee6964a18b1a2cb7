//! `loadcell demo`'s database act: a throw-away PostgreSQL (`loadcell_postgres::cluster`),
//! the demo target's product search served from it, a short open-model run against the
//! search without its index watched with `--postgres` — whose `database` verdict names the
//! statement, its share of database time and the sequential scans, and recommends the
//! index — then the same rate with `--postgres-index`, and the difference in one line.
//!
//! Without PostgreSQL's server binaries it says in one line how to get them and the demo
//! goes on. The cluster is removed on every way out (its `Drop`): the end, an error, a
//! Ctrl-C (counted, so the runs stop and the act returns). The cluster's password is made
//! here and handed only to the target and the watcher: output names the database by
//! `host:port/dbname`.

use crate::args::{Cli, Command, RunArgs};
use crate::error::CliError;
use clap::Parser;
use loadcell_postgres::cluster::{self, Cluster, INSTALL_HINT};
use loadcell_schema::{BottleneckKind, Summary};
use loadcell_session::Target;
use loadcell_target::{Config, PostgresConfig, TargetHandle};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The search's rate and how long each run lasts: enough requests for a verdict, short
/// enough that the whole demo stays under ~40 s.
const RATE: &str = "20";
const WITHOUT_INDEX: &str = "3s";
const WITH_INDEX: &str = "2s";
const SEARCH: &str = "/api/db/search?category=7";

/// Runs the act; `Ok` also when it was skipped (no PostgreSQL, a cluster that would not
/// start, a Ctrl-C), which it says on stderr.
pub fn act(quiet: bool, interrupts: &Arc<AtomicUsize>) -> Result<(), CliError> {
    let Some(server) = cluster::installed() else {
        eprintln!(
            "loadcell demo: the database act needs PostgreSQL's server (/usr/lib/postgresql/*/bin), which is not installed: {INSTALL_HINT}"
        );
        return Ok(());
    };
    let abandoned = cluster::remove_abandoned(&server);
    if abandoned > 0 {
        eprintln!(
            "loadcell demo: removed {abandoned} throw-away PostgreSQL cluster(s) that killed loadcell processes left behind"
        );
    }
    let options = cluster::Options {
        stat_statements: true,
        password: cluster::random_password(),
    };
    let pg = match Cluster::start(&server, &options) {
        Ok(pg) => pg,
        Err(e) => {
            eprintln!("loadcell demo: database act skipped: {e}");
            return Ok(());
        }
    };
    if interrupted(interrupts) {
        return Ok(());
    }
    eprintln!(
        "loadcell demo, database act: a throw-away PostgreSQL {} at {} (removed after); the shop's product search {SEARCH} at {RATE}/s for {WITHOUT_INDEX} over 200,000 products with no index on its filter, watched with --postgres",
        pg.version(),
        pg.place()
    );
    let slow = search(&pg, false, WITHOUT_INDEX, quiet, interrupts)?;
    println!();
    println!(
        "  database act: {SEARCH} at {RATE}/s without its index: p95 {:.2} ms",
        slow.latency_ms.p95
    );
    print!("{}", loadcell_report::evidence_text(&slow));
    if interrupted(interrupts) {
        return Ok(());
    }
    eprintln!("loadcell demo, database act: the same search at {RATE}/s for {WITH_INDEX} with --postgres-index");
    let fast = search(&pg, true, WITH_INDEX, quiet, interrupts)?;
    println!();
    println!("{}", difference(&slow, &fast));
    Ok(())
}

fn interrupted(interrupts: &AtomicUsize) -> bool {
    interrupts.load(Ordering::SeqCst) > 0
}

/// A target serving the search from `pg` (with or without the index), one watched run
/// against it; its summary. The target is stopped before this returns.
fn search(
    pg: &Cluster,
    index: bool,
    length: &str,
    quiet: bool,
    interrupts: &Arc<AtomicUsize>,
) -> Result<Summary, CliError> {
    let mut postgres = PostgresConfig::new(pg.url());
    postgres.index = index;
    let target = TargetHandle::spawn(Config {
        postgres: Some(postgres),
        ..Config::default()
    })?;
    let url = format!("{}{SEARCH}", target.url());
    let result = run_args(&url, length, &pg.url(), quiet).and_then(|args| {
        let prepared = Target::prepare(&args.target, None, &args.request.spec())?;
        super::run::measure(prepared, &args, interrupts.clone())
    });
    target.shutdown();
    Ok(result?.summary)
}

/// `loadcell run URL --rate RATE -d LENGTH --postgres DB`, parsed as the command line would.
fn run_args(url: &str, length: &str, database: &str, quiet: bool) -> Result<RunArgs, CliError> {
    let mut argv = vec![
        "loadcell",
        "run",
        url,
        "--rate",
        RATE,
        "-d",
        length,
        "--postgres",
        database,
    ];
    if quiet {
        argv.push("--quiet");
    }
    match Cli::try_parse_from(argv).map(|cli| cli.command) {
        Ok(Command::Run(args)) => Ok(*args),
        _ => Err(CliError::Usage(
            "internal: the demo's database run did not parse as a run".into(),
        )),
    }
}

/// `  with the index: database time per request 12.40 ms → 0.05 ms, p95 15.1 ms → 1.2 ms;
/// no database verdict`.
fn difference(slow: &Summary, fast: &Summary) -> String {
    let per_request = |s: &Summary| {
        s.postgres
            .first()
            .and_then(|db| db.db_time_per_request_ms)
            .map_or("?".to_string(), |ms| format!("{ms:.2} ms"))
    };
    let verdict = match fast.bottlenecks.iter().find(|b| b.kind == BottleneckKind::Database) {
        Some(b) => format!("still a database verdict ({} confidence)", b.confidence.as_str()),
        None => "no database verdict".to_string(),
    };
    format!(
        "  database act, with the index (--postgres-index): database time per request {} → {}, p95 {:.2} ms → {:.2} ms; {verdict}",
        per_request(slow),
        per_request(fast),
        slow.latency_ms.p95,
        fast.latency_ms.p95
    )
}
