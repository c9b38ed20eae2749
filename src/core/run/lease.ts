// The cluster side of the run's start: every permission asked at once, and the Lease (one driver per
// master) taken and kept renewed until the run ends.
import type { Cluster } from '../../ports.js';
import type { KubernetesPlan } from '../model.js';
import { InfraError } from '../errors.js';
import { describeCheck, requiredAccess } from '../scaling.js';
import type { RunDeps, RunOptions } from './types.js';

/** Every permission the plan needs, asked at once; all that are missing are named in one line. */
export async function clusterPreflight(cluster: Cluster, k: KubernetesPlan, o: RunOptions, signal: AbortSignal): Promise<void> {
  const results = await cluster.canI(requiredAccess(k, o.plan.stages), signal);
  const missing = results.filter((r) => !r.allowed).map((r) => describeCheck(r.check, cluster.namespace));
  if (missing.length > 0) {
    throw new InfraError(
      `the driver's Kubernetes identity lacks permissions — missing: ${missing.join('; ')} (apply the Role in k8s/driver-job.yaml, see docs/security.md)`,
    );
  }
}

/** Takes the Lease (one driver per master) and keeps renewing it until stop(). */
export async function holdLease(cluster: Cluster, k: KubernetesPlan, o: RunOptions, deps: RunDeps): Promise<{ stop: () => Promise<void> }> {
  // The run id first: a resumed run knows its predecessor's Lease by it.
  const holder = `${o.runId}@${o.holder ?? 'locust-driver'}`;
  const duration = o.leaseDurationS ?? 30;
  let got = await cluster.acquireLease(k.leaseName, holder, duration, deps.signal);
  // A resumed run may find its own dead predecessor (same run id) still holding the Lease: it
  // expires within one Lease duration.
  const until = deps.clock.now() + duration * 1000 + 5_000;
  while (o.resume && !got.acquired && got.holder.startsWith(`${o.runId}@`) && deps.clock.now() < until) {
    await deps.clock.sleep(2_000, deps.signal);
    got = await cluster.acquireLease(k.leaseName, holder, duration, deps.signal);
  }
  if (!got.acquired) {
    throw new InfraError(
      `another locust-driver holds the Lease ${k.leaseName} in ${cluster.namespace} (holder ${got.holder}, renewed ${got.renewTime ?? 'never'}): wait for it to finish, or delete the Lease if that run is gone`,
    );
  }
  const stopper = new AbortController();
  const keeper = (async () => {
    for (;;) {
      try {
        await deps.clock.sleep((duration * 1000) / 3, stopper.signal);
      } catch {
        return;
      }
      try {
        if (!(await cluster.renewLease(k.leaseName, holder, duration)))
          deps.emit({ kind: 'warning', message: `lost the Lease ${k.leaseName}: another driver took it` });
      } catch (e) {
        deps.emit({ kind: 'warning', message: `could not renew the Lease ${k.leaseName}: ${(e as Error).message}` });
      }
    }
  })();
  return {
    stop: async () => {
      stopper.abort();
      await keeper;
      try {
        await cluster.releaseLease(k.leaseName, holder);
      } catch (e) {
        deps.emit({ kind: 'warning', message: `could not release the Lease ${k.leaseName}: ${(e as Error).message}` });
      }
    },
  };
}
