#!/usr/bin/env bash
# Build the prometheus server from the Go module proxy, once, into a cache folder (the pattern of
# test/cluster/build.sh). The integration tests start it with the remote-write receiver.
#
#   test/prometheus/build.sh     # builds if missing, prints the binary's path as the last stdout line
#
# A fresh build on 2 cores (empty module and build caches): 4 min (48 s go get, 190 s compile, peak
# RSS ~1 GB; 5.5 min on a busy machine), 1.9 GB of modules in GOMODCACHE; cached: ~20 ms.
#
# Cache layout (LD_PROM_CACHE defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/locust-driver/prometheus):
#   $LD_PROM_CACHE/<version>/bin/prometheus            the binary
#   $LD_PROM_CACHE/<version>/bin/.prometheus.version   marker: present and equal => skip
#   $LD_PROM_CACHE/<version>/src/go.mod                the wrapper module
#
# Only cmd/prometheus, built with -tags remove_all_sd (no cloud/Kubernetes service discovery: the
# tests need none, and those SDKs are most of the compile time) and without builtinassets (no web UI
# embedded; the HTTP API the tests query is unaffected).
#
# Environment: LD_PROM_CACHE, LD_PROM_VERSION (pinned default below), LD_PROM_KEEP_GOCACHE=1.
# Everything but the final path goes to stderr. Concurrent runs are serialised with flock.
set -euo pipefail

PROM_VERSION="${LD_PROM_VERSION:-v0.316.0}"
MODULE=github.com/prometheus/prometheus

log() { printf '[prom-build %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

command -v go >/dev/null 2>&1 || die "the go command is required (Go >= 1.26 for prometheus ${PROM_VERSION})"
command -v flock >/dev/null 2>&1 || die "flock (util-linux) is required"

CACHE_ROOT="${LD_PROM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/locust-driver/prometheus}"
VER_DIR="${CACHE_ROOT}/${PROM_VERSION}"
BIN_DIR="${VER_DIR}/bin"
SRC_DIR="${VER_DIR}/src"
BIN="$BIN_DIR/prometheus"
mkdir -p "$BIN_DIR" "$SRC_DIR"

STAMP="${MODULE} ${PROM_VERSION} $(go env GOVERSION) remove_all_sd"
is_built() { [[ -x "$BIN" && -f "$BIN_DIR/.prometheus.version" && "$(cat "$BIN_DIR/.prometheus.version")" == "$STAMP" ]]; }

if is_built; then
  log "cached: $BIN"
  echo "$BIN"
  exit 0
fi

exec 9>"${VER_DIR}/.build.lock"
if ! flock -n 9; then
  log "another build holds ${VER_DIR}/.build.lock; waiting (up to 30 min)..."
  flock -w 1800 9 || die "timed out waiting for the build lock"
fi
if is_built; then
  log "cached: $BIN"
  echo "$BIN"
  exit 0
fi

export GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0 GO111MODULE=on GOWORK=off
PRIVATE_GOCACHE=0
if [[ -z "${GOCACHE:-}" ]]; then
  export GOCACHE="${VER_DIR}/go-build"
  PRIVATE_GOCACHE=1
fi
export GOMEMLIMIT="${GOMEMLIMIT:-3GiB}"
START=$SECONDS

log "wrapper module in $SRC_DIR: ${MODULE} ${PROM_VERSION}"
rm -f "$SRC_DIR/go.mod" "$SRC_DIR/go.sum"
(
  cd "$SRC_DIR"
  go mod init locust-driver.local/prombin >/dev/null 2>&1
  go get "${MODULE}/cmd/prometheus@${PROM_VERSION}" >&2
) || die "resolving ${MODULE}@${PROM_VERSION} failed"

out="$BIN_DIR/.tmp-prometheus.$$"
log "go build cmd/prometheus (-p 2, -tags remove_all_sd)..."
t0=$SECONDS
ld="-s -w -X github.com/prometheus/common/version.Version=${PROM_VERSION#v}"
(cd "$SRC_DIR" && go build -p 2 -trimpath -tags remove_all_sd -ldflags="$ld" -o "$out" "${MODULE}/cmd/prometheus") \
  || { rm -f "$out"; die "go build of prometheus ${PROM_VERSION} failed"; }
log "built prometheus in $((SECONDS - t0)) s"
mv -f "$out" "$BIN"
printf '%s\n' "$STAMP" > "$BIN_DIR/.prometheus.version"

if ((PRIVATE_GOCACHE)) && [[ "${LD_PROM_KEEP_GOCACHE:-0}" != 1 ]]; then
  go clean -cache >/dev/null 2>&1 || true
  rm -rf "$GOCACHE"
fi
log "done in $((SECONDS - START)) s: $(du -sh "$BIN" | cut -f1) $BIN"
echo "$BIN"
