// The target's pods as real processes: one sample-service process per live pod of the `inference`
// Deployment, behind a Service-like balancer (balancer.ts), each pod's CPU in the cluster following
// its own process's real CPU.
//
// How the CPU flows: the kernel's count for the process (/proc/<pid>/stat) → the pod's annotation
// kwok.x-k8s.io/usage-cpu (a metadata patch, like any label or annotation a controller sets; no
// status is written) → kwok's ClusterResourceUsage reads it in a CEL expression and its emulated
// kubelet serves it at /metrics/resource → metrics-server scrapes that every 10 s → `kubectl top
// pods` and the real HPA controller. So the HPA reacts to the load Locust really puts on the replicas.
import { setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import type { ManagedProcess } from '../../src/adapters/local/processes.js';
import { Balancer } from './balancer.js';
import { admin, NS, podsOf } from './kube.js';
import { runPodProcesses, type PodProcesses } from './pod-processes.js';
import { CpuMeter } from './process-cpu.js';
import { spawnSampleTarget } from './sample-target-process.js';

export const CPU_ANNOTATION = 'kwok.x-k8s.io/usage-cpu';

/**
 * The target pods' service, sized so that throughput really follows replicas on a 2-core machine:
 * each process serves at most 1 request at a time for 100 ms (≈ 10 /predict per second; /healthz
 * and /metrics answer at once), so its capacity is bound by that fixed service time and not by the
 * machine's CPU. 4 processes then really serve twice what 2 do (40 vs 20 per second) while they
 * and all of Locust use a fraction of the 2 cores; a CPU-bound service would top out at 2 processes.
 * 8 ms of each service is spent on the CPU (a busy loop), so the pod's CPU rises with its load:
 * ~80m for a saturated replica (32 % of the 250m request in k8s/inference.yaml), ~1–3m idle.
 */
export const TARGET_POD_ARGS = ['--concurrency', '1', '--service-ms', '100', '--jitter-ms', '10', '--queue-limit', '2000', '--cpu-ms', '8'];

export interface TargetPod {
  proc: ManagedProcess;
  url: string;
  cpu: CpuMeter;
  /** The last millicores written to the pod's annotation. */
  lastMillicores: number | null;
}

export interface TargetPods {
  /** The balancer's URL: the `target.host` for the driver and Locust. */
  url: string;
  balancer: Balancer;
  pods: PodProcesses<TargetPod>;
  /** Every millicore value written, per pod, in order (what the cluster was told). */
  cpuWritten: ReadonlyMap<string, number[]>;
  stop(): Promise<void>;
}

export interface TargetPodsOptions {
  deployment?: string;
  /** Flags for each sample-service process (default TARGET_POD_ARGS). */
  args?: readonly string[];
  /** How often each pod's CPU annotation is refreshed. */
  cpuEveryMs?: number;
}

export async function startTargetPods(opts: TargetPodsOptions = {}): Promise<TargetPods> {
  const deployment = opts.deployment ?? 'inference';
  const balancer = await Balancer.start();
  const { core } = admin();
  const cpuWritten = new Map<string, number[]>();
  const pods = runPodProcesses<TargetPod>({
    listPods: () => podsOf(deployment),
    async start(pod: V1Pod) {
      const name = pod.metadata!.name!;
      const { proc, url } = await spawnSampleTarget(`target-${name}`, opts.args ?? TARGET_POD_ARGS);
      balancer.add(name, url);
      return { proc, url, cpu: new CpuMeter(proc.pid), lastMillicores: null };
    },
    async stop(name, p) {
      await balancer.remove(name); // drained first: no request is cut off by the stop
      await p.proc.stop();
    },
  });

  let running = true;
  const annotate = async (name: string, p: TargetPod): Promise<void> => {
    const m = await p.cpu.read();
    if (m === null) return;
    // kwok reads a Quantity; 0 would be a valid one, but 1m is what kwok reports for a pod
    // without the annotation, so an idle process is never shown as using less than nothing did.
    const millicores = Math.max(1, m);
    await core.patchNamespacedPod(
      { name, namespace: NS, body: { metadata: { annotations: { [CPU_ANNOTATION]: `${millicores}m` } } } },
      setHeaderOptions('Content-Type', 'application/merge-patch+json'),
    );
    p.lastMillicores = millicores;
    cpuWritten.set(name, [...(cpuWritten.get(name) ?? []), millicores]);
  };
  const cpuLoop = (async () => {
    while (running) {
      await Promise.all([...pods.byPod].map(([name, p]) => annotate(name, p).catch(() => undefined))); // a pod deleted meanwhile: 404, fine
      await new Promise((r) => setTimeout(r, opts.cpuEveryMs ?? 1_500));
    }
  })();

  return {
    url: balancer.url,
    balancer,
    pods,
    cpuWritten,
    async stop() {
      running = false;
      await cpuLoop;
      await pods.stop();
      await balancer.close();
    },
  };
}
