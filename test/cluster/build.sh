#!/usr/bin/env bash
# Build kube-apiserver, kubectl, kube-controller-manager, kube-scheduler, etcd, kwok and metrics-server from the Go module proxy, once, into a cache folder.
#
#   test/cluster/build.sh            # builds what is missing, prints the bin dir as the last stdout line
#
# Cache layout (LD_KUBE_CACHE defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/locust-driver/kube):
#   $LD_KUBE_CACHE/<k8s version>/bin/{kube-apiserver,kubectl,kube-controller-manager,kube-scheduler,etcd,kwok-patched,metrics-server}
#   $LD_KUBE_CACHE/<k8s version>/bin/kwok-crds/kwok.x-k8s.io_logs.yaml  kwok's Logs CRD (from its module)
#   $LD_KUBE_CACHE/<k8s version>/bin/kwok-stages/*.yaml              kwok's default Stages + metrics config (from its module)
#   $LD_KUBE_CACHE/<k8s version>/bin/.<binary>.version                markers: present => skip
#   $LD_KUBE_CACHE/<k8s version>/src/{kube,kube-control,etcd,kwok,metrics-server}/go.mod   the wrapper modules
#
# Environment:
#   LD_KUBE_CACHE          cache root (see above)
#   LD_KUBE_VERSION        k8s.io/kubernetes version (pinned default below)
#   LD_ETCD_VERSION        go.etcd.io/etcd/server/v3 version (pinned default below)
#   LD_KUBE_KEEP_GOCACHE=1 keep the private Go build cache after a successful build
#                          (it is deleted by default to save ~GBs; ignored if GOCACHE is set)
#   GOMODCACHE / GOCACHE   honoured as usual by the go command
#
# Everything but the final bin dir goes to stderr. Concurrent runs are serialised with flock.
set -euo pipefail

# Pinned: v1.37.2 builds with Go 1.26 from the module proxy (see test/cluster/README.md).
K8S_VERSION="${LD_KUBE_VERSION:-v1.37.2}"
ETCD_VERSION="${LD_ETCD_VERSION:-v3.6.16}"
# kwok plays the kubelets of fake nodes (out of cluster); v0.8.0 needs Go 1.26.
KWOK_VERSION="${LD_KWOK_VERSION:-v0.8.0}"
# metrics-server >= 0.7 scrapes the path in a node's metrics.k8s.io/resource-metrics-path annotation.
METRICS_SERVER_VERSION="${LD_METRICS_SERVER_VERSION:-v0.8.0}"

