//! `loadcell baseline save | check | trend`: the `performance-baselines.json` file kept beside
//! the code (`loadcell-baselines`): a run's numbers saved into it, a new run checked against
//! its history and SLOs, change points found in its history.

use loadcell_baselines::TrendOptions;
use loadcell_schema::exit;

use crate::args::compare::{BaselineCommand, CheckArgs, SaveArgs, TrendArgs};
use crate::commands::compare::{Shown, print_out, show, usage};
use crate::error::CliError;

/// Runs `loadcell baseline …`.
pub fn run(command: &BaselineCommand) -> Result<i32, CliError> {
    match command {
        BaselineCommand::Save(a) => save(a),
        BaselineCommand::Check(a) => check(a),
        BaselineCommand::Trend(a) => trend(a),
    }
}

fn save(args: &SaveArgs) -> Result<i32, CliError> {
    if args.history == 0 {
        return Err(CliError::Usage("--history must be at least 1".into()));
    }
    let doc = loadcell_baselines::save(&args.file, &args.results, args.history).map_err(usage)?;
    print_out(&loadcell_baselines::saved_text(&doc, &args.results, &args.file));
    Ok(exit::OK)
}

fn check(args: &CheckArgs) -> Result<i32, CliError> {
    let settings = loadcell_compare::Settings {
        confidence: args.confidence,
        ..args.judge.settings()
    };
    let checked = loadcell_baselines::check(&args.file, &args.results, &settings).map_err(usage)?;
    match Shown::of(args.json, args.markdown) {
        Shown::Json => print_out(&(serde_json::to_string_pretty(&loadcell_baselines::check_json(&checked)?)? + "\n")),
        shown => {
            show(&checked.comparison, shown)?;
            if shown == Shown::Text {
                print_out(&loadcell_baselines::slo_text(&checked));
            }
        }
    }
    Ok(checked.exit_code())
}

fn trend(args: &TrendArgs) -> Result<i32, CliError> {
    if !(args.max_pvalue > 0.0 && args.max_pvalue < 1.0) {
        return Err(CliError::Usage(
            "--max-pvalue must be between 0 and 1 (e.g. 0.001)".into(),
        ));
    }
    let options = TrendOptions {
        max_pvalue: args.max_pvalue,
        min_magnitude: args.min_change,
        ..TrendOptions::default()
    };
    let trends = loadcell_baselines::trend(&args.file, &options).map_err(usage)?;
    if args.json {
        let text = serde_json::to_string_pretty(&trends)?;
        print_out(&(text + "\n"));
    } else {
        print_out(&loadcell_baselines::trend_text(&trends));
    }
    Ok(exit::OK)
}
