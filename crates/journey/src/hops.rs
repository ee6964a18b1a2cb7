//! Which endpoint slot a redirect hop is recorded under: its own (`GET /next`, or
//! `GET https://other:8443/next` on another origin; the query left out), registered in the
//! run's [`DynamicEndpoints`] the first time any worker meets it and kept in this worker's
//! cache, so a hop seen before costs one hash lookup and no lock. Keys are per step (a hop
//! carries its step's journey, step and tags). Past the registry's cap, hops are recorded
//! under their step's `METHOD /path (redirects)` slot.

use crate::workload::{JourneyWorker, JourneyWorkload, StepSlots};
use loadcell_engine::{DynamicEndpoints, EndpointName};
use std::collections::HashMap;
use std::fmt::Write;

/// One worker's view of the registry: key → slot, and the buffer keys are built in.
#[derive(Debug, Default)]
pub(crate) struct HopCache {
    slots: HashMap<String, usize>,
    key: String,
    /// The registry was full and its keys were copied here: a miss is an overflow.
    synced: bool,
}

impl JourneyWorkload {
    /// The slot for the hop `request` (built by `redirect_request`), on the run's origin
    /// or, with `away`, on that one (`scheme://authority`); `worker` keeps the cache.
    pub(crate) fn hop_slot(
        &self,
        slots: &StepSlots,
        request: &loadcell_http::Request,
        worker: &JourneyWorker,
        away: Option<&str>,
    ) -> usize {
        let overflow = slots.hops.unwrap_or(slots.request);
        let Some(dynamic) = &self.dynamic else {
            return overflow;
        };
        let path = request.path_and_query.split('?').next().unwrap_or("");
        let method = request.method.as_str();
        let mut cache = worker.hops.borrow_mut();
        let HopCache {
            slots: known,
            key,
            synced,
        } = &mut *cache;
        key.clear();
        let _ = write!(key, "{} {method} {}{path}", slots.request, away.unwrap_or(""));
        if let Some(&slot) = known.get(key.as_str()) {
            return slot;
        }
        if dynamic.is_full() {
            if !*synced {
                known.extend(dynamic.keys());
                *synced = true;
            }
            return known.get(key.as_str()).copied().unwrap_or(overflow);
        }
        let name = || self.hop_name(slots.request, method, away, path);
        match dynamic.register(key, name) {
            Some(slot) => {
                known.insert(key.clone(), slot);
                slot
            }
            None => overflow,
        }
    }

    /// A hop's endpoint: its step's journey, step and tags, its own method, path and `url`.
    fn hop_name(&self, step: usize, method: &str, away: Option<&str>, path: &str) -> EndpointName {
        let mut name = self.endpoints[step].clone();
        name.method = method.to_string();
        name.path = format!("{}{path}", away.unwrap_or(""));
        let url = format!("{}{path}", away.unwrap_or(&self.base));
        match name.tags.iter_mut().find(|(k, _)| k == "url") {
            Some((_, v)) => *v = url,
            None => name.tags.push(("url".to_string(), url)),
        }
        name
    }
}

/// The registry of a scenario whose steps follow redirects, after its `fixed` slots.
pub(crate) fn registry(fixed: usize, follows: bool) -> Option<std::sync::Arc<DynamicEndpoints>> {
    follows.then(|| std::sync::Arc::new(DynamicEndpoints::new(fixed, loadcell_engine::DYNAMIC_ENDPOINTS)))
}
