//! Turning scenario text into a [`Scenario`]: the shared context (file label, base directory,
//! collected errors, positions inside scalars) and the entry point. Each section of the format
//! has its own module; every problem is recorded with its `file:line:col` and parsing goes on so
//! that all of them can be reported.

use std::cell::OnceCell;
use std::path::Path;

use crate::error::ScenarioError;
use crate::model::Scenario;

mod batch;
mod body;
mod check;
mod connection;
mod data;
mod extract;
mod flow;
mod journey;
mod lifecycle;
mod load;
mod metrics;
mod monitor;
mod multipart;
pub(crate) mod node;
mod postgres;
mod root;
mod scenarios;
mod step;
mod tags;
pub(crate) mod template;
mod thresholds;
mod value;
mod yaml;

use node::{Node, Pos};
pub(crate) use value::is_identifier;

/// State shared while one file is parsed.
pub(crate) struct Ctx<'a> {
    pub(crate) file: &'a str,
    pub(crate) base_dir: &'a Path,
    source: &'a str,
    /// Byte offset where each line starts; built on the first error inside a template (a
    /// valid file never needs it, and a big one would pay 4 bytes a line).
    line_starts: OnceCell<Vec<u32>>,
    pub(crate) errors: Vec<ScenarioError>,
    /// The scenario's `metrics:`, known before its steps are compiled (their `add:`).
    pub(crate) metrics: Vec<loadcell_schema::CustomMetricDef>,
    /// The files read so far (`Scenario::files`).
    pub(crate) files: Vec<crate::model::FileRef>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(source: &'a str, file: &'a str, base_dir: &'a Path) -> Ctx<'a> {
        Ctx {
            file,
            base_dir,
            source,
            line_starts: OnceCell::new(),
            errors: Vec::new(),
            metrics: Vec::new(),
            files: Vec::new(),
        }
    }

    /// Notes that the file written `written` at `pos` is read from `path`.
    pub(crate) fn reads(&mut self, written: &str, path: &Path, pos: Pos) {
        self.files.push(crate::model::FileRef {
            written: written.to_string(),
            path: path.to_path_buf(),
            at: crate::model::SourcePos {
                line: pos.line as usize,
                col: pos.col as usize,
            },
        });
    }

    /// Records a problem at `pos`.
    pub(crate) fn error(&mut self, pos: Pos, message: impl Into<String>) {
        self.errors.push(ScenarioError {
            file: self.file.to_string(),
            line: pos.line as usize,
            col: pos.col as usize,
            message: message.into(),
        });
    }

    /// True when nothing has been recorded since `mark` (= `errors.len()` taken earlier).
    pub(crate) fn clean_since(&self, mark: usize) -> bool {
        self.errors.len() == mark
    }

    /// The position of the `occurrence`-th `{{` inside a scalar node, found in the file text;
    /// the node's own position when the text cannot be matched (escapes, folding).
    pub(crate) fn template_pos(&self, node: &Node, occurrence: usize) -> Pos {
        self.find_template(node, occurrence).unwrap_or(node.pos)
    }

    fn find_template(&self, node: &Node, occurrence: usize) -> Option<Pos> {
        let line_start = *self.line_starts().get((node.pos.line as usize).checked_sub(1)?)? as usize;
        let line = &self.source[line_start..];
        let start = line_start + line.char_indices().nth((node.pos.col as usize).checked_sub(1)?)?.0;
        let len_chars = node.end.saturating_sub(node.start) as usize;
        let text = &self.source[start..];
        let end = text.char_indices().nth(len_chars).map_or(text.len(), |(i, _)| i);
        let text = &text[..end];
        let mut from = 0;
        let mut seen = 0;
        while let Some(i) = text[from..].find("{{") {
            let at = from + i;
            if seen == occurrence {
                return Some(self.pos_of(start + at));
            }
            seen += 1;
            from = at + 2;
        }
        None
    }

    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            // Offsets fit: parse_yaml refuses files past 4 GiB.
            starts.extend(
                self.source
                    .match_indices('\n')
                    .map(|(i, _)| u32::try_from(i + 1).unwrap_or(u32::MAX)),
            );
            starts
        })
    }

    /// The 1-based position of a byte offset.
    fn pos_of(&self, byte: usize) -> Pos {
        let starts = self.line_starts();
        let line = starts.partition_point(|&s| s as usize <= byte);
        let start = starts[line - 1] as usize;
        let col = self.source[start..byte].chars().count() + 1;
        let small = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Pos {
            line: small(line),
            col: small(col),
        }
    }
}

/// Parses and validates scenario text; every problem found, in file order, on failure.
pub(crate) fn run(text: &str, file: &str, base_dir: &Path) -> Result<Scenario, Vec<ScenarioError>> {
    let mut ctx = Ctx::new(text, file, base_dir);
    let scenario = match node::parse_yaml(text) {
        Ok(root) => root::scenario(&mut ctx, root, &default_name(file)),
        Err(e) => {
            ctx.error(e.pos, e.message);
            None
        }
    };
    let mut errors = ctx.errors;
    if let Some(s) = &scenario {
        errors.extend(foreign_origins(s, file));
    }
    match scenario {
        Some(s) if errors.is_empty() => Ok(s),
        _ => {
            errors.sort_by_key(|e| (e.line, e.col));
            errors.dedup();
            if errors.is_empty() {
                errors.push(ScenarioError {
                    file: file.to_string(),
                    line: 1,
                    col: 1,
                    message: "invalid scenario".into(),
                });
            }
            Err(errors)
        }
    }
}

/// Absolute step URLs must stay on the target's origin: each VU keeps one connection, to the
/// target, so a URL elsewhere could never be sent.
fn foreign_origins(s: &Scenario, file: &str) -> Vec<ScenarioError> {
    let Some(target) = s.target.as_deref() else {
        return Vec::new();
    };
    let origin_of = |url: &str| -> Option<String> {
        let (scheme, rest) = url.split_once("://")?;
        let authority = rest.split(['/', '?', '#']).next()?;
        Some(format!(
            "{}://{}",
            scheme.to_ascii_lowercase(),
            authority.to_ascii_lowercase()
        ))
    };
    let Some(target_origin) = origin_of(target.trim()) else {
        return Vec::new();
    };
    let mut errors = Vec::new();
    for journey in &s.journeys {
        for rs in journey.steps.iter().flat_map(crate::model::Step::requests) {
            if !rs.absolute {
                continue;
            }
            let source = rs.url.source().trim();
            let Some(origin) = origin_of(source) else { continue };
            if !origin.contains("{{") && origin != target_origin {
                errors.push(ScenarioError {
                    file: file.to_string(),
                    line: rs.line,
                    col: rs.col,
                    message: format!(
                        "step '{}' in journey '{}' goes to {origin}, but every request goes to the target {target_origin} (one connection per VU); use a path, or a URL on the target",
                        rs.name, journey.name
                    ),
                });
            }
        }
    }
    errors
}

/// The file name without directories and extension: `scenarios/shop.yaml` → `shop`.
fn default_name(file: &str) -> String {
    let path = Path::new(file);
    path.file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| !s.is_empty())
        .unwrap_or("scenario")
        .to_string()
}
