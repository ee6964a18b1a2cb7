//! A listening socket with a backlog of 0 that never accepts: the kernel completes a
//! handshake or two into its queue, and every later connect hangs. For tests of connects
//! that never complete.

/// A listening socket with a backlog of 0 that never accepts: connects to it hang.
pub struct Blackhole {
    fd: i32,
    port: u16,
}

impl Blackhole {
    pub fn listen() -> Blackhole {
        // SAFETY: plain socket calls on a descriptor this struct owns and closes on drop.
        unsafe {
            let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
            assert!(fd >= 0);
            let mut addr: libc::sockaddr_in = std::mem::zeroed();
            addr.sin_family = libc::AF_INET as libc::sa_family_t;
            addr.sin_addr.s_addr = u32::from_ne_bytes([127, 0, 0, 1]);
            let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
            assert_eq!(libc::bind(fd, (&raw const addr).cast(), len), 0);
            assert_eq!(libc::listen(fd, 0), 0);
            let mut bound: libc::sockaddr_in = std::mem::zeroed();
            let mut bound_len = len;
            assert_eq!(libc::getsockname(fd, (&raw mut bound).cast(), &mut bound_len), 0);
            Blackhole {
                fd,
                port: u16::from_be(bound.sin_port),
            }
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }
}

impl Drop for Blackhole {
    fn drop(&mut self) {
        // SAFETY: closing the descriptor this struct owns.
        unsafe { libc::close(self.fd) };
    }
}
