#!/usr/bin/env bash
# Hand-run smoke check of the test cluster (not part of the test suite):
#   test/cluster/smoke.sh            # up.sh, exercise the API like the driver will, down.sh --clean
#   KEEP=1 test/cluster/smoke.sh     # leave the cluster running (prints its state dir)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE_DIR="$(mktemp -d "${TMPDIR:-/tmp}/ld-smoke.XXXXXX")"

t0=$SECONDS
KCFG="$("$HERE/up.sh" "$STATE_DIR" | tail -n 1)"
echo "== up.sh took $((SECONDS - t0)) s; kubeconfig $KCFG"
set -a
# shellcheck source=/dev/null
. "$STATE_DIR/env"
set +a
finish() {
  local rc=$?
  if [[ "${KEEP:-0}" == 1 ]]; then echo "cluster left running: $STATE_DIR"; else "$HERE/down.sh" --clean "$STATE_DIR"; fi
  ((rc == 0)) && echo "SMOKE OK" || echo "SMOKE FAILED (rc=$rc)"
}
trap finish EXIT

k() { "$KUBECTL" --kubeconfig "$KCFG" "$@"; }
step() { echo; echo "== $*"; }
NS=ld-smoke
SA=ld-driver

step "version / namespace"
k version
k create namespace "$NS"

step "server-side apply of every kind the driver and its manifests use"
k apply --server-side --field-manager=ld-smoke -f - <<EOF
apiVersion: v1
kind: ConfigMap
metadata: {name: ld-config, namespace: $NS}
data: {matrix.yaml: "stages: []"}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: $SA, namespace: $NS}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: ld-driver, namespace: $NS}
rules:
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list, watch]
- apiGroups: [apps]
  resources: [deployments/scale]
  verbs: [get, update, patch]
- apiGroups: [autoscaling]
  resources: [horizontalpodautoscalers]
  verbs: [get, list, watch, patch, update]
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [get, create, update]
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ld-driver, namespace: $NS}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ld-driver}
subjects:
- {kind: ServiceAccount, name: $SA, namespace: $NS}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: $NS, labels: {app: web}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: registry.invalid/web:1
        ports: [{containerPort: 8080}]
        resources: {requests: {cpu: 100m, memory: 64Mi}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: $NS}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: $NS}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 5
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: ld-run-lock, namespace: $NS}
spec: {holderIdentity: smoke, leaseDurationSeconds: 30}
---
apiVersion: batch/v1
kind: Job
metadata: {name: ld-run, namespace: $NS}
spec:
  backoffLimit: 0
  template:
    spec:
      serviceAccountName: $SA
      restartPolicy: Never
      containers: [{name: driver, image: registry.invalid/locust-driver:1}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: ld-nightly, namespace: $NS}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          serviceAccountName: $SA
          restartPolicy: Never
          containers: [{name: driver, image: registry.invalid/locust-driver:1}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ld-driver, namespace: $NS}
spec:
  podSelector: {matchLabels: {app: locust-driver}}
  policyTypes: [Egress]
  egress: [{}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ld-results, namespace: $NS}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
EOF
k get -n "$NS" deploy,svc,hpa,lease,cm,sa,role,rolebinding,job,cronjob,networkpolicy,pvc

step "scale (the /scale subresource): the real controllers roll it out onto kwok's fake nodes"
k scale -n "$NS" deployment web --replicas 3
k rollout status -n "$NS" deployment web --timeout=60s
k get -n "$NS" deployment web -o jsonpath='{.metadata.generation} {.spec.replicas} {.status.readyReplicas} {.status.observedGeneration}{"\n"}'
k get -n "$NS" pods -o wide
k get -n "$NS" hpa web -o jsonpath='{.status}{"\n"}'

step "TokenRequest (serviceaccounts/token) and RBAC with the minted token"
TOKEN="$(k create token "$SA" -n "$NS" --duration=10m)"
echo "token: ${TOKEN:0:20}..."
sa() { "$KUBECTL" --server "$KUBE_APISERVER_URL" --certificate-authority "$KUBE_CA_FILE" --token "$TOKEN" "$@"; }
sa -n "$NS" get deployment web -o name
sa -n "$NS" patch deployment web --subresource=scale --type=merge -p '{"spec":{"replicas":2}}'
expect_forbidden() {
  local out
  if out="$(sa "$@" 2>&1)"; then echo "NOT denied: $*: $out"; exit 1; fi
  echo "$out"
  [[ "$out" == *Forbidden* ]] || { echo "failed, but not Forbidden: $*"; exit 1; }
}
expect_forbidden -n "$NS" get secrets
expect_forbidden -n "$NS" delete deployment web
expect_forbidden -n default get deployments
echo "-- whoami (SelfSubjectReview)"
sa auth whoami
echo "-- can-i as the SA (impersonation by the admin: SubjectAccessReview)"
for check in "patch deployments --subresource=scale" "update deployments --subresource=scale" "get deployments" \
             "update leases.coordination.k8s.io" "delete deployments" "get secrets" "create pods" \
             "patch deployments --subresource=status"; do
  # shellcheck disable=SC2086
  printf '%-45s %s\n' "$check" "$(k auth can-i -n "$NS" --as=system:serviceaccount:$NS:$SA $check || true)"
done
echo "-- SelfSubjectAccessReview created with the SA token"
for verb_res in "patch:deployments:scale:apps" "update:leases::coordination.k8s.io" "delete:deployments::apps" "get:secrets::"; do
  IFS=: read -r verb res sub grp <<<"$verb_res"
  printf '%-7s %-35s -> ' "$verb" "$grp/$res/$sub"
  sa create --validate=false -o jsonpath='{.status}{"\n"}' -f - <<EOF
apiVersion: authorization.k8s.io/v1
kind: SelfSubjectAccessReview
spec:
  resourceAttributes: {namespace: $NS, verb: $verb, group: "$grp", resource: $res, subresource: "$sub"}
EOF
done
echo "-- SelfSubjectAccessReview over plain HTTPS (curl, as the driver's own client would)"
curl -fsS --cacert "$KUBE_CA_FILE" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -X POST "$KUBE_APISERVER_URL/apis/authorization.k8s.io/v1/selfsubjectaccessreviews" \
  -d "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectAccessReview\",\"spec\":{\"resourceAttributes\":{\"namespace\":\"$NS\",\"verb\":\"update\",\"group\":\"apps\",\"resource\":\"deployments\",\"subresource\":\"scale\"}}}" \
  | tr -d '\n' | grep -oE '"status": ?\{[^}]*\}'
echo "-- SelfSubjectRulesReview with the SA token"
sa auth can-i --list -n "$NS"

step "Pods: the serviceaccount controller made the default SA, the scheduler binds, kwok runs them"
k run -n "$NS" probe --image=registry.invalid/probe:1 --restart=Never
k wait -n "$NS" pod/probe --for=condition=Ready --timeout=60s
k get -n "$NS" pod probe -o jsonpath='{.spec.nodeName} {.status.phase}{"\n"}'

echo; echo "== all steps passed"
