# shellcheck shell=bash
# Sourced by control-plane.sh: metrics-server behind the aggregation layer, scraping kwok's emulated
# kubelet /metrics/resource, so `kubectl top pods` and the HPA controller see pod CPU.
# Uses from up.sh/control-plane.sh: STATE_DIR PKI BIN_DIR log die gen_client_cert
#   write_cert_kubeconfig start_component component_healthy
# Sets: METRICS_SERVER_PID METRICS_SERVER_PORT

# kwok's Metric (the /metrics/nodes/{nodeName}/metrics/resource endpoint, as a kubelet serves it)
# and ClusterResourceUsage (a pod's CPU/memory from its annotations kwok.x-k8s.io/usage-cpu and
# usage-memory, 1m / 1Mi without): both from kwok's module, copied by build.sh.
kwok_metrics_config() {
  local f
  for f in metrics-resource usage-from-annotation; do
    [[ -f "$BIN_DIR/kwok-stages/$f.yaml" ]] || die "missing $BIN_DIR/kwok-stages/$f.yaml (build.sh copies it)"
    { echo '---'; cat "$BIN_DIR/kwok-stages/$f.yaml"; } >>"$STATE_DIR/kwok.yaml"
  done
}

# The aggregator reaches an APIService through a Service. There is no kube-proxy, and the API refuses
# loopback addresses in Endpoints, so a ClusterIP Service cannot lead to 127.0.0.1; an ExternalName
# Service can: with aggregator routing off the apiserver dials https://<externalName>:<port>.
# insecureSkipTLSVerify: metrics-server's self-signed serving certificate names no Service DNS name.
aggregate_metrics_api() {
  KUBECONFIG="$STATE_DIR/admin.kubeconfig" "$BIN_DIR/kubectl" apply -f - >&2 <<EOF || die "registering the metrics API failed"
apiVersion: v1
kind: Service
metadata: {name: metrics-server, namespace: kube-system}
spec:
  type: ExternalName
  externalName: localhost
  ports: [{name: https, port: $METRICS_SERVER_PORT, protocol: TCP}]
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.metrics.k8s.io}
spec:
  group: metrics.k8s.io
  version: v1beta1
  groupPriorityMinimum: 100
  versionPriority: 100
  insecureSkipTLSVerify: true
  service: {name: metrics-server, namespace: kube-system, port: $METRICS_SERVER_PORT}
EOF
}

start_metrics_server() {
  local t0=$SECONDS
  # metrics-server reads nodes and pods, scrapes nodes/metrics, and delegates authn/authz of the
  # requests the aggregator proxies (TokenReview, SubjectAccessReview, the requestheader CA in
  # kube-system): all of that as system:masters, the test cluster has no tenant to protect.
  gen_client_cert metrics-server metrics-server system:masters
  write_cert_kubeconfig "$STATE_DIR/metrics-server.kubeconfig" metrics-server
  # --metric-resolution 10s is its minimum (and must exceed the kubelet request timeout, 10 s by default); kwok's endpoint is plain HTTP or TLS (self-signed) on
  # one port, reached at the node's InternalIP 127.0.0.1 and the node-status port.
  start_component metrics-server METRICS_SERVER_PORT component_healthy "$BIN_DIR/metrics-server" \
    --secure-port=@PORT@ \
    --bind-address=127.0.0.1 \
    --cert-dir="$STATE_DIR/metrics-server-certs" \
    --kubeconfig="$STATE_DIR/metrics-server.kubeconfig" \
    --authentication-kubeconfig="$STATE_DIR/metrics-server.kubeconfig" \
    --authorization-kubeconfig="$STATE_DIR/metrics-server.kubeconfig" \
    --kubelet-insecure-tls \
    --kubelet-use-node-status-port \
    --kubelet-preferred-address-types=InternalIP \
    --metric-resolution=10s \
    --kubelet-request-timeout=5s
  METRICS_SERVER_PID="$(cat "$STATE_DIR/metrics-server.pid")"
  aggregate_metrics_api
  # Ready when the aggregator has reached it (its availability check goes through the same route).
  # Node metrics follow with the first pods: kwok's emulated node usage is the sum of its pods'.
  KUBECONFIG="$STATE_DIR/admin.kubeconfig" "$BIN_DIR/kubectl" wait apiservice v1beta1.metrics.k8s.io \
    --for=condition=Available --timeout=60s >&2 || die "metrics.k8s.io not Available (see $STATE_DIR/metrics-server.log)"
  log "metrics-server serving metrics.k8s.io in $((SECONDS - t0)) s"
}
