//! Servers that misbehave on purpose, written on plain std sockets and threads so that
//! what goes on the wire is exactly what the test asks for: a server that accepts and
//! never answers, one that resets the connection after reading the request, and one
//! that answers bytes that are not HTTP.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use super::socket::{drain_until_closed, is_timeout, set_linger_zero};

/// What the server does once it has read a request head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behavior {
    /// Holds the connection open and never writes a byte.
    Silent,
    /// Sets SO_LINGER to 0 and closes: the kernel sends RST.
    Reset,
    /// Writes bytes that are not an HTTP response, then closes cleanly.
    Garbage,
}

/// The bytes [`Behavior::Garbage`] answers with.
pub const GARBAGE: &[u8] = b"this is not http at all\r\n\r\n";

/// A misbehaving server on 127.0.0.1; stops on drop.
pub struct RawServer {
    pub addr: SocketAddr,
    requests: Arc<AtomicU64>,
    connections: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl RawServer {
    pub fn silent() -> RawServer {
        RawServer::spawn(Behavior::Silent)
    }

    pub fn reset() -> RawServer {
        RawServer::spawn(Behavior::Reset)
    }

    pub fn garbage() -> RawServer {
        RawServer::spawn(Behavior::Garbage)
    }

    fn spawn(behavior: Behavior) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let requests = Arc::new(AtomicU64::new(0));
        let connections = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (requests, connections, stop) = (requests.clone(), connections.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    connections.fetch_add(1, Ordering::SeqCst);
                    let (requests, stop) = (requests.clone(), stop.clone());
                    std::thread::spawn(move || serve(stream, behavior, &requests, &stop));
                }
            })
        };
        RawServer {
            addr,
            requests,
            connections,
            stop,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT/`
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Complete request heads read.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }

    /// Accepted TCP connections.
    pub fn connections(&self) -> u64 {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept so the loop sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads one request head (up to the blank line); false if the peer went away first.
fn read_head(stream: &mut TcpStream, stop: &AtomicBool) -> bool {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !stop.load(Ordering::SeqCst) {
        match stream.read(&mut buf) {
            Ok(0) => return false,
            Ok(n) => {
                seen.extend_from_slice(&buf[..n]);
                if seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    return true;
                }
                if seen.len() > 64 * 1024 {
                    return false;
                }
            }
            Err(e) if is_timeout(&e) => {}
            Err(_) => return false,
        }
    }
    false
}

fn serve(mut stream: TcpStream, behavior: Behavior, requests: &AtomicU64, stop: &AtomicBool) {
    // Short read timeouts let the thread notice the server stopping.
    let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
    if !read_head(&mut stream, stop) {
        return;
    }
    requests.fetch_add(1, Ordering::SeqCst);
    match behavior {
        Behavior::Silent => drain_until_closed(&mut stream, stop),
        Behavior::Reset => {
            set_linger_zero(&stream);
            drop(stream);
        }
        Behavior::Garbage => {
            let _ = stream.write_all(GARBAGE);
            let _ = stream.flush();
            // Close our side cleanly (FIN, not RST) and wait for the client to go.
            let _ = stream.shutdown(Shutdown::Write);
            drain_until_closed(&mut stream, stop);
        }
    }
}
