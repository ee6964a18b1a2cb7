//! `multipart:` bodies — `fields` (name → text template) and `files` (name → a path relative
//! to the scenario file, or `{ path, filename, content_type }`), laid out once at load as
//! `multipart/form-data` with a boundary that appears in no file. Files are read here, once.

use super::node::{Key, Kind, Node, get};
use super::{Ctx, template, value};
use crate::model::{Multipart, MultipartPart, PartContent};
use crate::validate::scope::Scope;
use std::hash::{BuildHasher, Hasher};

pub(crate) fn multipart(ctx: &mut Ctx<'_>, node: &Node, scope: &Scope<'_>) -> Option<Multipart> {
    let entries = value::map(ctx, node, "'multipart' (with 'fields' and/or 'files')")?;
    let mark = ctx.errors.len();
    value::known_keys(ctx, entries, &["fields", "files"], "in multipart");
    let mut fields = Vec::new();
    if let Some((_, n)) = get(entries, "fields") {
        for (k, v) in value::map(ctx, n, "multipart 'fields'").unwrap_or_default() {
            if let Some(t) = template::compile_node(ctx, v, &format!("multipart field '{}'", k.text), scope) {
                fields.push((k.text.clone(), t));
            }
        }
    }
    let mut files = Vec::new();
    if let Some((_, n)) = get(entries, "files") {
        for (k, v) in value::map(ctx, n, "multipart 'files'").unwrap_or_default() {
            if let Some(file) = file(ctx, k, v) {
                files.push(file);
            }
        }
    }
    if !ctx.clean_since(mark) {
        return None;
    }
    if fields.is_empty() && files.is_empty() {
        ctx.error(node.pos, "'multipart' has no 'fields' and no 'files': nothing to send");
        return None;
    }
    let boundary = boundary(&files);
    let mut parts = Vec::with_capacity(fields.len() + files.len());
    for (i, (name, t)) in fields.into_iter().enumerate() {
        parts.push(MultipartPart {
            head: head(&boundary, i == 0, &name, None),
            content: PartContent::Field(t),
        });
    }
    let first = parts.is_empty();
    for (i, f) in files.into_iter().enumerate() {
        parts.push(MultipartPart {
            head: head(
                &boundary,
                first && i == 0,
                &f.name,
                Some((&f.filename, &f.content_type)),
            ),
            content: PartContent::File(f.bytes),
        });
    }
    Some(Multipart {
        content_type: format!("multipart/form-data; boundary={boundary}"),
        parts,
        tail: format!("\r\n--{boundary}--\r\n").into_bytes(),
    })
}

struct FilePart {
    name: String,
    filename: String,
    content_type: String,
    bytes: bytes::Bytes,
}

/// `name: path` or `name: { path, filename, content_type }`.
fn file(ctx: &mut Ctx<'_>, key: &Key, node: &Node) -> Option<FilePart> {
    let what = format!("multipart file '{}'", key.text);
    let (path_node, filename, content_type) = match &node.kind {
        Kind::Map(entries) => {
            value::known_keys(
                ctx,
                entries,
                &["path", "filename", "content_type"],
                &format!("in {what}"),
            );
            let Some((_, p)) = get(entries, "path") else {
                ctx.error(node.pos, format!("{what} has no 'path'"));
                return None;
            };
            let text = |ctx: &mut Ctx<'_>, k: &str| match get(entries, k) {
                Some((_, n)) => value::non_empty_text(ctx, n, &format!("'{k}' of {what}")).map(Some),
                None => Some(None),
            };
            (p, text(ctx, "filename")?, text(ctx, "content_type")?)
        }
        _ => (node, None, None),
    };
    let file = value::non_empty_text(ctx, path_node, &format!("the path of {what}"))?;
    if let Some(bad) = [Some(&file), filename.as_ref(), content_type.as_ref()]
        .into_iter()
        .flatten()
        .find(|t| t.contains(['\r', '\n']))
    {
        ctx.error(
            node.pos,
            format!("{what}: {} has a line break", crate::error::quote(bad, 60)),
        );
        return None;
    }
    let path = ctx.base_dir.join(&file);
    ctx.reads(&file, &path, path_node.pos);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            ctx.error(
                path_node.pos,
                format!(
                    "cannot read {what} '{}' ({}): {e}",
                    crate::error::clip(&file, 120),
                    path.display()
                ),
            );
            return None;
        }
    };
    let filename = filename.unwrap_or_else(|| {
        std::path::Path::new(&file)
            .file_name()
            .map_or_else(|| file.clone(), |n| n.to_string_lossy().into_owned())
    });
    Some(FilePart {
        name: key.text.clone(),
        filename,
        content_type: content_type.unwrap_or_else(|| "application/octet-stream".to_string()),
        bytes: bytes.into(),
    })
}

/// A boundary found in no file (fields are text a user wrote or a template rendered: a
/// random 128-bit boundary will not be in them).
fn boundary(files: &[FilePart]) -> String {
    loop {
        let state = std::collections::hash_map::RandomState::new();
        let (mut a, mut b) = (state.build_hasher(), state.build_hasher());
        a.write_u64(1);
        b.write_u64(2);
        let candidate = format!("loadcell-{:016x}{:016x}", a.finish(), b.finish());
        if !files
            .iter()
            .any(|f| memchr::memmem::find(&f.bytes, candidate.as_bytes()).is_some())
        {
            return candidate;
        }
    }
}

/// A part's head: the CRLF ending the part before (none for the first), the boundary line,
/// its headers and the blank line. Names are quoted as HTML forms do (`"` → `%22`).
fn head(boundary: &str, first: bool, name: &str, file: Option<(&str, &str)>) -> Vec<u8> {
    let quote = |s: &str| s.replace('"', "%22");
    let mut h = String::new();
    if !first {
        h.push_str("\r\n");
    }
    h.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"",
        quote(name)
    ));
    if let Some((filename, content_type)) = file {
        h.push_str(&format!(
            "; filename=\"{}\"\r\nContent-Type: {content_type}",
            quote(filename)
        ));
    }
    h.push_str("\r\n\r\n");
    h.into_bytes()
}
