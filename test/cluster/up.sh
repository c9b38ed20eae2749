#!/usr/bin/env bash
# Start a cluster that reconciles, on 127.0.0.1, for the e2e tests: etcd + kube-apiserver, then
# kube-controller-manager, kube-scheduler and kwok with fake nodes (control-plane.sh).
#
#   test/cluster/up.sh [STATE_DIR]     # STATE_DIR defaults to a new mktemp -d
#
# Writes into STATE_DIR: admin.kubeconfig, env (KEY=value lines, shell-sourceable), pki/,
# etcd.pid, kube-apiserver.pid, etcd.log, kube-apiserver.log, etcd-data/.
# The LAST line of stdout is the admin kubeconfig path; everything else goes to stderr.
# Stop with test/cluster/down.sh STATE_DIR. If this script fails half-way, whatever it started is
# killed again.
#
# Environment:
#   LD_KUBE_READY_TIMEOUT   seconds to wait for /readyz (default 120)
#   LD_KUBE_EXTRA_ARGS      extra kube-apiserver flags (word-split), e.g. "--v=4"
#   LD_KUBE_RECONCILE=0     etcd + kube-apiserver only (no controllers, scheduler, kwok, nodes)
#   LD_KUBE_FAKE_NODES      how many kwok nodes (default 2)
#   LD_KUBE_METRICS=0       no metrics-server (no aggregated metrics.k8s.io: the HPA sees no CPU)
#   (and those of build.sh: LD_KUBE_CACHE, LD_KUBE_VERSION, LD_ETCD_VERSION)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
READY_TIMEOUT="${LD_KUBE_READY_TIMEOUT:-120}"

