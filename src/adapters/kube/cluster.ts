// The Cluster port over @kubernetes/client-node 2.x: scale subresource, HPA (autoscaling/v2),
// SelfSubjectAccessReview, Lease, ConfigMaps. Every call has a deadline; every failure becomes a
// KubeError whose message never carries response headers or tokens.
import {
  ApiException,
  AppsV1Api,
  AuthorizationV1Api,
  AutoscalingV2Api,
  CoordinationV1Api,
  CoreV1Api,
  Observable,
  PatchStrategy,
  setHeaderOptions,
  V1MicroTime,
  type ConfigurationOptions,
  type ObservableMiddleware,
  type V1Deployment,
  type V1Lease,
  type V2HorizontalPodAutoscaler,
  type V2HorizontalPodAutoscalerSpec,
} from '@kubernetes/client-node';
import type { AccessCheck, Cluster, DeploymentState, HpaState, LeaseResult } from '../../ports.js';
import type { HpaSettings } from '../../core/model.js';
import { KubeError } from '../../core/errors.js';
import type { KubeConnection } from './config.js';

const FIELD_MANAGER = 'locust-driver';

function withDeadline(ms: number, outer?: AbortSignal): ConfigurationOptions {
  const mw: ObservableMiddleware = {
    pre: (ctx) => {
      const t = AbortSignal.timeout(ms);
      ctx.setSignal(outer ? AbortSignal.any([outer, t]) : t);
      return new Observable(Promise.resolve(ctx));
    },
    post: (res) => new Observable(Promise.resolve(res)),
  };
  // 'append' keeps the client's own middleware (User-Agent); 'replace' would drop it.
  return { middleware: [mw], middlewareMergeStrategy: 'append' };
}

function status(e: unknown): number | null {
  return e instanceof ApiException ? e.code : null;
}

/** A one-line reason from an API error: the Status message, never headers or the raw body. */
export function describeKubeFailure(e: unknown): string {
  if (e instanceof ApiException) {
    let msg = '';
    if (typeof e.body === 'string') {
      try {
        msg = (JSON.parse(e.body) as { message?: string }).message ?? '';
      } catch {
        msg = '';
      }
    }
    return `HTTP ${e.code}${msg ? `: ${msg}` : e.code === 401 ? ': Unauthorized (the token was not accepted)' : ''}`;
  }
  if (e instanceof DOMException && (e.name === 'TimeoutError' || e.name === 'AbortError')) return 'no answer in time';
  const cause = (e as { cause?: { code?: string } }).cause;
  // fetch quotes the URL it refused, user info (a password) included: never pass that on.
  return cause?.code ?? ((e as Error).message ?? '').replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1');
}

