//! k6's common flags on `loadcell run`: `-u/--vus`, `-i/--iterations`, `-s/--stage`,
//! `--summary-export` (k6's export shape, counts checked against the target's own count),
//! `--no-thresholds`, and k6's `--out json=FILE` refused with a hint instead of becoming a
//! folder.

use crate::support::{Finished, Loadcell, TempDir, f64_at, fast_target, run, str_at, u64_at, url_of};
use loadcell_target::TargetHandle;
use serde_json::Value;

/// `loadcell run` against a fresh target with `args` and `--summary-export`: the target,
/// the run and the exported document (`Null` when none was written).
fn exported(args: &[&str]) -> (TargetHandle, Finished, Value) {
    let server = fast_target();
    let dir = TempDir::new();
    let export = dir.path().join("k6.json");
    let export_arg = export.to_string_lossy().to_string();
    let mut all = args.to_vec();
    all.extend(["--summary-export", &export_arg]);
    let run = run(&url_of(&server), &all);
    let text = std::fs::read_to_string(&export).unwrap_or_default();
    let doc = serde_json::from_str(&text).unwrap_or(Value::Null);
    (server, run, doc)
}

#[test]
fn vus_iterations_summary_export_and_no_thresholds() {
    let (server, run, doc) = exported(&[
        "-u",
        "2",
        "-i",
        "200",
        "--threshold",
        "http_req_duration: p(95)<0.001",
        "--no-thresholds",
    ]);
    run.assert_exit(0);
    let served = server.stats().requests_total;
    assert_eq!(u64_at(run.summary(), "requests.total"), served, "{}", run.output());
    assert_eq!(served, 200, "-i 200 in quick mode is 200 requests");
    let text = doc.to_string();
    assert_eq!(doc["metrics"]["http_reqs"]["count"], served, "{text}");
    assert_eq!(doc["metrics"]["http_req_failed"]["value"], 0.0, "{text}");
    let p95 = doc["metrics"]["http_req_duration"]["p(95)"].as_f64().unwrap_or(-1.0);
    assert!(p95 > 0.0, "{text}");
    // k6's default sub-metric: every request succeeded, so the same latencies.
    assert_eq!(
        doc["metrics"]["http_req_duration{expected_response:true}"], doc["metrics"]["http_req_duration"],
        "{text}"
    );
    assert_eq!(doc["root_group"]["path"], "", "{text}");
    assert!(
        doc["metrics"]["http_req_duration"].get("thresholds").is_none(),
        "--no-thresholds: {text}"
    );
}

#[test]
fn summary_export_files_thresholds_as_k6_does() {
    let (_server, run, doc) = exported(&[
        "--vus",
        "1",
        "--iterations",
        "20",
        "--threshold",
        "http_req_duration: p(95)<0.001",
        "--threshold",
        "error_rate<1%",
    ]);
    run.assert_exit(1);
    let text = doc.to_string();
    // k6 writes `true` for a threshold that failed.
    assert_eq!(
        doc["metrics"]["http_req_duration"]["thresholds"]["p(95)<0.001"], true,
        "{text}"
    );
    assert_eq!(
        doc["metrics"]["http_req_failed"]["thresholds"]["rate<0.01"], false,
        "{text}"
    );
}

#[test]
fn repeated_stages_in_k6s_form() {
    let server = fast_target();
    let run = run(&url_of(&server), &["-s", "1s:2", "-s", "1s:1"]);
    run.assert_exit(0);
    assert_eq!(u64_at(run.summary(), "requests.total"), server.stats().requests_total);
    let stages = run.summary()["stages"].as_array().map_or(0, Vec::len);
    assert_eq!(stages, 2, "{}", run.output());
}

#[test]
fn k6_outputs_are_refused_with_a_hint_not_made_a_folder() {
    let dir = TempDir::new();
    for out in [
        "json=results.json",
        "csv=results.csv",
        "influxdb=http://127.0.0.1:8086/k6",
    ] {
        let run = Loadcell::new(&["run", "http://127.0.0.1:9/", "-n", "1", "--out", out])
            .current_dir(dir.path())
            .run();
        run.assert_exit(2);
        let lines = run.stderr_lines();
        assert_eq!(lines.len(), 1, "{}", run.output());
        assert!(lines[0].contains("k6's") && lines[0].contains("--"), "{}", run.output());
    }
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .map(|d| d.flatten().collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "nothing created: {left:?}");
}

