//! Reading a plan file: YAML (or JSON) through the scenario crate's tree with positions,
//! every problem one `file:line:col: message` with a did-you-mean for near-miss keys and
//! test types. A test's options are checked against the flags of the command it runs as
//! (the CLI's [`Vocabulary`]); their values are checked later by the CLI's own parsers,
//! which is why each option keeps its position.

use crate::error::PlanError;
use crate::model::{Flag, Kind, Opt, Plan, System, Test, Vocabulary};
use loadcell_diagnostics::{clip, hint};
use loadcell_scenario::yaml::{Key, Kind as NodeKind, Node, Pos, parse_yaml};
use std::path::Path;

/// The keys of a plan's top level.
const ROOT_KEYS: [&str; 8] = [
    "target", "scenario", "base_url", "monitor", "postgres", "slo", "baseline", "tests",
];

/// Flags the suite sets itself: a test may not set them (the results folder is the suite's,
/// thresholds are `slo:`, evidence sources are the plan's).
pub(crate) const SUITE_FLAGS: [&str; 11] = [
    "out",
    "no-out",
    "quiet",
    "summary-json",
    "json",
    "profile",
    "threshold",
    "slo",
    "monitor",
    "postgres",
    "help",
];

/// Reads and checks the plan at `path`; a `scenario:` is resolved against its folder.
pub fn load(path: &Path, vocabulary: &Vocabulary) -> Result<Plan, PlanError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| PlanError {
        file: file.clone(),
        line: 1,
        col: 1,
        message: format!("cannot read the plan file: {e}"),
    })?;
    parse(&text, &file, path.parent().unwrap_or(Path::new(".")), vocabulary)
}

/// Whether the file at `path` is a plan (a map with `tests:`) rather than a scenario file;
/// false when it cannot be read (the scenario reader then says why).
pub fn is_plan(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    parse_yaml(&text).is_ok_and(|root| root.as_map().is_some_and(|m| m.iter().any(|(k, _)| k.text == "tests")))
}

/// Parses plan text; `base` is the folder a `scenario:` path is relative to.
pub fn parse(text: &str, file: &str, base: &Path, vocabulary: &Vocabulary) -> Result<Plan, PlanError> {
    let reader = Reader { file, base };
    if text.trim().is_empty() {
        return Err(reader.error(
            Pos { line: 1, col: 1 },
            "the plan file is empty: expected a map with 'tests'",
        ));
    }
    let root = parse_yaml(text).map_err(|e| reader.error(e.pos, e.message))?;
    let Some(entries) = root.as_map() else {
        return Err(reader.error(
            root.pos,
            format!("expected a map with 'tests', found {}", root.describe()),
        ));
    };
    reader.known_keys(entries, &ROOT_KEYS, "plan")?;
    let system = reader.system(entries, root.pos, base)?;
    let tests_node = match entries.iter().find(|(k, _)| k.text == "tests") {
        Some((_, node)) => node,
        None => return Err(reader.error(root.pos, "the plan has no 'tests': list the tests to run")),
    };
    let plan = Plan {
        file: file.to_string(),
        text: text.to_string(),
        dir: base.to_path_buf(),
        system,
        base_url: match entries.iter().find(|(k, _)| k.text == "base_url") {
            Some((_, node)) => Some(reader.scalar(node, "base_url")?),
            None => None,
        },
        monitor: reader.strings(entries, "monitor")?,
        postgres: reader.strings(entries, "postgres")?,
        slo: reader.strings(entries, "slo")?,
        baseline: match entries.iter().find(|(k, _)| k.text == "baseline") {
            Some((_, node)) => Some((base.join(reader.scalar(node, "baseline")?), node.pos)),
            None => None,
        },
        tests: reader.tests(tests_node, vocabulary)?,
    };
    Ok(plan)
}

struct Reader<'a> {
    file: &'a str,
    /// The plan's folder: the paths a plan names (`scenario`, `baseline`, a bench's
    /// `detect`) are relative to it.
    base: &'a Path,
}