export function createCluster(conn: KubeConnection, timeoutMs = 10_000): Cluster {
  const { kc, namespace } = conn;
  const apps = kc.makeApiClient(AppsV1Api);
  const autoscaling = kc.makeApiClient(AutoscalingV2Api);
  const authz = kc.makeApiClient(AuthorizationV1Api);
  const coord = kc.makeApiClient(CoordinationV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const opts = (signal?: AbortSignal) => withDeadline(timeoutMs, signal);
  const merge = (signal?: AbortSignal) => setHeaderOptions('Content-Type', PatchStrategy.MergePatch, opts(signal));

  async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw new KubeError(`Kubernetes API (${conn.server}) refused to ${what} in ${namespace}: ${describeKubeFailure(e)}`, { cause: e, status: status(e) });
    }
  }
  async function orNull<T>(what: string, fn: () => Promise<T>): Promise<T | null> {
    try {
      return await fn();
    } catch (e) {
      if (status(e) === 404) return null;
      throw new KubeError(`Kubernetes API (${conn.server}) refused to ${what} in ${namespace}: ${describeKubeFailure(e)}`, { cause: e, status: status(e) });
    }
  }

  const toDeployment = (d: V1Deployment, name: string): DeploymentState => ({
    name,
    specReplicas: d.spec?.replicas ?? 1,
    generation: d.metadata?.generation ?? 0,
    observedGeneration: d.status?.observedGeneration ?? 0,
    replicas: d.status?.replicas ?? 0,
    updatedReplicas: d.status?.updatedReplicas ?? 0,
    readyReplicas: d.status?.readyReplicas ?? 0,
    availableReplicas: d.status?.availableReplicas ?? 0,
  });

  const cpuTarget = (spec: V2HorizontalPodAutoscalerSpec | undefined): number | null =>
    spec?.metrics?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu')?.resource?.target.averageUtilization ?? null;

  const toHpa = (h: V2HorizontalPodAutoscaler, name: string): HpaState => ({
    name,
    min: h.spec?.minReplicas ?? 1,
    max: h.spec?.maxReplicas ?? 1,
    cpuPercent: cpuTarget(h.spec),
    currentReplicas: h.status?.currentReplicas ?? null,
    // 0 with minReplicas ≥ 1 is a status the controller has not computed yet (it starts at 0), not a decision.
    desiredReplicas: h.status?.desiredReplicas === 0 && (h.spec?.minReplicas ?? 1) > 0 ? null : (h.status?.desiredReplicas ?? null),
    currentCpuPercent: h.status?.currentMetrics?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu')?.resource?.current.averageUtilization ?? null,
    lastScaleTime: isoOrNull(h.status?.lastScaleTime),
    // A plain JSON copy of the spec, so restore can put back exactly what was there.
    snapshot: JSON.parse(JSON.stringify(h.spec ?? {})) as unknown,
  });

  const cpuMetric = (percent: number) => [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: percent } } }];

  const leaseBody = (name: string, holder: string | undefined, durationS: number, prev?: V1Lease): V1Lease => {
    const now = new V1MicroTime();
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { ...(prev?.metadata ?? {}), name, namespace, labels: { ...(prev?.metadata?.labels ?? {}), 'app.kubernetes.io/name': 'locust-driver' } },
      spec: {
        ...(prev?.spec ?? {}),
        holderIdentity: holder,
        leaseDurationSeconds: durationS,
        renewTime: holder ? now : undefined,
        acquireTime: holder ? (prev?.spec?.holderIdentity === holder ? prev.spec.acquireTime : now) : undefined,
      },
    };
  };

  const expired = (l: V1Lease): boolean => {
    const renew = l.spec?.renewTime ? Date.parse(String(l.spec.renewTime)) : NaN;
    const dur = (l.spec?.leaseDurationSeconds ?? 0) * 1000;
    return Number.isFinite(renew) && renew + dur < Date.now();
  };

  return {
    namespace,
    server: conn.server,
    inCluster: conn.inCluster,

    async getDeployment(name, signal) {
      const d = await orNull(`get deployment ${name}`, () => apps.readNamespacedDeployment({ name, namespace }, opts(signal)));
      return d ? toDeployment(d, name) : null;
    },

    async scaleDeployment(name, replicas, signal) {
      await call(`scale deployment ${name} to ${replicas}`, () =>
        apps.patchNamespacedDeploymentScale({ name, namespace, body: { spec: { replicas } }, fieldManager: FIELD_MANAGER }, merge(signal)),
      );
    },

    async getHpa(name, signal) {
      const h = await orNull(`get HPA ${name}`, () => autoscaling.readNamespacedHorizontalPodAutoscaler({ name, namespace }, opts(signal)));
      return h ? toHpa(h, name) : null;
    },

    async setHpa(name, deployment, hpa: HpaSettings, signal) {
      const spec = { minReplicas: hpa.min, maxReplicas: hpa.max, metrics: cpuMetric(hpa.cpuPercent) };
      const existing = await orNull(`get HPA ${name}`, () => autoscaling.readNamespacedHorizontalPodAutoscaler({ name, namespace }, opts(signal)));
      if (existing) {
        await call(`patch HPA ${name}`, () =>
          autoscaling.patchNamespacedHorizontalPodAutoscaler({ name, namespace, body: { spec }, fieldManager: FIELD_MANAGER }, merge(signal)),
        );
        return 'updated';
      }
      const body: V2HorizontalPodAutoscaler = {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'locust-driver' } },
        spec: { ...spec, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment } },
      };
      await call(`create HPA ${name}`, () =>
        autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace, body, fieldManager: FIELD_MANAGER }, opts(signal)),
      );
      return 'created';
    },

    async restoreHpa(name, snapshot, signal) {
      if (snapshot === null || snapshot === undefined) {
        await orNull(`delete HPA ${name}`, () => autoscaling.deleteNamespacedHorizontalPodAutoscaler({ name, namespace }, opts(signal)));
        return;
      }
      const current = await orNull(`get HPA ${name}`, () => autoscaling.readNamespacedHorizontalPodAutoscaler({ name, namespace }, opts(signal)));
      if (!current) throw new KubeError(`the HPA ${name} is gone, so its original spec cannot be put back`);
      // A merge patch only adds and overwrites: clear every key the original did not have.
      const cleared = Object.fromEntries(Object.keys(JSON.parse(JSON.stringify(current.spec ?? {})) as object).map((k) => [k, null]));
      const body = { spec: { ...cleared, ...snapshot } };
      await call(`restore HPA ${name}`, () =>
        autoscaling.patchNamespacedHorizontalPodAutoscaler({ name, namespace, body, fieldManager: FIELD_MANAGER }, merge(signal)),
      );
    },

    async canI(checks: AccessCheck[], signal) {
      return Promise.all(
        checks.map(async (check) => {
          const res = await call('create a SelfSubjectAccessReview', () =>
            authz.createSelfSubjectAccessReview(
              {
                body: {
                  apiVersion: 'authorization.k8s.io/v1',
                  kind: 'SelfSubjectAccessReview',
                  spec: {
                    resourceAttributes: {
                      namespace,
                      verb: check.verb,
                      group: check.group,
                      resource: check.resource,
                      subresource: check.subresource,
                      name: check.name,
                    },
                  },
                },
              },
              opts(signal),
            ),
          );
          return { check, allowed: res.status?.allowed === true, reason: res.status?.reason ?? null };
        }),
      );
    },

    async acquireLease(name, holder, durationS, signal): Promise<LeaseResult> {
      for (let attempt = 0; attempt < 3; attempt++) {
        const lease = await orNull(`get Lease ${name}`, () => coord.readNamespacedLease({ name, namespace }, opts(signal)));
        try {
          if (!lease) {
            await coord.createNamespacedLease({ namespace, body: leaseBody(name, holder, durationS) }, opts(signal));
            return { acquired: true };
          }
          const current = lease.spec?.holderIdentity;
          if (current && current !== holder && !expired(lease)) {
            return { acquired: false, holder: current, renewTime: lease.spec?.renewTime ? String(lease.spec.renewTime) : null };
          }
          // replace carries metadata.resourceVersion: a driver that raced us gets 409
          await coord.replaceNamespacedLease({ name, namespace, body: leaseBody(name, holder, durationS, lease) }, opts(signal));
          return { acquired: true };
        } catch (e) {
          if (status(e) === 409) continue;
          throw new KubeError(`Kubernetes API (${conn.server}) refused to take the Lease ${name} in ${namespace}: ${describeKubeFailure(e)}`, {
            cause: e,
            status: status(e),
          });
        }
      }
      const lease = await call(`get Lease ${name}`, () => coord.readNamespacedLease({ name, namespace }, opts(signal)));
      return { acquired: false, holder: lease.spec?.holderIdentity ?? 'unknown', renewTime: lease.spec?.renewTime ? String(lease.spec.renewTime) : null };
    },

    async renewLease(name, holder, durationS, signal) {
      const lease = await orNull(`get Lease ${name}`, () => coord.readNamespacedLease({ name, namespace }, opts(signal)));
      if (!lease || lease.spec?.holderIdentity !== holder) return false;
      try {
        await coord.replaceNamespacedLease({ name, namespace, body: leaseBody(name, holder, durationS, lease) }, opts(signal));
        return true;
      } catch (e) {
        if (status(e) === 409) return false;
        throw new KubeError(`Kubernetes API (${conn.server}) refused to renew the Lease ${name}: ${describeKubeFailure(e)}`, { cause: e, status: status(e) });
      }
    },

    async releaseLease(name, holder, signal) {
      const lease = await orNull(`get Lease ${name}`, () => coord.readNamespacedLease({ name, namespace }, opts(signal)));
      if (!lease || lease.spec?.holderIdentity !== holder) return;
      await call(`release the Lease ${name}`, () =>
        coord.replaceNamespacedLease({ name, namespace, body: leaseBody(name, undefined, lease.spec?.leaseDurationSeconds ?? 30, lease) }, opts(signal)),
      );
    },

    async latestConfigMapData(labels, key, signal) {
      const labelSelector = Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      const list = await call('list run-summary ConfigMaps', () => core.listNamespacedConfigMap({ namespace, labelSelector }, opts(signal)));
      const newest = list.items.sort(
        (a, b) => Date.parse(String(b.metadata?.creationTimestamp ?? 0)) - Date.parse(String(a.metadata?.creationTimestamp ?? 0)),
      )[0];
      return newest?.data?.[key] ?? null;
    },

    async saveSummary(name, labels, data, keep, signal) {
      const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data };
      try {
        await core.createNamespacedConfigMap({ namespace, body, fieldManager: FIELD_MANAGER }, opts(signal));
      } catch (e) {
        if (status(e) !== 409)
          throw new KubeError(`Kubernetes API (${conn.server}) refused to create the ConfigMap ${name} in ${namespace}: ${describeKubeFailure(e)}`, {
            cause: e,
            status: status(e),
          });
        await call(`replace the ConfigMap ${name}`, async () => {
          await core.deleteNamespacedConfigMap({ name, namespace }, opts(signal));
          await core.createNamespacedConfigMap({ namespace, body, fieldManager: FIELD_MANAGER }, opts(signal));
        });
      }
      const selector = Object.entries(labels)
        .filter(([k]) => k !== 'locust-driver/status')
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      const list = await call('list run-summary ConfigMaps', () => core.listNamespacedConfigMap({ namespace, labelSelector: selector }, opts(signal)));
      const old = list.items
        .filter((c) => c.metadata?.name !== name)
        .sort((a, b) => Date.parse(String(b.metadata?.creationTimestamp ?? 0)) - Date.parse(String(a.metadata?.creationTimestamp ?? 0)))
        .slice(Math.max(0, keep - 1));
      for (const c of old) {
        if (c.metadata?.name)
          await orNull(`delete ConfigMap ${c.metadata.name}`, () => core.deleteNamespacedConfigMap({ name: c.metadata!.name!, namespace }, opts(signal)));
      }
      return { pruned: old.length };
    },
  };
}

/** client-node hands date-times over as Date objects (or strings from a raw answer). */
function isoOrNull(v: Date | string | undefined | null): string | null {
  if (v === undefined || v === null) return null;
  const d = v instanceof Date ? v : new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
