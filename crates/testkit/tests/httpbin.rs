//! The httpbin fixture starts a real httpbin that answers on loopback, and stops it
//! (worker included) on drop.

#![allow(clippy::expect_used)]

use std::io::{Read, Write};
use std::net::TcpStream;

use loadcell_testkit::Httpbin;

fn get(port: u16, path: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to httpbin");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    answer
}

#[test]
fn httpbin_answers_on_loopback_and_is_gone_after_drop() {
    let port = {
        let httpbin = Httpbin::start();
        let answer = get(httpbin.port, "/get?probe=1");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains("\"probe\": \"1\""), "{answer}");
        let redirect = get(httpbin.port, "/redirect/2");
        assert!(redirect.starts_with("HTTP/1.1 302"), "{redirect}");
        httpbin.port
    };
    assert!(
        loadcell_testkit::wait_until(std::time::Duration::from_secs(5), || TcpStream::connect((
            "127.0.0.1",
            port
        ))
        .is_err()),
        "httpbin still listens on {port} after drop"
    );
}
