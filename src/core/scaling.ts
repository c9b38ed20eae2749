// The Kubernetes side of a stage: what access a plan needs, what the cluster looked like before the
// run (to put it back), the "prepare" step that sets replicas / HPA / workers and waits until the
// cluster and the master agree, and what the cluster is doing while a stage measures.
import type { AccessCheck, Cluster, Clock, DeploymentState, EventSink, LoadGenerator } from '../ports.js';
import type { KubernetesPlan, Sample, StagePlan } from './model.js';
import { InfraError } from './errors.js';
import { formatDuration } from './units.js';

import type { ClusterBaseline } from './model.js';
export type { ClusterBaseline } from './model.js';

/** What changes during the run, so restore knows what to undo. */
export interface ScalingState {
  baseline: ClusterBaseline;
  hpaPresent: boolean;
  touchedTarget: boolean;
  touchedHpa: boolean;
  touchedWorkers: boolean;
}

/** A stage whose cluster did not get ready in time: the stage fails, the run goes on. */
export class PrepareTimeout extends Error {}

const POLL_MS = 1_000;

/** Every permission a run of this plan needs (asked all at once in preflight). */
export function requiredAccess(k: KubernetesPlan, stages: StagePlan[]): AccessCheck[] {
  const checks: AccessCheck[] = [];
  const usesReplicas = stages.some((s) => s.replicas !== null);
  const usesHpa = stages.some((s) => s.hpa !== null);
  const usesWorkers = stages.some((s) => s.workers !== null);
  if (k.target) {
    const name = k.target.deployment;
    checks.push({ verb: 'get', group: 'apps', resource: 'deployments', name });
    if (usesReplicas || usesHpa) {
      checks.push({ verb: 'get', group: 'apps', resource: 'deployments', subresource: 'scale', name });
      checks.push({ verb: 'patch', group: 'apps', resource: 'deployments', subresource: 'scale', name });
    }
    checks.push({ verb: 'get', group: 'autoscaling', resource: 'horizontalpodautoscalers', name: k.target.hpa });
    if (usesReplicas || usesHpa) checks.push({ verb: 'patch', group: 'autoscaling', resource: 'horizontalpodautoscalers', name: k.target.hpa });
    if (usesHpa) {
      checks.push({ verb: 'create', group: 'autoscaling', resource: 'horizontalpodautoscalers' });
      checks.push({ verb: 'delete', group: 'autoscaling', resource: 'horizontalpodautoscalers', name: k.target.hpa });
    }
  }
  if (k.workers) {
    const name = k.workers.deployment;
    checks.push({ verb: 'get', group: 'apps', resource: 'deployments', name });
    if (usesWorkers) {
      checks.push({ verb: 'get', group: 'apps', resource: 'deployments', subresource: 'scale', name });
      checks.push({ verb: 'patch', group: 'apps', resource: 'deployments', subresource: 'scale', name });
    }
  }
  checks.push({ verb: 'get', group: 'coordination.k8s.io', resource: 'leases', name: k.leaseName });
  checks.push({ verb: 'create', group: 'coordination.k8s.io', resource: 'leases' });
  checks.push({ verb: 'update', group: 'coordination.k8s.io', resource: 'leases', name: k.leaseName });
  if (k.keepSummaries > 0) {
    checks.push({ verb: 'create', group: '', resource: 'configmaps' });
    checks.push({ verb: 'list', group: '', resource: 'configmaps' });
    checks.push({ verb: 'delete', group: '', resource: 'configmaps' });
  }
  return checks;
}

export function describeCheck(c: AccessCheck, namespace: string): string {
  const res = `${c.group ? `${c.resource}.${c.group}` : c.resource}${c.subresource ? `/${c.subresource}` : ''}`;
  return `${c.verb} ${res}${c.name ? ` ${c.name}` : ''} in ${namespace}`;
}

