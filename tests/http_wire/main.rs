//! What real services speak on the wire, end to end against real third-party servers on
//! 127.0.0.1: httpbin under gunicorn (gzip, deflate, brotli, multipart echo) and Caddy
//! (zstd, TLS for a name that does not resolve, mutual TLS). Each test checks loadcell's
//! `--summary-json` — checks passed, wire and decoded bytes, error kinds — and that bad
//! input is one line with exit code 2.
#![cfg(test)]

mod support;

mod compression;
mod tls;
mod uploads;