log() { printf '[kube-up %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

for c in openssl curl setsid; do
  command -v "$c" >/dev/null 2>&1 || die "$c is required"
done

STATE_DIR="${1:-}"
if [[ -z "$STATE_DIR" ]]; then
  STATE_DIR="$(mktemp -d "${TMPDIR:-/tmp}/ld-kube.XXXXXX")"
fi
mkdir -p "$STATE_DIR"
STATE_DIR="$(cd "$STATE_DIR" && pwd)"
PKI="$STATE_DIR/pki"
mkdir -p "$PKI"
chmod 700 "$STATE_DIR" "$PKI"

pid_alive() { # pidfile expected-binary-name
  local pid
  [[ -f "$1" ]] || return 1
  pid="$(cat "$1" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # guard against a recycled pid
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2"
}
if pid_alive "$STATE_DIR/etcd.pid" etcd || pid_alive "$STATE_DIR/kube-apiserver.pid" kube-apiserver ||
  pid_alive "$STATE_DIR/kube-controller-manager.pid" kube-controller-manager ||
  pid_alive "$STATE_DIR/kube-scheduler.pid" kube-scheduler || pid_alive "$STATE_DIR/kwok.pid" kwok ||
  pid_alive "$STATE_DIR/metrics-server.pid" metrics-server; then
  die "a cluster is already running from $STATE_DIR; run test/cluster/down.sh $STATE_DIR first"
fi

# ---------------------------------------------------------------- cleanup on failure
STARTED_PIDS=()
SUCCESS=0
# running and not a zombie (our own children stay zombies until we exit)
running() { [[ -r "/proc/$1/stat" ]] && [[ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]]; }
stop_started() { # newest first (kube-apiserver before etcd): SIGTERM, SIGKILL after 10 s
  local p i
  for ((i = ${#STARTED_PIDS[@]} - 1; i >= 0; i--)); do
    p="${STARTED_PIDS[i]}"
    running "$p" || continue
    kill -TERM "$p" 2>/dev/null || continue
    for _ in $(seq 1 50); do running "$p" || break; sleep 0.2; done
    if running "$p"; then
      log "pid $p ignored SIGTERM for 10 s: SIGKILL"
      kill -KILL "$p" 2>/dev/null || true
      for _ in $(seq 1 25); do running "$p" || break; sleep 0.2; done
    fi
  done
}
cleanup() {
  local rc=$?
  trap - INT TERM HUP
  if ((SUCCESS == 0)) && ((${#STARTED_PIDS[@]} > 0)); then
    log "failed (rc=$rc): stopping what was started (${STARTED_PIDS[*]})"
    stop_started
    rm -f "$STATE_DIR"/{etcd,kube-apiserver,kube-controller-manager,kube-scheduler,kwok,metrics-server}.pid
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# ---------------------------------------------------------------- binaries
BIN_DIR="$("$HERE/build.sh" | tail -n 1)"
[[ -x "$BIN_DIR/kube-apiserver" && -x "$BIN_DIR/etcd" && -x "$BIN_DIR/kubectl" && -x "$BIN_DIR/kwok-patched" ]] \
  || die "build.sh did not produce the binaries in '$BIN_DIR'"

# ---------------------------------------------------------------- free ports
# Random ports below the Linux ephemeral range, checked for a listener; a start that still loses a
# race ("address already in use") is retried with new ports.
declare -A USED_PORTS=()
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { # VAR: sets VAR (no subshell, so USED_PORTS keeps the ports already handed out)
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 12000))
    [[ -n "${USED_PORTS[$p]:-}" ]] && continue
    port_in_use "$p" && continue
    USED_PORTS[$p]=1
    printf -v "$1" '%s' "$p"
    return 0
  done
  die "no free port found"
}

# start NAME LOGFILE CMD...: starts CMD in its own session, stdio detached, pid into STATE_DIR/NAME.pid
start_proc() {
  local name="$1" logf="$2"; shift 2
  local pidf="$STATE_DIR/$name.pid"
  rm -f "$pidf"
  # shellcheck disable=SC2016  # expanded by the inner shell
  setsid bash -c 'echo $$ > "$0"; exec "$@"' "$pidf" "$@" </dev/null >>"$logf" 2>&1 &
  local i
  for i in $(seq 1 50); do [[ -s "$pidf" ]] && break; sleep 0.1; done
  [[ -s "$pidf" ]] || die "$name did not start"
  STARTED_PIDS+=("$(cat "$pidf")")
}

# wait_for NAME PIDFILE TIMEOUT CHECK...: polls CHECK until it succeeds, the process dies or time runs out.
# Returns 0 ready, 1 process died, 2 timeout.
wait_for() {
  local name="$1" pidf="$2" timeout="$3"; shift 3
  local deadline=$((SECONDS + timeout)) pid
  pid="$(cat "$pidf")"
  while ((SECONDS < deadline)); do
    "$@" && return 0
    running "$pid" || return 1
    sleep 0.25
  done
  return 2
}

# ---------------------------------------------------------------- PKI (kept if STATE_DIR is reused)
gen_pki() {
  if [[ ! -f "$PKI/ca.crt" ]]; then
    log "generating a CA, the serving certificate and the service-account key pair (openssl)"
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
      -keyout "$PKI/ca.key" -out "$PKI/ca.crt" -subj "/CN=locust-driver-test-ca" \
      -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
  fi
  if [[ ! -f "$PKI/apiserver.crt" ]]; then
    openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$PKI/apiserver.key" -out "$PKI/apiserver.csr" \
      -subj "/CN=kube-apiserver" 2>/dev/null
    cat >"$PKI/apiserver.ext" <<'EOF'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost,IP:10.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
EOF
    openssl x509 -req -sha256 -days 3650 -in "$PKI/apiserver.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" \
      -CAcreateserial -extfile "$PKI/apiserver.ext" -out "$PKI/apiserver.crt" 2>/dev/null
  fi
  # The aggregation layer (metrics-server behind /apis/metrics.k8s.io): a CA of its own for the
  # front proxy, and the client certificate the apiserver presents when it proxies a request.
  if [[ ! -f "$PKI/front-proxy-ca.crt" ]]; then
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
      -keyout "$PKI/front-proxy-ca.key" -out "$PKI/front-proxy-ca.crt" -subj "/CN=locust-driver-test-front-proxy-ca" \
      -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
  fi
  if [[ ! -f "$PKI/front-proxy-client.crt" ]]; then
    openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$PKI/front-proxy-client.key" -out "$PKI/front-proxy-client.csr" \
      -subj "/CN=front-proxy-client" 2>/dev/null
    printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
      "extendedKeyUsage=clientAuth" >"$PKI/front-proxy-client.ext"
    openssl x509 -req -sha256 -days 3650 -in "$PKI/front-proxy-client.csr" -CA "$PKI/front-proxy-ca.crt" \
      -CAkey "$PKI/front-proxy-ca.key" -CAcreateserial -extfile "$PKI/front-proxy-client.ext" \
      -out "$PKI/front-proxy-client.crt" 2>/dev/null
  fi
  if [[ ! -f "$PKI/sa.key" ]]; then
    openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
    openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  fi
  if [[ ! -f "$PKI/tokens.csv" ]]; then
    # token,user,uid,"groups"
    printf '%s,ld-admin,ld-admin,"system:masters"\n' "$(openssl rand -hex 32)" >"$PKI/tokens.csv"
  fi
  chmod 600 "$PKI"/*.key "$PKI/tokens.csv"
}
gen_pki
ADMIN_TOKEN="$(cut -d, -f1 "$PKI/tokens.csv" | head -n 1)"

# ---------------------------------------------------------------- etcd
etcd_healthy() { curl -fsS --max-time 2 "http://127.0.0.1:$ETCD_CLIENT_PORT/health" 2>/dev/null | grep -q '"health":"true"'; }
ETCD_LOG="$STATE_DIR/etcd.log"
for attempt in 1 2 3; do
  free_port ETCD_CLIENT_PORT
  free_port ETCD_PEER_PORT
  log "starting etcd on 127.0.0.1:$ETCD_CLIENT_PORT (peer $ETCD_PEER_PORT), data in $STATE_DIR/etcd-data"
  printf -- '--- etcd start %s (attempt %s)\n' "$(date -u +%FT%TZ)" "$attempt" >>"$ETCD_LOG"
  start_proc etcd "$ETCD_LOG" "$BIN_DIR/etcd" \
    --name=ld-test \
    --data-dir="$STATE_DIR/etcd-data" \
    --listen-client-urls="http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --advertise-client-urls="http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster="ld-test=http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster-state=new \
    --unsafe-no-fsync=true \
    --quota-backend-bytes=4294967296 \
    --log-level=warn
  rc=0; wait_for etcd "$STATE_DIR/etcd.pid" 30 etcd_healthy || rc=$?
  ((rc == 0)) && break
  if ((rc == 1)) && ((attempt < 3)) && tail -n 20 "$ETCD_LOG" | grep -q 'address already in use'; then
    log "etcd lost a port race; retrying"
    continue
  fi
  tail -n 30 "$ETCD_LOG" >&2 || true
  die "etcd did not become healthy (see $ETCD_LOG)"
done
ETCD_PID="$(cat "$STATE_DIR/etcd.pid")"

# ---------------------------------------------------------------- kube-apiserver
APISERVER_LOG="$STATE_DIR/kube-apiserver.log"
apiserver_ready() {
  [[ "$(curl -sS --max-time 3 --cacert "$PKI/ca.crt" -H "Authorization: Bearer $ADMIN_TOKEN" \
    "https://127.0.0.1:$APISERVER_PORT/readyz" 2>/dev/null)" == ok ]]
}
# shellcheck disable=SC2206
EXTRA_ARGS=(${LD_KUBE_EXTRA_ARGS:-})
T_START=$SECONDS
for attempt in 1 2 3; do
  free_port APISERVER_PORT
  log "starting kube-apiserver on https://127.0.0.1:$APISERVER_PORT"
  printf -- '--- kube-apiserver start %s (attempt %s)\n' "$(date -u +%FT%TZ)" "$attempt" >>"$APISERVER_LOG"
  start_proc kube-apiserver "$APISERVER_LOG" "$BIN_DIR/kube-apiserver" \
    --etcd-servers="http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --bind-address=127.0.0.1 \
    --advertise-address=127.0.0.1 \
    --secure-port="$APISERVER_PORT" \
    --tls-cert-file="$PKI/apiserver.crt" \
    --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/ca.crt" \
    --token-auth-file="$PKI/tokens.csv" \
    --authorization-mode=Node,RBAC \
    --service-account-issuer=https://kubernetes.default.svc \
    --service-account-key-file="$PKI/sa.pub" \
    --service-account-signing-key-file="$PKI/sa.key" \
    --service-cluster-ip-range=10.0.0.0/24 \
    --endpoint-reconciler-type=none \
    --allow-privileged=true \
    --profiling=false \
    --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" \
    --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User \
    --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$PKI/front-proxy-client.crt" \
    --proxy-client-key-file="$PKI/front-proxy-client.key" \
    --enable-aggregator-routing=false \
    --kubelet-preferred-address-types=InternalIP \
    "${EXTRA_ARGS[@]}"
  rc=0; wait_for kube-apiserver "$STATE_DIR/kube-apiserver.pid" "$READY_TIMEOUT" apiserver_ready || rc=$?
  ((rc == 0)) && break
  if ((rc == 1)) && ((attempt < 3)) && tail -n 20 "$APISERVER_LOG" | grep -q 'address already in use'; then
    log "kube-apiserver lost a port race; retrying"
    continue
  fi
  tail -n 40 "$APISERVER_LOG" >&2 || true
  if ((rc == 2)); then
    curl -sS --max-time 3 --cacert "$PKI/ca.crt" -H "Authorization: Bearer $ADMIN_TOKEN" \
      "https://127.0.0.1:$APISERVER_PORT/readyz?verbose" >&2 || true
    die "kube-apiserver not ready after ${READY_TIMEOUT}s (see $APISERVER_LOG)"
  fi
  die "kube-apiserver exited (see $APISERVER_LOG)"
done
APISERVER_PID="$(cat "$STATE_DIR/kube-apiserver.pid")"
log "kube-apiserver ready in $((SECONDS - T_START)) s"
URL="https://127.0.0.1:$APISERVER_PORT"

# ---------------------------------------------------------------- kubeconfig + env
KUBECONFIG_FILE="$STATE_DIR/admin.kubeconfig"
umask 077
cat >"$KUBECONFIG_FILE.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: ld-test
  cluster:
    server: $URL
    certificate-authority-data: $(base64 -w0 <"$PKI/ca.crt")
users:
- name: ld-admin
  user:
    token: $ADMIN_TOKEN
contexts:
- name: ld-test
  context:
    cluster: ld-test
    user: ld-admin
    namespace: default
current-context: ld-test
EOF
mv -f "$KUBECONFIG_FILE.tmp" "$KUBECONFIG_FILE"

# ---------------------------------------------------------------- controllers, scheduler, kwok
CONTROLLER_MANAGER_PID="" SCHEDULER_PID="" KWOK_PID="" METRICS_SERVER_PID=""
if [[ "${LD_KUBE_RECONCILE:-1}" != 0 ]]; then
  # shellcheck source=test/cluster/control-plane.sh
  . "$HERE/control-plane.sh"
  start_control_plane
else
  log "LD_KUBE_RECONCILE=0: apiserver only, nothing reconciles"
fi

q() { # a value as KEY=value wants it (dotenv and sh): bare when safe, single-quoted otherwise
  if [[ "$1" =~ ^[A-Za-z0-9_./:@%+,=-]*$ ]]; then printf '%s' "$1"; else printf "'%s'" "${1//\'/\'\\\'\'}"; fi
}
{
  echo "# written by test/cluster/up.sh; sh: set -a; . ./env; set +a"
  echo "KUBE_APISERVER_URL=$(q "$URL")"
  echo "KUBE_APISERVER_HOST=127.0.0.1"
  echo "KUBE_APISERVER_PORT=$APISERVER_PORT"
  echo "KUBE_CA_FILE=$(q "$PKI/ca.crt")"
  echo "KUBE_ADMIN_TOKEN=$(q "$ADMIN_TOKEN")"
  echo "KUBECONFIG=$(q "$KUBECONFIG_FILE")"
  echo "KUBECTL=$(q "$BIN_DIR/kubectl")"
  echo "KUBE_BIN_DIR=$(q "$BIN_DIR")"
  echo "KUBE_STATE_DIR=$(q "$STATE_DIR")"
  echo "KUBE_APISERVER_PID=$APISERVER_PID"
  echo "ETCD_PID=$ETCD_PID"
  echo "ETCD_URL=http://127.0.0.1:$ETCD_CLIENT_PORT"
  echo "KUBE_SA_ISSUER=https://kubernetes.default.svc"
  echo "KUBE_RECONCILE=${LD_KUBE_RECONCILE:-1}"
  echo "KUBE_CONTROLLER_MANAGER_PID=$CONTROLLER_MANAGER_PID"
  echo "KUBE_SCHEDULER_PID=$SCHEDULER_PID"
  echo "KWOK_PID=$KWOK_PID"
  echo "METRICS_SERVER_PID=${METRICS_SERVER_PID:-}"
} >"$STATE_DIR/env.tmp"
mv -f "$STATE_DIR/env.tmp" "$STATE_DIR/env"

SUCCESS=1
log "cluster up in ${SECONDS} s: $URL (etcd pid $ETCD_PID, kube-apiserver pid $APISERVER_PID${KWOK_PID:+, controller-manager $CONTROLLER_MANAGER_PID, scheduler $SCHEDULER_PID, kwok $KWOK_PID}${METRICS_SERVER_PID:+, metrics-server $METRICS_SERVER_PID}); state in $STATE_DIR"
log "stop with: $HERE/down.sh $STATE_DIR"
echo "$KUBECONFIG_FILE"
