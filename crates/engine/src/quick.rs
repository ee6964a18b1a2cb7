//! Quick mode's workload: every iteration sends the same request, encoded once.

use crate::context::VuContext;
use crate::workload::{EndpointName, Next, Workload};
use loadcell_http::{Capture, Origin, Request, encode_h1};

/// One fixed request, its HTTP/1.1 bytes prepared once for the whole run.
pub struct SingleRequest {
    request: Request,
    wire: Vec<u8>,
    endpoint: EndpointName,
}

impl SingleRequest {
    pub fn new(request: Request, origin: &Origin) -> SingleRequest {
        let mut wire = Vec::new();
        encode_h1(&request, origin, &mut wire);
        let path = request.path_and_query.split('?').next().unwrap_or("/").to_string();
        let endpoint = EndpointName {
            method: request.method.to_string(),
            tags: vec![("url".to_string(), format!("{}{path}", origin.base()))],
            path,
            journey: None,
            step: None,
        };
        SingleRequest {
            request,
            wire,
            endpoint,
        }
    }
}

impl Workload for SingleRequest {
    type Worker = ();
    type Vu = ();

    fn endpoints(&self) -> Vec<EndpointName> {
        vec![self.endpoint.clone()]
    }

    fn new_worker(&self, _worker: usize, _workers: usize) {}

    fn new_vu(&self, _worker: &std::rc::Rc<()>, _vu_id: u64) {}

    fn one_request_per_iteration(&self) -> bool {
        true
    }

    async fn iteration<'a>(&'a self, _vu: &'a mut (), ctx: &'a mut VuContext) -> Next {
        ctx.send(0, &self.request, &self.wire, &mut Capture::default()).await;
        Next::Continue
    }
}
