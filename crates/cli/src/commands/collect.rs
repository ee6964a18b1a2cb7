//! `loadcell collect`: the flags become a `CollectSpec`, the session collects the fleet,
//! shown here as one progress line per merged second and a line for each part that joins,
//! ends or is lost; then the merged summary as `loadcell merge` prints it, and its exit code
//! (1 also when a part was lost).

use crate::args::CollectArgs;
use crate::error::CliError;
use loadcell_schema::exit;
use loadcell_session::fleet::{CollectSpec, FleetView, Progress, collect};
use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

/// `loadcell collect`.
pub fn run(args: &CollectArgs, interrupts: Arc<AtomicUsize>) -> Result<i32, CliError> {
    let spec = CollectSpec {
        listen: args.listen.clone(),
        expect: args.expect,
        out: args
            .out
            .clone()
            .unwrap_or_else(|| loadcell_results::default_dir("collect")),
        thresholds: args.thresholds.clone(),
        abort_on_fail: args.abort_on_fail,
        abort_delay: args.abort_delay,
        silence: args.lost_after,
        prometheus: args.prometheus.clone(),
    };
    let mut view = Lines { quiet: args.quiet };
    let collected = collect(spec, &mut view, interrupts)?;
    let done = &collected.done;
    let summary = &done.rebuilt.summary;
    super::merge::show_summary(done);
    println!(
        "  collected {} part(s), {} merged intervals",
        done.merged.parts.len(),
        done.merged.intervals
    );
    for part in &done.merged.parts {
        if let Some(why) = &part.incomplete {
            eprintln!("warning: {} is incomplete: {why}", part.folder);
        }
    }
    for line in &collected.lost {
        eprintln!("warning: {line}");
    }
    for path in &done.written {
        println!("  wrote {}", path.display());
    }
    let code = summary.exit_code();
    Ok(if code == exit::OK && !collected.lost.is_empty() {
        exit::INCOMPLETE
    } else {
        code
    })
}

/// The collector's lines on stderr.
struct Lines {
    quiet: bool,
}

impl FleetView for Lines {
    fn listening(&mut self, addr: SocketAddr, out: &Path) {
        eprintln!(
            "collect: listening on {addr} (parts: --collect http://{addr}), merging into {}",
            out.display()
        );
    }

    fn progress(&mut self, p: &Progress) {
        if self.quiet {
            return;
        }
        eprintln!(
            "collect: {:>5.1} s · {}/{} parts sending · {:.0} req/s · p95 {:.2} ms · {} requests, {} errors",
            p.t_s, p.sending, p.expected, p.rate_per_s, p.p95_ms, p.requests, p.failed
        );
        let _ = std::io::stderr().flush();
    }

    fn note(&mut self, line: &str) {
        eprintln!("collect: {line}");
    }
}
