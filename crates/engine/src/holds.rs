//! Times the machine held loadcell's worker threads off their CPU when they were due to
//! run: another process or a kernel thread had the CPU (on a quiet virtual machine, the
//! kernel's memory monitor `kdamond` takes one for 2–5 ms about once a second), or the
//! thread was paused — neither running nor waiting for a CPU: the host of a virtual machine
//! gave the virtual CPU to another guest, or the process was stopped (SIGSTOP, a debugger).
//! Every arrival due during a hold starts late; without this the schedule lag would be
//! blamed on loadcell's event loop.
//!
//! Measured where the open model's scheduler sleeps, because there the thread's due
//! wake-up is known. A wake-up later than asked by more than the thread ran meanwhile (its
//! CPU clock) was held: for as long as it waited, runnable, in the CPU queue (schedstat's run
//! delay, less what loadcell's coordinator thread ran meanwhile) by another task, and for the
//! rest paused. Each subtraction can only make a hold smaller, so nothing loadcell's own work
//! could explain is claimed. A hold while the thread works rather than sleeps is not seen,
//! and holds under [`MIN_HOLD`] are not counted: the figures are a lower bound.

use std::cell::Cell;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

/// A hold shorter than this is timer and scheduler noise.
pub const MIN_HOLD: Duration = Duration::from_millis(1);
/// The baselines (a file read) are refreshed at most this often, so that a late wake-up
/// is judged against recent waits, not the whole run's.
const BASELINE_EVERY: Duration = Duration::from_millis(100);

/// Holds of one kind, on one thread or added up over several.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Spells {
    pub count: u64,
    pub total: Duration,
    pub longest: Duration,
}

impl Spells {
    fn note(&mut self, spell: Duration) {
        self.count += 1;
        self.total += spell;
        self.longest = self.longest.max(spell);
    }

    fn add(&mut self, other: &Spells) {
        self.count += other.count;
        self.total += other.total;
        self.longest = self.longest.max(other.longest);
    }
}

/// What held loadcell's worker threads off their CPU (see the module doc).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Holds {
    /// Waiting, runnable, while another task ran on the CPU.
    pub waited: Spells,
    /// Neither running nor waiting: paused.
    pub paused: Spells,
}

impl Holds {
    /// Adds another thread's holds.
    pub fn add(&mut self, other: &Holds) {
        self.waited.add(&other.waited);
        self.paused.add(&other.paused);
    }

    /// Both kinds together.
    pub fn total(&self) -> Duration {
        self.waited.total + self.paused.total
    }
}

thread_local! {
    static FOUND: Cell<Holds> = Cell::new(Holds::default());
}

/// The holds found on the calling thread so far.
pub fn found() -> Holds {
    FOUND.get()
}

/// No CPU clock. A thread's CPU clock id is negative with its low three bits 110, so no
/// clock has this id.
const NO_CLOCK: i32 = i32::MIN;
/// The calling thread's CPU clock.
#[cfg(target_os = "linux")]
const THREAD_CLOCK: i32 = libc::CLOCK_THREAD_CPUTIME_ID;
#[cfg(not(target_os = "linux"))]
const THREAD_CLOCK: i32 = NO_CLOCK;

/// The CPU clock of the coordinator thread (a `clockid_t`), whose own work on a worker's CPU
/// is loadcell's, not the machine's.
static COORDINATOR_CLOCK: AtomicI32 = AtomicI32::new(NO_CLOCK);

/// Called by the coordinator thread before it starts the workers.
pub fn note_coordinator() {
    #[cfg(target_os = "linux")]
    {
        let mut clock: libc::clockid_t = 0;
        // SAFETY: pthread_self is always valid; `clock` is a valid out-pointer.
        if unsafe { libc::pthread_getcpuclockid(libc::pthread_self(), &mut clock) } == 0 {
            COORDINATOR_CLOCK.store(clock, Ordering::Relaxed);
        }
    }
}

/// How a wake-up `late` by this much splits, given how long the thread ran meanwhile
/// (`ran`) and how long it waited in the CPU queue for another task (`queued`): the wait
/// and the pause, each only if it is a hold.
fn split(late: Duration, ran: Duration, queued: Duration) -> (Option<Duration>, Option<Duration>) {
    let held = late.saturating_sub(ran);
    let waited = queued.min(held);
    let paused = held - waited;
    let hold = |d: Duration| (d >= MIN_HOLD).then_some(d);
    (hold(waited), hold(paused))
}

