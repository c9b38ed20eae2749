# shellcheck shell=bash
# Sourced by up.sh once kube-apiserver is ready: what makes the cluster reconcile by itself.
#   kube-controller-manager  Deployment/ReplicaSet/Job/CronJob/HPA/namespace/GC/SA/token controllers
#   kube-scheduler           binds pods to the fake nodes
#   kwok                     the kubelets of those fake nodes: keeps them Ready, moves bound pods
#                            Pending -> Running/Ready (its Stage resources), deletes terminating pods,
#                            ends a pod from its process's exit (kwok-stages/), serves pod logs (Logs)
#   fake nodes               Node objects annotated kwok.x-k8s.io/node=fake
#   metrics-server           (metrics.sh; LD_KUBE_METRICS=0 leaves it out) pod CPU for the HPA
# Uses from up.sh: STATE_DIR PKI BIN_DIR URL log die start_proc wait_for free_port running
# Sets: CONTROLLER_MANAGER_PID SCHEDULER_PID KWOK_PID KWOK_PORT (and metrics.sh's)

# shellcheck source=test/cluster/metrics.sh
. "$HERE/metrics.sh"
METRICS=1
[[ "${LD_KUBE_METRICS:-1}" == 0 ]] && METRICS=0
METRICS_SERVER_PID=""

# How many fake nodes, and what each offers: the e2e tests run a few pods of 250m CPU each.
FAKE_NODES="${LD_KUBE_FAKE_NODES:-2}"
# The controllers the driver's objects need, by their v1.37 names. node-lifecycle is needed too: the
# apiserver taints every new Node node.kubernetes.io/not-ready:NoSchedule (TaintNodesByCondition) and
# only that controller lifts the taint once the node is Ready. Left out on purpose: node-ipam,
# endpoints/slices (no kube-proxy uses them), taint-eviction, everything for objects the tests never make.
CONTROLLERS="$(printf '%s-controller,' deployment replicaset job cronjob ttl-after-finished horizontal-pod-autoscaler \
  namespace garbage-collector serviceaccount serviceaccount-token root-ca-certificate-publisher persistentvolume-binder \
  node-lifecycle)"
CONTROLLERS="${CONTROLLERS%,}"

# A client certificate signed by the apiserver's client CA: CN is the user, O the group. The
# controller-manager and the scheduler get the identities the bootstrap RBAC policy already binds
# (system:kube-controller-manager, system:kube-scheduler), so nothing of ours grants them rights.
gen_client_cert() { # name CN [O]
  local name="$1" cn="$2" org="${3:-}" subj
  [[ -f "$PKI/$name.crt" ]] && return 0
  subj="/CN=$cn"; [[ -n "$org" ]] && subj="/O=$org$subj"
  openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$PKI/$name.key" -out "$PKI/$name.csr" -subj "$subj" 2>/dev/null
  printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=clientAuth" >"$PKI/$name.ext"
  openssl x509 -req -sha256 -days 3650 -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" \
    -CAcreateserial -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
  chmod 600 "$PKI/$name.key"
}

write_cert_kubeconfig() { # file name (pki/NAME.crt + .key)
  umask 077
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: ld-test
  cluster: {server: $URL, certificate-authority: $PKI/ca.crt}
users:
- name: $2
  user: {client-certificate: $PKI/$2.crt, client-key: $PKI/$2.key}
contexts:
- name: ld-test
  context: {cluster: ld-test, user: $2}
current-context: ld-test
EOF
}

