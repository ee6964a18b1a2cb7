//! `run --collect URL`: the part's side. Each piece of the results folder — `meta.json`
//! when the load starts, every interval line as it is appended, `end.json` — is handed to a
//! thread of its own through a bounded queue (the coordinator never waits on the network,
//! and a full queue drops the message rather than the run's pace: the part's own folder
//! keeps everything), which POSTs it over one kept-alive HTTP/1.1 connection. A collector
//! that goes away is said once; the thread reconnects for the next message (sending the
//! `meta.json` again first), and the run goes on. The collector's answer may be `stop`: a
//! fleet-wide threshold failed, and the run stops as on its own failing abort threshold.

use super::http;
use super::wire::{self, Answer, Kind, PartId};
use crate::error::{SessionError, invalid};
use loadcell_units::Segment;
use std::io::BufReader;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Messages waiting for the sender thread: a minute of intervals.
const QUEUE: usize = 64;

/// How long connecting, and then each write or answer, may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// Attempts per message before it is given up (the part's own folder keeps it).
const ATTEMPTS: u32 = 2;

/// How long the end of the run waits for the queue to drain.
const DRAIN: Duration = Duration::from_secs(5);

/// Where the collector listens: `http://HOST:PORT`, resolved once before the run.
#[derive(Debug, Clone)]
pub struct CollectUrl {
    /// `HOST:PORT` as given (the `Host` header).
    host: String,
    addrs: Vec<SocketAddr>,
}

impl CollectUrl {
    /// Parses and resolves `--collect URL`; a bad one is a usage error.
    pub fn parse(text: &str) -> Result<CollectUrl, SessionError> {
        let bad = |why: &str| invalid(format!("--collect '{text}': {why}"));
        let rest = text
            .strip_prefix("http://")
            .ok_or_else(|| bad("expected http://HOST:PORT of a `loadcell collect`"))?;
        let host = rest.strip_suffix('/').unwrap_or(rest);
        if host.is_empty() || host.contains('/') || host.contains('?') {
            return Err(bad("expected http://HOST:PORT, without a path"));
        }
        let port_given = host.rsplit_once(':').is_some_and(|(_, p)| p.parse::<u16>().is_ok());
        if !port_given {
            return Err(bad("the port is missing (http://HOST:PORT)"));
        }
        let addrs: Vec<SocketAddr> = host
            .to_socket_addrs()
            .map_err(|e| bad(&format!("cannot resolve: {e}")))?
            .collect();
        if addrs.is_empty() {
            return Err(bad("the host has no address"));
        }
        Ok(CollectUrl {
            host: host.to_string(),
            addrs,
        })
    }

    fn connect(&self) -> std::io::Result<Conn> {
        let mut last = None;
        for addr in &self.addrs {
            match TcpStream::connect_timeout(addr, CONNECT_TIMEOUT) {
                Ok(stream) => {
                    stream.set_nodelay(true)?;
                    stream.set_read_timeout(Some(IO_TIMEOUT))?;
                    stream.set_write_timeout(Some(IO_TIMEOUT))?;
                    let reader = BufReader::new(stream.try_clone()?);
                    return Ok(Conn { stream, reader });
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::other("no address")))
    }
}

impl std::fmt::Display for CollectUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "http://{}", self.host)
    }
}

/// One kept-alive connection to the collector.
struct Conn {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
}

/// Why a message was not taken.
enum Failed {
    /// The connection failed: try again on a new one.
    Io(std::io::Error),
    /// The collector answered with an error: trying again would not help.
    Refused(String),
}

impl Conn {
    fn post(&mut self, url: &CollectUrl, path: &str, body: &[u8]) -> Result<Answer, Failed> {
        http::write_request(&mut self.stream, &url.host, path, body).map_err(Failed::Io)?;
        let (status, answer) = http::read_response(&mut self.reader).map_err(Failed::Io)?;
        match status {
            200 => Ok(Answer::parse(&answer)),
            _ => Err(Failed::Refused(String::from_utf8_lossy(&answer).trim().to_string())),
        }
    }
}

enum Message {
    Meta(Vec<u8>),
    Line(Vec<u8>),
    End(Vec<u8>),
}

impl Message {
    fn kind(&self) -> Kind {
        match self {
            Message::Meta(_) => Kind::Meta,
            Message::Line(_) => Kind::Interval,
            Message::End(_) => Kind::End,
        }
    }

    fn body(&self) -> &[u8] {
        match self {
            Message::Meta(b) | Message::Line(b) | Message::End(b) => b,
        }
    }
}

/// What the sender thread tells the run.
#[derive(Default)]
struct Shared {
    /// The collector said stop: why.
    stop: Option<String>,
    /// The collector was lost: the one line to say so, until it is said.
    lost: Option<String>,
    lost_said: bool,
}

/// The part's link to the collector, owned by the run's observer.
pub struct Collecting {
    url: CollectUrl,
    queue: Option<SyncSender<Message>>,
    shared: Arc<Mutex<Shared>>,
    done: Option<Receiver<()>>,
    /// Messages the full queue could not take.
    pub dropped: u64,
}

