//! One small server on 127.0.0.1 with one mode per fault, on plain std sockets and threads so
//! that what goes on the wire is exactly what the test asks for. It counts the connections
//! it accepted and the request heads it read, so tests can hold loadcell's counts against
//! the server's own. TLS certificate faults are in `tls.rs`.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use loadcell_testkit::servers::socket::{drain_until_closed, is_timeout, set_linger_zero};

/// How the server misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Reads the request and never answers, holding the connection open.
    Silent,
    /// Reads the request, then closes with RST.
    Reset,
    /// Answers bytes that are not HTTP, then closes.
    Garbage,
    /// Announces a 1 GB body and trickles 4 KiB of it every 20 ms.
    TrickleGigabyte,
    /// Sends a 200 MB body as fast as the client reads it.
    HugeBody,
    /// Chunked encoding with a chunk size that is not hex.
    MalformedChunks,
    /// HTTP/1.0 with no Content-Length: the body ends when the server closes.
    Http10CloseDelimited,
    /// A 1.2 MB header line.
    HugeHeader,
    /// 10,000 header lines.
    TenThousandHeaders,
    /// Status lines that are not valid (cycling through several kinds by connection).
    BadStatusLine,
    /// Answers one request in ten (keep-alive) and holds the other nine forever.
    AnswersOneInTen,
    /// Answers a TLS ClientHello with plain HTTP, as an HTTP server on an https:// URL does.
    HttpOnTlsPort,
    /// Answers a TLS ClientHello with a fatal `protocol_version` alert.
    TlsProtocolVersionAlert,
}

/// Body of [`Fault::Http10CloseDelimited`] responses.
pub const HTTP10_BODY_BYTES: usize = 10_000;
/// The head of [`Fault::Http10CloseDelimited`] responses.
pub const HTTP10_HEAD: &[u8] = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n";
/// Body length of [`Fault::HugeBody`] responses.
pub const HUGE_BODY_BYTES: u64 = 200_000_000;
/// The head of [`Fault::HugeBody`] responses.
pub const HUGE_BODY_HEAD: &str = "HTTP/1.1 200 OK\r\nContent-Length: 200000000\r\n\r\n";
/// A complete `200 OK` that keeps the connection open.
pub const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

/// The bad status lines [`Fault::BadStatusLine`] cycles through.
const BAD_STATUS_LINES: [&[u8]; 4] = [
    b"HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 020 OK\r\nContent-Length: 0\r\n\r\n",
    b"HTTX/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n",
];

/// Counters the server keeps.
#[derive(Default)]
struct Counts {
    connections: AtomicU64,
    requests: AtomicU64,
    answered: AtomicU64,
}