# /healthz of a component's own secure port (self-signed serving cert: -k; it is on 127.0.0.1).
component_healthy() { [[ "$(curl -ksS --max-time 2 "https://127.0.0.1:$1/healthz" 2>/dev/null)" == ok ]]; }
kwok_healthy() { [[ "$(curl -sS --max-time 2 "http://127.0.0.1:$1/healthz" 2>/dev/null)" == ok ]]; }

# start_component NAME PORTVAR HEALTH CMD...: a free port into PORTVAR, every @PORT@ in CMD replaced
# by it, started like etcd (own session, log file), waited for with HEALTH PORT; port races retried.
start_component() {
  local name="$1" portvar="$2" health="$3"; shift 3
  local logf="$STATE_DIR/$name.log" attempt rc a args
  for attempt in 1 2 3; do
    free_port "$portvar"
    args=()
    for a in "$@"; do args+=("${a//@PORT@/${!portvar}}"); done
    log "starting $name (port ${!portvar})"
    printf -- '--- %s start %s (attempt %s)\n' "$name" "$(date -u +%FT%TZ)" "$attempt" >>"$logf"
    start_proc "$name" "$logf" "${args[@]}"
    rc=0; wait_for "$name" "$STATE_DIR/$name.pid" 60 "$health" "${!portvar}" || rc=$?
    ((rc == 0)) && return 0
    if ((rc == 1)) && ((attempt < 3)) && tail -n 20 "$logf" | grep -q 'address already in use'; then
      log "$name lost a port race; retrying"
      continue
    fi
    tail -n 30 "$logf" >&2 || true
    die "$name did not become healthy (see $logf)"
  done
}

# kwok's --config: its own default Stages, copied by build.sh from the kwok module (same version as
# the binary): node-initialize + node-heartbeat keep the fake nodes Ready; pod-ready makes a bound
# pod Running and Ready at once. pod-complete is left out on purpose: it would end every pod of a Job
# as Succeeded at once, which no real process decided. Then our own Stages (test/cluster/kwok-stages/):
# pod-exit.yaml ends a pod whose process (test/e2e/kubelet.ts) exited, with its real exit code, and
# replaces kwok's pod-delete so a deleted pod goes only once its process has ended.
write_kwok_config() {
  local stages="$BIN_DIR/kwok-stages" f
  [[ -d "$stages" ]] || die "no $stages (build.sh copies kwok's default stages there)"
  : >"$STATE_DIR/kwok.yaml"
  for f in node-initialize node-heartbeat pod-ready; do
    [[ -f "$stages/$f.yaml" ]] || die "missing kwok stage $stages/$f.yaml"
    { echo '---'; cat "$stages/$f.yaml"; } >>"$STATE_DIR/kwok.yaml"
  done
  for f in "$HERE"/kwok-stages/*.yaml; do
    { echo '---'; cat "$f"; } >>"$STATE_DIR/kwok.yaml"
  done
  ((METRICS)) && kwok_metrics_config
  return 0
}

# kwok's Logs resource as a CRD (kwok --enable-crds=Logs watches it): one object per pod names the
# file its log is served from (`kubectl logs`, `-f` included), so a harness that starts a process
# for a pod can make that process's output the pod's log.
install_kwok_crds() {
  local k=(env KUBECONFIG="$STATE_DIR/admin.kubeconfig" "$BIN_DIR/kubectl")
  "${k[@]}" apply --server-side -f "$BIN_DIR/kwok-crds/kwok.x-k8s.io_logs.yaml" >&2 || die "installing kwok's Logs CRD failed"
  "${k[@]}" wait --for=condition=Established --timeout=60s crd/logs.kwok.x-k8s.io >&2 || die "kwok's Logs CRD not established"
}

# Fake nodes: kwok manages them (annotation), the scheduler sees their allocatable. Their address is
# 127.0.0.1 and their kubelet port kwok's own server, so anything that talks to "the kubelet"
# (logs, metrics) reaches kwok on loopback and never an invented IP.
create_fake_nodes() {
  local i manifest=""
  for ((i = 0; i < FAKE_NODES; i++)); do
    manifest+="---
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: \"0\"
    # where metrics-server (>= 0.7) scrapes this node's resource metrics: kwok's emulated kubelet
    metrics.k8s.io/resource-metrics-path: /metrics/nodes/kwok-node-$i/metrics/resource
  labels: {kubernetes.io/hostname: kwok-node-$i, kubernetes.io/os: linux, kubernetes.io/arch: amd64, type: kwok}
status:
  allocatable: {cpu: \"16\", memory: 32Gi, pods: \"110\"}
  capacity: {cpu: \"16\", memory: 32Gi, pods: \"110\"}
"
  done
  local k=(env KUBECONFIG="$STATE_DIR/admin.kubeconfig" "$BIN_DIR/kubectl")
  printf '%s' "$manifest" | "${k[@]}" apply -f - >&2 || die "creating the fake nodes failed"
  # A kubelet reports its own port when it starts; kwok's node-initialize Stage writes it only for a
  # node that is not Ready yet. Nodes kept from an earlier up.sh of this STATE_DIR (etcd data) would
  # still name that run's kwok port, so say this run's port, as a restarted kubelet would.
  for ((i = 0; i < FAKE_NODES; i++)); do
    "${k[@]}" patch node "kwok-node-$i" --subresource=status --type=merge \
      -p "{\"status\":{\"daemonEndpoints\":{\"kubeletEndpoint\":{\"Port\":$KWOK_PORT}}}}" >/dev/null \
      || die "setting kwok-node-$i's kubelet port failed"
  done
}

start_control_plane() {
  local t0=$SECONDS
  gen_client_cert kube-controller-manager system:kube-controller-manager
  gen_client_cert kube-scheduler system:kube-scheduler
  # kwok writes node and pod status, node leases and events for every fake node: the admin group
  # (system:masters) is simplest; a test cluster has no other tenant to protect from it.
  gen_client_cert kwok kwok system:masters
  local c
  for c in kube-controller-manager kube-scheduler kwok; do write_cert_kubeconfig "$STATE_DIR/$c.kubeconfig" "$c"; done

  # Node grace periods lengthened: kwok's heartbeat Stage comes every 20-45 s, and a busy 2-core
  # machine must not get a fake node marked NotReady (and tainted) between two of them.
  # HPA timings shortened for tests (defaults 15 s sync, 5 min downscale stabilization, 5 min CPU
  # initialization, 30 s initial readiness delay) so a test sees the HPA decide within seconds.
  start_component kube-controller-manager CONTROLLER_MANAGER_PORT component_healthy "$BIN_DIR/kube-controller-manager" \
    --secure-port=@PORT@ \
    --kubeconfig="$STATE_DIR/kube-controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 \
    --cert-dir="$STATE_DIR/kube-controller-manager-certs" \
    --controllers="$CONTROLLERS" \
    --use-service-account-credentials=true \
    --service-account-private-key-file="$PKI/sa.key" \
    --root-ca-file="$PKI/ca.crt" \
    --leader-elect=false \
    --horizontal-pod-autoscaler-sync-period=2s \
    --horizontal-pod-autoscaler-downscale-stabilization=10s \
    --horizontal-pod-autoscaler-cpu-initialization-period=10s \
    --horizontal-pod-autoscaler-initial-readiness-delay=5s \
    --node-monitor-grace-period=3m \
    --node-startup-grace-period=3m \
    --profiling=false
  CONTROLLER_MANAGER_PID="$(cat "$STATE_DIR/kube-controller-manager.pid")"

  start_component kube-scheduler SCHEDULER_PORT component_healthy "$BIN_DIR/kube-scheduler" \
    --secure-port=@PORT@ \
    --kubeconfig="$STATE_DIR/kube-scheduler.kubeconfig" \
    --bind-address=127.0.0.1 \
    --cert-dir="$STATE_DIR/kube-scheduler-certs" \
    --leader-elect=false \
    --profiling=false
  SCHEDULER_PID="$(cat "$STATE_DIR/kube-scheduler.pid")"

  write_kwok_config
  install_kwok_crds
  # --cidr: the pod IPs kwok invents (never connected to); --node-ip/--node-port: see create_fake_nodes.
  start_component kwok KWOK_PORT kwok_healthy "$BIN_DIR/kwok-patched" \
    --server-address=127.0.0.1:@PORT@ \
    --node-port=@PORT@ \
    --kubeconfig="$STATE_DIR/kwok.kubeconfig" \
    --config="$STATE_DIR/kwok.yaml" \
    --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --node-ip=127.0.0.1 \
    --enable-crds=Logs \
    --cidr=10.244.0.0/16
  KWOK_PID="$(cat "$STATE_DIR/kwok.pid")"

  create_fake_nodes
  local i k=(env KUBECONFIG="$STATE_DIR/admin.kubeconfig" "$BIN_DIR/kubectl")
  "${k[@]}" wait node -l type=kwok --for=condition=Ready --timeout=60s >&2 || die "fake nodes not Ready (see $STATE_DIR/kwok.log)"
  # ... and schedulable: node-lifecycle lifts the not-ready taint a moment after Ready.
  for i in $(seq 1 120); do
    [[ -z "$("${k[@]}" get nodes -l type=kwok -o jsonpath='{.items[*].spec.taints}')" ]] && break
    ((i == 120)) && die "fake nodes still tainted after 60 s (see $STATE_DIR/kube-controller-manager.log)"
    sleep 0.5
  done
  # Pods are refused until the serviceaccount controller made the namespace's "default" SA.
  for i in $(seq 1 120); do
    "${k[@]}" get serviceaccount default -n default >/dev/null 2>&1 && break
    ((i == 120)) && die "no default ServiceAccount after 60 s (see $STATE_DIR/kube-controller-manager.log)"
    sleep 0.5
  done
  ((METRICS)) && start_metrics_server
  log "control plane reconciling in $((SECONDS - t0)) s: controller-manager, scheduler, kwok, $FAKE_NODES fake nodes"
}
