//! A request step's exchange: its request, then each redirect hop up to the step's limit.
//!
//! Every hop is a request of its own in the results (under its own endpoint, `hops.rs`), its
//! `Set-Cookie` lines go into the jar, and the step's checks and extractions see the last
//! response. A redirect left over at the limit is recorded as `too_many_redirects` (a loop,
//! or a chain longer than allowed). A `Location` on another origin is followed on a
//! connection of its own there (without the step's `authorization` header, as browsers and
//! k6 drop it). Without a redirect, a step pays one status comparison for all this. The
//! last response's body is decoded from its `Content-Encoding` before the request is
//! recorded, so a body that does not decode is a failed request of its own kind. A batch's
//! requests run this same exchange, each on its own buffers and connection, sharing the
//! VU's jar.

use crate::cookies::JarAccess;
use crate::decode::{Decoded, decode};
use crate::redirect::{base_of, is_redirect, location, next_method, path_of, target};
use crate::request::{Hop, redirect_request};
use crate::response::store_cookies;
use crate::vu::Io;
use crate::workload::{JourneyWorker, JourneyWorkload, StepSlots};
use loadcell_engine::{Sent, VuContext};
use loadcell_http::{Capture, HttpError, Origin, ResponseInfo};
use loadcell_metrics::Outcome;
use loadcell_schema::ErrorKind;
use std::time::Duration;

/// Where the current hop goes when it left the run's origin: that origin and its base.
struct Away {
    origin: Origin,
    base: String,
}

impl JourneyWorkload {
    /// Sends the request built in `io` and follows its redirects; returns the last response.
    pub(crate) async fn exchange(
        &self,
        slots: StepSlots,
        io: &mut Io,
        mut jar: impl JarAccess,
        worker: &JourneyWorker,
        ctx: &mut VuContext,
    ) -> Sent {
        let timeout = slots.timeout.unwrap_or_else(|| ctx.timeout());
        let mut endpoint = slots.request;
        let mut hops = 0u32;
        let mut away: Option<Away> = None;
        loop {
            let at_limit = hops == slots.max_redirects && slots.max_redirects > 0;
            let sent = match &away {
                None => send(endpoint, io, ctx, timeout, at_limit.then_some(slots.max_redirects)).await,
                Some(a) => {
                    let parked = ctx.leave_for(&a.origin);
                    let sent = send(endpoint, io, ctx, timeout, at_limit.then_some(slots.max_redirects)).await;
                    ctx.come_back(parked);
                    sent
                }
            };
            let base = away.as_ref().map_or(self.base.as_str(), |a| a.base.as_str());
            jar.with(|jar| store_cookies(&io.response_head, jar, base, &io.request.path_and_query));
            let Outcome::Status(status) = sent.outcome else {
                return sent;
            };
            if hops >= slots.max_redirects || !is_redirect(status) {
                return sent;
            }
            let Some(next) = location(&io.response_head).and_then(|loc| target(base, &io.request.path_and_query, loc))
            else {
                return sent;
            };
            let next_base = base_of(&next);
            away = if next_base == self.base {
                None
            } else {
                let Ok(origin) = Origin::parse(next.as_str()) else {
                    return sent;
                };
                io.request
                    .headers
                    .retain(|(n, _)| !n.eq_ignore_ascii_case("authorization"));
                Some(Away {
                    origin,
                    base: next_base.to_string(),
                })
            };
            let (method, keep_body) = next_method(status, &io.request.method);
            let hop = Hop {
                method,
                keep_body,
                path: path_of(&next),
                origin: away.as_ref().map_or(&self.origin, |a| &a.origin),
                base: away.as_ref().map_or(self.base.as_str(), |a| a.base.as_str()),
            };
            redirect_request(io, &mut jar, &hop, slots.sets_cookie, self.http2);
            hops += 1;
            endpoint = self.hop_slot(&slots, &io.request, worker, away.as_ref().map(|a| a.base.as_str()));
        }
    }
}

/// Sends the request in `io`, capturing the response's head and body. With `refuse_beyond`
/// (the step's limit, reached), a response that redirects again is recorded as
/// `too_many_redirects`. A response that is not a redirect to follow has its body decoded
/// from its `Content-Encoding` before it is recorded, so one that does not decode is
/// recorded as `body_decode` (see `decode.rs`).
async fn send(
    endpoint: usize,
    io: &mut Io,
    ctx: &mut VuContext,
    timeout: Duration,
    refuse_beyond: Option<u32>,
) -> Sent {
    let Io {
        request,
        wire,
        response_head,
        response_body,
        decoded,
        decode_spare,
        ..
    } = io;
    response_head.clear();
    response_body.clear();
    let mut capture = Capture {
        body: Some(response_body),
        head: Some(response_head),
    };
    let mut undone = Decoded::Plain;
    let judge = |info: &ResponseInfo, cap: &Capture<'_>| {
        let head = cap.head.as_deref()?;
        if is_redirect(info.status) && location(head).is_some() {
            let limit = refuse_beyond?;
            return Some(HttpError::new(
                ErrorKind::TooManyRedirects,
                format!(
                    "still redirected ({}) after {limit} redirects: a loop, or a longer chain than the step allows (follow_redirects, --max-redirects)",
                    info.status
                ),
            ));
        }
        let body = cap.body.as_deref()?;
        match decode(head, body, decoded, decode_spare) {
            Ok(d) => {
                undone = d;
                None
            }
            Err(e) => Some(HttpError::new(ErrorKind::BodyDecode, e.to_string())),
        }
    };
    let sent = ctx
        .send_with(endpoint, request, wire, &mut capture, timeout, judge)
        .await;
    match (sent.outcome, undone) {
        (Outcome::Status(_), Decoded::Into) => {
            std::mem::swap(response_body, decoded);
            ctx.record_decoded(endpoint, response_body.len() as u64);
        }
        (Outcome::Status(_), Decoded::Plain) => ctx.record_decoded(endpoint, response_body.len() as u64),
        // A failed request's body (a decode failure's included) is no response to check.
        (Outcome::Error(_), _) => response_body.clear(),
    }
    sent
}
