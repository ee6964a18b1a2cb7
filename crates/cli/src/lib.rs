//! loadcell's command line: parses arguments (`args`), dispatches subcommands
//! (`commands`), shows progress (`display`) and the summary (`print`), counts Ctrl-C
//! (`signals`), ends quietly when the reader of its output goes (`pipe`), and turns every
//! error into one line on stderr and an exit code (0 held, 1 threshold failed, interrupted
//! or a result lost, 2 usage or a target that is not there), with clap's did-you-mean and
//! the subcommand's help page named.
//!
//! Planning (`loadcell-plan`), running (`loadcell-session`) and analysis
//! (`loadcell-analysis`) live in library crates; this crate only wires them to the terminal.

mod args;
mod commands;
mod display;
mod error;
mod monitor;
mod pipe;
mod signals;

use args::{Cli, Command};
use clap::Parser;
use clap::error::ErrorKind as ClapErrorKind;
use loadcell_schema::exit;

/// Runs loadcell with the process arguments and returns the exit code.
pub fn main() -> i32 {
    pipe::end_quietly_when_the_reader_goes();
    let argv = args::bare_prometheus(std::env::args_os().collect());
    let cli = match Cli::try_parse_from(&argv) {
        Ok(cli) => cli,
        Err(e) => return clap_error(e, &argv),
    };
    let result = match cli.command {
        Command::Run(args) => commands::run::run(&args, signals::install()),
        Command::Validate { file } => match loadcell_suite::is_plan(&file) {
            true => commands::suite::validate(&file),
            false => commands::scenario::validate(&file),
        },
        Command::Schema { plan: false } => commands::scenario::schema(),
        Command::Schema { plan: true } => commands::suite::schema(),
        Command::Report { dir } if dir.join("suite.json").is_file() => commands::suite::report(&dir),
        Command::Report { dir } => commands::report::run(&dir),
        Command::Merge { dirs, out } => commands::merge::run(&dirs, &out),
        Command::Collect(args) => commands::collect::run(&args, signals::install()),
        Command::K8s(args) => commands::k8s::run(&args, &argv),
        Command::Demo(args) => commands::demo::run(&args, signals::install()),
        Command::Suite(args) => commands::suite::run(&args),
        Command::Init(args) => commands::init::run(&args),
        Command::Capacity(args) => commands::capacity::run(&args, signals::install()),
        Command::Scale(args) => commands::scale::run(&args, signals::install()),
        Command::Target(args) => loadcell_target::run(&args).map(|()| exit::OK).map_err(Into::into),
        Command::Compare(args) => commands::compare::run(&args),
        Command::Baseline(cmd) => commands::baseline::run(&cmd),
        Command::Bench(args) => commands::bench::run(&args),
        Command::Ingest(args) => commands::bench::ingest(&args),
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
/// (a missing subcommand prints the help too, but is still a usage error): clap's message,
/// its did-you-mean, and the help page of the subcommand that was being parsed.
fn clap_error(e: clap::Error, argv: &[std::ffi::OsString]) -> i32 {
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
            let rendered = e.render().to_string();
            let mut line = first_paragraph(&rendered);
            if let Some(tip) = did_you_mean(&rendered) {
                line = format!("{line}; {tip}");
            }
            eprintln!("error: {line} (see '{}')", help_command(argv));
            exit::USAGE
        }
    }
}

/// clap's "tip: a similar argument exists: '--rate'" as "did you mean '--rate'?".
fn did_you_mean(rendered: &str) -> Option<String> {
    let tip = rendered.lines().map(str::trim).find_map(|l| l.strip_prefix("tip: "))?;
    if tip.contains("similar") {
        let quoted = tip.rsplit_once(": ").map_or(tip, |(_, q)| q);
        Some(format!("did you mean {quoted}?"))
    } else {
        Some(tip.to_string())
    }
}

/// `loadcell SUBCOMMAND --help` for the subcommand on the command line, else `loadcell --help`.
fn help_command(argv: &[std::ffi::OsString]) -> String {
    use clap::CommandFactory;
    let cli = Cli::command();
    let sub = argv
        .iter()
        .skip(1)
        .filter_map(|a| a.to_str())
        .find(|a| cli.get_subcommands().any(|c| c.get_name() == *a));
    match sub {
        Some(name) => format!("loadcell {name} --help"),
        None => "loadcell --help".to_string(),
    }
}

/// clap's message up to its first blank line, on one line: the problem and what it names
/// (`the following required arguments were not provided: <URL|FILE>`), without the usage block.
pub(crate) fn first_paragraph(rendered: &str) -> String {
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
        assert_eq!(
            did_you_mean("error: unexpected argument '--rat' found\n\n  tip: a similar argument exists: '--rate'\n")
                .as_deref(),
            Some("did you mean '--rate'?")
        );
        assert_eq!(did_you_mean("error: x\n"), None);
        let argv: Vec<std::ffi::OsString> = ["loadcell", "run", "http://x/"].map(Into::into).to_vec();
        assert_eq!(help_command(&argv), "loadcell run --help");
        assert_eq!(help_command(&argv[..1]), "loadcell --help");
        assert_eq!(first_paragraph(""), "invalid arguments");
    }
}
