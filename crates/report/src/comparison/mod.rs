//! Renderings of a [`Comparison`] (two runs compared by `loadcell-compare`): a terminal table
//! ([`text`]), Markdown for a PR comment ([`markdown`]), and the HTML section and page in
//! `export/html/compare.rs`. Like the run reports, each is a pure function of the document.

pub mod cells;
pub mod markdown;
pub mod text;

pub use loadcell_schema::Comparison;

#[cfg(test)]
mod tests {
    use loadcell_schema::{
        COMPARISON_FORMAT, COMPARISON_FORMAT_VERSION, ComparedRun, Comparison, ComparisonSettings, Interval, Method,
        MetricChange, MetricKind, RowComparison, Scope, SourceKind, Verdict,
    };

    const HOSTILE: &str = "GET /x|`*</script><b>";

    fn run(path: &str) -> ComparedRun {
        ComparedRun {
            path: path.into(),
            kind: SourceKind::ResultsFolder,
            target: "http://127.0.0.1:8080".into(),
            label: "t".into(),
            started_at: None,
            model: None,
            seconds: Some(10.0),
        }
    }

    fn row(name: &str, scope: Scope, change: f64, verdict: Verdict) -> RowComparison {
        RowComparison {
            name: name.into(),
            scope,
            method: Method::BlockBootstrap,
            base_samples: 10,
            new_samples: 10,
            block_len: Some([3, 3]),
            metrics: vec![MetricChange {
                metric: MetricKind::P95,
                base: 10.0,
                new: 10.0 * (1.0 + change),
                change: Some(change),
                interval: Some(Interval {
                    low: change - 0.01,
                    high: change + 0.01,
                }),
                significant: true,
                verdict,
            }],
            verdict,
        }
    }

    fn comparison() -> Comparison {
        Comparison {
            format: COMPARISON_FORMAT.into(),
            format_version: COMPARISON_FORMAT_VERSION,
            loadcell_version: "0.1.0".into(),
            base: run("base"),
            new: run("new"),
            settings: ComparisonSettings {
                noise: 0.05,
                error_noise: 0.001,
                confidence: 0.95,
                resamples: 2000,
                seed: 1,
                gate: vec![MetricKind::P95],
                strict: false,
            },
            verdict: Verdict::Regressed,
            rows: vec![
                row("overall", Scope::Overall, 0.1, Verdict::Regressed),
                row(HOSTILE, Scope::Endpoint, 0.2, Verdict::Regressed),
                row("GET /y", Scope::Endpoint, 0.0, Verdict::Unchanged),
            ],
            only_in_base: vec!["GET /gone".into()],
            only_in_new: Vec::new(),
            notes: vec!["the targets differ".into()],
            distributions: None,
        }
    }

    #[test]
    fn text_shows_every_row_and_what_was_left_out() {
        let text = super::text::comparison_text(&comparison());
        assert!(text.starts_with("loadcell compare: REGRESSED\n"), "{text}");
        assert!(
            text.contains("significant and beyond ±5% (error rate ±0.10 pt) at 95% confidence"),
            "{text}"
        );
        assert!(text.contains("+20.0%") && text.contains("+19.0% … +21.0%"), "{text}");
        assert!(text.contains("only in base (not compared): GET /gone"), "{text}");
        assert!(text.contains("  - the targets differ"), "{text}");
    }

    #[test]
    fn markdown_escapes_names_and_bolds_regressions() {
        let md = super::markdown::comparison_markdown(&comparison());
        assert!(md.starts_with("### ❌ loadcell compare: regressed"), "{md}");
        assert!(md.contains("**regressed**"), "{md}");
        // Inside a code span the name is literal text; its `|` cannot split the table.
        assert!(md.contains("``GET /x\\|`*</script><b>``"), "{md}");
        // One table line per row and metric, each with the same number of cells.
        let lines: Vec<&str> = md.lines().filter(|l| l.starts_with("| ")).collect();
        assert_eq!(lines.len(), 1 + 3, "{md}");
    }

    #[test]
    fn the_html_section_escapes_names() {
        let page = crate::comparison_html(&comparison());
        assert!(!page.contains("</script><b>"), "a name became markup");
        assert!(page.contains("id=\"comparison-table\"") && page.contains("REGRESSED"));
        assert!(!page.contains("id=\"chart-compare\""), "no chart without distributions");
    }
}
