//! A run where most requests hung must not pass: hung requests are failures.

use std::time::Duration;

use crate::harness::run;
use crate::server::{Fault, FaultServer};

const THRESHOLDS: [&str; 4] = ["--threshold", "error_rate<1%", "--threshold", "p95<200ms"];

#[test]
fn requests_that_hang_until_their_timeout_fail_the_run() {
    let server = FaultServer::start(Fault::AnswersOneInTen);
    let mut args = vec!["-r", "40", "-d", "2s", "--timeout", "300ms", "--grace", "1s"];
    args.extend(THRESHOLDS);
    let run = run(&server.url(), &args);
    run.assert_sane(1, Duration::from_secs(3));
    let failed = run.count(&["requests", "failed"]);
    let total = run.count(&["requests", "total"]);
    assert!(
        failed * 10 >= total * 7,
        "most requests hung: {failed} of {total}\n{}",
        run.output()
    );
    assert_eq!(run.count(&["requests", "ok"]), server.answered(), "{}", run.output());
}

#[test]
fn requests_still_hanging_at_the_end_fail_the_run() {
    let server = FaultServer::start(Fault::AnswersOneInTen);
    let mut args = vec!["-r", "40", "-d", "2s", "--timeout", "60s", "--grace", "1s"];
    args.extend(THRESHOLDS);
    let run = run(&server.url(), &args);
    run.assert_sane(1, Duration::from_secs(3));
    let s = run.summary();
    let thresholds = s["thresholds"].as_array().cloned().unwrap_or_default();
    assert!(
        thresholds.iter().all(|t| t["passed"] == false),
        "both thresholds fail when 9 in 10 requests hang\n{}",
        run.output()
    );
    let failed = run.count(&["requests", "failed"]);
    let total = run.count(&["requests", "total"]);
    assert!(
        failed * 10 >= total * 7,
        "hung requests are failed requests: {failed} of {total}\n{}",
        run.output()
    );
    assert_eq!(run.count(&["requests", "ok"]), server.answered(), "{}", run.output());
}
