//! loadcell's own limits never hang a run and never pass for the target's: a load the
//! descriptor limit cannot hold is refused before any request; the open model rations its
//! connections to the limit and says so; absurd rates are refused, and high ones account
//! for every arrival and end on time; a signal ends any run within about a second with its
//! summary; VUs that never started are reported; and a hung request is a failed request,
//! so a run where most requests hung cannot pass its thresholds.

use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::support::{
    Blackhole, Finished, Loadcell, RawServer, Running, TempDir, assert_every_arrival_accounted, at, f64_at,
    fast_target, read_summary, run, run_raw, str_at, u64_at, url_of, wait, within,
};

/// Spawns `loadcell ARGS` with its descriptor limit (soft and hard) set to `nofile`.
fn spawn_with_nofile(args: &[&str], nofile: u64) -> Running {
    spawn_with_limits(args, nofile, nofile)
}

/// Spawns `loadcell ARGS` with its soft descriptor limit `soft` and its hard limit `hard`.
fn spawn_with_limits(args: &[&str], soft: u64, hard: u64) -> Running {
    Loadcell::new(args).nofile(soft, hard).spawn()
}

/// Lets the run go on for 1.5 s, sends SIGTERM, and checks that the run ends within about
/// a second (4 s on a loaded machine) by its own clock — the summary's `ended_at`, its
/// workers joined — exit 0, with a summary saying it was interrupted. The process as a
/// whole is held to 30 s (a hang): at load 8 in the full suite, exits took seconds more.
fn sigterm_after_a_while(running: Running, json: &std::path::Path) -> (Finished, serde_json::Value) {
    std::thread::sleep(Duration::from_millis(1500));
    // SAFETY: plain kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(running.pid(), libc::SIGTERM) }, 0);
    let signalled = Instant::now();
    let signalled_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64().rem_euclid(86_400.0));
    let run = wait(running);
    let stop_time = signalled.elapsed();
    // An interrupted run is an incomplete test: exit 1 (#10).
    run.assert_exit(1);
    let s = read_summary(json).unwrap_or_else(|| panic!("no summary JSON\n{}", run.output()));
    let ended = (seconds_of_day(str_at(&s, "ended_at")) - signalled_at).rem_euclid(86_400.0);
    println!("SIGTERM: the run ended {ended:.2} s after it, the process {stop_time:?}");
    assert!(ended < 4.0, "the run ended {ended} s after SIGTERM\n{}", run.output());
    assert!(
        stop_time < Duration::from_secs(30),
        "took {stop_time:?} after SIGTERM\n{}",
        run.output()
    );
    assert_eq!(str_at(&s, "stop_reason"), "interrupted");
    (run, s)
}

#[test]
fn a_closed_model_the_descriptor_limit_cannot_hold_is_refused() {
    let server = fast_target();
    let url = url_of(&server);
    let running = spawn_with_nofile(&["run", &url, "-c", "1100", "-d", "5s", "--timeout", "1s"], 1024);
    let run = wait(running);
    run.assert_exit(2);
    assert!(run.elapsed < Duration::from_secs(10), "{}", run.output());
    assert!(run.stderr.contains("ulimit -n"), "{}", run.output());
    assert_eq!(run.stderr.trim().lines().count(), 1, "one line\n{}", run.output());
    assert_eq!(server.stats().requests_total, 0, "nothing may be sent");
}

