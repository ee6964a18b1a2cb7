//! loadcell's command line: parses arguments, dispatches subcommands, and turns every
//! error into one line on stderr and an exit code (0 held, 1 threshold failed, 2 usage).
//!
//! The engine, HTTP client, metrics and thresholds live in their own crates; this crate
//! only wires them to the terminal and the file system.

mod args;
mod baseline_cmd;
mod bench_cmd;
mod bench_text;
mod capacity_cmd;
mod compare_cmd;
mod demo;
mod error;
mod live;
mod load;
mod metadata;
mod outputs;
mod phases;
mod print;
mod profile;
mod progress;
mod run_cmd;
mod samples;
mod scale_cmd;
mod scenario_cmd;
mod signals;
mod stability;
mod summary;
mod sweep;
mod tracks;
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
        Command::Compare(args) => compare_cmd::run(&args),
        Command::Baseline(cmd) => baseline_cmd::run(&cmd),
        Command::Bench(args) => bench_cmd::run(&args),
        Command::Ingest(args) => bench_cmd::ingest(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

/// Help and version go to stdout with exit 0; usage errors become one line and exit 2
/// (a missing subcommand prints the help too, but is still a usage error).
fn clap_error(e: clap::Error) -> i32 {
    match e.kind() {
        ClapErrorKind::DisplayHelp | ClapErrorKind::DisplayVersion => {
            let _ = e.print();
            exit::OK
        }
        ClapErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            exit::USAGE
        }
        _ => {
            eprintln!(
                "error: {} (see 'loadcell --help')",
                first_paragraph(&e.render().to_string())
            );
            exit::USAGE
        }
    }
}

/// clap's message up to its first blank line, on one line: the problem and what it names
/// (`the following required arguments were not provided: <URL|FILE>`), without the usage block.
fn first_paragraph(rendered: &str) -> String {
    let text: Vec<&str> = rendered
        .lines()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    let joined = text.join(" ");
    let joined = joined.strip_prefix("error: ").unwrap_or(&joined).to_string();
    if joined.is_empty() {
        "invalid arguments".to_string()
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_errors_become_one_line_that_keeps_what_they_name() {
        let rendered = "error: the following required arguments were not provided:\n  <URL|FILE>\n\nUsage: loadcell run <URL|FILE>\n\nFor more information, try '--help'.\n";
        assert_eq!(
            first_paragraph(rendered),
            "the following required arguments were not provided: <URL|FILE>"
        );
        assert_eq!(
            first_paragraph("error: unexpected argument '--nope' found\n\n  tip: x\n"),
            "unexpected argument '--nope' found"
        );
        assert_eq!(first_paragraph(""), "invalid arguments");
    }
}
