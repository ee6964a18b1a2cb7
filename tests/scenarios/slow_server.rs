//! A small HTTP/1.1 server that answers every request after a fixed delay and counts, per
//! path, the requests it received and, overall, the most it held at once — the oracle of
//! the batch tests (requests of a batch in flight together, counts equal to loadcell's).
//! `/products` answers `{"items":[{"id":42}]}` (something to extract), `/login` sets the
//! cookie `session=s1`; every other path `{"path":PATH}`. Requests that carried that cookie
//! are counted per path too. Keep-alive, one thread per connection; the listener stops on drop.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the server counted.
#[derive(Default)]
struct Counts {
    by_path: Mutex<BTreeMap<String, u64>>,
    with_cookie: Mutex<BTreeMap<String, u64>>,
    in_flight: AtomicUsize,
    most: AtomicUsize,
}

/// The server; stops accepting on drop.
pub struct SlowServer {
    port: u16,
    counts: Arc<Counts>,
    stop: Arc<AtomicBool>,
}

impl SlowServer {
    /// Answers each request `delay` after it arrived.
    pub fn start(delay: Duration) -> SlowServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener.set_nonblocking(true).expect("nonblocking listener");
        let port = listener.local_addr().expect("local addr").port();
        let counts = Arc::new(Counts::default());
        let stop = Arc::new(AtomicBool::new(false));
        let (c, s) = (counts.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let c = c.clone();
                        std::thread::spawn(move || serve(stream, &c, delay));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        SlowServer { port, counts, stop }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Requests received for `path`.
    pub fn count(&self, path: &str) -> u64 {
        self.counts
            .by_path
            .lock()
            .expect("counts")
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    /// Requests received for `path` with the cookie `/login` sets.
    pub fn with_cookie(&self, path: &str) -> u64 {
        self.counts
            .with_cookie
            .lock()
            .expect("counts")
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    /// Requests received in all.
    pub fn total(&self) -> u64 {
        self.counts.by_path.lock().expect("counts").values().sum()
    }

    /// The most requests it held at once (received, not yet answered).
    pub fn most_at_once(&self) -> usize {
        self.counts.most.load(Ordering::SeqCst)
    }
}

impl Drop for SlowServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve(stream: TcpStream, counts: &Counts, delay: Duration) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
        let (mut length, mut cookie) = (0usize, false);
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let name = name.trim().to_ascii_lowercase();
                if name == "content-length" {
                    length = value.trim().parse().unwrap_or(0);
                } else if name == "cookie" && value.contains("session=s1") {
                    cookie = true;
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        *counts.by_path.lock().expect("counts").entry(path.clone()).or_default() += 1;
        if cookie {
            *counts
                .with_cookie
                .lock()
                .expect("counts")
                .entry(path.clone())
                .or_default() += 1;
        }
        let now = counts.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        counts.most.fetch_max(now, Ordering::SeqCst);
        std::thread::sleep(delay);
        counts.in_flight.fetch_sub(1, Ordering::SeqCst);
        let body = match path.as_str() {
            "/products" => r#"{"items":[{"id":42}]}"#.to_string(),
            _ => format!("{{\"path\":\"{path}\"}}"),
        };
        let set_cookie = if path == "/login" {
            "Set-Cookie: session=s1; Path=/\r\n"
        } else {
            ""
        };
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{set_cookie}Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}
