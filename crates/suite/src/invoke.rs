//! A test as the `loadcell` command line it stands for: `run TARGET --profile KIND …`,
//! `capacity TARGET --slo …` or `scale TARGET …`, with the plan's SLOs and evidence sources
//! and the test's results folder. Each flag remembers the option it came from, so an error
//! the CLI finds in a value can be reported at the option's line and column.

use crate::model::{Command, Plan, Test};
use loadcell_scenario::yaml::Pos;
use std::path::Path;

/// The command line of one test (without the program name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    pub command: Command,
    pub args: Vec<String>,
    /// Where each flag came from in the plan file.
    pub origins: Vec<Origin>,
}

/// A flag and the place in the plan that set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Without the dashes, e.g. `target-rate`.
    pub flag: String,
    pub pos: Pos,
}

impl Invocation {
    /// The command line of `test` in `plan`, writing its results into `out`.
    pub fn of(plan: &Plan, test: &Test, out: &Path) -> Invocation {
        let command = test.kind.command();
        if command == Command::Bench {
            return Invocation::bench(plan, test, out);
        }
        let mut inv = Invocation {
            command,
            args: vec![command.as_str().to_string(), plan.system.argument()],
            origins: Vec::new(),
        };
        if command == Command::Run {
            inv.push("profile", &[test.kind.as_str()], test.pos);
        }
        for opt in &test.options {
            let values: Vec<&str> = opt.values.iter().map(String::as_str).collect();
            inv.push(&opt.flag, &values, opt.pos);
        }
        let slo_flag = match command {
            Command::Run => Some("threshold"),
            Command::Capacity => Some("slo"),
            // A scale sweep is judged by its fit: it has no thresholds.
            Command::Scale | Command::Bench => None,
        };
        if let Some(flag) = slo_flag {
            for slo in plan.slo.iter().chain(&test.slo) {
                inv.push(flag, &[slo], test.pos);
            }
        }
        inv.push_baseline(plan, test);
        if let Some(url) = &plan.base_url {
            inv.push("base-url", &[url], test.pos);
        }
        for source in &plan.monitor {
            inv.push("monitor", &[source], test.pos);
        }
        for url in &plan.postgres {
            inv.push("postgres", &[url], test.pos);
        }
        inv.push("out", &[&out.display().to_string()], test.pos);
        inv
    }

    /// `bench [options] --dir PLAN_FOLDER --baseline … --out DIR -- COMMAND…`: the commands
    /// run in the plan's folder (the paths a plan names are relative to it), unless the
    /// test says `dir:`. A bench test has no SLOs and no evidence sources.
    fn bench(plan: &Plan, test: &Test, out: &Path) -> Invocation {
        let mut inv = Invocation {
            command: Command::Bench,
            args: vec![Command::Bench.as_str().to_string()],
            origins: Vec::new(),
        };
        for opt in &test.options {
            let values: Vec<&str> = opt.values.iter().map(String::as_str).collect();
            inv.push(&opt.flag, &values, opt.pos);
        }
        let own_dir = test.options.iter().any(|o| o.flag == "dir" || o.flag == "detect");
        if !test.commands.is_empty() && !own_dir {
            let folder = if plan.dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                &plan.dir
            };
            inv.push("dir", &[&folder.display().to_string()], test.pos);
        }
        inv.push_baseline(plan, test);
        inv.push("out", &[&out.display().to_string()], test.pos);
        if !test.commands.is_empty() {
            inv.origins.push(Origin {
                flag: "commands".to_string(),
                pos: test.pos,
            });
            inv.args.push("--".to_string());
            inv.args.extend(test.commands.iter().cloned());
        }
        inv
    }

    fn push_baseline(&mut self, plan: &Plan, test: &Test) {
        if let Some(path) = crate::baseline::of(plan, test) {
            let pos = plan.baseline.as_ref().map_or(test.pos, |(_, pos)| *pos);
            self.push("baseline", &[&path.display().to_string()], pos);
        }
    }

    /// `--flag v1 --flag v2`, or a bare `--flag` without values.
    fn push(&mut self, flag: &str, values: &[&str], pos: Pos) {
        self.origins.push(Origin {
            flag: flag.to_string(),
            pos,
        });
        if values.is_empty() {
            self.args.push(format!("--{flag}"));
        }
        for value in values {
            self.args.push(format!("--{flag}"));
            self.args.push((*value).to_string());
        }
    }

    /// Where the plan set `flag` (the first time), if it did.
    pub fn origin(&self, flag: &str) -> Option<Pos> {
        self.origins.iter().find(|o| o.flag == flag).map(|o| o.pos)
    }

    /// The command line as a person would type it, for `suite.json` and messages.
    pub fn display(&self) -> String {
        let mut words = vec!["loadcell".to_string()];
        words.extend(self.args.iter().map(|a| quote(a)));
        words.join(" ")
    }
}

/// A shell word: quoted when it holds anything but plain characters.
fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@%+".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}