#[test]
fn per_request_phases_are_zero_on_a_reused_connection() {
    let server = fast_target();
    let run = run(
        &url_of(&server),
        &["-u", "2", "-i", "100", "--threshold", "http_req_connecting: med==0"],
    );
    run.assert_exit(0);
    let s = run.summary();
    let total = u64_at(s, "requests.total");
    assert_eq!(total, server.stats().requests_total);
    // One value per request (k6's definition), not one per connection.
    for phase in [
        "blocked_ms",
        "connecting_ms",
        "tls_handshaking_ms",
        "sending_ms",
        "receiving_ms",
    ] {
        assert_eq!(u64_at(s, &format!("{phase}.count")), total, "{phase}\n{}", run.output());
    }
    assert_eq!(f64_at(s, "tls_handshaking_ms.max"), 0.0, "plain HTTP has no handshake");
    assert!(u64_at(s, "connections_opened") < total, "{}", run.output());
}

#[test]
fn a_scenario_thresholds_own_abort_on_fail_ends_the_run() {
    let server = fast_target();
    let dir = TempDir::new();
    let file = dir.path().join("abort.yaml");
    let yaml = format!(
        "target: {}\nload: {{ vus: 1, duration: 10s }}\njourneys:\n  - name: j\n    steps:\n      - get: /\nthresholds:\n  http_req_duration:\n    - {{ threshold: \"p(95)<0.001\", abortOnFail: true, delayAbortEval: 1s }}\n  http_req_failed: []\n",
        url_of(&server).trim_end_matches('/')
    );
    std::fs::write(&file, yaml).unwrap_or_else(|e| panic!("{e}"));
    let run = loadcell_testkit::process::run_file(&file, &["--no-out"]);
    run.assert_exit(1);
    let s = run.summary();
    assert_eq!(str_at(s, "stop_reason"), "threshold_aborted", "{}", run.output());
    let measured = f64_at(s, "duration_s");
    assert!(
        (1.0..6.0).contains(&measured),
        "judged after its 1 s delay, well before 10 s: {measured}"
    );
    assert!(
        run.stdout.contains("aborted by a failing threshold"),
        "{}",
        run.output()
    );
    assert_eq!(u64_at(s, "requests.total"), server.stats().requests_total);
}

/// The line a run (and `loadcell report` of its folder) prints for the threshold that ended it.
fn aborted_line(run: &Finished) -> Option<&str> {
    run.stdout
        .lines()
        .find(|l| l.trim_start().starts_with("aborted by a failing threshold"))
}

