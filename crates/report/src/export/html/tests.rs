//! Unit tests of `report.html`: section order, escaping of hostile strings, the embedded
//! data, size for a one-hour run, and the vendored assets' safety for inlining.

use super::*;
use crate::testing;

const HOSTILE: &str = "</script><script>alert(1)</script>";

#[test]
fn sections_come_in_order() {
    let page = html(&testing::summary(20));
    let at = |needle: &str| page.find(needle).unwrap_or_else(|| panic!("no {needle}"));
    let order = [
        "id=\"verdict\"",
        "id=\"numbers\"",
        "id=\"charts\"",
        "id=\"distribution\"",
        "id=\"breakdown\"",
        "id=\"run\"",
        "id=\"report-errors\"",
        "id=\"report-data\"",
    ];
    for pair in order.windows(2) {
        assert!(at(pair[0]) < at(pair[1]), "{} before {}", pair[0], pair[1]);
    }
    for chart in ["throughput", "latency", "load", "errors", "spectrum"] {
        assert!(page.contains(&format!("data-chart=\"{chart}\"")), "{chart}");
    }
}

#[test]
fn verdict_lists_every_threshold() {
    let page = html(&testing::summary(3));
    assert!(page.contains("<span class=\"badge\">FAIL</span>"));
    assert!(page.contains("<code>p95&lt;200ms</code>"));
    assert!(page.contains("<code>error_rate&lt;0.1%</code>"));
    assert!(page.contains("<td class=\"actual\">0.37%</td>"));
    let mut summary = testing::summary(3);
    summary.thresholds.clear();
    assert!(html(&summary).contains("<span class=\"badge\">no thresholds</span>"));
}

#[test]
fn hostile_strings_are_escaped_everywhere() {
    let mut summary = testing::summary(10);
    summary.endpoints[0].name = HOSTILE.to_string();
    summary.target = HOSTILE.to_string();
    summary.thresholds[0].expr = HOSTILE.to_string();
    summary.checks[0].name = HOSTILE.to_string();
    summary.journeys[0].name = HOSTILE.to_string();
    summary.metadata.host = HOSTILE.to_string();
    summary.metadata.command.push(HOSTILE.to_string());
    summary.metadata.scenario = Some(format!("name: x\n{HOSTILE}\n<!--\n"));
    summary.generator.warnings.push(HOSTILE.to_string());
    summary.stages[0].unit = HOSTILE.to_string();
    summary.timeseries[0].errors.insert(HOSTILE.to_string(), 1);
    summary.errors.insert(HOSTILE.to_string(), 1);
    summary
        .error_messages
        .insert(HOSTILE.to_string(), vec![HOSTILE.to_string()]);
    summary.status_codes.insert(HOSTILE.to_string(), 1);
    let page = html(&summary);
    assert!(!page.contains("alert(1)</script>"), "raw markup leaked");
    assert!(!page.contains("<script>alert"), "raw markup leaked");
    // Exactly the four scripts of the page: data, error hook, uPlot, report.js.
    assert_eq!(page.matches("<script").count(), 4);
    assert_eq!(page.matches("</script>").count(), 4);
    assert!(page.contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    // The data blob still carries the string, escaped as JSON.
    let start = page.find("id=\"report-data\">").unwrap() + "id=\"report-data\">".len();
    let end = start + page[start..].find("</script>").unwrap();
    let data: serde_json::Value = serde_json::from_str(&page[start..end]).unwrap();
    assert_eq!(data["stages"][0]["unit"], HOSTILE);
}

#[test]
fn one_hour_run_stays_well_under_a_megabyte() {
    let page = html(&testing::summary(3600));
    assert!(
        page.len() < 1_000_000,
        "report.html is {} bytes for 3600 intervals",
        page.len()
    );
    eprintln!("report.html for a one-hour run: {} bytes", page.len());
}

#[test]
fn empty_summary_still_renders() {
    let mut summary = testing::summary(0);
    summary.endpoints.clear();
    summary.journeys.clear();
    summary.checks.clear();
    summary.latency_percentiles.clear();
    summary.stages.clear();
    summary.metadata = Default::default();
    let page = html(&summary);
    assert!(page.contains("no requests completed"));
    assert!(page.ends_with("</html>\n"));
}

#[test]
fn inlined_assets_cannot_close_their_element() {
    for (name, text) in [("uPlot.js", UPLOT_JS), ("report.js", REPORT_JS), ("hook", ERROR_HOOK)] {
        assert!(
            !text.to_ascii_lowercase().contains("</script"),
            "{name} contains </script"
        );
        assert!(!text.contains("<!--"), "{name} contains <!--");
    }
    for (name, text) in [("uPlot.css", UPLOT_CSS), ("report.css", REPORT_CSS)] {
        assert!(
            !text.to_ascii_lowercase().contains("</style"),
            "{name} contains </style"
        );
    }
}

#[test]
fn no_external_resources() {
    let page = html(&testing::summary(5));
    for needle in ["src=\"http", "href=\"http", "@import", "url(http", "src=\"//"] {
        assert!(!page.contains(needle), "found {needle}");
    }
}

#[test]
fn transport_errors_show_their_first_messages() {
    let page = html(&testing::summary(3));
    let start = page.find("id=\"errors\"").unwrap();
    let card = &page[start..start + page[start..].find("</table>").unwrap()];
    assert!(card.contains("First messages"), "{card}");
    assert!(
        card.contains("Connection reset by peer (os error 104)<br>Broken pipe (os error 32)"),
        "{card}"
    );
    assert!(
        card.contains("no connection to http://127.0.0.1:8080 within 10s"),
        "{card}"
    );
}