impl Collecting {
    /// Says hello with `meta` (the part's `meta.json`, before the load): a collector that
    /// refuses the part (another test, a segment it has from another process) is an error
    /// before any request; one that is not there yet is a warning and the run goes on.
    pub fn start(url: CollectUrl, segment: Segment, meta: &[u8]) -> Result<Collecting, SessionError> {
        let part = PartId {
            segment,
            id: process_id(),
        };
        let shared = Arc::new(Mutex::new(Shared::default()));
        let conn = match url.connect() {
            Ok(mut conn) => match conn.post(&url, &wire::path(&part, Kind::Hello), meta) {
                Ok(_) => Some(conn),
                Err(Failed::Refused(why)) => {
                    return Err(invalid(format!(
                        "--collect {url}: the collector refused this part: {why}"
                    )));
                }
                Err(Failed::Io(e)) => {
                    lose(&shared, &url, &e.to_string());
                    None
                }
            },
            Err(e) => {
                lose(&shared, &url, &e.to_string());
                None
            }
        };
        let (queue, rx) = std::sync::mpsc::sync_channel(QUEUE);
        let (done_tx, done) = std::sync::mpsc::channel();
        let thread = Sender {
            url: url.clone(),
            part,
            conn,
            meta: meta.to_vec(),
            shared: shared.clone(),
        };
        std::thread::Builder::new()
            .name("loadcell-collect".to_string())
            .spawn(move || {
                thread.run(rx);
                let _ = done_tx.send(());
            })
            .map_err(|e| invalid(format!("--collect: cannot start its thread: {e}")))?;
        Ok(Collecting {
            url,
            queue: Some(queue),
            shared,
            done: Some(done),
            dropped: 0,
        })
    }

    /// `meta.json` as the load starts.
    pub fn meta(&mut self, meta: &[u8]) {
        self.push(Message::Meta(meta.to_vec()));
    }

    /// One interval line, as appended to the part's own folder.
    pub fn line(&mut self, line: &[u8]) {
        self.push(Message::Line(line.to_vec()));
    }

    /// `end.json`; then waits (a few seconds at most) for the queue to drain.
    pub fn end(mut self, end: &[u8]) {
        self.push(Message::End(end.to_vec()));
        self.queue = None;
        if let Some(done) = self.done.take() {
            let _ = done.recv_timeout(DRAIN);
        }
    }

    fn push(&mut self, message: Message) {
        if let Some(queue) = &self.queue
            && let Err(TrySendError::Full(_)) = queue.try_send(message)
        {
            self.dropped += 1;
        }
    }

    /// Why the collector said stop, once it has.
    pub fn stop(&self) -> Option<String> {
        self.shared.lock().ok().and_then(|s| s.stop.clone())
    }

    /// The line saying the collector was lost, the first time it is asked after that.
    pub fn take_note(&self) -> Option<String> {
        let mut shared = self.shared.lock().ok()?;
        if shared.lost_said {
            return None;
        }
        let line = shared.lost.take()?;
        shared.lost_said = true;
        Some(line)
    }

    /// Where the collector is.
    pub fn url(&self) -> &CollectUrl {
        &self.url
    }
}

/// Records that the collector was lost (said once, by the observer).
fn lose(shared: &Mutex<Shared>, url: &CollectUrl, why: &str) {
    if let Ok(mut s) = shared.lock()
        && !s.lost_said
        && s.lost.is_none()
    {
        s.lost = Some(format!(
            "warning: --collect {url}: lost the collector ({why}); the run goes on, its own folder keeps every interval, and it tries again"
        ));
    }
}

/// This process among the parts: its pid and start, so a restarted part is a new one.
fn process_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{}-{nanos}", std::process::id())
}

/// The sender thread.
struct Sender {
    url: CollectUrl,
    part: PartId,
    conn: Option<Conn>,
    /// The latest `meta.json`, sent first on every new connection.
    meta: Vec<u8>,
    shared: Arc<Mutex<Shared>>,
}

impl Sender {
    fn run(mut self, rx: Receiver<Message>) {
        for message in rx {
            if let Message::Meta(meta) = &message {
                self.meta.clone_from(meta);
            }
            for attempt in 1..=ATTEMPTS {
                match self.deliver(&message) {
                    Ok(Answer::Go) => break,
                    Ok(Answer::Stop(why)) => {
                        if let Ok(mut s) = self.shared.lock() {
                            s.stop.get_or_insert(why);
                        }
                        break;
                    }
                    Err(Failed::Refused(why)) => {
                        lose(&self.shared, &self.url, &why);
                        break;
                    }
                    Err(Failed::Io(e)) => {
                        self.conn = None;
                        lose(&self.shared, &self.url, &e.to_string());
                        if attempt < ATTEMPTS {
                            std::thread::sleep(Duration::from_millis(200));
                        }
                    }
                }
            }
        }
    }

    /// Sends `message`, on a new connection (after `meta.json`) when there is none.
    fn deliver(&mut self, message: &Message) -> Result<Answer, Failed> {
        if self.conn.is_none() {
            let mut conn = self.url.connect().map_err(Failed::Io)?;
            if message.kind() != Kind::Meta {
                conn.post(&self.url, &wire::path(&self.part, Kind::Meta), &self.meta)?;
            }
            self.conn = Some(conn);
        }
        let conn = self
            .conn
            .as_mut()
            .ok_or_else(|| Failed::Io(std::io::Error::other("not connected")))?;
        conn.post(&self.url, &wire::path(&self.part, message.kind()), message.body())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collect_urls_are_http_host_and_port() {
        assert!(CollectUrl::parse("http://127.0.0.1:7070").is_ok());
        assert!(CollectUrl::parse("http://127.0.0.1:7070/").is_ok());
        for (bad, says) in [
            ("127.0.0.1:7070", "expected http://HOST:PORT"),
            ("https://127.0.0.1:7070", "expected http://HOST:PORT"),
            ("http://127.0.0.1", "the port is missing"),
            ("http://127.0.0.1:7070/collect", "without a path"),
            ("http://:x", "the port is missing"),
        ] {
            let e = CollectUrl::parse(bad).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }
}
