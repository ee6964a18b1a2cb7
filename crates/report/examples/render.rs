//! Renders every report format from a `summary.json`:
//! `cargo run -p loadcell-report --example render -- summary.json OUT_DIR`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, dir] = args.as_slice() else {
        eprintln!("usage: render SUMMARY_JSON OUT_DIR");
        return ExitCode::from(2);
    };
    let summary: loadcell_report::Summary = match std::fs::read_to_string(input)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()))
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("render: {input}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match loadcell_report::write_reports(std::path::Path::new(dir), &summary) {
        Ok(paths) => {
            for p in paths {
                println!("{}", p.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("render: {e}");
            ExitCode::FAILURE
        }
    }
}