impl Reader<'_> {
    fn error(&self, pos: Pos, message: impl Into<String>) -> PlanError {
        PlanError {
            file: self.file.to_string(),
            line: pos.line as usize,
            col: pos.col as usize,
            message: message.into(),
        }
    }

    fn known_keys(&self, entries: &[(Key, Node)], known: &[&str], what: &str) -> Result<(), PlanError> {
        match entries.iter().find(|(k, _)| !known.contains(&k.text.as_str())) {
            Some((k, _)) => Err(self.error(
                k.pos,
                format!("unknown {what} key '{}'{}", clip(&k.text, 60), hint(&k.text, known)),
            )),
            None => Ok(()),
        }
    }

    /// `target: URL` or `scenario: FILE`, exactly one.
    fn system(&self, entries: &[(Key, Node)], at: Pos, base: &Path) -> Result<System, PlanError> {
        let target = entries.iter().find(|(k, _)| k.text == "target");
        let scenario = entries.iter().find(|(k, _)| k.text == "scenario");
        match (target, scenario) {
            (Some((_, url)), None) => Ok(System::Url(self.scalar(url, "target")?)),
            (None, Some((_, file))) => Ok(System::Scenario(base.join(self.scalar(file, "scenario")?))),
            (Some(_), Some((k, _))) => {
                Err(self.error(k.pos, "give either 'target' (a URL) or 'scenario' (a file), not both"))
            }
            (None, None) => Err(self.error(
                at,
                "the plan names no system under test: add 'target: URL' or 'scenario: FILE'",
            )),
        }
    }

    fn scalar(&self, node: &Node, what: &str) -> Result<String, PlanError> {
        match node.scalar_text() {
            Some(text) if !text.trim().is_empty() => Ok(text),
            _ => Err(self.error(node.pos, format!("'{what}' must be text, found {}", node.describe()))),
        }
    }

    /// A key holding one string or a list of them; absent is empty.
    fn strings(&self, entries: &[(Key, Node)], key: &str) -> Result<Vec<String>, PlanError> {
        match entries.iter().find(|(k, _)| k.text == key) {
            Some((_, node)) => self.string_list(node, key),
            None => Ok(Vec::new()),
        }
    }

    fn string_list(&self, node: &Node, key: &str) -> Result<Vec<String>, PlanError> {
        match &node.kind {
            NodeKind::Null => Ok(Vec::new()),
            NodeKind::Seq(items) => items.iter().map(|n| self.scalar(n, key)).collect(),
            _ => Ok(vec![self.scalar(node, key)?]),
        }
    }

    fn tests(&self, node: &Node, vocabulary: &Vocabulary) -> Result<Vec<Test>, PlanError> {
        let NodeKind::Seq(items) = &node.kind else {
            return Err(self.error(node.pos, format!("'tests' must be a list, found {}", node.describe())));
        };
        if items.is_empty() {
            return Err(self.error(node.pos, "'tests' is empty: list at least one test"));
        }
        let mut tests: Vec<Test> = Vec::with_capacity(items.len());
        for item in items.iter() {
            let test = self.test(item, vocabulary)?;
            if tests.iter().any(|t| t.name == test.name) {
                return Err(self.error(
                    test.pos,
                    format!("a second test named '{}': give one of them 'name:'", test.name),
                ));
            }
            tests.push(test);
        }
        Ok(tests)
    }

    /// `- smoke`, `- smoke: {}` or `- load: { target_rate: 200, … }`.
    fn test(&self, item: &Node, vocabulary: &Vocabulary) -> Result<Test, PlanError> {
        let (word, pos, body) = match (&item.kind, item.as_map()) {
            (NodeKind::Str(word), _) => (word.as_str(), item.pos, None),
            (_, Some([(key, body)])) => (key.text.as_str(), key.pos, Some(body)),
            _ => {
                return Err(self.error(
                    item.pos,
                    format!(
                        "a test is one type with its options, e.g. '- load: {{ target_rate: 200 }}'; found {}",
                        item.describe()
                    ),
                ));
            }
        };
        let words: Vec<&str> = Kind::all().map(Kind::as_str).collect();
        let Some(kind) = Kind::from_word(word) else {
            return Err(self.error(
                pos,
                format!("unknown test type '{}'{}", clip(word, 60), hint(word, &words)),
            ));
        };
        let mut test = Test {
            name: kind.as_str().to_string(),
            kind,
            pos,
            options: Vec::new(),
            slo: Vec::new(),
            commands: Vec::new(),
        };
        match body.map(|b| (&b.kind, b)) {
            None | Some((NodeKind::Null, _)) => {}
            Some((NodeKind::Map(entries), _)) => self.options(&mut test, entries, vocabulary)?,
            Some((_, b)) => {
                return Err(self.error(
                    b.pos,
                    format!("the options of '{word}' must be a map, found {}", b.describe()),
                ));
            }
        }
        Ok(test)
    }

    fn options(&self, test: &mut Test, entries: &[(Key, Node)], vocabulary: &Vocabulary) -> Result<(), PlanError> {
        let flags: Vec<&Flag> = vocabulary
            .of(test.kind.command())
            .iter()
            .filter(|f| !SUITE_FLAGS.contains(&f.long.as_str()))
            .collect();
        for (key, value) in entries {
            match key.text.as_str() {
                "name" => test.name = self.name(value)?,
                "slo" if test.kind != Kind::Bench => test.slo = self.string_list(value, "slo")?,
                "commands" if test.kind == Kind::Bench => test.commands = self.string_list(value, "commands")?,
                word => {
                    let flag_name = word.replace('_', "-");
                    let Some(flag) = flags.iter().find(|f| f.long == flag_name) else {
                        let mut known: Vec<String> = flags.iter().map(|f| f.long.replace('-', "_")).collect();
                        let own = if test.kind == Kind::Bench { "commands" } else { "slo" };
                        known.extend(["name".to_string(), own.to_string()]);
                        let known: Vec<&str> = known.iter().map(String::as_str).collect();
                        return Err(self.error(
                            key.pos,
                            format!(
                                "unknown option '{}' of a {} test{}",
                                clip(word, 60),
                                test.kind.as_str(),
                                hint(word, &known)
                            ),
                        ));
                    };
                    if let Some(mut opt) = self.option(key, value, flag)? {
                        if test.kind == Kind::Bench && (opt.flag == "detect" || opt.flag == "dir") {
                            opt.values = opt
                                .values
                                .iter()
                                .map(|v| self.base.join(v).display().to_string())
                                .collect();
                        }
                        test.options.push(opt);
                    }
                }
            }
        }
        Ok(())
    }

    fn name(&self, value: &Node) -> Result<String, PlanError> {
        let name = self.scalar(value, "name")?;
        let fine = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if fine && name.len() <= 64 {
            Ok(name)
        } else {
            Err(self.error(
                value.pos,
                "a test's 'name' is letters, digits, '-' and '_' (it names its folder)",
            ))
        }
    }

    /// One option as the flag's values; `None` for a switch set to false.
    fn option(&self, key: &Key, value: &Node, flag: &Flag) -> Result<Option<Opt>, PlanError> {
        let values = match (&value.kind, flag.takes_value) {
            (NodeKind::Bool(true), false) => Vec::new(),
            (NodeKind::Bool(false), false) => return Ok(None),
            (_, false) => {
                return Err(self.error(
                    value.pos,
                    format!("'{}' is true or false, found {}", clip(&key.text, 60), value.describe()),
                ));
            }
            (NodeKind::Seq(_), true) if flag.repeatable => self.string_list(value, &key.text)?,
            (NodeKind::Seq(_), true) => vec![self.string_list(value, &key.text)?.join(",")],
            (_, true) => vec![self.scalar(value, &key.text)?],
        };
        Ok(Some(Opt {
            key: key.text.clone(),
            pos: key.pos,
            flag: flag.long.clone(),
            values,
        }))
    }
}

#[cfg(test)]
mod tests;
