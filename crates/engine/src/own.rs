//! loadcell's verdict on itself: did it keep its own schedule, whose doing were the dropped
//! arrivals, did it run out of descriptors or ports, did it start every VU, and what became
//! of requests still unanswered at the end — so that loadcell's own limits (its CPU, its
//! event loop, its connection set-up, its machine) are said to be loadcell's and never taken
//! for the target's.
//!
//! Everything here is measured: the schedule lag histogram (`exchange.rs`), the cause of
//! each drop judged from what the busy VUs were doing at that moment (`open.rs`), the
//! service time, loadcell's CPU and its threads' run-queue wait, the error counts.

use crate::holds::{Holds, Spells};
use crate::late::LATE_START;
use crate::plan::Model;
use crate::run::Outcome;
use loadcell_metrics::latency_stats;
use loadcell_schema::{ErrorKind, Schedule};
use std::time::Duration;

/// Schedule lag (p99) above which loadcell says it started iterations late: a start later
/// than [`LATE_START`] (twice what dispatch in batches costs by design).
pub const LATE_P99_MS: f64 = LATE_START.as_millis() as f64;
/// Above this share of its threads' CPU, loadcell names its CPU as the cause.
const BUSY_CPU_PERCENT: f64 = 90.0;
/// When its threads waited for a CPU more than this share of the run, loadcell names the
/// busy machine as the cause.
const BUSY_MACHINE_SHARE: f64 = 0.1;
/// Results written before the late starts were counted (`late.rs`): when the machine held
/// its threads off their CPU (`holds.rs`) more than this share of the run, loadcell names
/// the holds as the cause of late starts: a hold of s makes about s of arrivals late, and a
/// schedule lag p99 over [`LATE_P99_MS`] takes 1% of them.
const HELD_SHARE: f64 = 0.005;

/// The open model's schedule section of the summary (`None` in the closed model).
pub fn schedule_summary(outcome: &Outcome) -> Option<Schedule> {
    if !matches!(outcome.model, Model::Open { .. }) {
        return None;
    }
    let t = &outcome.total;
    Some(Schedule {
        lag_ms: latency_stats(&t.schedule_lag),
        dropped_loadcell: t.dropped_loadcell,
        dropped_connecting: t.dropped_connecting,
        dropped_target: t.dropped_on_target(),
        pre_allocated_vus: outcome.pre_allocated_vus,
        vus_started: outcome.vus_spawned,
        cpu_waits: outcome.holds.waited.count,
        cpu_waited_ms: ms(outcome.holds.waited.total),
        longest_cpu_wait_ms: ms(outcome.holds.waited.longest),
        pauses: outcome.holds.paused.count,
        paused_ms: ms(outcome.holds.paused.total),
        longest_pause_ms: ms(outcome.holds.paused.longest),
        late_starts: t.late_starts,
        late_starts_held: t.late_starts_held,
    })
}

/// Warnings about loadcell's own part in the run, each naming the cause. `cpu_percent` is
/// loadcell's CPU as a share of its threads.
pub fn own_warnings(outcome: &Outcome, cpu_percent: f64) -> Vec<String> {
    let mut out = schedule_warnings(outcome, cpu_percent);
    out.extend(outcome.segment_notes.iter().cloned());
    let t = &outcome.total;
    let all = t.overall();
    let local = all.errors[ErrorKind::LocalLimit.as_index()];
    let fds = outcome.connections.descriptors;
    if local > 0 {
        out.push(format!(
            "{local} requests failed on loadcell's own limit (local_limit: its machine refused a socket or a local port), not the target's: raise `ulimit -n` (limit {}, hard limit {}) or use fewer connections",
            fds.limit, fds.hard
        ));
    }
    if outcome.connections.rationed > 0 {
        out.push(format!(
            "loadcell rationed its connections to {} (file-descriptor limit {}): VUs waited for a free one {} times — raise `ulimit -n` to let it open more",
            outcome.connections.limit, fds.limit, outcome.connections.rationed
        ));
    }
    if matches!(outcome.model, Model::Closed { .. }) && outcome.vus_wanted > outcome.vus_ran {
        out.push(format!(
            "{} of {} VUs never started an iteration: loadcell starts VUs no faster than their connections open, and the run ended first",
            outcome.vus_wanted - outcome.vus_ran,
            outcome.vus_wanted
        ));
    }
    let cut = t.interrupted + outcome.warmup.interrupted;
    if cut > 0 {
        out.push(format!(
            "{cut} requests were still unanswered when the grace period ended: counted as failed (unfinished), and their age at the cut entered the latency percentiles as a lower bound"
        ));
    }
    out
}

