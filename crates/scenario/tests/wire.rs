//! The connection and body keys of issue #17: a `multipart:` body laid out at load (its
//! file read once) and rendered as `multipart/form-data`; `resolve:` and `tls:` checked at
//! load, every problem at its `file:line:col`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use loadcell_scenario::{Body, Step, Vars, parse_str};
use serde_json::Value;

struct Vu;

impl Vars for Vu {
    fn get(&self, _name: &str) -> Option<&Value> {
        None
    }
    fn vu(&self) -> u64 {
        7
    }
    fn iteration(&self) -> u64 {
        0
    }
    fn random(&mut self) -> u64 {
        4
    }
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("loadcell-scenario-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_multipart_body_renders_fields_then_files_between_one_boundary() {
    let dir = temp_dir("multipart");
    std::fs::write(dir.join("a.bin"), b"\x00\x01binary\r\n").unwrap();
    let text = r#"
target: http://127.0.0.1:9
journeys:
  - name: j
    steps:
      - post: /up
        multipart:
          fields: { "title \"x\"": "vu {{ vu }}" }
          files: { doc: { path: a.bin, filename: report.bin, content_type: application/x-test } }
"#;
    let scenario = parse_str(text, "wire.yaml", &dir).unwrap_or_else(|e| panic!("{e}"));
    let Step::Request(step) = &scenario.journeys[0].steps[0] else {
        panic!("a request step")
    };
    let Body::Multipart(m) = &step.body else {
        panic!("a multipart body")
    };
    let boundary = m.content_type.strip_prefix("multipart/form-data; boundary=").unwrap();
    assert_eq!(step.body.content_type(), Some(m.content_type.as_str()));
    let mut out = Vec::new();
    step.body.render(&mut Vu, &mut out).unwrap();
    let expected = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"title %22x%22\"\r\n\r\nvu 7\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"report.bin\"\r\n\
         Content-Type: application/x-test\r\n\r\n\x00\x01binary\r\n\r\n--{boundary}--\r\n"
    );
    assert_eq!(String::from_utf8_lossy(&out), expected);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_multipart_resolve_and_tls_entries_are_reported_where_they_are() {
    let dir = temp_dir("bad-wire");
    std::fs::write(dir.join("junk.pem"), "junk\n").unwrap();
    for (text, line, needle) in [
        (
            "journeys:\n  - name: j\n    steps:\n      - post: /\n        multipart: { files: { f: gone.txt } }\n",
            5,
            "gone.txt",
        ),
        (
            "journeys:\n  - name: j\n    steps:\n      - post: /\n        multipart: {}\n",
            5,
            "nothing to send",
        ),
        (
            "resolve:\n  - \"a.test:443:not-an-ip\"\njourneys:\n  - name: j\n    steps:\n      - get: /\n",
            2,
            "host:port:address",
        ),
        (
            "tls: { cert: junk.pem }\njourneys:\n  - name: j\n    steps:\n      - get: /\n",
            1,
            "go together",
        ),
        (
            "tls:\n  cacert: junk.pem\njourneys:\n  - name: j\n    steps:\n      - get: /\n",
            2,
            "junk.pem",
        ),
    ] {
        let e = parse_str(text, "bad.yaml", &dir)
            .err()
            .unwrap_or_else(|| panic!("{text} parsed"));
        assert_eq!(e.line, line, "{e}");
        assert!(e.to_string().contains(needle), "{e}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `Scenario::files`: every file read at load, as written, resolved against the scenario's
/// folder, at the place that names it — what `loadcell k8s` ships with the scenario.
#[test]
fn every_file_a_scenario_reads_is_listed_as_written_and_where() {
    let dir = temp_dir("files");
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(dir.join("data/users.csv"), "name\nann\n").unwrap();
    std::fs::write(dir.join("data/rows.json"), "[{\"a\": 1}]").unwrap();
    std::fs::write(dir.join("body.json"), "{}").unwrap();
    std::fs::write(dir.join("note.txt"), "hi").unwrap();
    let text = "data:\n  users: { csv: data/users.csv }\n  rows: { json: ./data/rows.json }\njourneys:\n  - name: j\n    steps:\n      - post: /\n        body_file: body.json\n      - post: /\n        multipart: { files: { f: note.txt } }\n      - post: /\n        body_file: body.json\n";
    let scenario = parse_str(text, "files.yaml", &dir).unwrap();
    let listed: Vec<(&str, std::path::PathBuf, usize, usize)> = scenario
        .files
        .iter()
        .map(|f| (f.written.as_str(), f.path.clone(), f.at.line, f.at.col))
        .collect();
    assert_eq!(
        listed,
        [
            ("data/users.csv", dir.join("data/users.csv"), 2, 17),
            ("./data/rows.json", dir.join("./data/rows.json"), 3, 17),
            ("body.json", dir.join("body.json"), 8, 20),
            ("note.txt", dir.join("note.txt"), 10, 34),
            ("body.json", dir.join("body.json"), 12, 20),
        ]
    );
    let _ = std::fs::remove_dir_all(&dir);
}
