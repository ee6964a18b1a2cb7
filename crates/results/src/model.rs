//! The load model as stored in `meta.json`: its kind and the linear pieces of its curve,
//! from which the engine's [`Model`] is rebuilt exactly.

use loadcell_engine::{LoadCurve, Model};
use loadcell_units::Stage;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The load model and its planned curve (warm-up included).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    pub kind: loadcell_schema::Model,
    /// The curve's linear pieces: VUs (closed) or iterations per second (open).
    pub segments: Vec<CurveSegment>,
    /// Open model: the VU pool's size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_vus: Option<u64>,
    /// The most VUs the model may use (informational; derivable from the rest).
    pub vus_limit: u64,
}

/// One linear piece of a load curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CurveSegment {
    pub start_s: f64,
    pub len_s: f64,
    pub from: f64,
    pub to: f64,
}

impl ModelSpec {
    /// The stored form of `model`.
    pub fn from_model(model: &Model) -> ModelSpec {
        let (curve, max_vus) = match model {
            Model::Closed { vus } => (vus, None),
            Model::Open { rate, max_vus } => (rate, Some(*max_vus)),
        };
        ModelSpec {
            kind: model.kind(),
            segments: curve
                .segments()
                .into_iter()
                .map(|(start_s, len_s, from, to)| CurveSegment {
                    start_s,
                    len_s,
                    from,
                    to,
                })
                .collect(),
            max_vus,
            vus_limit: model.vus_limit(),
        }
    }

    /// The engine's model again. The curve is rebuilt from the segments' lengths and end
    /// levels, which is exact for any curve the engine built.
    pub fn to_model(&self) -> Model {
        let start = self.segments.first().map_or(0.0, |s| s.from);
        let stages: Vec<Stage> = self
            .segments
            .iter()
            .map(|s| Stage {
                duration: Duration::try_from_secs_f64(s.len_s).unwrap_or_default(),
                target: s.to,
            })
            .collect();
        let curve = LoadCurve::new(start, &stages);
        match self.kind {
            loadcell_schema::Model::Closed => Model::Closed { vus: curve },
            loadcell_schema::Model::Open => Model::Open {
                rate: curve,
                max_vus: self.max_vus.unwrap_or(self.vus_limit),
            },
        }
    }
}
