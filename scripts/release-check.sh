#!/usr/bin/env bash
# Checks the release binary itself, which the tests (debug builds) do not run: the numeric
# code is optimised across crates there (LTO), and rustc 1.95 once miscompiled the USL fit
# into σ = 0 in that build only (see crates/usl/src/lm.rs). Fits known points with
# `loadcell scale --points` (no network) and checks σ and κ.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
bin=target/release/loadcell
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Points measured from `loadcell target --service-time 20ms --serial-time 1ms` (σ ≈ 0.041).
check() {
    local points=$1 sigma_lo=$2 sigma_hi=$3 kappa_lo=$4 kappa_hi=$5
    "$bin" scale --points "$points" --json "$out/fit.json" >/dev/null
    local sigma kappa
    sigma=$(grep -o '"sigma": [-0-9.e]*' "$out/fit.json" | head -n 1 | cut -d' ' -f2)
    kappa=$(grep -o '"kappa": [-0-9.e]*' "$out/fit.json" | head -n 1 | cut -d' ' -f2)
    if ! awk -v s="$sigma" -v k="$kappa" -v lo="$sigma_lo" -v hi="$sigma_hi" -v kl="$kappa_lo" -v kh="$kappa_hi" \
        'BEGIN { exit !(s >= lo && s <= hi && k >= kl && k <= kh) }'; then
        echo "release-check: loadcell scale --points $points gave σ = $sigma, κ = $kappa;" \
            "expected σ in [$sigma_lo, $sigma_hi], κ in [$kappa_lo, $kappa_hi]" >&2
        exit 1
    fi
}
check 1:43,2:80.5,4:152,8:264.5,16:422.5 0.035 0.045 0 1e-4
check 1:42.5,2:82.5,4:153,8:265,16:423 0.035 0.045 0 1e-4
# Contention and coherency together: σ = 0.05, κ = 0.002 exactly (λ = 50).
check 1:50,2:94.87666034155598,4:170.35775127768315,8:273.59781121751024,16:358.74439461883406,32:352.88928098809 0.0499 0.0501 0.00199 0.00201
echo "release-check: the release binary fits the USL correctly"
