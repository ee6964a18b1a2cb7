//! Fuzz-ish tests: random and mutated strings never panic, and every error
//! message is a single line.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::{parse, parse_condition};

/// A small deterministic xorshift generator; no dependencies.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "p",
    "p(",
    ")",
    "95",
    "99.9",
    "-1",
    "101",
    ".",
    ",",
    ":",
    "{",
    "}",
    "{{",
    "}}",
    "<",
    "<=",
    ">",
    ">=",
    "=",
    "==",
    "!=",
    "!",
    " ",
    "\t",
    "\n",
    "ms",
    "s",
    "us",
    "µs",
    "m",
    "%",
    "/s",
    "e",
    "1e9",
    "http_req_duration",
    "http_reqs",
    "http_req_failed",
    "checks",
    "vus",
    "data_sent",
    "rate",
    "count",
    "avg",
    "med",
    "min",
    "max",
    "value",
    "error_rate",
    "rps",
    "ttfb_p95",
    "endpoint",
    "GET /api/x",
    "é",
    "💥",
    "\u{0}",
    "\u{202e}",
    "0",
    "00000000000000000000000000000",
    "+",
    "-",
];

const SEEDS: &[&str] = &[
    "p95<200ms",
    "http_req_duration{endpoint:GET /api/products/{{ product_id }}}: p(99.9) <= 1.5s",
    "http_req_failed{method:POST,status:500}: rate<1%",
    "error_rate<0.01",
    "rps>=1000/s",
    "data_sent: rate<10kB/s",
    "vus: value!=3",
];

fn assert_one_line(input: &str) {
    if let Err(e) = parse(input) {
        let msg = e.to_string();
        assert!(!msg.contains(['\n', '\r']), "{input:?} -> {msg:?}");
    }
    if let Some((k, c)) = input.split_once(':')
        && let Err(e) = parse_condition(k, c)
    {
        assert!(!e.to_string().contains(['\n', '\r']), "{input:?}");
    }
}

#[test]
fn random_pieces_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..20_000 {
        let n = rng.below(12);
        let s: String = (0..n).map(|_| PIECES[rng.below(PIECES.len())]).collect();
        assert_one_line(&s);
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(42);
    for _ in 0..20_000 {
        let n = rng.below(24);
        let bytes: Vec<u8> = (0..n).map(|_| (rng.next() & 0xff) as u8).collect();
        assert_one_line(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn mutated_valid_expressions_never_panic() {
    let mut rng = Rng(7);
    for _ in 0..20_000 {
        let mut chars: Vec<char> = SEEDS[rng.below(SEEDS.len())].chars().collect();
        for _ in 0..=rng.below(3) {
            let at = rng.below(chars.len() + 1);
            match rng.below(3) {
                0 if at < chars.len() => {
                    chars.remove(at);
                }
                1 => {
                    let piece = PIECES[rng.below(PIECES.len())];
                    for (i, c) in piece.chars().enumerate() {
                        chars.insert(at + i, c);
                    }
                }
                _ if at < chars.len() => chars[at] = ['{', '}', ':', ' ', '<', '9', 'x'][rng.below(7)],
                _ => {}
            }
        }
        assert_one_line(&chars.into_iter().collect::<String>());
    }
}

#[test]
fn pathological_inputs() {
    for s in [
        "{".repeat(10_000),
        "}".repeat(10_000),
        ":".repeat(10_000),
        ",".repeat(10_000),
        format!("http_reqs{{{}}}: count>1", "a:b,".repeat(2_000)),
        format!("http_reqs{{name:{}}}: count>1", ", ".repeat(5_000)),
        "p".repeat(10_000),
        format!("p{}<1", "9".repeat(500)),
        format!("p95<{}", "9".repeat(500)),
        format!("p95<0.{}1", "0".repeat(500)),
        "\u{feff}p95<1".to_string(),
        "p95<1\u{0}".to_string(),
    ] {
        assert_one_line(&s);
    }
}