/// With next to no descriptors, loadcell either refuses the run in one line (exit 2,
/// nothing sent) or generates the whole load: a worker thread that could not build its
/// event loop used to drop its share silently (a limit of 12 halved a two-thread rate).
#[test]
fn too_few_descriptors_refuse_the_run_or_leave_the_load_whole() {
    let server = fast_target();
    let url = url_of(&server);
    let mut refused = 0;
    for limit in [12, 16, 20, 24, 28, 32, 40, 48] {
        let dir = TempDir::new();
        let json = dir.path().join("summary.json");
        let json_arg = json.to_string_lossy().into_owned();
        let args = [
            "run",
            &url,
            "-r",
            "300",
            "-d",
            "1s",
            "--threads",
            "2",
            "--grace",
            "1s",
            "-q",
            "--no-out",
            "--summary-json",
            &json_arg,
        ];
        let before = server.stats().requests_total;
        let run = wait(spawn_with_nofile(&args, limit));
        run.assert_no_panic();
        if run.code == Some(2) {
            refused += 1;
            assert!(run.stderr.contains("ulimit -n"), "limit {limit}\n{}", run.output());
            assert_eq!(run.stderr.trim().lines().count(), 1, "limit {limit}\n{}", run.output());
            assert_eq!(
                server.stats().requests_total,
                before,
                "limit {limit}: nothing may be sent"
            );
            continue;
        }
        run.assert_exit(0);
        let s = read_summary(&json).unwrap_or_else(|| panic!("limit {limit}: no summary\n{}", run.output()));
        let scheduled = u64_at(&s, "iterations.scheduled");
        assert!(
            within(scheduled as f64, 300.0, 0.02),
            "limit {limit}: {scheduled} of 300 arrivals scheduled\n{}",
            run.output()
        );
        assert_every_arrival_accounted(&s, &run);
    }
    assert!(refused >= 1, "even a limit of 12 was not refused");
}

/// The soft limit is raised to the hard one at the start (as oha does), so a load the soft
/// limit alone could not hold runs.
#[test]
fn the_soft_descriptor_limit_is_raised_to_the_hard_one() {
    let server = fast_target();
    let url = url_of(&server);
    let running = spawn_with_limits(&["run", &url, "-c", "300", "-n", "600", "-q", "--no-out"], 256, 1024);
    let run = wait(running);
    run.assert_exit(0);
    assert_eq!(server.stats().requests_total, 600, "{}", run.output());
}

/// The open model against a server that never answers, with room for few connections:
/// it rations them (and says so), and SIGTERM still ends it within about a second with a
/// summary whose counts add up.
#[test]
fn rationed_connections_and_a_signal_end_a_run_against_a_silent_server() {
    let server = RawServer::silent();
    let dir = TempDir::new();
    let json = dir.path().join("summary.json");
    let json_arg = json.to_string_lossy().into_owned();
    let url = server.url();
    let args = ["run", &url, "-r", "300", "-d", "30s", "-q", "--summary-json", &json_arg];
    let (run, s) = sigterm_after_a_while(spawn_with_nofile(&args, 128), &json);
    let opened = u64_at(&s, "connections_opened");
    assert!(
        (1..128).contains(&opened),
        "{opened} connections under a limit of 128\n{}",
        run.output()
    );
    let warnings = at(&s, "generator.warnings").to_string();
    assert!(warnings.contains("rationed its connections"), "{warnings}");
    // Every request that went out hung: each is a failed request, none vanished.
    let unfinished = u64_at(&s, "errors.unfinished");
    assert_eq!(u64_at(&s, "requests.total"), unfinished, "{}", run.output());
    // Each opened connection carries one hung request; iterations still queued for a
    // rationed connection never left loadcell and are not requests (only a connect under
    // way at the cut may add one).
    assert!(
        (opened..=opened + 16).contains(&unfinished),
        "{unfinished} unfinished requests on {opened} connections\n{}",
        run.output()
    );
    assert_every_arrival_accounted(&s, &run);
}

#[test]
fn an_absurd_rate_is_refused_in_one_line() {
    let run = run_raw(&["run", "http://127.0.0.1:9/", "-r", "1000000000000", "-d", "2s"]);
    run.assert_exit(2);
    assert!(
        run.stderr.contains("more than one loadcell process can schedule"),
        "{}",
        run.output()
    );
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.output());
}