#[test]
fn a_threshold_abort_survives_loadcell_report() {
    // Two scenarios: the live check judges `vus_max` with every scenario's VUs added up
    // (20 + 1); the headline model (the closed scenario's one VU) would hold `value<10`.
    let server = fast_target();
    let dir = TempDir::new();
    let file = dir.path().join("abort.yaml");
    let out = dir.path().join("results");
    let yaml = format!(
        "target: {}
scenarios:
  browsers: {{ executor: constant-arrival-rate, rate: 20/s, duration: 10s, pre_allocated_vus: 2, max_vus: 20, journeys: [browse] }}
  buyers: {{ executor: constant-vus, vus: 1, duration: 10s, journeys: [buy] }}
journeys:
  - {{ name: browse, steps: [{{ get: / }}] }}
  - {{ name: buy, steps: [{{ get: / }}] }}
thresholds:
  vus_max:
    - {{ threshold: \"value<10\", abortOnFail: true, delayAbortEval: 1s }}
  http_req_failed: [\"rate<0.5\"]
",
        url_of(&server).trim_end_matches('/')
    );
    std::fs::write(&file, yaml).unwrap_or_else(|e| panic!("{e}"));
    let run = loadcell_testkit::process::run_file(&file, &["--out", &out.to_string_lossy()]);
    run.assert_exit(1);
    let s = run.summary();
    assert_eq!(str_at(s, "stop_reason"), "threshold_aborted", "{}", run.output());
    assert!(f64_at(s, "duration_s") < 8.0, "ended early\n{}", run.output());
    assert_eq!(u64_at(s, "requests.total"), server.stats().requests_total);
    let line = aborted_line(&run).unwrap_or_else(|| panic!("no abort line\n{}", run.output()));
    assert!(line.contains("vus_max: value<10 (actual 21"), "{line}");

    let rebuilt = crate::support::process::run_raw(&["report".as_ref(), out.as_os_str()]);
    rebuilt.assert_no_panic();
    rebuilt.assert_exit(1);
    assert_eq!(aborted_line(&rebuilt), Some(line), "{}", rebuilt.output());
    let text = std::fs::read_to_string(out.join("summary.json")).unwrap_or_default();
    let again: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    assert_eq!(again["stop_reason"], s["stop_reason"]);
    assert_eq!(
        again["thresholds"], s["thresholds"],
        "the same verdicts, threshold by threshold"
    );
    assert_eq!(again["requests"]["total"], s["requests"]["total"]);
}

/// An HTTP/1.1 server on 127.0.0.1 that reads each request's body only after `pause`, then
/// answers `200 ok`; it serves `requests` requests (keep-alive) and ends. Returns its URL and
/// a handle whose result is how many it served.
fn slow_reader(pause: std::time::Duration, requests: u64) -> (String, std::thread::JoinHandle<u64>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    // A fixed, small receive buffer, inherited by the accepted connections: loopback's
    // autotuning would otherwise grow it (up to tcp_rmem's 32 MiB here) once the first body
    // was read, and the next uploads would fit in the kernel without waiting for the server.
    let rcvbuf: libc::c_int = 64 * 1024;
    // SAFETY: a valid descriptor, a pointer to a live c_int and its size.
    let set = unsafe {
        libc::setsockopt(
            std::os::fd::AsRawFd::as_raw_fd(&listener),
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&raw const rcvbuf).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(set, 0, "SO_RCVBUF");
    let url = format!(
        "http://{}/upload",
        listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    let handle = std::thread::spawn(move || {
        let mut served = 0;
        while served < requests {
            let Ok((stream, _)) = listener.accept() else { break };
            let mut reader = BufReader::new(stream);
            'conn: while served < requests {
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    match reader.read_line(&mut line) {
                        Ok(0) | Err(_) => break 'conn,
                        Ok(_) if line == "\r\n" => break,
                        Ok(_) => {
                            if let Some((k, v)) = line.split_once(':')
                                && k.eq_ignore_ascii_case("content-length")
                            {
                                length = v.trim().parse().unwrap_or(0);
                            }
                        }
                    }
                }
                std::thread::sleep(pause);
                let mut body = vec![0u8; length];
                if reader.read_exact(&mut body).is_err() {
                    break;
                }
                served += 1;
                if reader
                    .get_mut()
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                    .is_err()
                {
                    break;
                }
            }
        }
        served
    });
    (url, handle)
}

#[test]
fn http_req_sending_is_the_upload_and_the_phases_add_up() {
    // 16 MiB cannot sit in the socket buffers (the server's 64 KiB, loadcell's send buffer
    // of at most tcp_wmem's 4 MiB): the write ends only once the server, which waits 300 ms
    // before reading each body, has read most of it.
    let (url, server) = slow_reader(std::time::Duration::from_millis(300), 3);
    let dir = TempDir::new();
    let body = dir.path().join("upload.bin");
    std::fs::write(&body, vec![b'x'; 16 << 20]).unwrap_or_else(|e| panic!("{e}"));
    let body_arg = body.to_string_lossy().to_string();
    let run = run(
        &url,
        &[
            "-m",
            "POST",
            "--body-file",
            &body_arg,
            "-c",
            "1",
            "-n",
            "3",
            "--threshold",
            "http_req_sending: p(95)>250",
        ],
    );
    run.assert_exit(0);
    let served = server.join().unwrap_or(0);
    let s = run.summary();
    assert_eq!(u64_at(s, "requests.total"), served, "{}", run.output());
    assert_eq!(u64_at(s, "requests.ok"), 3, "{}", run.output());
    assert_eq!(u64_at(s, "sending_ms.count"), 3, "{}", run.output());
    assert!(f64_at(s, "sending_ms.min") >= 250.0, "{}", run.output());
    // k6's phases: sending + waiting + receiving is the request's duration (closed model),
    // within the histograms' 3 significant digits.
    let mean = |k: &str| f64_at(s, &format!("{k}.mean"));
    let phases = mean("sending_ms") + mean("ttfb_ms") + mean("receiving_ms");
    let duration = mean("latency_ms");
    assert!(
        (phases - duration).abs() <= duration * 0.005 + 0.05,
        "sending + waiting + receiving = {phases} ms, duration {duration} ms\n{}",
        run.output()
    );
}
