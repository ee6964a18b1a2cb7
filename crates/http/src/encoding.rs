//! Undoing a response's `Content-Encoding` (gzip, deflate, br, zstd) so that checks and
//! extractions read what the server meant, not its compressed bytes.
//!
//! Called by scenario steps on the body they captured, never by the request hot path:
//! quick mode counts a response's bytes and framing and never looks inside the body.
//! Decoders are the well-kept crates of each format (flate2, brotli-decompressor, ruzstd),
//! bounded by [`MAX_DECODED_BYTES`] so a compression bomb from a misbehaving target is a
//! measured failure, not an exhausted machine.

use std::io::{self, Read};

/// Largest body a response may decode to; beyond it decoding fails.
pub const MAX_DECODED_BYTES: u64 = 64 * 1024 * 1024;

/// A content coding loadcell decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentCoding {
    Gzip,
    Deflate,
    Brotli,
    Zstd,
}

impl ContentCoding {
    /// The coding a `Content-Encoding` token names; `None` for `identity` and unknown ones.
    pub fn from_token(token: &str) -> Option<ContentCoding> {
        let t = token.trim();
        [
            ("gzip", ContentCoding::Gzip),
            ("x-gzip", ContentCoding::Gzip),
            ("deflate", ContentCoding::Deflate),
            ("br", ContentCoding::Brotli),
            ("zstd", ContentCoding::Zstd),
        ]
        .into_iter()
        .find(|(name, _)| t.eq_ignore_ascii_case(name))
        .map(|(_, c)| c)
    }
}

/// Why a body could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("the response says Content-Encoding '{0}', which loadcell cannot decode")]
    Unsupported(String),
    #[error("the {coding} body does not decode: {reason}")]
    Corrupt { coding: &'static str, reason: String },
    #[error("the body decodes to more than {} MiB", MAX_DECODED_BYTES / (1024 * 1024))]
    TooLarge,
}

/// Decodes `body` as the `Content-Encoding` header value `header` says (codings applied in
/// order, so undone last to first) into `out` (cleared first). Returns `Ok(false)` when
/// there was nothing to undo (`identity` or empty), leaving `out` empty.
pub fn decode_body(header: &str, body: &[u8], out: &mut Vec<u8>, spare: &mut Vec<u8>) -> Result<bool, DecodeError> {
    out.clear();
    let tokens: Vec<&str> = header
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty() && !t.eq_ignore_ascii_case("identity"))
        .collect();
    if tokens.is_empty() {
        return Ok(false);
    }
    let mut input: &[u8] = body;
    for (i, token) in tokens.iter().rev().enumerate() {
        let coding = ContentCoding::from_token(token).ok_or_else(|| DecodeError::Unsupported((*token).to_string()))?;
        if i > 0 {
            std::mem::swap(out, spare);
            input = spare;
        }
        out.clear();
        decode_one(coding, input, out)?;
    }
    Ok(true)
}

fn decode_one(coding: ContentCoding, input: &[u8], out: &mut Vec<u8>) -> Result<(), DecodeError> {
    let name = match coding {
        ContentCoding::Gzip => "gzip",
        ContentCoding::Deflate => "deflate",
        ContentCoding::Brotli => "br",
        ContentCoding::Zstd => "zstd",
    };
    let corrupt = |e: io::Error| DecodeError::Corrupt {
        coding: name,
        reason: e.to_string(),
    };
    let read = match coding {
        ContentCoding::Gzip => bounded(flate2::read::MultiGzDecoder::new(input), out),
        ContentCoding::Deflate => {
            // RFC 9110 says zlib-wrapped; some servers send raw deflate: take either.
            let zlib = bounded(flate2::read::ZlibDecoder::new(input), out);
            if zlib.is_err() {
                out.clear();
                bounded(flate2::read::DeflateDecoder::new(input), out)
            } else {
                zlib
            }
        }
        ContentCoding::Brotli => bounded(brotli_decompressor::Decompressor::new(input, 4096), out),
        ContentCoding::Zstd => {
            let decoder = ruzstd::decoding::StreamingDecoder::new(input).map_err(|e| DecodeError::Corrupt {
                coding: name,
                reason: e.to_string(),
            })?;
            bounded(decoder, out)
        }
    };
    match read {
        Ok(n) if n > MAX_DECODED_BYTES => Err(DecodeError::TooLarge),
        Ok(_) => Ok(()),
        Err(e) => Err(corrupt(e)),
    }
}

/// Reads `r` to its end into `out`, stopping one byte past the limit.
fn bounded<R: Read>(r: R, out: &mut Vec<u8>) -> io::Result<u64> {
    r.take(MAX_DECODED_BYTES + 1).read_to_end(out).map(|n| n as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap_or_else(|e| panic!("{e}"));
        e.finish().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn decodes_gzip_deflate_and_stacked_codings() {
        let (mut out, mut spare) = (Vec::new(), Vec::new());
        let body = gzip(b"{\"a\":1}");
        assert!(decode_body("gzip", &body, &mut out, &mut spare).unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(out, b"{\"a\":1}");
        let twice = gzip(&body);
        assert!(decode_body("gzip, GZIP", &twice, &mut out, &mut spare).unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(out, b"{\"a\":1}");
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(b"hello").unwrap_or_else(|e| panic!("{e}"));
        let zlib = z.finish().unwrap_or_else(|e| panic!("{e}"));
        assert!(decode_body("deflate", &zlib, &mut out, &mut spare).unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(out, b"hello");
        let mut r = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        r.write_all(b"raw").unwrap_or_else(|e| panic!("{e}"));
        let raw = r.finish().unwrap_or_else(|e| panic!("{e}"));
        assert!(decode_body("deflate", &raw, &mut out, &mut spare).unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(out, b"raw");
    }

    #[test]
    fn identity_is_nothing_to_do_and_garbage_is_an_error() {
        let (mut out, mut spare) = (Vec::new(), Vec::new());
        assert!(!decode_body("identity", b"x", &mut out, &mut spare).unwrap_or_else(|e| panic!("{e}")));
        assert!(!decode_body(" ", b"x", &mut out, &mut spare).unwrap_or_else(|e| panic!("{e}")));
        for coding in ["gzip", "deflate", "br", "zstd"] {
            assert!(
                decode_body(coding, b"not compressed at all", &mut out, &mut spare).is_err(),
                "{coding}"
            );
        }
        assert!(matches!(
            decode_body("compress", b"x", &mut out, &mut spare),
            Err(DecodeError::Unsupported(_))
        ));
    }

    #[test]
    fn a_bomb_stops_at_the_limit() {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let chunk = vec![0u8; 1024 * 1024];
        for _ in 0..(MAX_DECODED_BYTES / chunk.len() as u64 + 1) {
            e.write_all(&chunk).unwrap_or_else(|e| panic!("{e}"));
        }
        let bomb = e.finish().unwrap_or_else(|e| panic!("{e}"));
        let (mut out, mut spare) = (Vec::new(), Vec::new());
        assert!(matches!(
            decode_body("gzip", &bomb, &mut out, &mut spare),
            Err(DecodeError::TooLarge)
        ));
    }
}