/// Far beyond what a thread can send, yet within what loadcell schedules: it ends on time
/// and every arrival is scheduled and accounted for.
#[test]
fn a_very_high_rate_ends_on_time_and_accounts_for_every_arrival() {
    let server = fast_target();
    let run = run(&url_of(&server), &["-r", "5M", "-d", "2s", "--grace", "1s"]);
    run.assert_exit(0);
    let s = run.summary();
    // On time: 2 s, the 1 s grace, and slack for a starved machine, from the engine's own
    // start to its end (its worker threads joined). The process around it (spawned and
    // reaped by a test binary that also runs the target and other tests) is only held to
    // the hang guard: in the full suite at load 8 it once took 20 s in all.
    let span = run_span_s(s);
    println!(
        "very high rate: the run spanned {span:.2} s, the process {:?}",
        run.elapsed
    );
    assert!(span < 8.0, "the run spanned {span} s\n{}", run.output());
    assert!(
        run.elapsed < Duration::from_secs(40),
        "took {:?}\n{}",
        run.elapsed,
        run.output()
    );
    let scheduled = u64_at(s, "iterations.scheduled");
    assert!(within(scheduled as f64, 10_000_000.0, 0.001), "scheduled {scheduled}");
    let accounted = u64_at(s, "iterations.total") + u64_at(s, "iterations.dropped") + u64_at(s, "iterations.cut");
    assert_eq!(scheduled, accounted, "an arrival vanished\n{}", run.output());
    // Every request that got its answer reached the server, and the server got no request
    // loadcell did not count. One cut unanswered (a starved machine can leave some) may
    // not have been read by the server before loadcell closed its connection.
    let (total, cut) = (u64_at(s, "requests.total"), u64_at(s, "requests.interrupted"));
    let served = server.stats().requests_total;
    assert!(
        (total - cut..=total).contains(&served),
        "served {served}, loadcell counted {total} ({cut} cut)\n{}",
        run.output()
    );
}

/// Seconds from `started_at` to `ended_at` of a summary.
fn run_span_s(s: &serde_json::Value) -> f64 {
    (seconds_of_day(str_at(s, "ended_at")) - seconds_of_day(str_at(s, "started_at"))).rem_euclid(86_400.0)
}

/// The time of day, in seconds, of an RFC 3339 UTC time as loadcell writes it
/// (`…THH:MM:SS.mmmZ`).
fn seconds_of_day(t: &str) -> f64 {
    let part = |range: std::ops::Range<usize>| t.get(range).and_then(|v| v.parse::<f64>().ok());
    match (part(11..13), part(14..16), part(17..23)) {
        (Some(h), Some(m), Some(sec)) => h * 3600.0 + m * 60.0 + sec,
        _ => panic!("not RFC 3339: {t}"),
    }
}

/// A server that answers one request in ten and holds the others forever.
struct HangingServer {
    url: String,
    requests: Arc<AtomicU64>,
}

impl HangingServer {
    fn start() -> HangingServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/", listener.local_addr().expect("addr"));
        let requests = Arc::new(AtomicU64::new(0));
        let counter = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let counter = counter.clone();
                std::thread::spawn(move || serve_or_hang(stream, &counter));
            }
        });
        HangingServer { url, requests }
    }
}

fn serve_or_hang(mut stream: std::net::TcpStream, requests: &AtomicU64) {
    let mut buf = [0u8; 4096];
    let mut head = Vec::new();
    loop {
        let Ok(n) = stream.read(&mut buf) else { return };
        if n == 0 {
            return;
        }
        head.extend_from_slice(&buf[..n]);
        while let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            head.drain(..end + 4);
            if !requests.fetch_add(1, Ordering::SeqCst).is_multiple_of(10) {
                // Hold this connection (and its request) until loadcell closes it.
                let _ = stream.read(&mut buf);
                return;
            }
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
        }
    }
}

#[test]
fn a_run_where_most_requests_hung_cannot_pass() {
    let server = HangingServer::start();
    let run = run(
        &server.url,
        &[
            "-r",
            "200",
            "-d",
            "5s",
            "--threshold",
            "error_rate<1%",
            "--threshold",
            "p95<200ms",
        ],
    );
    run.assert_exit(1);
    let s = run.summary();
    let total = u64_at(s, "requests.total");
    let unfinished = u64_at(s, "errors.unfinished");
    println!("hung: {total} requests, {unfinished} unfinished");
    assert_eq!(total, server.requests.load(Ordering::SeqCst), "{}", run.output());
    assert!(
        unfinished * 10 >= total * 8,
        "{unfinished} of {total} unfinished\n{}",
        run.output()
    );
    assert_eq!(u64_at(s, "requests.failed"), unfinished);
    // Their age at the cut (at least the 5 s grace) is in the latency: a lower bound.
    assert!(f64_at(s, "latency_ms.p95") >= 5000.0, "{}", run.output());
    let thresholds = at(s, "thresholds").as_array().expect("thresholds");
    assert!(thresholds.iter().all(|t| t["passed"] == false), "{thresholds:?}");
    assert!(run.stdout.contains("lower bound"), "{}", run.output());
}

