//! `junit.xml`: the verdict in the JUnit format CI systems show as test results. One
//! `<testcase>` per threshold (classname `loadcell.thresholds`, name = the expression) and
//! one per check that failed at least once (classname `loadcell.checks`), in a single
//! `<testsuite>` whose `time` is the measured duration (test cases judge the whole run and
//! take no time of their own). Every string is XML-escaped.
//!
//! Staged runs add properties, not test cases: a stage that breaks a threshold is what a
//! stress or breakpoint test is run to find, and the run's verdict (its exit code) is judged
//! on the whole run, so failing stages as test cases would fail CI where loadcell passed.
//! The breaking point, spike recovery and soak slopes go into `<properties>` instead.

use std::fmt::Write;

use loadcell_schema::Summary;

use crate::text::escape::xml;
use crate::text::number;

/// The verdict as JUnit XML.
pub fn junit(summary: &Summary) -> String {
    let cases = cases(summary);
    let failures = cases.iter().filter(|c| c.failure.is_some()).count();
    let time = format!("{:.3}", summary.duration_s.max(0.0));
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"loadcell\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" time=\"{time}\">",
        cases.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"{time}\" \
         timestamp=\"{}\" hostname=\"{}\">",
        xml(&format!("loadcell {}", summary.target)),
        cases.len(),
        xml(&summary.started_at),
        xml(&summary.metadata.host),
    );
    properties(&mut out, summary);
    for case in &cases {
        let head = format!(
            "    <testcase name=\"{}\" classname=\"{}\" time=\"0\"",
            xml(&case.name),
            case.classname
        );
        match &case.failure {
            None => {
                let _ = writeln!(out, "{head}/>");
            }
            Some((message, body)) => {
                let _ = writeln!(out, "{head}>");
                let _ = writeln!(
                    out,
                    "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                    xml(message),
                    case.kind,
                    xml(body)
                );
                out.push_str("    </testcase>\n");
            }
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

struct Case {
    name: String,
    classname: &'static str,
    kind: &'static str,
    /// The failure's message attribute and its text.
    failure: Option<(String, String)>,
}

fn cases(summary: &Summary) -> Vec<Case> {
    let thresholds = summary.thresholds.iter().map(|t| Case {
        name: t.expr.clone(),
        classname: "loadcell.thresholds",
        kind: "threshold",
        failure: (!t.passed).then(|| {
            let actual = if t.actual.is_none() && t.actual_text.is_empty() {
                "no data"
            } else {
                &t.actual_text
            };
            let message = format!("actual {actual}, limit {}", t.limit);
            let body = format!("threshold {} failed: actual {actual}, limit {}", t.expr, t.limit);
            (message, body)
        }),
    });
    let checks = summary.checks.iter().filter(|c| c.failed > 0).map(|c| {
        let name = [c.journey.as_str(), c.step.as_str(), c.name.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" › ");
        let total = c.passed + c.failed;
        let message = format!(
            "pass rate {} ({} of {} failed)",
            number::percent(c.pass_rate),
            number::int(c.failed),
            number::int(total)
        );
        let body = format!("check {name} failed {} time(s): {message}", number::int(c.failed));
        Case {
            name,
            classname: "loadcell.checks",
            kind: "check",
            failure: Some((message, body)),
        }
    });
    thresholds.chain(checks).collect()
}

/// Headline numbers as `<property>` elements, for CI tools that show them.
fn properties(out: &mut String, summary: &Summary) {
    let l = &summary.latency_ms;
    let mut props: Vec<(&str, String)> = vec![
        ("target", summary.target.clone()),
        ("model", summary.model.as_str().to_string()),
        ("requests", summary.requests.total.to_string()),
        ("failed", summary.requests.failed.to_string()),
        ("rate_per_s", format!("{:.3}", summary.requests.rate_per_s)),
        ("p50_ms", format!("{:.3}", l.p50)),
        ("p95_ms", format!("{:.3}", l.p95)),
        ("p99_ms", format!("{:.3}", l.p99)),
        ("loadcell_version", summary.loadcell_version.clone()),
    ];
    props.extend(staged_properties(summary));
    out.push_str("    <properties>\n");
    for (name, value) in props {
        let _ = writeln!(out, "      <property name=\"{name}\" value=\"{}\"/>", xml(&value));
    }
    out.push_str("    </properties>\n");
}

/// The breaking point, spike recovery and soak trend slopes, when the summary has them.
fn staged_properties(summary: &Summary) -> Vec<(&'static str, String)> {
    let mut props = Vec::new();
    if let Some(b) = &summary.breaking_point {
        props.push(("breaking_point_stage", b.name.clone()));
        props.push(("breaking_point_level", format!("{:.3}", b.level)));
        props.push(("breaking_point_how", b.how.join(", ")));
        if let Some(good) = &b.last_good {
            props.push(("last_good_stage", good.clone()));
        }
    }
    if let Some(s) = &summary.spike_recovery {
        // Empty when the target did not recover within the run.
        props.push((
            "spike_recovery_s",
            s.recovery_s.map_or(String::new(), |r| format!("{r:.3}")),
        ));
        props.push(("spike_p95_ms", format!("{:.3}", s.spike_p95_ms)));
    }
    if let Some(t) = &summary.soak_trend {
        props.push(("soak_p95_slope_ms_per_hour", format!("{:.3}", t.p95_ms.slope_per_hour)));
        props.push(("soak_p95_trend_significant", t.p95_ms.significant.to_string()));
        props.push((
            "soak_error_rate_slope_per_hour",
            format!("{:.6}", t.error_rate.slope_per_hour),
        ));
        props.push((
            "soak_error_rate_trend_significant",
            t.error_rate.significant.to_string(),
        ));
    }
    props
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use quick_xml::Reader;
    use quick_xml::events::Event;

    /// Every element of the document with its attributes, after a full well-formedness parse.
    fn parse(xml_text: &str) -> Vec<(String, Vec<(String, String)>)> {
        let mut reader = Reader::from_str(xml_text);
        reader.config_mut().check_end_names = true;
        let mut elements = Vec::new();
        loop {
            match reader.read_event() {
                Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                    let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                    let attrs = e
                        .attributes()
                        .map(|a| {
                            let a = a.unwrap();
                            let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
                            (key, a.unescape_value().unwrap().into_owned())
                        })
                        .collect();
                    elements.push((name, attrs));
                }
                Ok(Event::Text(t)) => {
                    t.decode().unwrap();
                }
                Ok(Event::GeneralRef(r)) => {
                    let name = r.decode().unwrap();
                    let known = ["amp", "lt", "gt", "quot", "apos"].contains(&name.as_ref());
                    assert!(
                        known || r.resolve_char_ref().unwrap().is_some(),
                        "unknown entity &{name};"
                    );
                }
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!(
                    "junit.xml is not well-formed at {}: {e}\n{xml_text}",
                    reader.buffer_position()
                ),
            }
        }
        elements
    }

    fn attr<'a>(el: &'a (String, Vec<(String, String)>), key: &str) -> &'a str {
        el.1.iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {key} on {}", el.0))
    }

    #[test]
    fn counts_thresholds_and_failed_checks() {
        let summary = testing::summary(10);
        let doc = parse(&junit(&summary));
        let suite = doc.iter().find(|e| e.0 == "testsuite").unwrap();
        // 2 thresholds (1 failed) + 1 check that failed at least once.
        assert_eq!(attr(suite, "tests"), "3");
        assert_eq!(attr(suite, "failures"), "2");
        assert_eq!(attr(suite, "time"), "10.000");
        let cases: Vec<_> = doc.iter().filter(|e| e.0 == "testcase").collect();
        assert_eq!(cases.len(), 3);
        assert_eq!(attr(cases[0], "name"), "p95<200ms");
        assert_eq!(attr(cases[0], "classname"), "loadcell.thresholds");
        assert_eq!(attr(cases[2], "classname"), "loadcell.checks");
        assert_eq!(attr(cases[2], "name"), "browse › list › status is 200");
        let failures: Vec<_> = doc.iter().filter(|e| e.0 == "failure").collect();
        assert_eq!(failures.len(), 2);
        assert_eq!(attr(failures[0], "message"), "actual 0.37%, limit < 0.1%");
        assert!(
            attr(failures[1], "message").starts_with("pass rate 99.75%"),
            "{:?}",
            failures[1]
        );
    }

    #[test]
    fn hostile_strings_stay_well_formed() {
        let mut summary = testing::summary(1);
        summary.thresholds[1].expr = "http_req_duration{endpoint:GET /a?x=1&y=<\"'>}: p(95)<200\u{1}\n".to_string();
        summary.thresholds[1].limit = "< 200 ]]> ms".to_string();
        summary.checks[0].name = "</testcase><!-- & -->".to_string();
        summary.target = "\"><x>".to_string();
        let text = junit(&summary);
        let doc = parse(&text);
        let cases: Vec<_> = doc.iter().filter(|e| e.0 == "testcase").collect();
        assert_eq!(
            attr(cases[1], "name"),
            "http_req_duration{endpoint:GET /a?x=1&y=<\"'>}: p(95)<200\u{fffd}\n"
        );
        assert_eq!(attr(cases[2], "name"), "browse › list › </testcase><!-- & -->");
    }

    fn property<'a>(doc: &'a [(String, Vec<(String, String)>)], name: &str) -> Option<&'a str> {
        doc.iter()
            .find(|e| e.0 == "property" && attr(e, "name") == name)
            .map(|e| attr(e, "value"))
    }

    #[test]
    fn staged_runs_add_properties_not_test_cases() {
        let plain = parse(&junit(&testing::summary(10)));
        let doc = parse(&junit(&testing::stress()));
        let count = |d: &[(String, Vec<(String, String)>)]| d.iter().filter(|e| e.0 == "testcase").count();
        assert_eq!(count(&doc), count(&plain), "stages judge nothing of their own");
        assert_eq!(property(&doc, "breaking_point_stage"), Some("step 150%"));
        assert_eq!(property(&doc, "breaking_point_level"), Some("150.000"));
        assert_eq!(
            property(&doc, "breaking_point_how"),
            Some("latency climbed, errors appeared")
        );
        assert_eq!(property(&doc, "last_good_stage"), Some("step 100%"));
        assert_eq!(property(&plain, "breaking_point_stage"), None);
        let doc = parse(&junit(&testing::spike()));
        assert_eq!(property(&doc, "spike_recovery_s"), Some("4.000"));
        let doc = parse(&junit(&testing::soak()));
        assert_eq!(property(&doc, "soak_p95_slope_ms_per_hour"), Some("36.000"));
        assert_eq!(property(&doc, "soak_p95_trend_significant"), Some("true"));
        assert_eq!(property(&doc, "soak_error_rate_trend_significant"), Some("false"));
    }

    #[test]
    fn no_thresholds_no_checks_is_an_empty_passing_suite() {
        let mut summary = testing::summary(1);
        summary.thresholds.clear();
        summary.checks.clear();
        let doc = parse(&junit(&summary));
        let suite = doc.iter().find(|e| e.0 == "testsuite").unwrap();
        assert_eq!(attr(suite, "tests"), "0");
        assert_eq!(attr(suite, "failures"), "0");
    }
}
