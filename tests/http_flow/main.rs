//! What real services speak beyond one request and one response, end to end: redirects
//! followed hop by hop, per-step and per-journey timeouts, the cookie jar's RFC 6265
//! rules, and a body that does not decode. The real binary runs scenarios against httpbin
//! (a third-party service, installed
//! by `scripts/install-test-deps.sh`) and against `server::FlowServer`, which records every
//! request so counts and cookies are checked from the server's side. Every run is bounded
//! by its iterations and a duration.
#![cfg(test)]
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod server;
mod support;

mod cookies;
mod decode;
mod https_hop;
mod redirects;
mod timeouts;