/** The objects the plan names exist; what they look like now (to restore later). */
export async function captureBaseline(cluster: Cluster, k: KubernetesPlan, signal?: AbortSignal): Promise<ScalingState> {
  const missing: string[] = [];
  let targetReplicas: number | null = null;
  let workerReplicas: number | null = null;
  let hpaSnapshot: unknown = null;
  let hpaExisted = false;
  if (k.target) {
    const d = await cluster.getDeployment(k.target.deployment, signal);
    if (d) targetReplicas = d.specReplicas;
    else missing.push(`deployment ${k.target.deployment}`);
    const h = await cluster.getHpa(k.target.hpa, signal);
    if (h) {
      hpaExisted = true;
      hpaSnapshot = h.snapshot;
    }
  }
  if (k.workers) {
    const d = await cluster.getDeployment(k.workers.deployment, signal);
    if (d) workerReplicas = d.specReplicas;
    else missing.push(`deployment ${k.workers.deployment}`);
  }
  if (missing.length > 0)
    throw new InfraError(
      `missing in namespace ${cluster.namespace}: ${missing.join('; ')} — create them (kubectl apply -k k8s/) or fix the kubernetes: section`,
    );
  return {
    baseline: { targetReplicas, hpaSnapshot, hpaExisted, workerReplicas },
    hpaPresent: hpaExisted,
    touchedTarget: false,
    touchedHpa: false,
    touchedWorkers: false,
  };
}

export function isReady(d: DeploymentState): boolean {
  return (
    d.observedGeneration >= d.generation && d.updatedReplicas === d.specReplicas && d.availableReplicas === d.specReplicas && d.readyReplicas === d.specReplicas
  );
}

function rollout(d: DeploymentState | null): string {
  if (!d) return 'not found';
  const gen = d.observedGeneration < d.generation ? `, observedGeneration ${d.observedGeneration} < generation ${d.generation}` : '';
  return `${d.availableReplicas}/${d.specReplicas} available, ${d.updatedReplicas} updated, ${d.readyReplicas} ready${gen}`;
}

export interface PrepareDeps {
  cluster: Cluster;
  lg: LoadGenerator;
  clock: Clock;
  emit: EventSink;
  signal: AbortSignal;
}

/**
 * Sets the stage's replicas / HPA / workers and waits, bounded by scaleTimeout, until the
 * Deployments are rolled out and the master reports the workers. Resolves to the time it took.
 */
export async function prepareStage(deps: PrepareDeps, k: KubernetesPlan, stage: StagePlan, state: ScalingState, of: number): Promise<number> {
  const { cluster, lg, clock, emit, signal } = deps;
  const started = clock.now();
  const deadline = started + stage.scaleTimeoutMs;
  const say = (message: string) => emit({ kind: 'scaling', stage, of, message });

  if (k.target && (stage.replicas !== null || stage.hpa !== null)) {
    const { deployment, hpa: hpaName } = k.target;
    if (stage.hpa !== null) {
      const how = await cluster.setHpa(hpaName, deployment, stage.hpa, signal);
      state.hpaPresent = true;
      state.touchedHpa = true;
      // The HPA controller moves the replicas for this range itself, often before the driver does:
      // the target is touched either way, so the restore must put its replicas back.
      state.touchedTarget = true;
      say(`${how === 'created' ? 'created' : 'set'} HPA ${hpaName}: min ${stage.hpa.min}, max ${stage.hpa.max}, CPU ${stage.hpa.cpuPercent}%`);
      // The HPA controller moves replicas into [min, max] on its next sync; do it now so the wait is short.
      const d = await cluster.getDeployment(deployment, signal);
      if (d && (d.specReplicas < stage.hpa.min || d.specReplicas > stage.hpa.max)) {
        const to = Math.min(stage.hpa.max, Math.max(stage.hpa.min, d.specReplicas));
        await cluster.scaleDeployment(deployment, to, signal);
        state.touchedTarget = true;
        say(`scaled ${deployment} ${d.specReplicas} → ${to} (into the HPA's range)`);
      }
    } else if (stage.replicas !== null) {
      const n = stage.replicas;
      if (state.hpaPresent && n > 0) {
        const current = await cluster.getHpa(hpaName, signal);
        if (current && !(current.min === n && current.max === n)) {
          await cluster.setHpa(hpaName, deployment, { min: n, max: n, cpuPercent: current.cpuPercent ?? 80 }, signal);
          state.touchedHpa = true;
          // The pinned HPA scales the target to n on its own, and may win: "already at n" below
          // must not make the restore skip the replicas (seen with the real HPA controller in e2e).
          state.touchedTarget = true;
          say(`pinned HPA ${hpaName} to ${n} (min = max) so it does not fight the stage`);
        }
      }
      const d = await cluster.getDeployment(deployment, signal);
      if (d?.specReplicas !== n) {
        await cluster.scaleDeployment(deployment, n, signal);
        state.touchedTarget = true;
        say(`scaled ${deployment} ${d?.specReplicas ?? '?'} → ${n}`);
      } else {
        say(`${deployment} already at ${n} replicas`);
      }
    }
    await waitRolledOut(deps, deployment, deadline, stage);
  }

  if (k.workers && stage.workers !== null) {
    const { deployment } = k.workers;
    const d = await cluster.getDeployment(deployment, signal);
    if (d?.specReplicas !== stage.workers) {
      await cluster.scaleDeployment(deployment, stage.workers, signal);
      state.touchedWorkers = true;
      say(`scaled ${deployment} ${d?.specReplicas ?? '?'} → ${stage.workers} workers`);
    }
    await waitRolledOut(deps, deployment, deadline, stage);
    // The Deployment being ready is not enough: the workers must have connected to the master.
    for (;;) {
      const s = await lg.stats(signal);
      if (s.workerCount === stage.workers) break;
      if (clock.now() + POLL_MS > deadline) {
        throw new PrepareTimeout(
          `the master reports ${s.workerCount} workers, not ${stage.workers}, ${formatDuration(clock.now() - started)} after scaling ${deployment} (scaleTimeout ${formatDuration(stage.scaleTimeoutMs)})`,
        );
      }
      await clock.sleep(POLL_MS, signal);
    }
  }
  const ms = clock.now() - started;
  emit({ kind: 'prepared', stage, of, prepareMs: ms });
  return ms;
}

