//! The entry point the `response` fuzz target (`fuzz/`) and the corpus replay test
//! (`tests/fuzz_corpus.rs`) share, so the invariants checked while fuzzing on nightly are
//! the ones CI checks on stable with every committed corpus file.
//!
//! Not part of the client's API: hidden from the docs, and panicking (on purpose, to report
//! a broken invariant) is its job.

use crate::parse::{Capture, MAX_HEAD_BYTES, Progress, ResponseParser};

/// What feeding a whole input to a parser came to.
#[derive(Debug, PartialEq, Eq)]
struct Fed {
    /// `Some(Done)` / `Some(NeedMore)` (after the peer closed), `None` when refused.
    end: Option<Progress>,
    status: u16,
    body: Vec<u8>,
    head: Vec<u8>,
}

/// Feeds `wire` to a parser `step` bytes at a time, as successive reads would, stopping at
/// the end of the response or the first refusal; then tells it the peer closed.
fn feed(wire: &[u8], step: usize, head_request: bool) -> Fed {
    let mut parser = ResponseParser::new(head_request);
    let (mut body, mut head) = (Vec::new(), Vec::new());
    let mut fed = 0usize;
    let mut end = Some(Progress::NeedMore);
    for piece in wire.chunks(step.max(1)) {
        let mut cap = Capture {
            body: Some(&mut body),
            head: Some(&mut head),
        };
        fed += piece.len();
        match parser.feed(piece, &mut cap) {
            Ok(Progress::NeedMore) => {}
            Ok(Progress::Done) => {
                end = Some(Progress::Done);
                break;
            }
            Err(_) => {
                end = None;
                break;
            }
        }
    }
    assert_eq!(parser.received(), fed as u64, "received counts every byte fed");
    if end == Some(Progress::NeedMore) {
        end = Some(parser.finish_on_close());
    }
    let status = parser.status();
    Fed {
        end,
        status,
        body,
        head,
    }
}

/// Parses `data` as a response (the first byte chooses the read size and whether the request
/// was a HEAD) whole and in pieces, and panics if an invariant breaks: the result does not
/// depend on how the bytes were split into reads, the body is never longer than the input,
/// a completed response has a status from 100 to 999, and responses that carry no body
/// (HEAD, 204, 304) have none.
pub fn response(data: &[u8]) {
    let Some((&control, wire)) = data.split_first() else {
        return;
    };
    let head_request = control & 0x80 != 0;
    let step = usize::from(control & 0x7f).max(1);
    let whole = feed(wire, wire.len(), head_request);
    let split = feed(wire, step, head_request);
    let bytewise = feed(wire, 1, head_request);
    // One read of a head over the limit is parsed (it fit the read buffer); the same head
    // spread over reads is refused once the carried part passes the limit.
    if wire.len() <= MAX_HEAD_BYTES {
        assert_eq!(whole, split, "read size {step} changed the result");
        assert_eq!(whole, bytewise, "byte-by-byte reads changed the result");
    }
    assert!(whole.body.len() <= wire.len(), "body longer than the input");
    if whole.end == Some(Progress::Done) {
        assert!((100..=999).contains(&whole.status), "status {}", whole.status);
        assert!(!whole.head.is_empty(), "a complete response has a head");
        if head_request || whole.status == 204 || whole.status == 304 {
            assert!(whole.body.is_empty(), "a response without a body got one");
        }
    }
}
