//! One VU's state between requests: variables extracted so far, its cookie jar, its random
//! generator, the data rows of the current iteration, and the buffers requests are
//! rendered into and responses captured into (reused, so steady state does not allocate
//! for rendering) — one set for its steps, one per request of the largest batch it ran.

use crate::batch::BatchEntry;
use crate::cookies::CookieJar;
use crate::response::Headers;
use crate::rng::Rng;
use crate::workload::JourneyWorker;
use loadcell_http::Request;
use loadcell_scenario::{DataSource, Vars};
use serde_json::Value;
use std::cell::RefCell;
use std::rc::Rc;

/// Everything a VU carries from one step to the next.
pub struct VuState {
    /// This worker's shared state (its share of the test data).
    pub worker: Rc<JourneyWorker>,
    /// Extracted variables; `None` once an iteration ends (names kept to reuse their slots).
    pub vars: Vec<(String, Option<Value>)>,
    /// In a `RefCell` only so a batch's requests in flight together can share it; a step
    /// reaches it through `get_mut`, which costs nothing.
    pub jar: RefCell<CookieJar>,
    pub rng: Rng,
    /// Current row per data source (`None` until drawn).
    pub rows: Vec<Option<usize>>,
    pub vu: u64,
    pub iteration: u64,
    /// Which part of the run (entry of `scenarios:`) this VU belongs to.
    pub part: usize,
    /// Iterations this VU has finished (`per-vu-iterations`).
    pub iterations_done: u64,
    /// `once: true` steps (journey, step) this VU has run successfully, and the variables
    /// they extracted, kept across iterations.
    once: Vec<(usize, usize)>,
    kept: Vec<String>,
    /// The buffers of its request steps.
    pub io: Io,
    /// The buffers of a batch step's requests, one per request of the largest batch this VU
    /// ran (none until its first); each lent to one connection while the batch runs.
    pub(crate) batch: Vec<RefCell<BatchEntry>>,
}

/// The buffers one request is built in and its response captured in, reused request after
/// request.
pub struct Io {
    /// The request being built; its strings are reused.
    pub request: Request,
    pub body: Vec<u8>,
    pub wire: Vec<u8>,
    pub scratch: String,
    pub response_head: Vec<u8>,
    pub response_body: Vec<u8>,
    /// Where a compressed body is decoded to (then swapped with `response_body`).
    pub decoded: Vec<u8>,
    pub decode_spare: Vec<u8>,
    pub headers: Headers,
    /// Header slots a request with fewer headers than the last one left over, kept for the
    /// next one with more: steps with different headers alternate without allocating.
    pub spare_headers: Vec<(String, String)>,
    /// The JSON matches of checks and extractions, reused from one response to the next.
    pub json_matches: Vec<serde_json::Value>,
}

impl Io {
    pub fn new() -> Io {
        Io {
            request: Request {
                method: http::Method::GET,
                path_and_query: String::new(),
                headers: Vec::new(),
                body: bytes::Bytes::new(),
            },
            body: Vec::new(),
            wire: Vec::new(),
            scratch: String::new(),
            response_head: Vec::new(),
            response_body: Vec::new(),
            decoded: Vec::new(),
            decode_spare: Vec::new(),
            headers: Headers::default(),
            spare_headers: Vec::new(),
            json_matches: Vec::new(),
        }
    }
}

impl Default for Io {
    fn default() -> Io {
        Io::new()
    }
}

impl VuState {
    pub fn new(vu: u64, sources: usize, worker: Rc<JourneyWorker>) -> VuState {
        VuState {
            worker,
            vars: Vec::new(),
            jar: RefCell::default(),
            rng: Rng::new(vu),
            rows: vec![None; sources],
            vu,
            iteration: 0,
            part: 0,
            iterations_done: 0,
            once: Vec::new(),
            kept: Vec::new(),
            io: Io::new(),
            batch: Vec::new(),
        }
    }

    /// Forgets the variables of the previous iteration: a step whose extraction failed must
    /// not go out with an older iteration's value.
    pub fn forget_vars(&mut self) {
        for (name, v) in &mut self.vars {
            if !self.kept.contains(name) {
                *v = None;
            }
        }
    }

    /// Whether this VU already ran `once: true` step `step` of journey `journey`.
    pub fn once_done(&self, journey: usize, step: usize) -> bool {
        self.once.contains(&(journey, step))
    }

    /// A `once: true` step succeeded: it is not run again, and what it extracted stays.
    pub fn keep_once<'a>(&mut self, journey: usize, step: usize, vars: impl Iterator<Item = &'a str>) {
        self.once.push((journey, step));
        for var in vars {
            if !self.kept.iter().any(|k| k == var) {
                self.kept.push(var.to_string());
            }
        }
    }

    /// Starts this VU with the setup's variables, kept across its iterations (k6's setup
    /// data); once per VU, and only in runs with a `setup:`.
    pub fn start_with(&mut self, vars: &[(String, Value)]) {
        for (name, value) in vars {
            set_var(&mut self.vars, name, value.clone());
            if !self.kept.iter().any(|k| k == name) {
                self.kept.push(name.clone());
            }
        }
    }

    /// Sets an extracted variable, reusing its slot.
    pub fn set_var(&mut self, name: &str, value: Value) {
        set_var(&mut self.vars, name, value);
    }
}

/// A VU split into what templates read (`view`) and the buffers they render into, so a
/// request can be built while both are borrowed.
pub(crate) struct Parts<'a> {
    pub(crate) view: VarsView<'a>,
    pub(crate) jar: &'a mut CookieJar,
    pub(crate) io: &'a mut Io,
    pub(crate) batch: &'a mut [RefCell<BatchEntry>],
}

impl VuState {
    /// This VU's parts, its templates reading test data from `data`.
    pub(crate) fn parts<'a>(&'a mut self, data: &'a [DataSource]) -> Parts<'a> {
        let VuState {
            vars,
            rows,
            rng,
            vu,
            iteration,
            io,
            jar,
            batch,
            ..
        } = self;
        Parts {
            view: VarsView {
                vars,
                rows,
                data,
                vu: *vu,
                iteration: *iteration,
                rng,
            },
            jar: jar.get_mut(),
            io,
            batch,
        }
    }
}

/// Sets variable `name` in `vars`, reusing its slot.
pub fn set_var(vars: &mut Vec<(String, Option<Value>)>, name: &str, value: Value) {
    match vars.iter_mut().find(|(n, _)| n == name) {
        Some((_, v)) => *v = Some(value),
        None => vars.push((name.to_string(), Some(value))),
    }
}

/// The view templates render against: borrows the parts of a VU they read.
pub struct VarsView<'a> {
    pub vars: &'a [(String, Option<Value>)],
    pub rows: &'a [Option<usize>],
    pub data: &'a [DataSource],
    pub vu: u64,
    pub iteration: u64,
    pub rng: &'a mut Rng,
}

impl Vars for VarsView<'_> {
    fn get(&self, name: &str) -> Option<&Value> {
        self.vars.iter().find(|(n, _)| n == name).and_then(|(_, v)| v.as_ref())
    }

    fn vu(&self) -> u64 {
        self.vu
    }

    fn iteration(&self) -> u64 {
        self.iteration
    }

    fn random(&mut self) -> u64 {
        self.rng.next_u64()
    }

    fn field(&self, source: usize, column: usize, _name: &str) -> Option<&Value> {
        let row = (*self.rows.get(source)?)?;
        self.data.get(source)?.rows.get(row)?.get(column)
    }
}