#[test]
fn failed_requests_still_count_their_bytes() {
    let server = RawServer::silent();
    let run = run(&server.url(), &["-c", "1", "-n", "2", "--timeout", "200ms"]);
    run.assert_exit(0);
    let s = run.summary();
    assert_eq!(u64_at(s, "errors.request_timeout"), 2, "{}", run.output());
    assert!(u64_at(s, "data.sent_bytes") >= 2 * 30, "{}", run.output());
    // And what a failed request received: a malformed response still came over the wire.
    let server = RawServer::garbage();
    let garbage = crate::support::run(&server.url(), &["-c", "1", "-n", "2"]);
    garbage.assert_exit(0);
    let s = garbage.summary();
    assert_eq!(u64_at(s, "errors.malformed_response"), 2, "{}", garbage.output());
    assert!(u64_at(s, "data.sent_bytes") >= 2 * 30, "{}", garbage.output());
    assert!(u64_at(s, "data.received_bytes") >= 2 * 8, "{}", garbage.output());
}

/// VUs are started no faster than their connections open: against a listener that never
/// accepts (its queue full, connects hang), most of 3,000 VUs never start, and the summary
/// says how many. A connect still hanging at the cut is a hung request.
#[test]
fn vus_that_never_started_are_reported() {
    let listener = Blackhole::listen();
    let url = listener.url();
    let run = run(
        &url,
        &[
            "-c",
            "3000",
            "-d",
            "1s",
            "--grace",
            "500ms",
            "--connect-timeout",
            "30s",
            "--threads",
            "1",
        ],
    );
    run.assert_exit(0);
    assert!(run.elapsed < Duration::from_secs(10), "{}", run.output());
    let s = run.summary();
    let never = u64_at(s, "vus.never_started");
    assert!(
        (1..=3000 - 1024).contains(&never),
        "never started: {never}\n{}",
        run.output()
    );
    let warnings = at(s, "generator.warnings").to_string();
    assert!(warnings.contains("never started"), "{warnings}");
    assert!(f64_at(s, "generator.max_rss_mib") < 200.0, "{}", run.output());
    // Every VU that started hung on its first request, most of them in a connect the
    // target never completed: each is a failed request, none vanished.
    let unfinished = u64_at(s, "errors.unfinished");
    assert_eq!(unfinished, 3000 - never, "{}", run.output());
    assert_eq!(u64_at(s, "requests.total"), unfinished, "{}", run.output());
}

/// The peak RSS loadcell reports is its own. A process forked from a large parent (a test
/// harness, a CI runner) starts with the parent's pages counted, and `ru_maxrss` keeps that
/// peak across `execve`: read from there, a 30 MiB run reported 215 MiB in CI.
#[test]
fn peak_rss_is_loadcells_own_not_its_parents() {
    // Touched pages, so that they are resident in this process when it forks.
    let ballast = vec![1u8; 400 << 20];
    let server = fast_target();
    // A pre-exec hook (here the descriptor limit) makes std fork instead of vfork, so the
    // child starts with this process's resident pages.
    let run =
        loadcell_testkit::process::run_summary(url_of(&server).as_ref(), &["-n", "200", "-c", "2", "--no-out"], |c| {
            c.nofile(4096, 4096)
        });
    std::hint::black_box(&ballast);
    run.assert_exit(0);
    let rss = f64_at(run.summary(), "generator.max_rss_mib");
    assert!(rss > 0.0 && rss < 200.0, "max RSS {rss} MiB\n{}", run.output());
}

/// Whatever the load: SIGTERM during a rate the scheduler can only drop still ends the run
/// within about a second, with its summary.
#[test]
fn sigterm_ends_an_overloaded_run_at_once() {
    let server = fast_target();
    let dir = TempDir::new();
    let json = dir.path().join("summary.json");
    let json_arg = json.to_string_lossy().into_owned();
    let url = url_of(&server);
    let running = crate::support::spawn(&["run", &url, "-r", "5M", "-d", "60s", "-q", "--summary-json", &json_arg]);
    let (_, s) = sigterm_after_a_while(running, &json);
    assert!(u64_at(&s, "iterations.dropped") > 0);
}
