//! When response bytes reached the socket, as the kernel saw it: receive timestamps
//! (`SO_TIMESTAMPNS`) on the HTTP/1.1 connections of a client that asks for them
//! (`ClientConfig::stamp_arrivals`), so a response's end is the moment its last bytes
//! arrived, not the moment loadcell got round to reading them.
//!
//! Without them every latency would include loadcell's own delay between the arrival and
//! the read — small when the event loop wakes at once, up to a slice when the open model
//! reads the answers of a batch together (`loadcell-engine`'s `open.rs`). The kernel stamps
//! each packet as it arrives; a TCP read reports the stamp of the newest data it returned
//! (packets merged in the receive queue keep the later stamp). The stamp is on the
//! wall clock, so it is turned into an [`Instant`] by its age: wall-clock now minus the
//! stamp, taken from the monotonic now.

use std::io::{self, Read};
use std::net::TcpStream;
use std::os::fd::RawFd;
use std::time::{Duration, Instant};

/// Asks the kernel to stamp what arrives on `fd`. A socket it fails on is read without
/// stamps, and its responses end when they are read (the engine notices: `arrived` is
/// `None`).
pub(crate) fn enable(fd: RawFd) {
    #[cfg(target_os = "linux")]
    {
        let on: libc::c_int = 1;
        // SAFETY: valid descriptor, and a pointer to an int of the size given.
        unsafe {
            libc::setsockopt(
                fd,
                libc::SOL_SOCKET,
                libc::SO_TIMESTAMPNS,
                (&on as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            );
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = fd;
}

/// Reads from `fd` into `buf`: the byte count and, on a `stamped` socket whose data the
/// kernel stamped, when the newest of it arrived. An unstamped socket is read with a plain
/// `read`: `recvmsg` and the clock readings cost 2–10% of a request (BENCHMARKS.md), paid
/// only where answers are read late.
pub(crate) fn recv(socket: &TcpStream, buf: &mut [u8], stamped: bool) -> io::Result<(usize, Option<Instant>)> {
    #[cfg(target_os = "linux")]
    if stamped {
        use std::os::fd::AsRawFd;
        return linux::recv(socket.as_raw_fd(), buf);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = stamped;
    Ok(((&mut &*socket).read(buf)?, None))
}

/// The monotonic instant a wall-clock stamp stands for: `now` less the stamp's age. A stamp
/// from the future (the wall clock stepped back meanwhile) counts as arriving now.
fn instant_of(stamp: Duration, wall_now: Duration, now: Instant) -> Instant {
    now.checked_sub(wall_now.saturating_sub(stamp)).unwrap_or(now)
}

#[cfg(target_os = "linux")]
mod linux {
    use super::instant_of;
    use std::io;
    use std::os::fd::RawFd;
    use std::time::{Duration, Instant};

    pub fn recv(fd: RawFd, buf: &mut [u8]) -> io::Result<(usize, Option<Instant>)> {
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        // Room for one `cmsghdr` and a `timespec`, aligned for both.
        let mut control = [0u64; 8];
        // SAFETY: an all-zero msghdr is valid; the pointers set below outlive the call.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = std::mem::size_of_val(&control) as _;
        // SAFETY: `msg` points at a live iovec over `buf` and at `control`, sized as stated.
        let n = unsafe { libc::recvmsg(fd, &mut msg, 0) };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok((n as usize, stamp_in(&msg)))
    }

    /// The `SCM_TIMESTAMPNS` control message in `msg`, as an instant.
    fn stamp_in(msg: &libc::msghdr) -> Option<Instant> {
        // SAFETY: `msg` came back from `recvmsg` with its control length set by the kernel;
        // the CMSG_* helpers stay within it.
        unsafe {
            let mut cmsg = libc::CMSG_FIRSTHDR(msg);
            while !cmsg.is_null() {
                if (*cmsg).cmsg_level == libc::SOL_SOCKET && (*cmsg).cmsg_type == libc::SCM_TIMESTAMPNS {
                    let ts: libc::timespec = std::ptr::read_unaligned(libc::CMSG_DATA(cmsg).cast());
                    let stamp = Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32);
                    return convert(stamp);
                }
                cmsg = libc::CMSG_NXTHDR(msg, cmsg);
            }
        }
        None
    }

    /// The stamp as an instant, from a wall-clock reading taken between two monotonic ones.
    /// Were the thread preempted between them, the stamp's age would be read too large and
    /// the arrival put too early — a latency too short —, so then there is no stamp: the
    /// response ends when it was read, as it would without stamps.
    fn convert(stamp: Duration) -> Option<Instant> {
        let before = Instant::now();
        let wall = wall_now()?;
        let after = Instant::now();
        if after - before > MAX_READING {
            return None;
        }
        Some(instant_of(stamp, wall, before))
    }

    /// Longest the wall-clock reading may take between its two monotonic brackets.
    const MAX_READING: Duration = Duration::from_micros(5);

    fn wall_now() -> Option<Duration> {
        let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: `ts` is a valid out-pointer.
        if unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts) } != 0 || ts.tv_sec < 0 {
            return None;
        }
        Some(Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::{TcpListener, TcpStream};
    use std::os::fd::AsRawFd;

    #[test]
    fn a_stamp_is_turned_into_an_instant_by_its_age() {
        let now = Instant::now();
        let wall = Duration::from_secs(1_000_000);
        let at = instant_of(wall - Duration::from_millis(3), wall, now);
        assert_eq!(now - at, Duration::from_millis(3));
        // From the future: now.
        assert_eq!(instant_of(wall + Duration::from_secs(1), wall, now), now);
    }

    /// A connected pair over loopback; with `stamped`, the client's socket stamps what
    /// arrives, once the kernel has turned stamping on (it does so a moment after the first
    /// socket of the machine asks).
    #[cfg(target_os = "linux")]
    fn pair(stamped: bool) -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mut server, _) = listener.accept().unwrap();
        if stamped {
            enable(client.as_raw_fd());
            let mut buf = [0u8; 8];
            let on = (0..200).any(|_| {
                server.write_all(b"x").unwrap();
                std::thread::sleep(Duration::from_millis(1));
                recv(&client, &mut buf, true).unwrap().1.is_some()
            });
            assert!(on, "the kernel did not stamp loopback TCP within 200 ms");
        }
        (client, server)
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn bytes_read_late_are_stamped_with_their_arrival() {
        let (client, mut server) = pair(true);
        server.write_all(b"HTTP/1.1 200 OK\r\n").unwrap();
        let sent = Instant::now();
        std::thread::sleep(Duration::from_millis(30));
        let mut buf = [0u8; 64];
        let (n, arrived) = recv(&client, &mut buf, true).unwrap();
        let read = Instant::now();
        assert_eq!(&buf[..n], b"HTTP/1.1 200 OK\r\n");
        let arrived = arrived.expect("a stamp");
        // It arrived about when it was sent, not when it was read 30 ms later.
        assert!(read - arrived >= Duration::from_millis(29), "{:?}", read - arrived);
        let off = if arrived > sent { arrived - sent } else { sent - arrived };
        assert!(off < Duration::from_millis(5), "{off:?}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_socket_without_stamps_reads_plainly() {
        let (client, mut server) = pair(false);
        server.write_all(b"x").unwrap();
        std::thread::sleep(Duration::from_millis(5));
        let mut buf = [0u8; 8];
        assert_eq!(recv(&client, &mut buf, true).unwrap(), (1, None));
        server.write_all(b"y").unwrap();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(recv(&client, &mut buf, false).unwrap(), (1, None));
    }
}
