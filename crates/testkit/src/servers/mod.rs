//! Servers on 127.0.0.1 for the tests to aim at: a recording HTTP server ([`HttpServer`],
//! plain or TLS; [`Recorder`] for scenarios), raw sockets that misbehave ([`RawServer`]), a
//! port that refuses connections ([`RefusingPort`]), and the built-in target.

pub mod blackhole;
mod http;
mod raw;
pub mod socket;

pub use blackhole::Blackhole;
pub use http::{HttpServer, Recorder, Seen, recorder_body};
/// The HTTP version a request arrived in ([`Seen::version`]).
pub use hyper::Version;
pub use raw::RawServer;

use loadcell_target::{Config, StatsSnapshot, TargetHandle};

/// The built-in target with `config`, on 127.0.0.1 and a free port.
pub fn target(config: Config) -> TargetHandle {
    TargetHandle::spawn(config).expect("start loadcell target")
}

/// The built-in target with no knobs: fast `200 OK` on `/`, and the shop API.
pub fn fast_target() -> TargetHandle {
    target(Config::default())
}

/// `http://127.0.0.1:PORT/` of a target.
pub fn url_of(handle: &TargetHandle) -> String {
    format!("{}/", handle.url())
}

/// Count of a route label in the target's `by_route` (0 when absent).
pub fn route(stats: &StatsSnapshot, label: &str) -> u64 {
    stats.by_route.get(label).copied().unwrap_or(0)
}

/// Count of a status code in the target's `by_status` (0 when absent).
pub fn status(stats: &StatsSnapshot, code: u16) -> u64 {
    stats.by_status.get(&code.to_string()).copied().unwrap_or(0)
}

/// A port on 127.0.0.1 where connections are refused. Rather than bind and release a port
/// (which a server started by a parallel test could then be given), a socket stays bound
/// to it without listening: nobody else can take the port, and the kernel answers every
/// SYN with RST. Released on drop.
pub struct RefusingPort {
    _socket: std::os::fd::OwnedFd,
    pub port: u16,
}

impl RefusingPort {
    pub fn new() -> RefusingPort {
        use std::os::fd::FromRawFd;
        // SAFETY: plain socket(2); the result is checked before use.
        let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) };
        assert!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
        // SAFETY: `fd` is a fresh descriptor that nothing else owns.
        let socket = unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) };
        let mut addr = libc::sockaddr_in {
            sin_family: libc::AF_INET as libc::sa_family_t,
            sin_port: 0,
            sin_addr: libc::in_addr {
                s_addr: u32::from(std::net::Ipv4Addr::LOCALHOST).to_be(),
            },
            sin_zero: [0; 8],
        };
        let mut len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        // SAFETY: `addr` is a valid sockaddr_in of `len` bytes for both calls.
        unsafe {
            let rc = libc::bind(fd, (&raw const addr).cast(), len);
            assert_eq!(rc, 0, "bind: {}", std::io::Error::last_os_error());
            let rc = libc::getsockname(fd, (&raw mut addr).cast(), &mut len);
            assert_eq!(rc, 0, "getsockname: {}", std::io::Error::last_os_error());
        }
        RefusingPort {
            _socket: socket,
            port: u16::from_be(addr.sin_port),
        }
    }

    /// `http://127.0.0.1:PORT/`
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }
}

impl Default for RefusingPort {
    fn default() -> RefusingPort {
        RefusingPort::new()
    }
}
