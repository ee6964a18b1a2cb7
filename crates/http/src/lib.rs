//! loadcell's HTTP client, built for measuring: one connection per virtual user, a lean
//! HTTP/1.1 codec that writes pre-encoded request bytes and parses responses no further
//! than needed, HTTPS through rustls, and HTTP/2 (h2c prior knowledge or ALPN) via hyper.
//!
//! A failed request is a measurement: every failure comes back as an [`HttpError`] whose
//! [`ErrorKind`](loadcell_schema::ErrorKind) the engine counts. Timeouts are the caller's
//! (the engine wraps calls in its own deadline). Scheduling, metrics and retries of whole
//! iterations are not handled here; see the `loadcell-engine` crate.

mod connect;
mod connection;
mod encoding;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod h2;
mod origin;
mod parse;
mod plain;
mod request;
mod resolve;
mod stamp;
mod tls;
mod tls_h1;
mod tls_reason;

pub use connect::{ClientConfig, ConnectPhases, Connected, connect};
pub use connection::{Connection, ResponseInfo, Timing};
pub use encoding::{ContentCoding, DecodeError, MAX_DECODED_BYTES, decode_body};
pub use error::{HttpError, RequestError};
pub use origin::{Origin, Scheme};
pub use parse::{Capture, Malformed, Progress, ResponseParser};
pub use request::{Request, check_header, encode_h1, encode_h1_with_body, parse_header_line};
pub use resolve::Resolve;
pub use tls::{TlsOptions, tls_config};
