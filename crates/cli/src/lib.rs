//! loadcell's command line: parses arguments (`args`), dispatches subcommands
//! (`commands`), shows progress (`display`) and the summary (`print`), counts Ctrl-C
//! (`signals`), and turns every error into one line on stderr and an exit code (0 held,
//! 1 threshold failed or a result lost, 2 usage).
//!
//! Planning (`loadcell-plan`), running (`loadcell-session`) and analysis
//! (`loadcell-analysis`) live in library crates; this crate only wires them to the terminal.

mod args;
mod commands;
mod display;
mod error;
mod monitor;
mod print;
mod signals;

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
        Command::Run(args) => commands::run::run(&args, signals::install()),
        Command::Validate { file } => commands::scenario::validate(&file),
        Command::Schema => commands::scenario::schema(),
        Command::Report { dir } => commands::report::run(&dir),
        Command::Demo(args) => commands::demo::run(&args, signals::install()),
        Command::Capacity(args) => commands::capacity::run(&args, signals::install()),
        Command::Scale(args) => commands::scale::run(&args, signals::install()),
        Command::Target(args) => loadcell_target::run(&args).map(|()| exit::OK).map_err(Into::into),
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
