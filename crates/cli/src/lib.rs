//! loadcell's command line: parses arguments, dispatches subcommands, and turns every
//! error into one line on stderr and an exit code (0 held, 1 threshold failed, 2 usage).
//!
//! The engine, HTTP client, metrics and thresholds live in their own crates; this crate
//! only wires them to the terminal and the file system.

mod args;
mod capacity_cmd;
mod demo;
mod error;
mod live;
mod load;
mod metadata;
mod outputs;
mod print;
mod progress;
mod run_cmd;
mod samples;
mod scale_cmd;
mod scenario_cmd;
mod signals;
mod summary;
mod verdict;

use args::{Cli, Command};
use clap::Parser;
use clap::error::ErrorKind as ClapErrorKind;
use loadcell_schema::exit;

/// Runs loadcell with the process arguments and returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_error(e),
    };
    let result = match cli.command {
        Command::Run(args) => run_cmd::run(&args, signals::install()),
        Command::Validate { file } => scenario_cmd::validate(&file),
        Command::Schema => scenario_cmd::schema(),
        Command::Report { dir } => outputs::rebuild(&dir),
        Command::Demo(args) => demo::run(&args, signals::install()),
        Command::Capacity(args) => capacity_cmd::run(&args, signals::install()),
        Command::Scale(args) => scale_cmd::run(&args, signals::install()),
        Command::Target(args) => match loadcell_target::run(&args) {
            Ok(()) => Ok(exit::OK),
            Err(e) => Err(error::CliError::Usage(e.to_string())),
        },
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

/// Help and version go to stdout with exit 0; usage errors become one line and exit 2.
fn clap_error(e: clap::Error) -> i32 {
    match e.kind() {
        ClapErrorKind::DisplayHelp
        | ClapErrorKind::DisplayVersion
        | ClapErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            exit::OK
        }
        _ => {
            let rendered = e.render().to_string();
            let first = rendered
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid arguments");
            let first = first.strip_prefix("error: ").unwrap_or(first);
            eprintln!("error: {first} (see 'loadcell --help')");
            exit::USAGE
        }
    }
}
