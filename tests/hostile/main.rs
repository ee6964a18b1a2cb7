//! Hostile targets: the real `loadcell` binary against servers on 127.0.0.1 that misbehave
//! in one way each (never answering, resets, garbage, a 1 GB body trickled, a 200 MB body,
//! malformed chunks, HTTP/1.0 close-delimited bodies, a 1.2 MB header, 10,000 headers, bad
//! status lines, a full listen backlog, a server that dies and comes back, TLS faults).
//! Every run must end on time, never panic, keep its peak RSS (from `wait4`) bounded,
//! classify each failure into the right error kind with a message that says why, count
//! every request (total = ok + failed = statuses + errors, and the server's own count where
//! it can count), and get the verdict right: a run whose requests mostly failed or hung
//! does not pass an error-rate threshold.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;
mod server;
mod tls;

mod connections;
mod http_faults;
mod limits;
mod tls_faults;
mod verdicts;
