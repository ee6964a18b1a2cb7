//! The integration tests' helpers: the shared test kit (`loadcell-testkit`), under the
//! names these modules use.

pub use loadcell_testkit::process::run_url as run;
pub use loadcell_testkit::servers::Version;
pub use loadcell_testkit::*;

/// Waits for a running process (see [`Running::wait`]).
pub fn wait(running: Running) -> Finished {
    running.wait()
}

/// `loadcell run URL ARGS -q --summary-json FILE` for a verdict that depends on timing:
/// no other loadcell of this test binary runs beside it.
pub fn run_alone(url: &str, args: &[&str]) -> Finished {
    loadcell_testkit::process::run_summary(url.as_ref(), args, Loadcell::alone)
}
