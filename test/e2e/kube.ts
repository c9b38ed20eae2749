// The e2e tests' side of the cluster: an admin client, applying manifests, minting a token for a
// ServiceAccount and laying it out like a pod's mount, and real Locust worker processes for the
// worker Deployment's pods. The cluster reconciles by itself (test/cluster/control-plane.sh: real
// controllers, scheduler, kwok nodes): nothing here writes the status of anything.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { AppsV1Api, AutoscalingV2Api, CoordinationV1Api, CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { ManagedProcess } from '../../src/adapters/local/processes.js';
import { freePorts } from '../../src/adapters/local/free-port.js';
import { ROOT, locustBin } from '../integration/helpers.js';
import { runPodProcesses } from './pod-processes.js';
import { spawnSampleTarget } from './sample-target-process.js';

const exec = promisify(execFile);
export const NS = 'default';

export function kubeEnv() {
  return inject('kube');
}

export function admin() {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeEnv().kubeconfig);
  return {
    apps: kc.makeApiClient(AppsV1Api),
    hpa: kc.makeApiClient(AutoscalingV2Api),
    core: kc.makeApiClient(CoreV1Api),
    coord: kc.makeApiClient(CoordinationV1Api),
  };
}

export async function kubectl(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await exec(kubeEnv().kubectl, args, { env: { ...process.env, KUBECONFIG: kubeEnv().kubeconfig }, maxBuffer: 10_000_000 });
    return { stdout: r.stdout, stderr: r.stderr, code: 0 };
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; code?: number };
    return { stdout: x.stdout ?? '', stderr: x.stderr ?? '', code: typeof x.code === 'number' ? x.code : 1 };
  }
}

/** A token for the ServiceAccount (TokenRequest API), laid out as /var/run/secrets/kubernetes.io/serviceaccount. */
export async function serviceAccountRoot(sa: string, namespace = NS): Promise<string> {
  const tok = await kubectl(['create', 'token', sa, '-n', namespace, '--duration', '1h']);
  if (tok.code !== 0) throw new Error(`kubectl create token: ${tok.stderr}`);
  const root = await mkdtemp(path.join(os.tmpdir(), 'ld-sa-'));
  const dir = path.join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'token'), tok.stdout.trim());
  await writeFile(path.join(dir, 'ca.crt'), await readFile(kubeEnv().caFile));
  await writeFile(path.join(dir, 'namespace'), namespace);
  return root;
}

/** The environment a pod gets: the API server's address and the pod's name (no kubeconfig). */
export function podEnv(podName: string): Record<string, string> {
  const env = kubeEnv();
  return { KUBERNETES_SERVICE_HOST: env.host, KUBERNETES_SERVICE_PORT: env.port, POD_NAME: podName, KUBECONFIG: '/nonexistent' };
}

