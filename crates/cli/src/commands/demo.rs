//! `loadcell demo`: the one command a new user runs. The shop act starts the demo shop on
//! a free loopback port, runs the bundled shop scenario against it with live progress,
//! prints the summary with thresholds, and shows the target's own request count beside
//! loadcell's. The database act follows (`demo_database.rs`) when PostgreSQL is installed;
//! `--only` runs one act. With `--suite`, the example test plan runs against the shop
//! instead of both acts (`loadcell suite`).

use crate::args::{Cli, Command, DemoAct, DemoArgs};
use crate::error::CliError;
use clap::Parser;
use loadcell_session::Target;
use loadcell_target::{Config, TargetHandle};
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

/// The bundled shop scenario (examples/shop.yaml).
const SHOP: &str = include_str!("../../../../examples/shop.yaml");
/// The example test plan (examples/plan.yaml), written for the shop on port 8080.
const PLAN: &str = include_str!("../../../../examples/plan.yaml");
/// The target the example plan names, replaced by the demo's own.
const PLAN_TARGET: &str = "http://127.0.0.1:8080";

pub fn run(args: &DemoArgs, interrupts: Arc<AtomicUsize>) -> Result<i32, CliError> {
    if args.only == Some(DemoAct::Database) {
        if args.summary_json.is_some() {
            return Err(CliError::Usage(
                "--summary-json writes the shop act's summary, and --only database skips that act".into(),
            ));
        }
        super::demo_database::act(args.quiet, &interrupts)?;
        return Ok(loadcell_schema::exit::OK);
    }
    let code = shop(args, interrupts.clone())?;
    if args.only.is_none() && !args.suite && interrupts.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        super::demo_database::act(args.quiet, &interrupts)?;
    }
    Ok(code)
}

/// The shop act; its exit code (the scenario's thresholds).
fn shop(args: &DemoArgs, interrupts: Arc<AtomicUsize>) -> Result<i32, CliError> {
    let target = TargetHandle::spawn(Config::default())?;
    let dir = std::env::temp_dir().join(format!("loadcell-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|source| CliError::Demo {
        what: format!("cannot create {}", dir.display()),
        source,
    })?;
    let result = match args.suite {
        true => suite_in(&dir, &target, args.quiet),
        false => run_in(&dir, &target, args, interrupts),
    };
    let _ = std::fs::remove_dir_all(&dir);
    let stats = target.stats();
    target.shutdown();
    let code = result?;
    println!(
        "  demo target: served {} requests; correlation failures: auth {}, unknown product {}, unknown order {}; {} orders placed",
        stats.requests_total,
        stats.correlation_failures.auth,
        stats.correlation_failures.unknown_product,
        stats.correlation_failures.unknown_order,
        stats.orders
    );
    Ok(code)
}

/// The example plan against the demo's shop, as `loadcell suite` runs it.
fn suite_in(dir: &std::path::Path, target: &TargetHandle, quiet: bool) -> Result<i32, CliError> {
    let plan = dir.join("plan.yaml");
    std::fs::write(&plan, PLAN.replace(PLAN_TARGET, &target.url())).map_err(|source| CliError::Demo {
        what: "cannot write plan.yaml".into(),
        source,
    })?;
    eprintln!(
        "loadcell demo: shop API at {}; running the example plan (examples/plan.yaml: smoke, load, stress, spike, soak, breakpoint, capacity, scale, bench) for about 1.5 minutes",
        target.url()
    );
    let args = crate::args::SuiteArgs {
        plan,
        out: None,
        only: None,
        stop_on_fail: false,
        keep_going: true,
        allow_warnings: false,
        quiet,
    };
    super::suite::run(&args)
}

fn run_in(
    dir: &std::path::Path,
    target: &TargetHandle,
    args: &DemoArgs,
    interrupts: Arc<AtomicUsize>,
) -> Result<i32, CliError> {
    let write = |name: &str, text: &str| {
        std::fs::write(dir.join(name), text).map_err(|source| CliError::Demo {
            what: format!("cannot write {name}"),
            source,
        })
    };
    write("shop.yaml", SHOP)?;
    write("users.csv", &loadcell_target::users_csv())?;
    let file = dir.join("shop.yaml");
    let scenario = loadcell_session::load_file(&file)?;
    eprintln!(
        "loadcell demo: shop API at {}; running the shop scenario (login 20 / browse 40 / add to cart 30 / checkout 10) for about 20 s",
        target.url()
    );
    let mut argv = vec![
        "loadcell".to_string(),
        "run".into(),
        file.display().to_string(),
        "--base-url".into(),
        target.url(),
    ];
    if args.quiet {
        argv.push("--quiet".into());
    }
    if let Some(path) = &args.summary_json {
        argv.push("--summary-json".into());
        argv.push(path.display().to_string());
    }
    let run_args = match Cli::try_parse_from(argv).map(|cli| cli.command) {
        Ok(Command::Run(run_args)) => run_args,
        _ => {
            return Err(CliError::Usage(
                "internal: demo arguments did not parse as a run".into(),
            ));
        }
    };
    let request = run_args.request.spec();
    let scenario_name = scenario.name.clone();
    let mut prepared = Target::of_scenario(scenario, run_args.request.base_url.as_deref(), &request)?;
    // The scenario file lives in a temporary folder deleted when the demo ends: name the
    // bundled example instead of that path in the summary, the report's title and results.
    prepared.label = format!("{scenario_name} (examples/shop.yaml, the demo)");
    prepared.name = "examples/shop.yaml".to_string();
    super::run::run_target(prepared, &run_args, interrupts)
}
