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
    let mut out = format!("saved {} into {}\n", args.results.display(), args.file.display());
    for e in &doc.endpoints {
        let status = e.status.map_or("no SLO".to_string(), |s| {
            format!("{} (SLO p95 < {} ms)", status_word(s), e.slo_p95_ms.unwrap_or_default())
        });
        out += &format!(
            "  {}: p95 {:.2} ms, p99 {:.2} ms, {:.1}/s, {} run{} in history, {status}\n",
            e.name,
            e.current_p95_ms,
            e.current_p99_ms,
            e.throughput_rps,
            e.history.len(),
            if e.history.len() == 1 { "" } else { "s" }
        );
    }
    if let Some(c) = doc.overall_slo_compliance {
        out += &format!("  overall SLO compliance: {c:.1}%\n");
    }
    print_out(&out);
    Ok(exit::OK)
}

fn status_word(s: loadcell_baselines::Status) -> &'static str {
    match s {
        loadcell_baselines::Status::Pass => "pass",
        loadcell_baselines::Status::Fail => "fail",
    }
}

fn check(args: &CheckArgs) -> Result<i32, CliError> {
    let settings = loadcell_compare::Settings {
        confidence: args.confidence,
        ..args.judge.settings()
    };
    let checked = loadcell_baselines::check(&args.file, &args.results, &settings).map_err(usage)?;
    match Shown::of(args.json, args.markdown) {
        Shown::Json => {
            let mut doc = serde_json::to_value(&checked.comparison).map_err(|e| CliError::Output(e.to_string()))?;
            let slo: Vec<serde_json::Value> = checked
                .slo
                .iter()
                .map(|s| {
                    serde_json::json!({
                        "name": s.name, "slo_p95_ms": s.slo_p95_ms, "p95_ms": s.p95_ms,
                        "status": status_word(s.status),
                    })
                })
                .collect();
            if let Some(obj) = doc.as_object_mut() {
                obj.insert("slo".into(), serde_json::Value::Array(slo));
            }
            let text = serde_json::to_string_pretty(&doc).map_err(|e| CliError::Output(e.to_string()))?;
            print_out(&(text + "\n"));
        }
        shown => {
            show(&checked.comparison, shown)?;
            if shown == Shown::Text {
                let mut out = String::new();
                for s in &checked.slo {
                    out += &format!(
                        "SLO {}: p95 {:.2} ms against < {} ms: {}\n",
                        s.name,
                        s.p95_ms,
                        s.slo_p95_ms,
                        status_word(s.status)
                    );
                }
                print_out(&out);
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
        let text = serde_json::to_string_pretty(&trends).map_err(|e| CliError::Output(e.to_string()))?;
        print_out(&(text + "\n"));
    } else {
        print_out(&loadcell_baselines::trend_text(&trends));
    }
    Ok(exit::OK)
}