/// Warnings about the open model's schedule, each naming who was the cause.
fn schedule_warnings(outcome: &Outcome, cpu_percent: f64) -> Vec<String> {
    let Some(s) = schedule_summary(outcome) else {
        return Vec::new();
    };
    let all = outcome.total.overall();
    let service = latency_stats(&all.service);
    let connect = latency_stats(&outcome.total.connect);
    let wall = (outcome.measured + outcome.warmup_len).as_secs_f64() * outcome.threads as f64;
    let waited = outcome.run_delay.as_secs_f64();
    let (whose, own_cause) = if cpu_percent > BUSY_CPU_PERCENT {
        let cause = format!(
            "loadcell used {cpu_percent:.0}% of its {} thread(s): it is the bottleneck — add --threads or lower the rate",
            outcome.threads
        );
        ("its own doing", cause)
    } else if wall > 0.0 && waited > BUSY_MACHINE_SHARE * wall {
        let cause = format!(
            "the machine was busy: loadcell's threads waited {waited:.2} s for a CPU ({:.0}% of their time)",
            100.0 * waited / wall
        );
        ("its machine's doing", cause)
    } else if holds_made_it_late(outcome.holds.total(), &s, outcome.total.schedule_lag.len(), wall) {
        let cause = held_cause(&outcome.holds, outcome.threads, "") + &held_late_starts(&s);
        ("its machine's doing", cause)
    } else {
        let mut cause = "its event loop or its connection slots were behind".to_string();
        if outcome.holds.total() > Duration::ZERO {
            // Too few to be the cause, but part of the lateness all the same.
            cause.push_str(&format!(
                "; {}{}",
                held_cause(&outcome.holds, outcome.threads, "also "),
                held_late_starts(&s)
            ));
        }
        ("its own doing", cause)
    };
    let mut out = Vec::new();
    let dropped = outcome.total.dropped;
    if s.dropped_loadcell > 0 {
        out.push(format!(
            "{} of {dropped} dropped arrivals are loadcell's doing, not the target's: its thread(s) could not keep up ({own_cause}); service times, read by a busy loadcell, may include its own delay",
            s.dropped_loadcell
        ));
    }
    if s.dropped_connecting > 0 {
        out.push(format!(
            "{} of {dropped} dropped arrivals came while most busy VUs were opening connections (connect p99 {:.2} ms, {} opened)",
            s.dropped_connecting, connect.p99, outcome.total.connections_opened
        ));
    }
    let own_bottleneck =
        (cpu_percent > BUSY_CPU_PERCENT || s.dropped_loadcell > s.dropped_target).then_some(own_cause.as_str());
    out.extend(target_drops_warning(
        &s,
        dropped,
        outcome.vus_limit,
        service.p99,
        own_bottleneck,
    ));
    if s.lag_ms.p99 > LATE_P99_MS {
        out.push(format!(
            "loadcell started iterations late — {whose}, not the target's: schedule lag p99 {:.2} ms, max {:.2} ms ({own_cause}); latency, measured from the scheduled start, includes it (the target's service time p99 was {:.2} ms)",
            s.lag_ms.p99, s.lag_ms.max, service.p99
        ));
    }
    out
}

/// Whether the machine's holds (`held`, over the threads' `wall` seconds) are why the
/// schedule lag p99 went over [`LATE_P99_MS`]: of the `starts`, those that started late
/// while no hold delayed them were at most 1%. Results from before the late starts were
/// counted fall back on the holds' share of the run.
fn holds_made_it_late(held: Duration, s: &Schedule, starts: u64, wall: f64) -> bool {
    if held.is_zero() {
        return false;
    }
    if s.late_starts == 0 {
        return wall > 0.0 && held.as_secs_f64() > HELD_SHARE * wall;
    }
    let not_held = s.late_starts.saturating_sub(s.late_starts_held);
    not_held.saturating_mul(100) <= starts
}

/// How many of the late starts the holds delayed, in words (nothing where not counted).
fn held_late_starts(s: &Schedule) -> String {
    if s.late_starts == 0 {
        return String::new();
    }
    format!(
        "; {} of the {} iterations that started over {} ms late were due during these holds or before the thread(s) had caught up after them",
        s.late_starts_held,
        s.late_starts,
        LATE_START.as_millis()
    )
}

