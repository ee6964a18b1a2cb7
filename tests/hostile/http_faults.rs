//! Faults in what the target sends back over HTTP/1.x.

use std::time::Duration;

use crate::harness::run;
use crate::server::{Fault, FaultServer, HTTP10_BODY_BYTES, HTTP10_HEAD, HUGE_BODY_BYTES, HUGE_BODY_HEAD};

/// Every request failed: the error-rate threshold must fail the run (exit 1).
const FAILING: &str = "error_rate<1%";

#[test]
fn a_server_that_never_answers_times_out_every_request() {
    let server = FaultServer::start(Fault::Silent);
    let run = run(
        &server.url(),
        &[
            "-c",
            "2",
            "-d",
            "1s",
            "--timeout",
            "300ms",
            "--grace",
            "1s",
            "--threshold",
            FAILING,
        ],
    );
    run.assert_sane(1, Duration::from_secs(2));
    let total = run.assert_all_failed_as("request_timeout");
    assert_eq!(
        total,
        server.requests(),
        "each timed-out request reached the server\n{}",
        run.output()
    );
    assert!(run.messages("request_timeout")[0].contains("no complete response within 300ms"));
}

#[test]
fn resets_are_counted_as_reset() {
    let server = FaultServer::start(Fault::Reset);
    let run = run(&server.url(), &["-c", "2", "-n", "20", "--threshold", FAILING]);
    run.assert_sane(1, Duration::from_secs(3));
    assert_eq!(run.assert_all_failed_as("reset"), 20);
    assert_eq!(server.requests(), 20);
    assert_eq!(server.connections(), 20, "a reset connection is not reused");
}

#[test]
fn garbage_is_a_malformed_response() {
    let server = FaultServer::start(Fault::Garbage);
    let run = run(&server.url(), &["-c", "2", "-n", "20", "--threshold", FAILING]);
    run.assert_sane(1, Duration::from_secs(3));
    assert_eq!(run.assert_all_failed_as("malformed_response"), 20);
    assert_eq!(server.requests(), 20);
}

#[test]
fn a_gigabyte_body_trickled_times_out_in_bounded_memory() {
    let server = FaultServer::start(Fault::TrickleGigabyte);
    let run = run(
        &server.url(),
        &[
            "-c",
            "2",
            "-d",
            "2s",
            "--timeout",
            "700ms",
            "--grace",
            "1s",
            "--threshold",
            FAILING,
        ],
    );
    run.assert_sane(1, Duration::from_secs(3));
    let total = run.assert_all_failed_as("request_timeout");
    assert_eq!(total, server.requests(), "{}", run.output());
}

#[test]
fn a_200_mb_body_is_read_whole_without_being_kept() {
    let server = FaultServer::start(Fault::HugeBody);
    let run = run(&server.url(), &["-c", "1", "-n", "2", "--timeout", "30s"]);
    run.assert_sane(0, Duration::from_secs(30));
    assert_eq!(run.count(&["requests", "ok"]), 2, "{}", run.output());
    assert_eq!(server.answered(), 2);
    assert_eq!(
        run.count(&["data", "received_bytes"]),
        2 * (HUGE_BODY_HEAD.len() as u64 + HUGE_BODY_BYTES),
        "every byte of both bodies counted\n{}",
        run.output()
    );
}

#[test]
fn malformed_chunks_are_a_malformed_response() {
    let server = FaultServer::start(Fault::MalformedChunks);
    let run = run(&server.url(), &["-c", "2", "-n", "10", "--threshold", FAILING]);
    run.assert_sane(1, Duration::from_secs(3));
    assert_eq!(run.assert_all_failed_as("malformed_response"), 10);
    assert_eq!(run.messages("malformed_response"), ["invalid chunked encoding"]);
}

#[test]
fn http10_bodies_end_when_the_server_closes() {
    let server = FaultServer::start(Fault::Http10CloseDelimited);
    let run = run(&server.url(), &["-c", "2", "-n", "20", "--threshold", FAILING]);
    // Every response is a complete 200: the error-rate threshold holds.
    run.assert_sane(0, Duration::from_secs(3));
    assert_eq!(run.count(&["requests", "ok"]), 20, "{}", run.output());
    assert!(run.errors().is_empty(), "{}", run.output());
    assert_eq!(server.answered(), 20);
    assert_eq!(
        run.count(&["connections_opened"]),
        20,
        "a close-delimited body ends its connection"
    );
    assert_eq!(server.connections(), 20);
    assert_eq!(
        run.count(&["data", "received_bytes"]),
        20 * (HTTP10_HEAD.len() + HTTP10_BODY_BYTES) as u64,
        "{}",
        run.output()
    );
}

#[test]
fn a_1_2_mb_header_is_refused_in_bounded_memory() {
    let server = FaultServer::start(Fault::HugeHeader);
    let run = run(&server.url(), &["-c", "2", "-n", "6", "--threshold", FAILING]);
    run.assert_sane(1, Duration::from_secs(5));
    assert_eq!(run.assert_all_failed_as("malformed_response"), 6);
    assert_eq!(run.messages("malformed_response"), ["response head larger than 64 KiB"]);
}

#[test]
fn ten_thousand_headers_are_refused() {
    let server = FaultServer::start(Fault::TenThousandHeaders);
    let run = run(&server.url(), &["-c", "2", "-n", "6", "--threshold", FAILING]);
    run.assert_sane(1, Duration::from_secs(5));
    assert_eq!(run.assert_all_failed_as("malformed_response"), 6);
    let messages = run.messages("malformed_response");
    assert!(
        messages.iter().any(|m| m == "more than 64 response headers"),
        "{}",
        run.output()
    );
}

#[test]
fn bad_status_lines_are_malformed_responses() {
    let server = FaultServer::start(Fault::BadStatusLine);
    let run = run(&server.url(), &["-c", "1", "-n", "8", "--threshold", FAILING]);
    run.assert_sane(1, Duration::from_secs(3));
    assert_eq!(run.assert_all_failed_as("malformed_response"), 8);
    assert_eq!(server.connections(), 8);
    // `HTTP/1.1 020` (found by fuzzing) is refused, not counted as a success.
    assert!(
        run.messages("malformed_response")
            .iter()
            .any(|m| m == "status code below 100"),
        "{}",
        run.output()
    );
}
