#!/usr/bin/env bash
# Build kube-apiserver, kubectl and etcd from the Go module proxy, once, into a cache folder.
#
#   test/cluster/build.sh            # builds what is missing, prints the bin dir as the last stdout line
#
# Cache layout (LD_KUBE_CACHE defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/locust-driver/kube):
#   $LD_KUBE_CACHE/<k8s version>/bin/{kube-apiserver,kubectl,etcd}   the binaries
#   $LD_KUBE_CACHE/<k8s version>/bin/.<binary>.version                markers: present => skip
#   $LD_KUBE_CACHE/<k8s version>/src/{kube,etcd}/go.mod              the wrapper modules
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

is_built() { # name stamp
  local bin="$BIN_DIR/$1" marker="$BIN_DIR/.$1.version"
  [[ -x "$bin" && -f "$marker" && "$(cat "$marker")" == "$2" ]]
}
all_built() {
  is_built kube-apiserver "$KUBE_STAMP" && is_built kubectl "$KUBE_STAMP" && is_built etcd "$ETCD_STAMP"
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

# ---------------------------------------------------------------- kube-apiserver + kubectl
build_kube() {
  local mod="$SRC_DIR/kube"
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
    go get "k8s.io/kubernetes/cmd/kube-apiserver@${K8S_VERSION}" "k8s.io/kubernetes/cmd/kubectl@${K8S_VERSION}" >&2
  ) || die "resolving the kubernetes ${K8S_VERSION} wrapper module failed"

  # Version stamps as kubernetes' hack/lib/version.sh sets them (kubectl version, /version, skew checks).
  local minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  local date; date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  local ld="-s -w" p
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X ${p}.gitVersion=${K8S_VERSION} -X ${p}.gitMajor=1 -X ${p}.gitMinor=${minor}"
    ld+=" -X ${p}.gitTreeState=clean -X ${p}.buildDate=${date}"
  done

  local out="$BIN_DIR/.tmp-kube.$$"
  rm -rf "$out"; mkdir -p "$out"
  log "go build kube-apiserver + kubectl (-p 2; first time: tens of minutes on 2 cores)..."
  local t0=$SECONDS
  (cd "$mod" && go build "${BUILD_FLAGS[@]}" -ldflags="$ld" -o "$out/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl) \
    || { rm -rf "$out"; die "go build of kube-apiserver/kubectl ${K8S_VERSION} failed"; }
  log "built kube-apiserver + kubectl in $((SECONDS - t0)) s"
  local b
  for b in kube-apiserver kubectl; do
    mv -f "$out/$b" "$BIN_DIR/$b"
    printf '%s\n' "$KUBE_STAMP" > "$BIN_DIR/.$b.version"
  done
  rm -rf "$out"
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
{ is_built kube-apiserver "$KUBE_STAMP" && is_built kubectl "$KUBE_STAMP"; } || build_kube

all_built || die "binaries missing after the build in $BIN_DIR"

if ((PRIVATE_GOCACHE)) && [[ "${LD_KUBE_KEEP_GOCACHE:-0}" != 1 ]]; then
  log "removing the private Go build cache $GOCACHE (set LD_KUBE_KEEP_GOCACHE=1 to keep it)"
  go clean -cache >/dev/null 2>&1 || true
  rm -rf "$GOCACHE"
fi
log "done in $((SECONDS - START)) s: $(du -sh "$BIN_DIR" | cut -f1) in $BIN_DIR"
echo "$BIN_DIR"
