// Pods → processes: the part of a kubelet that kwok cannot play. For every Running and Ready pod of
// a Deployment (a pod the real ReplicaSet controller made, the scheduler bound and kwok started) the
// harness runs one real process; when the pod goes away (deleted, terminating, no longer Ready) its
// process is stopped. Used for the Locust workers (kube.ts startWorkerPods) and the target's pods
// (target-pods.ts). Nothing here writes to the cluster.
//
// Polling, not a watch: a list every 300 ms is cheap for a handful of pods, and a missed or
// reordered watch event can never leave a process behind — each tick compares the whole set.
import type { V1Pod } from '@kubernetes/client-node';

/** Running, Ready and not being deleted: the pods a kubelet would have a live container for. */
export function podIsLive(p: V1Pod): boolean {
  return (
    !p.metadata?.deletionTimestamp && p.status?.phase === 'Running' && (p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false)
  );
}

export interface PodProcessSpec<P> {
  /** The pods to mirror right now (e.g. podsOf('inference')); terminating ones may be included. */
  listPods(): Promise<V1Pod[]>;
  /** Starts the process for a live pod; resolves once it is usable. */
  start(pod: V1Pod): Promise<P>;
  /** Stops the process of a pod that is gone. */
  stop(podName: string, proc: P): Promise<void>;
  everyMs?: number;
}

export interface PodProcesses<P> {
  /** The live pods' processes, by pod name. */
  readonly byPod: ReadonlyMap<string, P>;
  /** Resolves once exactly `n` pods have a running process (rejects after `timeoutMs`). */
  waitCount(n: number, timeoutMs?: number): Promise<void>;
  /** Stops the loop and every process it started. */
  stop(): Promise<void>;
}

export function runPodProcesses<P>(spec: PodProcessSpec<P>): PodProcesses<P> {
  const byPod = new Map<string, P>();
  let running = true;
  const tick = async (): Promise<void> => {
    const pods = await spec.listPods();
    const live = new Set(pods.filter(podIsLive).map((p) => p.metadata!.name!));
    for (const [name, proc] of byPod) {
      if (live.has(name)) continue;
      byPod.delete(name);
      await spec.stop(name, proc);
    }
    // New pods start side by side: a scale to 4 should not wait for each process in turn.
    const fresh = pods.filter((p) => live.has(p.metadata!.name!) && !byPod.has(p.metadata!.name!));
    await Promise.all(
      fresh.map(async (p) => {
        const proc = await spec.start(p);
        if (running) byPod.set(p.metadata!.name!, proc);
        else await spec.stop(p.metadata!.name!, proc);
      }),
    );
  };
  const loop = (async () => {
    while (running) {
      try {
        await tick();
      } catch {
        // objects being re-created between tests, a process that failed to start: try again on the next tick
      }
      await new Promise((r) => setTimeout(r, spec.everyMs ?? 300));
    }
    for (const [name, proc] of byPod) await spec.stop(name, proc);
    byPod.clear();
  })();
  return {
    byPod,
    async waitCount(n, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (byPod.size !== n) {
        if (Date.now() > deadline) throw new Error(`${byPod.size} pod processes running, not ${n}, after ${timeoutMs} ms: ${[...byPod.keys()].join(', ')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}
