//! A command to benchmark: run directly from its words (no shell, so nothing but the program
//! itself is timed), or through a shell when asked (`--shell sh`), as hyperfine's `-N` and
//! `--shell` do.

use crate::BenchError;
use std::path::{Path, PathBuf};

/// One command: how it is shown and what is executed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandSpec {
    /// The command as the user wrote it (the name in tables and exports).
    pub name: String,
    /// Program and arguments.
    pub argv: Vec<String>,
    /// Run through this shell (`SHELL -c name`) rather than directly.
    pub shell: Option<String>,
    /// The working folder it runs in (the current one when `None`).
    pub dir: Option<PathBuf>,
}

impl CommandSpec {
    /// A command run directly from its words (`["sleep", "0.01"]`).
    pub fn from_argv(argv: Vec<String>) -> Result<CommandSpec, BenchError> {
        if argv.first().is_none_or(|p| p.is_empty()) {
            return Err(BenchError::NoCommand);
        }
        Ok(CommandSpec {
            name: shell_words::join(&argv),
            argv,
            shell: None,
            dir: None,
        })
    }

    /// A command line split into words by POSIX shell rules (quotes, backslashes) but run
    /// without a shell: no globbing, no variables, no pipes.
    pub fn parse(line: &str) -> Result<CommandSpec, BenchError> {
        let argv = shell_words::split(line).map_err(|e| BenchError::Parse {
            command: line.to_string(),
            message: e.to_string(),
        })?;
        let mut spec = CommandSpec::from_argv(argv)?;
        spec.name = line.trim().to_string();
        Ok(spec)
    }

    /// A command line run through `shell -c` (pipes, variables and globs work; the shell's
    /// own start-up is measured and subtracted, as hyperfine does).
    pub fn with_shell(line: &str, shell: &str) -> Result<CommandSpec, BenchError> {
        if line.trim().is_empty() {
            return Err(BenchError::NoCommand);
        }
        Ok(CommandSpec {
            name: line.trim().to_string(),
            argv: vec![shell.to_string(), "-c".to_string(), line.to_string()],
            shell: Some(shell.to_string()),
            dir: None,
        })
    }

    /// The same command run in `dir` (`loadcell bench --dir`, a suite's plan folder).
    pub fn in_dir(mut self, dir: Option<&Path>) -> CommandSpec {
        self.dir = dir.map(Path::to_path_buf);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_like_a_shell_without_one() {
        let c = CommandSpec::parse("grep -c 'a b' \"file 1\"").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.argv, ["grep", "-c", "a b", "file 1"]);
        assert_eq!(c.name, "grep -c 'a b' \"file 1\"");
        assert!(c.shell.is_none());
        assert!(matches!(
            CommandSpec::parse("echo 'open"),
            Err(BenchError::Parse { .. })
        ));
        assert!(matches!(CommandSpec::parse("  "), Err(BenchError::NoCommand)));
        let s = CommandSpec::with_shell("ls | wc -l", "sh").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.argv, ["sh", "-c", "ls | wc -l"]);
    }
}
