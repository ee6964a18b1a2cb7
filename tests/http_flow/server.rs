//! A small HTTP/1.1 server with the routes httpbin lacks — a redirect loop, redirects that
//! set cookies, cookies scoped by path, expired and `Secure`, a body that says gzip and is
//! not, a redirect to an `https://` origin, chains of any length — which records every request
//! (method, path, `Cookie` header, body) so the tests count what the server saw, not what
//! loadcell says. Keep-alive, one thread per connection (the tests run a few VUs); the
//! listener thread stops with the server.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Hit {
    pub method: String,
    pub path: String,
    pub cookie: Option<String>,
    pub body: Vec<u8>,
}

/// The server; stops accepting on drop.
pub struct FlowServer {
    pub port: u16,
    hits: Arc<Mutex<Vec<Hit>>>,
    stop: Arc<AtomicBool>,
}

impl FlowServer {
    pub fn start() -> FlowServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener.set_nonblocking(true).expect("nonblocking listener");
        let port = listener.local_addr().expect("local addr").port();
        let hits = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (h, s) = (hits.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let h = h.clone();
                        std::thread::spawn(move || serve(stream, &h));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        FlowServer { port, hits, stop }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.hits.lock().expect("hits").clone()
    }

    /// Requests to `path` (query included).
    pub fn count(&self, method: &str, path: &str) -> usize {
        self.hits()
            .iter()
            .filter(|h| h.method == method && h.path == path)
            .count()
    }
}

impl Drop for FlowServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve(stream: TcpStream, hits: &Mutex<Vec<Hit>>) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, path) = (
            parts.next().unwrap_or("").to_string(),
            parts.next().unwrap_or("").to_string(),
        );
        let (mut length, mut cookie) = (0usize, None);
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
                match name.trim().to_ascii_lowercase().as_str() {
                    "content-length" => length = value.trim().parse().unwrap_or(0),
                    "cookie" => cookie = Some(value.trim().to_string()),
                    _ => {}
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let response = answer(&method, &path);
        hits.lock().expect("hits").push(Hit {
            method,
            path,
            cookie,
            body,
        });
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

/// The response to `method path`.
fn answer(method: &str, path: &str) -> String {
    // `/chain/N` redirects to `/chain/N-1` (N hops in all), `/chain/0` answers.
    if let Some(n) = path.strip_prefix("/chain/").and_then(|n| n.parse::<u32>().ok())
        && n > 0
    {
        return format!(
            "HTTP/1.1 302 Found\r\nLocation: /chain/{}\r\nContent-Length: 0\r\n\r\n",
            n - 1
        );
    }
    // `/to-https/NAME/PORT/rest` redirects to `https://NAME:PORT/rest`: a hop to another
    // origin, over TLS, from a target that is plain HTTP.
    if let Some(rest) = path.strip_prefix("/to-https/") {
        let mut parts = rest.splitn(3, '/');
        let (name, port, rest) = (
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
        );
        return format!("HTTP/1.1 302 Found\r\nLocation: https://{name}:{port}/{rest}\r\nContent-Length: 0\r\n\r\n");
    }
    let (status, headers): (&str, &[&str]) = match (method, path) {
        (_, "/loop") => ("302 Found", &["Location: /loop"]),
        ("POST", "/form") => ("303 See Other", &["Location: /done"]),
        ("POST", "/keep") => ("307 Temporary Redirect", &["Location: /kept"]),
        (_, "/login") => ("302 Found", &["Set-Cookie: session=s1; Path=/", "Location: /app/home"]),
        (_, "/set-scoped") => (
            "200 OK",
            &["Set-Cookie: scoped=1; Path=/app", "Set-Cookie: everywhere=1; Path=/"],
        ),
        (_, "/set-short") => ("200 OK", &["Set-Cookie: short=1; Path=/; Max-Age=3600"]),
        (_, "/expire-short") => (
            "200 OK",
            &["Set-Cookie: short=1; Path=/; Expires=Wed, 21 Oct 2015 07:28:00 GMT"],
        ),
        (_, "/set-secure") => (
            "200 OK",
            &[
                "Set-Cookie: secret=1; Path=/; Secure",
                "Set-Cookie: plain=1; Path=/; HttpOnly",
            ],
        ),
        (_, "/broken-gzip") => ("200 OK", &["Content-Encoding: gzip"]),
        _ => ("200 OK", &[]),
    };
    let body = match path {
        // Not a gzip stream at all (no magic bytes), as a misconfigured proxy might send.
        "/broken-gzip" => "this was never gzip".to_string(),
        _ => format!("{{\"method\":\"{method}\",\"path\":\"{path}\"}}"),
    };
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for h in headers {
        out.push_str(h);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    out.push_str(&body);
    out
}