/// A misbehaving server; stops (and closes every connection) on drop.
pub struct FaultServer {
    pub addr: SocketAddr,
    counts: Arc<Counts>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FaultServer {
    pub fn start(fault: Fault) -> FaultServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let counts = Arc::new(Counts::default());
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (counts, stop) = (counts.clone(), stop.clone());
            std::thread::spawn(move || accept_loop(&listener, fault, &counts, &stop))
        };
        FaultServer {
            addr,
            counts,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    pub fn https_url(&self) -> String {
        format!("https://{}/", self.addr)
    }

    /// Accepted TCP connections.
    pub fn connections(&self) -> u64 {
        self.counts.connections.load(Ordering::SeqCst)
    }

    /// Request heads read in full.
    pub fn requests(&self) -> u64 {
        self.counts.requests.load(Ordering::SeqCst)
    }

    /// Complete valid responses written ([`Fault::AnswersOneInTen`],
    /// [`Fault::Http10CloseDelimited`], [`Fault::HugeBody`]).
    pub fn answered(&self) -> u64 {
        self.counts.answered.load(Ordering::SeqCst)
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn accept_loop(listener: &TcpListener, fault: Fault, counts: &Arc<Counts>, stop: &Arc<AtomicBool>) {
    // Non-blocking accept polled every 5 ms, so that dropping the server never hangs.
    listener.set_nonblocking(true).expect("non-blocking listener");
    let mut workers = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                let n = counts.connections.fetch_add(1, Ordering::SeqCst);
                let (counts, stop) = (counts.clone(), stop.clone());
                workers.push(std::thread::spawn(move || serve(stream, fault, n, &counts, &stop)));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    for worker in workers {
        let _ = worker.join();
    }
}

fn serve(mut stream: TcpStream, fault: Fault, connection: u64, counts: &Counts, stop: &AtomicBool) {
    let _ = stream.set_nonblocking(false);
    // Short timeouts let the thread notice the server stopping.
    let _ = stream.set_read_timeout(Some(Duration::from_millis(50)));
    let _ = stream.set_write_timeout(Some(Duration::from_millis(200)));
    if matches!(fault, Fault::HttpOnTlsPort | Fault::TlsProtocolVersionAlert) {
        return answer_client_hello(stream, fault, stop);
    }
    while read_head(&mut stream, stop) {
        let request = counts.requests.fetch_add(1, Ordering::SeqCst);
        let keep_going = match fault {
            Fault::Silent => false,
            Fault::Reset => {
                set_linger_zero(&stream);
                return;
            }
            Fault::Garbage => write_and_close(&mut stream, b"this is not http at all\r\n\r\n"),
            Fault::TrickleGigabyte => trickle(&mut stream, stop),
            Fault::HugeBody => huge_body(&mut stream, counts),
            Fault::MalformedChunks => write_and_close(
                &mut stream,
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
            ),
            Fault::Http10CloseDelimited => {
                let mut response = HTTP10_HEAD.to_vec();
                response.resize(HTTP10_HEAD.len() + HTTP10_BODY_BYTES, b'x');
                if stream.write_all(&response).is_ok() {
                    counts.answered.fetch_add(1, Ordering::SeqCst);
                }
                write_and_close(&mut stream, b"")
            }
            Fault::HugeHeader => {
                let mut head = b"HTTP/1.1 200 OK\r\nX-Big: ".to_vec();
                head.resize(head.len() + 1_200_000, b'a');
                head.extend_from_slice(b"\r\nContent-Length: 0\r\n\r\n");
                write_and_close(&mut stream, &head)
            }
            Fault::TenThousandHeaders => {
                let mut head = b"HTTP/1.1 200 OK\r\n".to_vec();
                for i in 0..10_000 {
                    head.extend_from_slice(format!("X-Header-{i}: v\r\n").as_bytes());
                }
                head.extend_from_slice(b"Content-Length: 0\r\n\r\n");
                write_and_close(&mut stream, &head)
            }
            Fault::BadStatusLine => write_and_close(
                &mut stream,
                BAD_STATUS_LINES[connection as usize % BAD_STATUS_LINES.len()],
            ),
            Fault::AnswersOneInTen => {
                // Requests 0, 10, 20, … of the whole server are answered.
                if request.is_multiple_of(10) {
                    let ok = stream.write_all(OK).is_ok();
                    counts.answered.fetch_add(u64::from(ok), Ordering::SeqCst);
                    ok
                } else {
                    false
                }
            }
            Fault::HttpOnTlsPort | Fault::TlsProtocolVersionAlert => false,
        };
        if !keep_going {
            break;
        }
    }
    drain_until_closed(&mut stream, stop);
}

/// Reads one request head (up to the blank line); false if the peer went away first.
fn read_head(stream: &mut TcpStream, stop: &AtomicBool) -> bool {
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    // Byte by byte, so that nothing of the next pipelined request is consumed.
    while !stop.load(Ordering::SeqCst) {
        match stream.read(&mut byte) {
            Ok(0) => return false,
            Ok(_) => {
                seen.push(byte[0]);
                if seen.ends_with(b"\r\n\r\n") {
                    return true;
                }
            }
            Err(e) if is_timeout(&e) => {}
            Err(_) => return false,
        }
    }
    false
}

/// Writes `bytes` (the client may stop reading early), then closes our side with FIN.
fn write_and_close(stream: &mut TcpStream, bytes: &[u8]) -> bool {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
    let _ = stream.write_all(bytes);
    let _ = stream.shutdown(Shutdown::Write);
    false
}

fn trickle(stream: &mut TcpStream, stop: &AtomicBool) -> bool {
    let head = b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n";
    if stream.write_all(head).is_err() {
        return false;
    }
    let piece = [b't'; 4096];
    while !stop.load(Ordering::SeqCst) && stream.write_all(&piece).is_ok() {
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

fn huge_body(stream: &mut TcpStream, counts: &Counts) -> bool {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
    if stream.write_all(HUGE_BODY_HEAD.as_bytes()).is_err() {
        return false;
    }
    let block = vec![b'b'; 1 << 20];
    let mut left = HUGE_BODY_BYTES;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        if stream.write_all(&block[..n]).is_err() {
            return false;
        }
        left -= n as u64;
    }
    counts.answered.fetch_add(1, Ordering::SeqCst);
    true
}

/// Waits for the client's first bytes (a TLS ClientHello) and answers what `fault` says.
fn answer_client_hello(mut stream: TcpStream, fault: Fault, stop: &AtomicBool) {
    let mut buf = [0u8; 4096];
    loop {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        match stream.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => break,
            Err(e) if is_timeout(&e) => {}
            Err(_) => return,
        }
    }
    let answer: &[u8] = match fault {
        Fault::TlsProtocolVersionAlert => &[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46],
        _ => b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    };
    write_and_close(&mut stream, answer);
    drain_until_closed(&mut stream, stop);
}

/// A listener with a backlog of one that never accepts: after the first connections fill
/// the queue, the kernel drops further SYNs and connecting times out.
pub struct FullBacklog {
    listener: TcpListener,
}

impl FullBacklog {
    pub fn start() -> FullBacklog {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        // SAFETY: listen(2) again on a listening socket only changes its backlog.
        let rc = unsafe { libc::listen(listener.as_raw_fd(), 1) };
        assert_eq!(rc, 0, "listen: {}", std::io::Error::last_os_error());
        FullBacklog { listener }
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.listener.local_addr().expect("local addr"))
    }
}

/// A keep-alive server answering `200 OK` that dies (closing every connection and its port)
/// and comes back on the same port, over and over while it lives.
pub struct Flapping {
    pub addr: SocketAddr,
    answered: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Flapping {
    /// Up for `up`, down for `down`, repeatedly.
    pub fn start(up: Duration, down: Duration) -> Flapping {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let answered = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (answered, stop) = (answered.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut listener = Some(listener);
                while !stop.load(Ordering::SeqCst) {
                    let Some(l) = listener.take().or_else(|| TcpListener::bind(addr).ok()) else {
                        std::thread::sleep(Duration::from_millis(5));
                        continue;
                    };
                    serve_ok_for(&l, up, &answered, &stop);
                    drop(l);
                    std::thread::sleep(down);
                }
            })
        };
        Flapping {
            addr,
            answered,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// `200 OK` responses written in full.
    pub fn answered(&self) -> u64 {
        self.answered.load(Ordering::SeqCst)
    }
}

impl Drop for Flapping {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Serves keep-alive `200 OK` on `listener` for `period`, then closes every connection
/// (after the response in progress) and returns.
fn serve_ok_for(listener: &TcpListener, period: Duration, answered: &Arc<AtomicU64>, stop: &Arc<AtomicBool>) {
    let _ = listener.set_nonblocking(true);
    let down = Arc::new(AtomicBool::new(false));
    let started = std::time::Instant::now();
    let mut workers = Vec::new();
    while started.elapsed() < period && !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((mut stream, _)) => {
                let (answered, down) = (answered.clone(), down.clone());
                workers.push(std::thread::spawn(move || {
                    let _ = stream.set_nonblocking(false);
                    let _ = stream.set_read_timeout(Some(Duration::from_millis(20)));
                    while read_head(&mut stream, &down) {
                        if stream.write_all(OK).is_err() {
                            return;
                        }
                        answered.fetch_add(1, Ordering::SeqCst);
                    }
                    let _ = stream.shutdown(Shutdown::Both);
                }));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(2)),
        }
    }
    down.store(true, Ordering::SeqCst);
    for worker in workers {
        let _ = worker.join();
    }
}
