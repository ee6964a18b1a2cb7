//! What a plan file holds once read: the system under test, the evidence sources and SLOs
//! every test shares, and the ordered tests, each with its options as written (key, value,
//! position) so a later problem with one can still point at it.

use loadcell_scenario::yaml::Pos;
use loadcell_schema::Profile;
use std::path::PathBuf;

/// A whole plan.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The plan file as named on the command line (the `file` of every error).
    pub file: String,
    /// The plan's text as read: kept in the suite folder (`plan.yaml`), so that
    /// `loadcell report` can judge the tests again.
    pub text: String,
    /// The plan's folder: the paths it names are relative to it, and a bench test's
    /// commands run in it.
    pub dir: PathBuf,
    pub system: System,
    /// `base_url:` — a scenario's requests go there instead of its `target:` (`--base-url`).
    pub base_url: Option<String>,
    /// `--monitor` sources every test gets.
    pub monitor: Vec<String>,
    /// `--postgres` connection strings every test gets.
    pub postgres: Vec<String>,
    /// Thresholds every test (but `scale`) is judged by.
    pub slo: Vec<String>,
    /// `baseline:`, resolved against the plan file's folder: what every run-type test is
    /// compared with (see [`crate::baseline`]), unless the test names its own.
    pub baseline: Option<(PathBuf, Pos)>,
    pub tests: Vec<Test>,
}

/// The system under test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum System {
    /// `target: URL` (quick mode).
    Url(String),
    /// `scenario: FILE`, resolved against the plan file's folder.
    Scenario(PathBuf),
}

impl System {
    /// The target argument of every test's command line.
    pub fn argument(&self) -> String {
        match self {
            System::Url(url) => url.clone(),
            System::Scenario(path) => path.display().to_string(),
        }
    }
}

/// One test of the plan.
#[derive(Debug, Clone)]
pub struct Test {
    /// `name:` or the kind; unique in the plan (`--only` selects by it).
    pub name: String,
    pub kind: Kind,
    /// Where the test's entry starts.
    pub pos: Pos,
    /// Its options (the command's flags, `--target-rate` written `target_rate`), in file order.
    pub options: Vec<Opt>,
    /// Its own thresholds, judged after the plan's.
    pub slo: Vec<String>,
    /// A `bench` test's commands (`commands:`), the positional words of `loadcell bench`.
    pub commands: Vec<String>,
}

/// One option of a test.
#[derive(Debug, Clone)]
pub struct Opt {
    /// As written, e.g. `target_rate`.
    pub key: String,
    pub pos: Pos,
    /// The flag it stands for, e.g. `target-rate`.
    pub flag: String,
    /// The values: one for a scalar, several for a list of a repeatable flag; none for a
    /// switch set to true.
    pub values: Vec<String>,
}

/// The test types a plan can hold: a test-type profile of `loadcell run`, or a sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `loadcell run --profile NAME`.
    Run(Profile),
    Capacity,
    Scale,
    /// `loadcell bench`: commands timed, or the project's benchmarks (`detect`).
    Bench,
}

impl Kind {
    /// Every type, in the order the documentation lists them.
    pub fn all() -> impl Iterator<Item = Kind> {
        Profile::ALL
            .into_iter()
            .map(Kind::Run)
            .chain([Kind::Capacity, Kind::Scale, Kind::Bench])
    }

    /// The word in plan files and `suite.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Run(profile) => profile.name(),
            Kind::Capacity => "capacity",
            Kind::Scale => "scale",
            Kind::Bench => "bench",
        }
    }

    pub fn from_word(word: &str) -> Option<Kind> {
        Kind::all().find(|k| k.as_str() == word)
    }

    /// The `loadcell` subcommand that runs this kind of test.
    pub fn command(self) -> Command {
        match self {
            Kind::Run(_) => Command::Run,
            Kind::Capacity => Command::Capacity,
            Kind::Scale => Command::Scale,
            Kind::Bench => Command::Bench,
        }
    }
}

/// The subcommands a test runs as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Run,
    Capacity,
    Scale,
    Bench,
}

impl Command {
    pub fn as_str(self) -> &'static str {
        match self {
            Command::Run => "run",
            Command::Capacity => "capacity",
            Command::Scale => "scale",
            Command::Bench => "bench",
        }
    }
}

/// One long flag of a subcommand, as the CLI describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// Without the dashes: `target-rate`.
    pub long: String,
    /// False for a switch (`--abort-on-fail`).
    pub takes_value: bool,
    /// True when it may be given more than once (`--header`).
    pub repeatable: bool,
}

/// The flags of each subcommand a test may run as: what a test's options are checked
/// against. The CLI builds it from its own argument definitions.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    pub run: Vec<Flag>,
    pub capacity: Vec<Flag>,
    pub scale: Vec<Flag>,
    pub bench: Vec<Flag>,
}

impl Vocabulary {
    pub fn of(&self, command: Command) -> &[Flag] {
        match command {
            Command::Run => &self.run,
            Command::Capacity => &self.capacity,
            Command::Scale => &self.scale,
            Command::Bench => &self.bench,
        }
    }
}
