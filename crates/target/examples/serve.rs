//! Runs the target standalone, outside the loadcell binary:
//! `cargo run -p loadcell-target --release --example serve -- --port 0 --latency 5ms`.

use std::process::ExitCode;

use clap::Parser;
use loadcell_target::{TargetArgs, run};

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    target: TargetArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli.target) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(if e.is_usage() { 2 } else { 1 })
        }
    }
}