/// Watches one scheduler's sleeps (see the module doc). One per worker thread.
pub struct SleepWatch {
    /// Whether waits for a CPU are the machine's: not when loadcell runs more worker threads
    /// than it has CPUs, as then they wait for each other.
    count_waits: bool,
    /// The thread's CPU clock when the current sleep began (`None` where there is none).
    cpu_at_sleep: Option<Duration>,
    /// At the last baseline: the thread's run delay and the coordinator's CPU clock, and
    /// when they were read.
    queued: Duration,
    coordinator: Duration,
    baseline_at: Option<Instant>,
}

impl SleepWatch {
    /// A watch for a thread that is one of `workers` worker threads.
    pub fn new(workers: usize) -> SleepWatch {
        let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        SleepWatch {
            count_waits: workers <= cpus,
            cpu_at_sleep: None,
            queued: Duration::ZERO,
            coordinator: Duration::ZERO,
            baseline_at: None,
        }
    }

    /// Before a sleep that should end at a known instant.
    pub fn sleeping(&mut self, now: Instant) {
        self.cpu_at_sleep = cpu_clock(THREAD_CLOCK);
        if self
            .baseline_at
            .is_none_or(|at| now.saturating_duration_since(at) >= BASELINE_EVERY)
        {
            self.take_baseline(now);
        }
    }

    fn take_baseline(&mut self, now: Instant) {
        self.queued = crate::usage::ProcessUsage::thread_run_delay();
        // Unknown, it subtracts nothing.
        self.coordinator = cpu_clock(COORDINATOR_CLOCK.load(Ordering::Relaxed)).unwrap_or_default();
        self.baseline_at = Some(now);
    }

    /// After the sleep that should have ended at `wake`; whether the machine held the
    /// thread meanwhile.
    pub fn woke(&mut self, wake: Instant) -> bool {
        let now = Instant::now();
        let late = now.saturating_duration_since(wake);
        if late < MIN_HOLD {
            return false;
        }
        let (Some(before), Some(after)) = (self.cpu_at_sleep, cpu_clock(THREAD_CLOCK)) else {
            return false;
        };
        let ran = after.saturating_sub(before);
        if late.saturating_sub(ran) < MIN_HOLD {
            return false;
        }
        let (queued_before, coordinator_before) = (self.queued, self.coordinator);
        self.take_baseline(now);
        let coordinator_ran = self.coordinator.saturating_sub(coordinator_before);
        let queued = if self.count_waits {
            self.queued
                .saturating_sub(queued_before)
                .saturating_sub(coordinator_ran)
        } else {
            Duration::ZERO
        };
        // What the coordinator ran is left out of the hold altogether: loadcell's own.
        let (waited, paused) = split(late.saturating_sub(coordinator_ran), ran, queued);
        // Oversubscribed, the queue is not the machine's, and a wake-up it delayed is not a
        // pause either.
        let paused = paused.filter(|_| self.count_waits || self.queued == queued_before);
        let mut found = FOUND.get();
        if let Some(w) = waited {
            found.waited.note(w);
        }
        if let Some(p) = paused {
            found.paused.note(p);
        }
        FOUND.set(found);
        waited.is_some() || paused.is_some()
    }
}

