//! How connections are made, at the top level of a file: `resolve:` (a list of curl-style
//! `host:port:address` overrides) and `tls: { cacert, cert, key }` (PEM files relative to
//! the scenario file). Both are checked now — the PEM files read and parsed — so a bad one
//! is reported at its `file:line:col` before any request.

use super::node::{Node, get};
use super::{Ctx, value};
use crate::model::TlsFiles;
use loadcell_http::{Resolve, TlsOptions, tls_config};

/// `resolve: ["api.example.test:443:127.0.0.1", …]`
pub(crate) fn resolve(ctx: &mut Ctx<'_>, node: &Node) -> Option<Vec<Resolve>> {
    let items = value::seq(ctx, node, "'resolve' (a list of host:port:address)")?;
    let mut out = Some(Vec::with_capacity(items.len()));
    for item in items {
        let entry = value::non_empty_text(ctx, item, "a 'resolve' entry");
        match entry.map(|e| Resolve::parse(e.trim())) {
            Some(Ok(r)) => {
                if let Some(list) = out.as_mut() {
                    list.push(r);
                }
            }
            Some(Err(e)) => {
                ctx.error(item.pos, e.to_string());
                out = None;
            }
            None => out = None,
        }
    }
    out
}

/// `tls: { cacert: ca.pem, cert: client.pem, key: client-key.pem }`
pub(crate) fn tls(ctx: &mut Ctx<'_>, node: &Node) -> Option<TlsFiles> {
    let entries = value::map(ctx, node, "'tls' (with 'cacert', 'cert' and 'key')")?;
    let mark = ctx.errors.len();
    value::known_keys(ctx, entries, &["cacert", "cert", "key"], "in tls");
    let path = |ctx: &mut Ctx<'_>, key: &str| {
        get(entries, key).and_then(|(_, n)| {
            value::non_empty_text(ctx, n, &format!("tls '{key}'")).map(|t| {
                let path = ctx.base_dir.join(t.trim());
                ctx.reads(t.trim(), &path, n.pos);
                (path, n.pos)
            })
        })
    };
    let cacert = path(ctx, "cacert");
    let cert = path(ctx, "cert");
    let key = path(ctx, "key");
    let client_cert = match (cert, key) {
        (Some((c, cp)), Some((k, kp))) => Some(((c, cp), (k, kp))),
        (Some((_, pos)), None) | (None, Some((_, pos))) => {
            ctx.error(pos, "tls 'cert' and 'key' go together: give both for mutual TLS");
            None
        }
        (None, None) => None,
    };
    if !ctx.clean_since(mark) {
        return None;
    }
    // Each file on its own, so that a problem is reported at the key that names it.
    if let Some((path, pos)) = &cacert
        && let Err(e) = tls_config(&TlsOptions {
            cacert: Some(path.clone()),
            ..TlsOptions::default()
        })
    {
        ctx.error(*pos, e.to_string());
        return None;
    }
    if let Some(((cert, pos), (key, _))) = &client_cert
        && let Err(e) = tls_config(&TlsOptions {
            insecure: true,
            client_cert: Some((cert.clone(), key.clone())),
            ..TlsOptions::default()
        })
    {
        ctx.error(*pos, e.to_string());
        return None;
    }
    Some(TlsFiles {
        cacert: cacert.map(|(p, _)| p),
        client_cert: client_cert.map(|((c, _), (k, _))| (c, k)),
    })
}
