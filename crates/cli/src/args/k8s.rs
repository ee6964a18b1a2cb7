//! `loadcell k8s`'s flags: the run's own (the same groups as `loadcell run`, so they parse
//! and are checked exactly as `run` does) and the cluster's — how many parts, the image,
//! the names, what each part may use, where the manifests go.

use super::RunArgs;
use clap::Args;
use std::path::PathBuf;

/// `loadcell k8s URL|FILE --parallelism N [run flags]`
#[derive(Debug, Args)]
pub struct K8sArgs {
    #[command(flatten)]
    pub run: RunArgs,

    #[command(flatten)]
    pub cluster: ClusterArgs,
}

/// The flags that are `k8s`'s own: everything else on the line is a `run` flag, given to
/// every part as typed.
#[derive(Debug, Args)]
pub struct ClusterArgs {
    /// How many parts (pods) the test is split into: `--segment I/N` with N = this.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10_000), help_heading = "Kubernetes")]
    pub parallelism: u32,

    /// The container image with `loadcell` and `sh` (see the Dockerfile at the repository's root).
    #[arg(long, value_name = "IMAGE", default_value = concat!("loadcell:", env!("CARGO_PKG_VERSION")), help_heading = "Kubernetes")]
    pub image: String,

    /// The namespace of every object [default: kubectl's current one].
    #[arg(long, value_name = "NS", help_heading = "Kubernetes")]
    pub namespace: Option<String>,

    /// The objects' names start with this (NAME-parts, NAME-collector, NAME-scenario): a DNS
    /// label of lowercase letters, digits and '-', at most 40 characters.
    #[arg(long, value_name = "NAME", default_value = "loadcell", help_heading = "Kubernetes")]
    pub name: String,

    /// CPU of each part, requested and its limit (1, 1.5, 500m).
    #[arg(long, value_name = "CORES", default_value = "1", help_heading = "Kubernetes")]
    pub cpu: String,

    /// Memory of each part, requested and its limit (512Mi, 2Gi).
    #[arg(long, value_name = "BYTES", default_value = "512Mi", help_heading = "Kubernetes")]
    pub memory: String,

    /// Write the manifests to this file instead of stdout.
    #[arg(long, value_name = "FILE", help_heading = "Kubernetes")]
    pub output: Option<PathBuf>,
}

/// The ids of [`ClusterArgs`]' flags (clap's ids are the field names).
pub const CLUSTER_IDS: [&str; 7] = ["parallelism", "image", "namespace", "name", "cpu", "memory", "output"];