/// The time of a CPU clock, to the nanosecond (Linux; `None` elsewhere or for
/// [`NO_CLOCK`], and then no hold is ever claimed).
#[cfg_attr(not(target_os = "linux"), allow(unused_variables))]
fn cpu_clock(clock: i32) -> Option<Duration> {
    #[cfg(target_os = "linux")]
    if clock != NO_CLOCK {
        let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: `t` is a valid out-pointer; an invalid clock id only makes this fail.
        if unsafe { libc::clock_gettime(clock, &mut t) } == 0 {
            return Some(Duration::new(t.tv_sec as u64, t.tv_nsec as u32));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn a_late_wake_up_splits_into_waiting_and_a_pause_after_the_thread_s_own_work() {
        // 40 ms late, 2 ms of it running, 5 ms queued: waited 5, paused 33.
        assert_eq!(split(40 * MS, 2 * MS, 5 * MS), (Some(5 * MS), Some(33 * MS)));
        // Late because the thread was working (its event loop busy): no hold.
        assert_eq!(split(5 * MS, 5 * MS, Duration::ZERO), (None, None));
        // Waiting for a CPU explains it all; the queue is never taken for more than the
        // lateness its own work leaves.
        assert_eq!(split(5 * MS, Duration::ZERO, 9 * MS), (Some(5 * MS), None));
        // Timer noise, and remainders under a millisecond.
        assert_eq!(split(MS / 2, Duration::ZERO, Duration::ZERO), (None, None));
        assert_eq!(
            split(3 * MS, Duration::ZERO, 2_700 * MS / 1000),
            (Some(2_700 * MS / 1000), None)
        );
    }

    #[test]
    fn holds_add_up_across_threads() {
        let mut a = Holds::default();
        a.paused.note(3 * MS);
        a.waited.note(MS);
        let mut b = Holds::default();
        b.paused.note(7 * MS);
        a.add(&b);
        assert_eq!(
            a.paused,
            Spells {
                count: 2,
                total: 10 * MS,
                longest: 7 * MS
            }
        );
        assert_eq!(a.total(), 11 * MS);
    }

    #[test]
    fn a_sleep_that_ends_on_time_is_no_hold() {
        // A real hold of the machine may land in one try; it cannot land in all five.
        let mut watch = SleepWatch::new(1);
        let on_time = (0..5).any(|_| {
            let before = found();
            let wake = Instant::now() + 2 * MS;
            watch.sleeping(Instant::now());
            std::thread::sleep(2 * MS);
            watch.woke(wake);
            found() == before
        });
        assert!(on_time, "{:?}", found());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_thread_that_did_not_run_and_did_not_queue_was_paused() {
        // Told to wake 30 ms before it does, while sleeping: 30 ms it neither ran nor
        // waited for a CPU — what a stopped virtual CPU looks like from inside.
        let mut watch = SleepWatch::new(1);
        let start = Instant::now();
        watch.sleeping(start);
        std::thread::sleep(40 * MS);
        watch.woke(start + 10 * MS);
        let p = found().paused;
        assert_eq!(p.count, 1, "{:?}", found());
        assert!(p.longest >= 29 * MS && p.longest < 200 * MS, "{:?}", found());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_thread_kept_waiting_for_its_cpu_waited() {
        // This thread, pinned to one CPU and running only when nothing else would there
        // (SCHED_IDLE), lets a spinner onto its CPU before it sleeps: it wakes runnable while
        // another task runs, and waits — a busy machine, not a pause. How long it waits is
        // the scheduler's choice (1–3 ms here, sometimes less), so it gets five tries.
        let cpu = current_cpu();
        pin_to(cpu);
        // SAFETY: a valid sched_param for SCHED_IDLE (priority 0) on the calling thread.
        unsafe {
            let param = libc::sched_param { sched_priority: 0 };
            libc::sched_setscheduler(0, libc::SCHED_IDLE, &param);
        }
        let mut watch = SleepWatch::new(1);
        let waited = (0..5).any(|_| {
            let before = found();
            let (go, wait_for_go) = std::sync::mpsc::channel::<()>();
            let spinner = std::thread::spawn(move || {
                pin_to(cpu);
                if wait_for_go.recv().is_ok() {
                    let until = Instant::now() + 30 * MS;
                    while Instant::now() < until {
                        std::hint::spin_loop();
                    }
                }
            });
            watch.sleeping(Instant::now());
            let due = Instant::now() + 5 * MS;
            let _ = go.send(());
            std::thread::sleep(5 * MS);
            watch.woke(due);
            let _ = spinner.join();
            let after = found();
            after.waited.total >= before.waited.total + MS && after.paused == before.paused
        });
        assert!(waited, "{:?}", found());
    }

    #[cfg(target_os = "linux")]
    fn current_cpu() -> usize {
        // SAFETY: sched_getcpu takes no arguments.
        let cpu = unsafe { libc::sched_getcpu() };
        usize::try_from(cpu).unwrap_or(0)
    }

    #[cfg(target_os = "linux")]
    fn pin_to(cpu: usize) {
        // SAFETY: a zeroed cpu_set_t is valid; CPU_SET and sched_setaffinity take valid
        // pointers to it.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            libc::CPU_SET(cpu, &mut set);
            libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
        }
    }
}
