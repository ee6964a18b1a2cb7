//! `cargo run -p loadcell-bench --example bench -- [--runs N] [--warmup N] [--shell SH]
//! [--subtract-startup true] 'CMD' 'CMD' …`:
//! the command benchmark without the CLI, for experiments until `loadcell bench` is wired.
//! Prints hyperfine's Markdown table (with the ratio interval), or its JSON with `--json`.

use std::io::Write;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut options = loadcell_bench::Options::default();
    let (mut shell, mut json, mut lines) = (None, false, Vec::new());
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_default();
        match a.as_str() {
            "--runs" => options.runs = value().parse().ok(),
            "--warmup" => options.warmup = value().parse().unwrap_or(0),
            "--shell" => shell = Some(value()),
            "--subtract-startup" => options.startup = loadcell_bench::CommandSpec::parse(&value()).ok(),
            "--json" => json = true,
            _ => lines.push(a),
        }
    }
    let commands: Result<Vec<_>, _> = lines
        .iter()
        .map(|l| match &shell {
            Some(sh) => loadcell_bench::CommandSpec::with_shell(l, sh),
            None => loadcell_bench::CommandSpec::parse(l),
        })
        .collect();
    let results = commands.and_then(|c| loadcell_bench::run_benchmarks(&c, &options, |_| {}));
    let results = match results {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let out = if json {
        loadcell_bench::export::json::hyperfine_json(&results)
    } else {
        let mut md = loadcell_bench::export::markdown::markdown(&results);
        for r in &results {
            if let Some(o) = &r.overhead {
                md += &format!("\n{}: {}", r.command, loadcell_bench::normalize::overhead_note(o));
            }
            for o in &r.outliers {
                md += &format!("\n{}: run {} ({:.1} σ): {}", r.command, o.index + 1, o.score, o.reason);
            }
        }
        (md + "\n").into_bytes()
    };
    let _ = std::io::stdout().lock().write_all(&out);
}
