//! `multipart:` uploads: httpbin echoes back the field and the file's bytes (`form`,
//! `files`) and the `Content-Type` with its boundary; a missing file is refused at load
//! with its `file:line:col` and exit code 2.

use crate::support::*;

const N: u64 = 8;

#[test]
fn a_multipart_upload_is_echoed_back_with_its_field_and_file() {
    let httpbin = Httpbin::start();
    let dir = TempDir::new();
    std::fs::create_dir_all(dir.path().join("files")).expect("create files/");
    dir.write("files/notes.txt", "line one\nline two: \"quoted\" & more\n");
    let file = dir.write(
        "upload.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 2, duration: 30s, iterations: {N} }}
journeys:
  - name: upload
    steps:
      - post: /post
        multipart:
          fields: {{ title: "report from vu {{{{ vu }}}}", kind: notes }}
          files:
            attachment: {{ path: files/notes.txt, content_type: text/plain }}
        check:
          status: 200
          json:
            "$.form.title": {{ matches: "^report from vu [0-9]+$" }}
            "$.form.kind": {{ equals: notes }}
            "$.files.attachment": {{ equals: "line one\nline two: \"quoted\" & more\n" }}
            "$.headers.Content-Type": {{ matches: "^multipart/form-data; boundary=loadcell-[0-9a-f]{{32}}$" }}
"#,
            url = httpbin.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let s = run.summary();
    assert_eq!(u64_at(s, "requests.total"), N, "{}", run.output());
    assert_eq!(check_totals(s), (5 * N, 0), "{}", run.output());
}

#[test]
fn a_missing_upload_file_is_refused_at_its_line() {
    let dir = TempDir::new();
    let file = dir.write(
        "missing.yaml",
        "target: http://127.0.0.1:9\njourneys:\n  - name: upload\n    steps:\n      - post: /post\n        multipart:\n          files: { attachment: nowhere.bin }\n",
    );
    let run = run_raw(&["validate".as_ref(), file.as_os_str()]);
    run.assert_exit(2);
    let lines = run.stderr_lines();
    assert_eq!(lines.len(), 1, "{}", run.output());
    assert!(
        lines[0].contains("missing.yaml:7:") && lines[0].contains("nowhere.bin"),
        "{}",
        run.output()
    );
    let run = run_file(&file, &[]);
    run.assert_exit(2);
}