/// Milliseconds, for the summary and the warnings.
fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The machine's holds of loadcell's threads, in words (`also`: "also " where they are not
/// the cause, or nothing).
fn held_cause(h: &Holds, threads: usize, also: &str) -> String {
    let spell = |s: &Spells| {
        let times = if s.count == 1 {
            "once".to_string()
        } else {
            format!("{} times", s.count)
        };
        format!(
            "{times}, {:.1} ms in all (longest {:.1} ms)",
            ms(s.total),
            ms(s.longest)
        )
    };
    let mut kinds = Vec::new();
    if h.waited.count > 0 {
        kinds.push(format!(
            "waited for a CPU {} while another process or a kernel thread ran",
            spell(&h.waited)
        ));
    }
    if h.paused.count > 0 {
        kinds.push(format!(
            "were paused {}, neither running nor waiting for a CPU: the host of a virtual machine took the CPU, or the process was stopped",
            spell(&h.paused)
        ));
    }
    format!(
        "the machine {also}held loadcell's {threads} thread(s) off their CPU when they were due to run: they {}",
        kinds.join("; and they ")
    )
}

/// What the drops that found every VU waiting for a response say about the target. While
/// loadcell itself was the bottleneck (`own_bottleneck`: its CPU, or most drops its own),
/// those VUs may have been waiting for loadcell to read their responses, and the service
/// times it measured include that delay: the target is not blamed on such evidence.
fn target_drops_warning(
    s: &Schedule,
    dropped: u64,
    vus_limit: u64,
    service_p99_ms: f64,
    own_bottleneck: Option<&str>,
) -> Option<String> {
    let on_target = s.dropped_target;
    if on_target == 0 {
        return None;
    }
    Some(match own_bottleneck {
        Some(cause) => format!(
            "{on_target} of {dropped} dropped arrivals found all {vus_limit} VUs waiting for responses (service time p99 {service_p99_ms:.2} ms), but loadcell was the bottleneck ({cause}) and may have been slow to read them: whether the target keeps up cannot be told from this run"
        ),
        None => format!(
            "{on_target} of {dropped} dropped arrivals found all {vus_limit} VUs waiting on the target (service time p99 {service_p99_ms:.2} ms): the target is too slow for this rate with this many VUs; raise --max-vus to measure it at this rate"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_machine_s_holds_are_put_in_words() {
        let ms = Duration::from_millis;
        let h = Holds {
            waited: Spells {
                count: 1,
                total: ms(3),
                longest: ms(3),
            },
            paused: Spells {
                count: 2,
                total: ms(5),
                longest: ms(4),
            },
        };
        let cause = held_cause(&h, 2, "");
        assert!(
            cause.starts_with("the machine held loadcell's 2 thread(s) off their CPU"),
            "{cause}"
        );
        assert!(
            cause.contains("waited for a CPU once, 3.0 ms in all (longest 3.0 ms)"),
            "{cause}"
        );
        assert!(
            cause.contains("were paused 2 times, 5.0 ms in all (longest 4.0 ms)"),
            "{cause}"
        );
        let only_waits = Holds {
            paused: Spells::default(),
            ..h
        };
        let beside = held_cause(&only_waits, 1, "also ");
        assert!(beside.starts_with("the machine also held"), "{beside}");
        assert!(!beside.contains("paused"), "{beside}");
        let counted = Schedule {
            late_starts: 2354,
            late_starts_held: 1882,
            ..Schedule::default()
        };
        assert_eq!(
            held_late_starts(&counted),
            "; 1882 of the 2354 iterations that started over 1 ms late were due during these holds or before the thread(s) had caught up after them"
        );
        assert_eq!(held_late_starts(&Schedule::default()), "", "not counted: nothing said");
    }

    #[test]
    fn the_holds_are_the_cause_when_without_them_under_1_percent_started_late() {
        let held = Duration::from_millis(40);
        let counted = |late_starts, late_starts_held| Schedule {
            late_starts,
            late_starts_held,
            ..Schedule::default()
        };
        // 500,000 starts, 4,000 late: 3,200 while held leaves 800 (0.16%) — the holds'.
        assert!(holds_made_it_late(held, &counted(4000, 3200), 500_000, 10.0));
        // 6,000 late, 500 held: 5,500 (1.1%) would still put the p99 over — loadcell's.
        assert!(!holds_made_it_late(held, &counted(6000, 500), 500_000, 10.0));
        // Exactly 1% left is still under the p99.
        assert!(holds_made_it_late(held, &counted(6000, 1000), 500_000, 10.0));
        // No holds: never the machine's, whatever the counts say.
        assert!(!holds_made_it_late(Duration::ZERO, &counted(4000, 3200), 500_000, 10.0));
        // Results without the counts: the holds' share of the threads' time (0.4% / 0.6%).
        assert!(!holds_made_it_late(held, &counted(0, 0), 500_000, 10.0));
        assert!(holds_made_it_late(
            Duration::from_millis(60),
            &counted(0, 0),
            500_000,
            10.0
        ));
    }

    #[test]
    fn target_drops_blame_the_target_only_when_loadcell_kept_up() {
        let s = Schedule {
            dropped_target: 12,
            dropped_loadcell: 3,
            ..Schedule::default()
        };
        let kept_up = target_drops_warning(&s, 15, 100, 250.0, None).unwrap_or_default();
        assert!(kept_up.contains("the target is too slow"), "{kept_up}");
        let cause = "loadcell used 142% of its 1 thread(s)";
        let swamped = target_drops_warning(&s, 15, 100, 250.0, Some(cause)).unwrap_or_default();
        assert!(!swamped.contains("too slow"), "{swamped}");
        assert!(
            swamped.contains("loadcell was the bottleneck (loadcell used 142%"),
            "{swamped}"
        );
        let none = Schedule::default();
        assert_eq!(target_drops_warning(&none, 0, 100, 1.0, None), None);
    }
}
