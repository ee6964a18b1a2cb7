//! Sleeping until an absolute instant with microsecond precision.
//!
//! Tokio's timer wheel has millisecond resolution and rounds up, so an open-model request
//! due at t would go out up to 1 ms late, and since latency is measured from the scheduled
//! start that lateness would be billed to the target. On Linux a per-worker `timerfd` armed
//! with an absolute CLOCK_MONOTONIC deadline wakes the event loop within microseconds;
//! elsewhere tokio's timer is used.

use std::time::{Duration, Instant};

/// Below this, waiting is cheaper as a yield to the event loop than as a timer.
const SPIN_BELOW: Duration = Duration::from_micros(50);

/// A reusable precise sleeper owned by one worker's scheduler.
pub struct PreciseTimer {
    #[cfg(target_os = "linux")]
    fd: Option<linux::TimerFd>,
}

impl PreciseTimer {
    /// A timer for the current runtime; falls back to tokio's timer if no timerfd can be had.
    pub fn new() -> PreciseTimer {
        PreciseTimer {
            #[cfg(target_os = "linux")]
            fd: linux::TimerFd::new().ok(),
        }
    }

    /// Returns at `deadline` (or at once if it has passed).
    pub async fn sleep_until(&mut self, deadline: Instant) {
        loop {
            let now = Instant::now();
            if now >= deadline {
                return;
            }
            let left = deadline - now;
            if left < SPIN_BELOW {
                tokio::task::yield_now().await;
                continue;
            }
            #[cfg(target_os = "linux")]
            if let Some(fd) = self.fd.as_mut() {
                if fd.wait(left).await.is_ok() {
                    continue;
                }
                self.fd = None;
            }
            tokio::time::sleep_until(tokio::time::Instant::from_std(deadline)).await;
        }
    }
}

impl Default for PreciseTimer {
    fn default() -> Self {
        PreciseTimer::new()
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::io;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::time::Duration;
    use tokio::io::Interest;
    use tokio::io::unix::AsyncFd;

    pub struct TimerFd {
        fd: AsyncFd<OwnedFd>,
    }

    impl TimerFd {
        pub fn new() -> io::Result<TimerFd> {
            // SAFETY: plain syscall; the returned descriptor is checked before use.
            let raw = unsafe { libc::timerfd_create(libc::CLOCK_MONOTONIC, libc::TFD_NONBLOCK | libc::TFD_CLOEXEC) };
            if raw < 0 {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: `raw` is a freshly created descriptor nobody else owns.
            let owned = unsafe { OwnedFd::from_raw_fd(raw) };
            // SAFETY: the `OwnedFd` keeps the descriptor open for the AsyncFd's lifetime.
            let fd =
                unsafe { AsyncFd::register_with_interest(owned, Interest::READABLE) }.map_err(|e| e.into_parts().1)?;
            Ok(TimerFd { fd })
        }

        /// Waits `left` from now, measured on CLOCK_MONOTONIC (the clock behind `Instant`).
        pub async fn wait(&mut self, left: Duration) -> io::Result<()> {
            let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
            // SAFETY: `now` is a valid out-pointer.
            if unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) } != 0 {
                return Err(io::Error::last_os_error());
            }
            let nanos = now.tv_nsec as u64 + u64::from(left.subsec_nanos());
            let value = libc::timespec {
                tv_sec: now.tv_sec + left.as_secs() as libc::time_t + (nanos / 1_000_000_000) as libc::time_t,
                tv_nsec: (nanos % 1_000_000_000) as libc::c_long,
            };
            let spec = libc::itimerspec {
                it_interval: libc::timespec { tv_sec: 0, tv_nsec: 0 },
                it_value: value,
            };
            // SAFETY: valid descriptor and pointers; absolute time on the timer's clock.
            let rc = unsafe {
                libc::timerfd_settime(
                    self.fd.as_raw_fd(),
                    libc::TFD_TIMER_ABSTIME,
                    &spec,
                    std::ptr::null_mut(),
                )
            };
            if rc != 0 {
                return Err(io::Error::last_os_error());
            }
            loop {
                let mut guard = self.fd.readable().await?;
                let mut expirations = [0u8; 8];
                let read = guard.try_io(|fd| {
                    // SAFETY: reading 8 bytes into an 8-byte buffer from a valid descriptor.
                    let n = unsafe { libc::read(fd.as_raw_fd(), expirations.as_mut_ptr().cast(), 8) };
                    if n < 0 { Err(io::Error::last_os_error()) } else { Ok(()) }
                });
                match read {
                    Ok(result) => {
                        // One arming, one expiration: the timer stays quiet until it is armed
                        // again, so forget the readiness now rather than pay a read that
                        // returns EAGAIN at the next wait.
                        guard.clear_ready();
                        return result;
                    }
                    Err(_would_block) => continue,
                }
            }
        }
    }
}

/// Blocks the whole thread, event loop included, until `deadline`: for the open model's
/// sleep between dense batches, during which nothing on the thread needs to run.
pub fn sleep_thread_until(deadline: Instant) {
    let left = deadline.saturating_duration_since(Instant::now());
    if left >= SPIN_BELOW {
        std::thread::sleep(left);
    }
}

/// Asks the kernel for the tightest timer slack on this thread, so wake-ups are not
/// coalesced 50 µs late (Linux only; harmless elsewhere).
pub fn tighten_timer_slack() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_TIMERSLACK takes a plain integer argument.
    unsafe {
        libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong);
    }
}
