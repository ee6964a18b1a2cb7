# The image `loadcell k8s` points --image at: loadcell built --release, on a small Debian
# with `sh` (the pods' commands run through it), `sleep` (the collector stays up after the
# collection) and `tar` (`kubectl cp` needs it in the container).
#
#   docker build -t registry.example.com/loadcell:0.1.0 .
#   docker push registry.example.com/loadcell:0.1.0
#   loadcell k8s shop.yaml --parallelism 4 --image registry.example.com/loadcell:0.1.0 | kubectl apply -f -
#
# See docs/k8s.md.

FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
# --locked: the versions Cargo.lock names, as the tests ran them.
RUN cargo build --release --locked --bin loadcell

FROM debian:bookworm-slim
# Nothing to install: the CA roots for https:// targets are built into the binary
# (webpki-roots; --cacert or a scenario's tls: replaces them), and the slim image has sh,
# sleep and tar.
COPY --from=build /src/target/release/loadcell /usr/local/bin/loadcell
# Parts and the collector write under /results (an emptyDir in the manifests); anything
# else they write lands here.
WORKDIR /work
ENTRYPOINT ["loadcell"]
CMD ["--help"]
