//! How a request step's exchange runs, beside what it sends: `timeout:` (this request's own,
//! overriding its journey's and `--timeout`) and `follow_redirects: false | true | N`.
//! Kept apart from `step.rs` so the request's own keys and these stay easy to tell apart.

use super::node::{Key, Kind, Node, get};
use super::{Ctx, value};
use crate::model::Redirects;
use std::time::Duration;

/// The keys this module reads in a request step.
pub(crate) const KEYS: [&str; 2] = ["timeout", "follow_redirects"];

/// The most hops a step may allow: far beyond any real chain (browsers stop at 20), low
/// enough that a loop ends quickly.
const MAX_HOPS: u64 = 100;

/// A step's `timeout:` and `follow_redirects:`; `None` after an error (already reported).
pub(crate) fn step_flow(ctx: &mut Ctx<'_>, entries: &[(Key, Node)]) -> Option<(Option<Duration>, Redirects)> {
    let timeout = match get(entries, "timeout") {
        Some((_, n)) => Some(value::positive_duration(ctx, n, "'timeout'")?),
        None => None,
    };
    let redirects = match get(entries, "follow_redirects") {
        Some((_, n)) => redirects(ctx, n)?,
        None => Redirects::RunLimit,
    };
    Some((timeout, redirects))
}

/// `false` | `true` | a whole number of hops (`0` is `false`).
fn redirects(ctx: &mut Ctx<'_>, node: &Node) -> Option<Redirects> {
    match node.kind {
        Kind::Bool(false) => Some(Redirects::Off),
        Kind::Bool(true) => Some(Redirects::RunLimit),
        Kind::Int(_) => match value::whole_in(ctx, node, "'follow_redirects'", 0, MAX_HOPS)? {
            0 => Some(Redirects::Off),
            n => Some(Redirects::Max(n as u32)),
        },
        _ => {
            ctx.error(
                node.pos,
                format!(
                    "'follow_redirects' must be false, true or a number of hops (0 to {MAX_HOPS}), found {}",
                    node.describe()
                ),
            );
            None
        }
    }
}
