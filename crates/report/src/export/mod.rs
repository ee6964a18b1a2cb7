//! The report formats, one module each, and the [`Exporter`] trait that lists them.

pub mod csv;
mod custom;
pub mod html;
pub mod junit;
pub mod k6;
pub mod markdown;
pub mod terminal;
pub(crate) mod terminal_evidence;
mod terminal_scenarios;

use loadcell_schema::Summary;

use crate::ReportError;

/// One report format: the file it is written to and how it renders.
pub trait Exporter {
    /// The file name this format is written to, e.g. `report.html`.
    fn file_name(&self) -> &'static str;
    /// The file's bytes for this summary.
    fn render(&self, summary: &Summary) -> Result<Vec<u8>, ReportError>;
}

/// Every format: `report.html`, `junit.xml`, `summary.md`, `timeseries.csv`.
pub fn exporters() -> Vec<Box<dyn Exporter>> {
    vec![
        Box::new(Format {
            file_name: "report.html",
            render: html::html,
        }),
        Box::new(Format {
            file_name: "junit.xml",
            render: junit::junit,
        }),
        Box::new(Format {
            file_name: "summary.md",
            render: markdown::markdown,
        }),
        Box::new(Format {
            file_name: "timeseries.csv",
            render: csv::timeseries_csv,
        }),
    ]
}

/// A format whose rendering is a plain function of the summary.
struct Format {
    file_name: &'static str,
    render: fn(&Summary) -> String,
}

impl Exporter for Format {
    fn file_name(&self) -> &'static str {
        self.file_name
    }

    fn render(&self, summary: &Summary) -> Result<Vec<u8>, ReportError> {
        Ok((self.render)(summary).into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exporters_cover_the_four_formats_with_distinct_files() {
        let names: Vec<&str> = exporters().iter().map(|e| e.file_name()).collect();
        assert_eq!(names, ["report.html", "junit.xml", "summary.md", "timeseries.csv"]);
        let summary = crate::testing::summary(3);
        for exporter in exporters() {
            let bytes = exporter.render(&summary).unwrap_or_default();
            assert!(!bytes.is_empty(), "{} rendered nothing", exporter.file_name());
        }
    }

    #[test]
    fn write_reports_writes_every_file() {
        let dir = std::env::temp_dir().join(format!("loadcell-report-unit-{}", std::process::id()));
        let written = crate::write_reports(&dir, &crate::testing::summary(2));
        let written = match written {
            Ok(w) => w,
            Err(e) => panic!("write_reports: {e}"),
        };
        assert_eq!(written.len(), 4);
        assert!(written.iter().all(|p| p.is_file()));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
