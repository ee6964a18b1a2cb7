//! Reports rendered from a finished run's [`Summary`]: a self-contained `report.html`
//! (charts, tables, verdict; works offline), `junit.xml` for CI test views, `summary.md`
//! for `$GITHUB_STEP_SUMMARY` and PR comments, and `timeseries.csv` for spreadsheets.
//!
//! Every format is a pure function of the summary, so the same `summary.json` always
//! renders the same files. A [`loadcell_schema::Comparison`] of two runs renders the same
//! way: [`comparison_text`] for a terminal, [`comparison_markdown`] for a PR comment,
//! [`comparison_html`] as a page of its own and [`html_with_comparison`] as a section of the
//! new run's report. [`exporters`] lists them all behind the [`Exporter`] trait, and
//! [`write_reports`] writes them into a directory.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod comparison;
mod error;
mod export;
mod text;

#[cfg(test)]
mod testing;

use std::path::{Path, PathBuf};

pub use comparison::markdown::comparison_markdown;
pub use comparison::text::comparison_text;
pub use error::ReportError;
pub use export::csv::timeseries_csv;
pub use export::html::{comparison_html, html, html_with_comparison};
pub use export::junit::junit;
pub use export::k6::k6_summary_export;
pub use export::markdown::markdown;
pub use export::terminal::terminal_text;
pub use export::terminal_evidence::evidence_text;
pub use export::{Exporter, exporters};
pub use loadcell_schema::Summary;
/// Escaping for each output syntax (XML, HTML, Markdown), for documents built beside the
/// reports (a suite's `junit.xml` and `suite.md`).
pub use text::escape;

/// Renders every format of [`exporters`] into `dir` (created if missing) and returns the
/// paths written, in the order of [`exporters`].
pub fn write_reports(dir: &Path, summary: &Summary) -> Result<Vec<PathBuf>, ReportError> {
    std::fs::create_dir_all(dir).map_err(|source| ReportError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    for exporter in exporters() {
        let path = dir.join(exporter.file_name());
        let bytes = exporter.render(summary)?;
        std::fs::write(&path, bytes).map_err(|source| ReportError::Io {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}