async function waitRolledOut(deps: PrepareDeps, name: string, deadline: number, stage: StagePlan): Promise<void> {
  const { cluster, clock, signal } = deps;
  for (;;) {
    const d = await cluster.getDeployment(name, signal);
    if (d && isReady(d)) return;
    if (clock.now() + POLL_MS > deadline) {
      throw new PrepareTimeout(`deployment ${name} was not ready within scaleTimeout ${formatDuration(stage.scaleTimeoutMs)}: ${rollout(d)}`);
    }
    await clock.sleep(POLL_MS, signal);
  }
}

/** Puts back what the run changed. Never throws: returns what it did and what failed. */
export async function restoreCluster(cluster: Cluster, k: KubernetesPlan, state: ScalingState): Promise<{ done: string[]; failed: string[] }> {
  const done: string[] = [];
  const failed: string[] = [];
  const attempt = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
      done.push(what);
    } catch (e) {
      failed.push(`${what}: ${(e as Error).message}`);
    }
  };
  const { baseline } = state;
  if (k.workers && state.touchedWorkers && baseline.workerReplicas !== null) {
    const n = baseline.workerReplicas;
    await attempt(`${k.workers.deployment} back to ${n} replicas`, () => cluster.scaleDeployment(k.workers!.deployment, n));
  }
  if (k.target && state.touchedHpa) {
    const name = k.target.hpa;
    await attempt(baseline.hpaExisted ? `HPA ${name} back to its original spec` : `HPA ${name} (created by this run) deleted`, () =>
      cluster.restoreHpa(name, baseline.hpaExisted ? baseline.hpaSnapshot : null),
    );
  }
  if (k.target && state.touchedTarget && baseline.targetReplicas !== null) {
    const n = baseline.targetReplicas;
    await attempt(`${k.target.deployment} back to ${n} replicas`, () => cluster.scaleDeployment(k.target!.deployment, n));
  }
  return { done, failed };
}

export type ClusterObservation = Required<Pick<Sample, 'replicasReady' | 'replicasDesired' | 'hpaCurrent' | 'hpaDesired' | 'hpaCpuPercent' | 'hpaLastScaleAt'>>;

export const NO_OBSERVATION: ClusterObservation = {
  replicasReady: null,
  replicasDesired: null,
  hpaCurrent: null,
  hpaDesired: null,
  hpaCpuPercent: null,
  hpaLastScaleAt: null,
};

/** What the cluster is doing now: the target's ready/desired replicas and its HPA. */
export async function observeCluster(cluster: Cluster, k: KubernetesPlan, state: ScalingState, signal?: AbortSignal): Promise<ClusterObservation> {
  if (!k.target) return NO_OBSERVATION;
  const [d, h] = await Promise.all([
    cluster.getDeployment(k.target.deployment, signal),
    state.hpaPresent ? cluster.getHpa(k.target.hpa, signal) : Promise.resolve(null),
  ]);
  return {
    replicasReady: d?.readyReplicas ?? null,
    replicasDesired: d?.specReplicas ?? null,
    hpaCurrent: h?.currentReplicas ?? null,
    hpaDesired: h?.desiredReplicas ?? null,
    hpaCpuPercent: h?.currentCpuPercent ?? null,
    hpaLastScaleAt: h?.lastScaleTime ?? null,
  };
}
