//! `cargo run -p loadcell-compare --example compare -- BASE NEW [--json | --md | --html FILE | --brief]`:
//! the comparison library and its renderings without the CLI, for experiments
//! (bench/compare-acceptance.sh) until `loadcell compare` is wired. Prints the text table by
//! default; `--brief` prints one line per row. Exits 0 / 1 (regressed) / 2 (bad input).

use std::io::Write;
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, new, rest @ ..] = args.as_slice() else {
        eprintln!("usage: compare BASE NEW [--json | --md | --html FILE | --brief]");
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
    let text = match rest.first().map(String::as_str) {
        Some("--json") => serde_json::to_string_pretty(&cmp).unwrap_or_default() + "\n",
        Some("--md") => loadcell_report::comparison_markdown(&cmp),
        Some("--brief") => brief(&cmp),
        Some("--html") => {
            let file = rest.get(1).map_or("comparison.html", String::as_str);
            if let Err(e) = std::fs::write(file, loadcell_report::comparison_html(&cmp)) {
                eprintln!("error: {file}: {e}");
                std::process::exit(2);
            }
            format!("wrote {file}\n")
        }
        _ => loadcell_report::comparison_text(&cmp),
    };
    // A closed pipe ends the output, not the process with a panic.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    std::process::exit(cmp.exit_code());
}

/// One line per row: name, verdict, block lengths, each metric's change, interval, verdict.
fn brief(cmp: &loadcell_schema::Comparison) -> String {
    let pct = |x: f64| format!("{:+.1}%", x * 100.0);
    let mut out = String::new();
    for row in &cmp.rows {
        let cells: Vec<String> = row
            .metrics
            .iter()
            .map(|m| {
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
        out += &format!(
            "{} {} blocks={:?} | {}\n",
            row.name,
            row.verdict.as_str(),
            row.block_len,
            cells.join(" | ")
        );
    }
    out + &format!("verdict: {}\n", cmp.verdict.as_str())
}
