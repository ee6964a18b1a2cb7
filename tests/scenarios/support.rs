//! The scenario tests' helpers: the shared test kit (`loadcell-testkit`), under the names
//! these modules use.

use loadcell_target::{Config, TargetHandle};
pub use loadcell_testkit::TempDir;
pub use loadcell_testkit::process::{Finished, Loadcell, run_file};
pub use loadcell_testkit::servers::{Recorder, Seen, route, status};
pub use loadcell_testkit::summary::*;
use std::ffi::OsStr;
use std::path::Path;

/// `loadcell ARGS` exactly as given, guarded.
pub fn loadcell<S: AsRef<OsStr>>(args: &[S]) -> Finished {
    Loadcell::new(args).run()
}

/// `loadcell ARGS` with no other loadcell of this test binary beside it: for runs whose
/// verdict depends on latency.
pub fn loadcell_alone<S: AsRef<OsStr>>(args: &[S]) -> Finished {
    Loadcell::new(args).alone().run()
}

/// `loadcell run FILE ARGS -q --summary-json SUMMARY` with `env`; the summary is parsed.
pub fn run_file_env(file: &Path, args: &[&str], env: &[(&str, &str)]) -> Finished {
    loadcell_testkit::process::run_summary(file.as_os_str(), args, |command| {
        env.iter().fold(command, |c, (k, v)| c.env(k, v))
    })
}

/// The built-in shop target with no knobs, on 127.0.0.1 and a free port.
pub fn shop() -> TargetHandle {
    loadcell_testkit::target(Config::default())
}
