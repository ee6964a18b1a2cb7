//! `loadcell k8s`: the manifests that run a test split into N parts on a Kubernetes cluster
//! — a ConfigMap with the scenario and the files it reads (`files`), an Indexed Job whose
//! pod I runs `loadcell run … --segment I/N --collect URL`, and the collector as a
//! Deployment and a Service (`manifest`) — built as typed values and written as YAML by a
//! small writer with tested quoting (`yaml`). Names and quantities are checked (`names`).
//! No operator and no custom resource: only objects every cluster has.

mod files;
mod manifest;
mod names;
pub mod yaml;

pub use files::{Bundle, CONFIGMAP_LIMIT, Content, MOUNT, Shipped};
pub use manifest::{COLLECTOR_PORT, Fleet, Target, manifests};
pub use names::{NAME_MAX, Name, Resources, image, is_loopback, shell_words};

/// Why no manifests could be made: one line naming the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum K8sError {
    #[error("{flag} '{value}' is not a valid Kubernetes name: {why}")]
    Name {
        flag: &'static str,
        value: String,
        why: String,
    },
    #[error("{flag} '{value}' is not a Kubernetes quantity: give {expected}")]
    Quantity {
        flag: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error(
        "{at}: '{written}' is an absolute path: the pods mount the scenario's files under {mount}, so write it relative to the scenario's folder",
        mount = files::MOUNT
    )]
    AbsolutePath { at: String, written: String },
    #[error("--image '{0}' is not an image reference: give one word such as registry.example.com/loadcell:0.1.0")]
    Image(String),
    #[error("cannot read {path}: {error}")]
    Read { path: String, error: String },
    #[error(
        "the scenario and the files it reads come to {total} bytes ({files} files): a ConfigMap holds at most 1 MiB ({limit} bytes for the files); put large data behind a URL the parts can reach, or bake it into the image",
        limit = files::CONFIGMAP_LIMIT
    )]
    TooBig { total: usize, files: usize },
}
