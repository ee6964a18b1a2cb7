//! loadcell's own limits: running out of file descriptors is loadcell's problem, said as
//! such, and never a hang.

use std::time::Duration;

use crate::harness::run_limited;
use crate::server::{Fault, FaultServer};

/// Error kinds that blame the target.
const TARGET_KINDS: [&str; 8] = [
    "dns",
    "connect_refused",
    "connect_timeout",
    "tls",
    "reset",
    "connection_closed",
    "malformed_response",
    "other",
];

#[test]
fn running_out_of_file_descriptors_ends_on_time_and_blames_loadcell() {
    let server = FaultServer::start(Fault::Silent);
    let run = run_limited(
        &server.url(),
        &["-c", "200", "-d", "2s", "--timeout", "1s", "--grace", "1s"],
        Some(64),
    );
    if run.code == Some(2) {
        // Refusing a -c the descriptor limit cannot hold is fine, with the way out.
        assert!(run.stderr.contains("ulimit"), "{}", run.output());
        assert!(run.elapsed < Duration::from_secs(10), "{}", run.output());
        return;
    }
    run.assert_sane(0, Duration::from_secs(3));
    let blamed: Vec<String> = run
        .errors()
        .into_keys()
        .filter(|k| TARGET_KINDS.contains(&k.as_str()))
        .collect();
    assert!(
        blamed.is_empty(),
        "a descriptor shortage blamed on the target: {blamed:?}\n{}",
        run.output()
    );
}
