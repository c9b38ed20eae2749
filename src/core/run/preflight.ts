// `locust-driver preflight`: the checks `run` makes first, and nothing else.
import { InfraError } from '../errors.js';
import { captureBaseline } from '../scaling.js';
import { clusterPreflight } from './lease.js';
import { preflight } from './master.js';
import { detectPluginFor } from './plugin-requirement.js';
import type { RunDeps, RunOptions } from './types.js';

/**
 * `locust-driver preflight`: the checks `run` makes first, touching nothing — permissions, the
 * objects the plan scales, the master, its workers and the target. Resolves to what was checked;
 * throws the first group's DriverError (with everything missing in that group) otherwise.
 */
export async function runPreflight(deps: RunDeps, o: RunOptions): Promise<string[]> {
  const done: string[] = [];
  const k = o.plan.kubernetes;
  if (k) {
    const cluster = deps.cluster;
    if (!cluster) throw new InfraError('the matrix has a kubernetes: section but no cluster connection was made');
    await clusterPreflight(cluster, k, o, deps.signal);
    done.push(
      `Kubernetes ${cluster.server} namespace ${cluster.namespace}${cluster.inCluster ? ' (in-cluster)' : ''}: every permission the plan needs is granted`,
    );
    const state = await captureBaseline(cluster, k, deps.signal);
    const b = state.baseline;
    const parts = [
      k.target ? `deployment ${k.target.deployment} (${b.targetReplicas} replicas), HPA ${k.target.hpa} ${b.hpaExisted ? 'present' : 'absent'}` : '',
      k.workers ? `deployment ${k.workers.deployment} (${b.workerReplicas} replicas)` : '',
    ].filter(Boolean);
    if (parts.length > 0) done.push(`objects exist: ${parts.join('; ')}`);
  }
  const first = await preflight(deps, o);
  done.push(`Locust master ${deps.lg.url}: answering, ${first.workerCount} workers connected (expected ${o.expectWorkers})`);
  await deps.lg.detect(deps.signal);
  const plugin = await detectPluginFor(deps.lg, o.plan, deps.signal);
  done.push(
    plugin
      ? `locust-driver plugin ${plugin.version} loaded: windows start at an acknowledged reset and end at a flush`
      : "locust-driver plugin not loaded (404 on /locust-driver/runner): window edges are estimated from the workers' reports — add `import locust_driver_plugin` to the locustfile for exact windows",
  );
  if (o.healthUrl) done.push(`target healthy: GET ${o.healthUrl}`);
  return done;
}