/** The pods of a Deployment right now (by its selector), terminating ones included. */
export async function podsOf(deployment: string, namespace = NS): Promise<V1Pod[]> {
  const { apps, core } = admin();
  const d = await apps.readNamespacedDeployment({ name: deployment, namespace });
  const labelSelector = Object.entries(d.spec?.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return (await core.listNamespacedPod({ namespace, labelSelector })).items;
}

/** Waits until the real Deployment controller reports the Deployment rolled out at its spec (reads only). */
export async function waitRolledOut(name: string, timeoutMs = 60_000): Promise<void> {
  const { apps } = admin();
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const d = await apps.readNamespacedDeployment({ name, namespace: NS });
    const want = d.spec?.replicas ?? 1;
    const st = d.status ?? {};
    last = `generation ${d.metadata?.generation} observed ${st.observedGeneration}, ${st.readyReplicas ?? 0}/${want} ready, ${st.updatedReplicas ?? 0} updated, ${st.replicas ?? 0} total`;
    if (
      (st.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
      (st.readyReplicas ?? 0) === want &&
      (st.availableReplicas ?? 0) === want &&
      (st.updatedReplicas ?? 0) === want &&
      (st.replicas ?? 0) === want
    )
      return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`deployment ${name} not rolled out within ${timeoutMs} ms: ${last}`);
}

/**
 * The Deployment's spec.replicas once it has held `n` for 5 s, two HPA syncs here (or whatever it
 * is at the deadline). After a run the driver puts the HPA's spec back and sets the baseline
 * replicas; the real HPA controller decides again: a pod too new for metrics-server counts as 100 %
 * CPU when scaling down, and the downscale stabilization window (10 s here) keeps that higher
 * recommendation, so it may raise the replicas for a while before settling at what the 20 % load
 * asks for (1). The end state is read, not the instant.
 */
export async function settledReplicas(name: string, n: number, timeoutMs = 90_000): Promise<number | undefined> {
  const { apps } = admin();
  const deadline = Date.now() + timeoutMs;
  let held = 0;
  let last: number | undefined;
  while (Date.now() < deadline) {
    last = (await apps.readNamespacedDeployment({ name, namespace: NS })).spec?.replicas;
    held = last === n ? held + 1 : 0;
    if (held >= 20) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  return last;
}

/**
 * 1 target replica and 1 worker, rolled out by the controllers, the surplus pods of an earlier scale
 * gone (not just terminating), and the HPA seeing the pods' CPU: the baseline the e2e runs start from.
 */
export async function scaleToOne(deployments = ['inference', 'locust-worker']): Promise<void> {
  const { apps } = admin();
  const { setHeaderOptions } = await import('@kubernetes/client-node');
  for (const name of deployments) {
    await apps.patchNamespacedDeploymentScale(
      { name, namespace: NS, body: { spec: { replicas: 1 } } },
      setHeaderOptions('Content-Type', 'application/merge-patch+json'),
    );
  }
  const { waitPodCount } = await import('./pod-observer.js');
  for (const name of deployments) {
    await waitRolledOut(name);
    await waitPodCount(name, 1);
  }
  // a new pod has no CPU in metrics-server for ~20 s; until then the HPA decides nothing
  await waitHpaSeesCpu('inference');
}

/** Waits until the real HPA controller has computed CPU for the target's pods (metrics-server has them). */
export async function waitHpaSeesCpu(name: string, timeoutMs = 90_000): Promise<void> {
  const { hpa } = admin();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const h = await hpa.readNamespacedHorizontalPodAutoscaler({ name, namespace: NS }).catch(() => null);
    if (!h) return; // no HPA: nothing to wait for
    if (
      h.status?.currentMetrics?.some((m) => m.resource?.name === 'cpu' && m.resource.current.averageUtilization !== undefined) &&
      (h.status.desiredReplicas ?? 0) > 0
    )
      return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`HPA ${name} saw no pod CPU within ${timeoutMs} ms`);
}

export interface LocalLocust {
  masterUrl: string;
  masterPort: number;
  targetUrl: string;
  workers: ManagedProcess[];
  /** Replaces the target by one on the same port with these sample-target flags (e.g. a slower build: --slowdown 10). */
  restartTarget(flags: string[]): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real Locust master (no workers yet) on 127.0.0.1, and the sample target: one process of its
 * own, or — with `targetUrl` — the target pods' balancer (target-pods.ts) instead.
 */
export async function startLocalLocust(opts: { targetUrl?: string } = {}): Promise<LocalLocust> {
  const [bindPort, webPort] = await freePorts(2);
  let target = opts.targetUrl === undefined ? await spawnSampleTarget('sample-target') : null;
  let targetUrl = opts.targetUrl ?? target!.url;
  const master = await ManagedProcess.spawn(
    'locust-master',
    locustBin('2.47.0'),
    [
      '-f',
      path.join(ROOT, 'locust', 'locustfile.py'),
      '--master',
      '--master-bind-host',
      '127.0.0.1',
      '--master-bind-port',
      String(bindPort),
      '--web-host',
      '127.0.0.1',
      '--web-port',
      String(webPort),
      '--host',
      targetUrl,
    ],
    { cwd: path.join(ROOT, 'locust'), env: { ...process.env, PYTHONUNBUFFERED: '1' } },
  );
  const masterUrl = `http://127.0.0.1:${webPort}/`;
  await master.waitFor(
    async () =>
      (await fetch(`${masterUrl}stats/requests`)
        .then((r) => r.ok)
        .catch(() => false)) || undefined,
    30_000,
    250,
    'the master web API',
  );
  const workers: ManagedProcess[] = [];
  return {
    masterUrl,
    masterPort: bindPort!,
    targetUrl,
    workers,
    async restartTarget(flags) {
      // the same port (the master's --host), new flags (e.g. --slowdown: a slower build)
      if (!target) throw new Error('restartTarget: this Locust was started on the target pods, not on a target of its own');
      await target.proc.stop();
      target = await spawnSampleTarget('sample-target', ['--port', new URL(targetUrl).port, ...flags]);
      targetUrl = target.url;
    },
    async stop() {
      await Promise.all(workers.map((w) => w.stop()));
      await master.stop();
      await target?.proc.stop();
    },
  };
}

export interface WorkerPods {
  stop(): Promise<void>;
}

/**
 * The kubelet's part for the worker Deployment, which kwok cannot play: one real Locust worker
 * process per Running and Ready pod of that Deployment (pods the real ReplicaSet controller made
 * and kwok started), stopped when its pod goes away (pod-processes.ts). Nothing here writes to the cluster.
 */
export function startWorkerPods(locust: LocalLocust, deployment = 'locust-worker', namespace = NS): WorkerPods {
  return runPodProcesses<ManagedProcess>({
    listPods: () => podsOf(deployment, namespace),
    async start(pod) {
      const proc = await ManagedProcess.spawn(
        `worker-${pod.metadata!.name!}`,
        locustBin('2.47.0'),
        ['-f', path.join(ROOT, 'locust', 'locustfile.py'), '--worker', '--master-host', '127.0.0.1', '--master-port', String(locust.masterPort)],
        { cwd: path.join(ROOT, 'locust'), env: { ...process.env, PYTHONUNBUFFERED: '1' } },
      );
      locust.workers.push(proc);
      return proc;
    },
    async stop(_name, proc) {
      const i = locust.workers.indexOf(proc);
      if (i >= 0) locust.workers.splice(i, 1);
      await proc.stop();
    },
  });
}

/** Applies every manifest in k8s/ server-side (as `kubectl apply -k k8s/` would), as the admin. */
export async function applyManifests(): Promise<{ stdout: string; stderr: string; code: number }> {
  return kubectl(['apply', '--server-side', '--force-conflicts', '-k', path.join(ROOT, 'k8s')]);
}
