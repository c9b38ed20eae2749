// Watches (by polling) the pods of a Deployment while a test runs, and remembers every pod it saw:
// which ReplicaSet made it, which node it was bound to, whether it was ever Running and Ready.
// The proof that the real controllers, the scheduler and kwok did the work — the test writes none of it.
import { admin, NS, podsOf } from './kube.js';

export interface SeenPod {
  name: string;
  /** The ReplicaSet that owns it, and the Deployment that owns that ReplicaSet. */
  replicaSet: string | null;
  deployment: string | null;
  node: string | null;
  phases: string[];
  readySeen: boolean;
}

export interface PodObserver {
  /** Stops polling; every pod seen, in the order first seen. */
  stop(): Promise<SeenPod[]>;
}

export function observePods(deployment: string, everyMs = 250): PodObserver {
  const { apps } = admin();
  const seen = new Map<string, SeenPod>();
  const rsOwner = new Map<string, string | null>();
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const pods = await podsOf(deployment);
        for (const p of pods) {
          const name = p.metadata!.name!;
          const rs = p.metadata?.ownerReferences?.find((o) => o.kind === 'ReplicaSet' && o.controller)?.name ?? null;
          if (rs && !rsOwner.has(rs)) {
            const r = await apps.readNamespacedReplicaSet({ name: rs, namespace: NS }).catch(() => null);
            rsOwner.set(rs, r?.metadata?.ownerReferences?.find((o) => o.kind === 'Deployment' && o.controller)?.name ?? null);
          }
          const s = seen.get(name) ?? { name, replicaSet: rs, deployment: rs ? (rsOwner.get(rs) ?? null) : null, node: null, phases: [], readySeen: false };
          s.node = p.spec?.nodeName ?? s.node;
          const phase = p.status?.phase ?? 'Unknown';
          if (s.phases.at(-1) !== phase) s.phases.push(phase);
          s.readySeen ||= p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
          seen.set(name, s);
        }
      } catch {
        // a transient API error: the next poll sees the same pods
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return [...seen.values()];
    },
  };
}

/** Waits until the Deployment has exactly `n` pods (terminating ones are still counted until kwok deletes them). */
export async function waitPodCount(deployment: string, n: number, timeoutMs = 60_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let names: string[] = [];
  while (Date.now() < deadline) {
    names = (await podsOf(deployment)).map((p) => p.metadata!.name!);
    if (names.length === n) return names;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`deployment ${deployment} has ${names.length} pods, not ${n}, after ${timeoutMs} ms: ${names.join(', ')}`);
}