log() { printf '[kube-build %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

command -v go >/dev/null 2>&1 || die "the go command is required (Go >= 1.26 for Kubernetes ${K8S_VERSION})"
command -v flock >/dev/null 2>&1 || die "flock (util-linux) is required"

CACHE_ROOT="${LD_KUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/locust-driver/kube}"
VER_DIR="${CACHE_ROOT}/${K8S_VERSION}"
BIN_DIR="${VER_DIR}/bin"
SRC_DIR="${VER_DIR}/src"
mkdir -p "$BIN_DIR" "$SRC_DIR"

GO_VERSION="$(go env GOVERSION)"
# Marker contents: a change of any of these rebuilds that binary.
KUBE_STAMP="k8s.io/kubernetes ${K8S_VERSION} ${GO_VERSION}"
ETCD_STAMP="go.etcd.io/etcd/server/v3 ${ETCD_VERSION} ${GO_VERSION}"
# The kwok that up.sh runs: the same module with test/cluster/kwok-patches/*.patch applied (see
# build_kwok_patched); the patches' checksum is in its stamp, so editing one rebuilds it.
KWOK_PATCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/kwok-patches"
KWOK_PATCHED_STAMP="sigs.k8s.io/kwok ${KWOK_VERSION} ${GO_VERSION} patches $(cat "$KWOK_PATCH_DIR"/*.patch | sha256sum | cut -c1-12)"
METRICS_SERVER_STAMP="sigs.k8s.io/metrics-server ${METRICS_SERVER_VERSION} ${GO_VERSION}"

is_built() { # name stamp
  local bin="$BIN_DIR/$1" marker="$BIN_DIR/.$1.version"
  [[ -x "$bin" && -f "$marker" && "$(cat "$marker")" == "$2" ]]
}
all_built() {
  is_built kube-apiserver "$KUBE_STAMP" && is_built kubectl "$KUBE_STAMP" && is_built etcd "$ETCD_STAMP" &&
    is_built kube-controller-manager "$KUBE_STAMP" && is_built kube-scheduler "$KUBE_STAMP" &&
    is_built kwok-patched "$KWOK_PATCHED_STAMP" && [[ -f "$BIN_DIR/kwok-crds/kwok.x-k8s.io_logs.yaml" && -d "$BIN_DIR/kwok-stages" ]] &&
    is_built metrics-server "$METRICS_SERVER_STAMP"
}

if all_built; then
  log "cached: $BIN_DIR (kubernetes ${K8S_VERSION}, etcd ${ETCD_VERSION})"
  echo "$BIN_DIR"
  exit 0
fi

# Serialise concurrent builds of the same version (the lock is released when this shell exits).
exec 9>"${VER_DIR}/.build.lock"
if ! flock -n 9; then
  log "another build holds ${VER_DIR}/.build.lock; waiting (up to 60 min)..."
  flock -w 3600 9 || die "timed out waiting for the build lock"
fi
if all_built; then # built by whoever held the lock
  log "cached: $BIN_DIR"
  echo "$BIN_DIR"
  exit 0
fi

# Go settings: module mode even if a vendor dir existed, no VCS stamping (the wrapper is no repo),
# static binaries, two build jobs on a 2-core machine.
export GOFLAGS="-mod=mod -buildvcs=false"
export CGO_ENABLED=0
export GO111MODULE=on
export GOWORK=off
PRIVATE_GOCACHE=0
if [[ -z "${GOCACHE:-}" ]]; then
  export GOCACHE="${VER_DIR}/go-build"
  PRIVATE_GOCACHE=1
fi
# Keep the compiler's heap in check (linking kube-apiserver peaks at ~1.5-2 GB otherwise too).
export GOMEMLIMIT="${GOMEMLIMIT:-6GiB}"
BUILD_FLAGS=(-p 2 -trimpath)

START=$SECONDS

# ---------------------------------------------------------------- kubernetes binaries
# build_kube SUBDIR BINARY...: a wrapper module in src/SUBDIR building k8s.io/kubernetes/cmd/BINARY.
# The apiserver pair and the control-plane pair get modules of their own, so a cache made before the
# controllers existed only builds the controllers (each go get resolves just what its commands need).
build_kube() {
  local sub="$1"; shift
  local bins=("$@") b
  local mod="$SRC_DIR/$sub"
  mkdir -p "$mod"
  log "kubernetes ${K8S_VERSION}: downloading k8s.io/kubernetes (module zip ~ 22 MB)..."
  local json gomod
  json="$(cd "$mod" && go mod download -json "k8s.io/kubernetes@${K8S_VERSION}")" \
    || die "go mod download k8s.io/kubernetes@${K8S_VERSION} failed: ${json:-}"
  gomod="$(printf '%s\n' "$json" | sed -nE 's/^[[:space:]]*"GoMod": "(.*)",?$/\1/p')"
  [[ -f "$gomod" ]] || die "no GoMod path in: $json"

  # Staging modules: replaced by ./staging/src/k8s.io/X in kubernetes' go.mod and required at v0.0.0.
  # Only those required get a replace (k8s.io/sample-controller etc. are not published).
  local staging_ver="v0.${K8S_VERSION#v1.}"
  local required replaced mods=()
  required="$(sed -nE 's#^[[:space:]]*(require[[:space:]]+)?(k8s\.io/[^[:space:]]+)[[:space:]]+v0\.0\.0([[:space:]].*)?$#\2#p' "$gomod" | sort -u)"
  replaced="$(sed -nE 's#^[[:space:]]*(replace[[:space:]]+)?(k8s\.io/[^[:space:]]+)[[:space:]]+=>[[:space:]]+\./staging/.*#\2#p' "$gomod" | sort -u)"
  mapfile -t mods < <(comm -12 <(printf '%s\n' "$required") <(printf '%s\n' "$replaced"))
  ((${#mods[@]} > 10)) || die "found only ${#mods[@]} staging modules in $gomod"

  log "wrapper module in $mod: k8s.io/kubernetes ${K8S_VERSION} + ${#mods[@]} staging modules at ${staging_ver}"
  rm -f "$mod/go.mod" "$mod/go.sum"
  (
    cd "$mod"
    go mod init locust-driver.local/kubebin >/dev/null 2>&1
    local edits=(-require="k8s.io/kubernetes@${K8S_VERSION}")
    local m
    for m in "${mods[@]}"; do
      edits+=(-require="${m}@${staging_ver}" -replace="${m}=${m}@${staging_ver}")
    done
    go mod edit "${edits[@]}"
    log "resolving dependencies (go get)..."
    local gets=()
    for b in "${bins[@]}"; do gets+=("k8s.io/kubernetes/cmd/${b}@${K8S_VERSION}"); done
    go get "${gets[@]}" >&2
  ) || die "resolving the kubernetes ${K8S_VERSION} wrapper module failed"

  # Version stamps as kubernetes' hack/lib/version.sh sets them (kubectl version, /version, skew checks).
  local minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  local date; date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  local ld="-s -w" p
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X ${p}.gitVersion=${K8S_VERSION} -X ${p}.gitMajor=1 -X ${p}.gitMinor=${minor}"
    ld+=" -X ${p}.gitTreeState=clean -X ${p}.buildDate=${date}"
  done

  local out="$BIN_DIR/.tmp-$sub.$$" pkgs=()
  for b in "${bins[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$b"); done
  rm -rf "$out"; mkdir -p "$out"
  log "go build ${bins[*]} (-p 2; first time: minutes on 2 cores)..."
  local t0=$SECONDS
  (cd "$mod" && go build "${BUILD_FLAGS[@]}" -ldflags="$ld" -o "$out/" "${pkgs[@]}") \
    || { rm -rf "$out"; die "go build of ${bins[*]} ${K8S_VERSION} failed"; }
  log "built ${bins[*]} in $((SECONDS - t0)) s"
  for b in "${bins[@]}"; do
    mv -f "$out/$b" "$BIN_DIR/$b"
    printf '%s\n' "$KUBE_STAMP" > "$BIN_DIR/.$b.version"
  done
  rm -rf "$out"
}

# ---------------------------------------------------------------- kwok (patched)
# A wrapper module of its own: kwok requires k8s.io/* v0.36.x, which must not mix with the
# kubernetes wrapper's replaces. Its module also carries the default Stage manifests up.sh uses.
# kwok v0.8.0 serves a pod's log from a file, but its `follow` asks a container runtime it does
# not have whether the container still runs, gets an error, and ends the stream at the first pause
# with "rpc error: code = Unavailable" appended: `kubectl logs -f` would stop after a second.
# kwok-patches/logs-follow.patch answers that question from kwok's pod cache (running until the pod
# is Succeeded/Failed or the container terminated), as a kubelet does. A binary of its own name
# (bin/kwok-patched), so checkouts without the patch keep their bin/kwok.
build_kwok_patched() {
  local mod="$SRC_DIR/kwok-patched"
  mkdir -p "$mod"
  log "wrapper module in $mod: sigs.k8s.io/kwok ${KWOK_VERSION} + $(basename -a "$KWOK_PATCH_DIR"/*.patch | tr '\n' ' ')"
  rm -rf "$mod/go.mod" "$mod/go.sum" "$mod/kwok-src"
  (
    cd "$mod"
    go mod init locust-driver.local/kwokpatchedbin >/dev/null 2>&1
    go get "sigs.k8s.io/kwok/cmd/kwok@${KWOK_VERSION}" >&2
    cp -r "$(go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)" kwok-src
    chmod -R u+w kwok-src
    local p
    for p in "$KWOK_PATCH_DIR"/*.patch; do patch -s -p1 -d kwok-src <"$p" >&2 || exit 1; done
    go mod edit -replace=sigs.k8s.io/kwok=./kwok-src
  ) || die "preparing the patched sigs.k8s.io/kwok@${KWOK_VERSION} failed"
  local out="$BIN_DIR/.tmp-kwok-patched.$$"
  log "go build kwok (patched)..."
  local t0=$SECONDS
  (cd "$mod" && go build "${BUILD_FLAGS[@]}" -ldflags="-s -w" -o "$out" sigs.k8s.io/kwok/cmd/kwok) \
    || { rm -f "$out"; die "go build of the patched kwok ${KWOK_VERSION} failed"; }
  log "built kwok (patched) in $((SECONDS - t0)) s"
  # The CRD of kwok's Logs (a pod's log file, per pod): up.sh installs it and kwok watches it.
  local crds="$BIN_DIR/kwok-crds" stages="$BIN_DIR/kwok-stages"
  mkdir -p "$crds"
  cp "$mod/kwok-src/kustomize/crd/bases/kwok.x-k8s.io_logs.yaml" "$crds/" || die "kwok's Logs CRD not found"
  chmod 644 "$crds"/*.yaml
  # kwok's default Stages live in its module (kustomize/stage/); up.sh builds kwok's --config from
  # them. Copied next to the binary so a later go clean -modcache cannot take them away.
  rm -rf "$stages"; mkdir -p "$stages"
  cp "$mod/kwok-src/kustomize/stage/node/fast/node-initialize.yaml" "$mod/kwok-src/kustomize/stage/node/heartbeat/node-heartbeat.yaml" \
    "$mod/kwok-src/kustomize/stage/pod/fast/pod-ready.yaml" "$mod/kwok-src/kustomize/stage/pod/fast/pod-delete.yaml" \
    "$mod/kwok-src/kustomize/metrics/resource/metrics-resource.yaml" "$mod/kwok-src/kustomize/metrics/usage/usage-from-annotation.yaml" "$stages/" \
    || die "kwok's default stages not found in $mod/kwok-src/kustomize"
  chmod 644 "$stages"/*.yaml
  mv -f "$out" "$BIN_DIR/kwok-patched"
  printf '%s\n' "$KWOK_PATCHED_STAMP" > "$BIN_DIR/.kwok-patched.version"
}

# ---------------------------------------------------------------- metrics-server
# Its own wrapper module too (it requires k8s.io/* v0.33.x). Version stamped as its Makefile does (client-go's version package).
build_metrics_server() {
  local mod="$SRC_DIR/metrics-server"
  mkdir -p "$mod"
  log "wrapper module in $mod: sigs.k8s.io/metrics-server ${METRICS_SERVER_VERSION}"
  rm -f "$mod/go.mod" "$mod/go.sum"
  (
    cd "$mod"
    go mod init locust-driver.local/metricsserverbin >/dev/null 2>&1
    go get "sigs.k8s.io/metrics-server/cmd/metrics-server@${METRICS_SERVER_VERSION}" >&2
  ) || die "resolving sigs.k8s.io/metrics-server@${METRICS_SERVER_VERSION} failed"
  local out="$BIN_DIR/.tmp-metrics-server.$$"
  local ld="-s -w -X k8s.io/client-go/pkg/version.gitVersion=${METRICS_SERVER_VERSION}"
  log "go build metrics-server..."
  local t0=$SECONDS
  (cd "$mod" && go build "${BUILD_FLAGS[@]}" -ldflags="$ld" -o "$out" sigs.k8s.io/metrics-server/cmd/metrics-server) \
    || { rm -f "$out"; die "go build of metrics-server ${METRICS_SERVER_VERSION} failed"; }
  log "built metrics-server in $((SECONDS - t0)) s"
  mv -f "$out" "$BIN_DIR/metrics-server"
  printf '%s\n' "$METRICS_SERVER_STAMP" > "$BIN_DIR/.metrics-server.version"
}

# ---------------------------------------------------------------- etcd
build_etcd() {
  local mod="$SRC_DIR/etcd"
  mkdir -p "$mod"
  log "wrapper module in $mod: go.etcd.io/etcd/server/v3 ${ETCD_VERSION}"
  rm -f "$mod/go.mod" "$mod/go.sum"
  (
    cd "$mod"
    go mod init locust-driver.local/etcdbin >/dev/null 2>&1
    go get "go.etcd.io/etcd/server/v3@${ETCD_VERSION}" >&2
  ) || die "resolving go.etcd.io/etcd/server/v3@${ETCD_VERSION} failed"
  local out="$BIN_DIR/.tmp-etcd.$$"
  log "go build etcd..."
  local t0=$SECONDS
  (cd "$mod" && go build "${BUILD_FLAGS[@]}" -ldflags="-s -w" -o "$out" go.etcd.io/etcd/server/v3) \
    || { rm -f "$out"; die "go build of etcd ${ETCD_VERSION} failed"; }
  log "built etcd in $((SECONDS - t0)) s"
  mv -f "$out" "$BIN_DIR/etcd"
  printf '%s\n' "$ETCD_STAMP" > "$BIN_DIR/.etcd.version"
}

is_built etcd "$ETCD_STAMP" || build_etcd
{ is_built kube-apiserver "$KUBE_STAMP" && is_built kubectl "$KUBE_STAMP"; } || build_kube kube kube-apiserver kubectl
{ is_built kube-controller-manager "$KUBE_STAMP" && is_built kube-scheduler "$KUBE_STAMP"; } ||
  build_kube kube-control kube-controller-manager kube-scheduler
{ is_built kwok-patched "$KWOK_PATCHED_STAMP" && [[ -f "$BIN_DIR/kwok-crds/kwok.x-k8s.io_logs.yaml" && -d "$BIN_DIR/kwok-stages" ]]; } ||
  build_kwok_patched
is_built metrics-server "$METRICS_SERVER_STAMP" || build_metrics_server

all_built || die "binaries missing after the build in $BIN_DIR"

if ((PRIVATE_GOCACHE)) && [[ "${LD_KUBE_KEEP_GOCACHE:-0}" != 1 ]]; then
  log "removing the private Go build cache $GOCACHE (set LD_KUBE_KEEP_GOCACHE=1 to keep it)"
  go clean -cache >/dev/null 2>&1 || true
  rm -rf "$GOCACHE"
fi
log "done in $((SECONDS - START)) s: $(du -sh "$BIN_DIR" | cut -f1) in $BIN_DIR"
echo "$BIN_DIR"
