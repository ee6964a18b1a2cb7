//! `cargo run -p loadcell-compare --example compare -- BASE NEW [--json]`: the comparison
//! library without the CLI, for experiments (bench/compare-acceptance.sh) until
//! `loadcell compare` is wired. Prints one line per row, or the JSON document.

use std::io::Write;
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, new, rest @ ..] = args.as_slice() else {
        eprintln!("usage: compare BASE NEW [--json]");
        std::process::exit(2);
    };
    let settings = loadcell_compare::Settings::default();
    let cmp = match loadcell_compare::compare_paths(Path::new(base), Path::new(new), &settings) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let mut out = std::io::stdout().lock();
    // Write errors (a closed pipe) end the output, not the process with a panic.
    if rest.iter().any(|a| a == "--json") {
        let _ = writeln!(out, "{}", serde_json::to_string_pretty(&cmp).unwrap_or_default());
    } else {
        for row in &cmp.rows {
            let cells: Vec<String> = row
                .metrics
                .iter()
                .map(|m| {
                    let pct = |x: f64| format!("{:+.1}%", x * 100.0);
                    let iv = m
                        .interval
                        .map_or("-".to_string(), |i| format!("[{}, {}]", pct(i.low), pct(i.high)));
                    format!(
                        "{} {} {} {}",
                        m.metric.label(),
                        m.change.map_or("-".into(), pct),
                        iv,
                        m.verdict.as_str()
                    )
                })
                .collect();
            println!(
                "{} {} blocks={:?} | {}",
                row.name,
                row.verdict.as_str(),
                row.block_len,
                cells.join(" | ")
            );
        }
        println!("verdict: {}", cmp.verdict.as_str());
    }
    std::process::exit(cmp.exit_code());
}
