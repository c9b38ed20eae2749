// The whole kubelet stand-in a driver run needs, in one call: k8s/ applied, the target's pods as
// sample-service processes behind the balancer, 1 replica and 1 worker rolled out by the
// controllers, a real Locust master aimed at the balancer and a Locust worker per worker pod, and
// the driver's ServiceAccount token laid out as in its pod.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { applyManifests, scaleToOne, serviceAccountRoot, startLocalLocust, startWorkerPods, type LocalLocust, type WorkerPods } from './kube.js';
import { startTargetPods, type TargetPods } from './target-pods.js';

export interface PodsHarness {
  targets: TargetPods;
  locust: LocalLocust;
  workerPods: WorkerPods;
  /** The service-account root for --service-account-root. */
  saRoot: string;
  /** A fresh results folder. */
  dir: string;
  stop(): Promise<void>;
}

export async function startPodsHarness(dirPrefix = 'ld-e2e-'): Promise<PodsHarness> {
  const applied = await applyManifests();
  if (applied.code !== 0) throw new Error(`kubectl apply -k k8s/ failed: ${applied.stderr}`);
  const targets = await startTargetPods();
  await scaleToOne();
  await targets.pods.waitCount(1);
  const locust = await startLocalLocust({ targetUrl: targets.url });
  const workerPods = startWorkerPods(locust);
  return {
    targets,
    locust,
    workerPods,
    saRoot: await serviceAccountRoot('locust-driver'),
    dir: await mkdtemp(path.join(os.tmpdir(), dirPrefix)),
    async stop() {
      await workerPods.stop();
      await locust.stop();
      await targets.stop();
    },
  };
}
