// The e2e tests' side of the cluster: an admin client, applying manifests, minting a token for a
// ServiceAccount and laying it out like a pod's mount, and "controllers" that play the Deployment
// and HPA controllers (there are none on a bare kube-apiserver) — including real Locust worker
// processes started and stopped to match the worker Deployment's replicas.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { AppsV1Api, AutoscalingV2Api, CoordinationV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { ManagedProcess } from '../../src/adapters/local/processes.js';
import { freePorts } from '../../src/adapters/local/free-port.js';
import { ROOT, locustBin } from '../integration/helpers.js';

const exec = promisify(execFile);
export const NS = 'default';

export function kubeEnv() {
  return inject('kube');
}

export function admin() {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeEnv().kubeconfig);
  return { apps: kc.makeApiClient(AppsV1Api), hpa: kc.makeApiClient(AutoscalingV2Api), core: kc.makeApiClient(CoreV1Api), coord: kc.makeApiClient(CoordinationV1Api) };
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

const merge = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Makes a Deployment's status say it rolled out at its spec. */
export async function markRolledOut(name: string, maxReady = Infinity): Promise<void> {
  const { apps } = admin();
  const d = await apps.readNamespacedDeployment({ name, namespace: NS });
  const n = Math.min(d.spec?.replicas ?? 1, maxReady);
  const done = n === (d.spec?.replicas ?? 1);
  await apps.patchNamespacedDeploymentStatus(
    { name, namespace: NS, body: { status: { observedGeneration: d.metadata?.generation, replicas: d.spec?.replicas, updatedReplicas: done ? n : 0, readyReplicas: n, availableReplicas: n } } },
    merge(),
  );
}

export interface LocalLocust {
  masterUrl: string;
  masterPort: number;
  targetUrl: string;
  workers: ManagedProcess[];
  stop(): Promise<void>;
}

/** A real Locust master (no workers yet) and the sample target on 127.0.0.1. */
export async function startLocalLocust(): Promise<LocalLocust> {
  const [bindPort, webPort] = await freePorts(2);
  const target = await ManagedProcess.spawn('sample-target', process.execPath, [path.join(ROOT, 'dist', 'sample-target', 'main.js'), '--host', '127.0.0.1', '--port', '0'], { cwd: ROOT });
  const m = await target.waitForLine(/listening on (http:\/\/\S+)/, 15_000, 'stdout');
  const targetUrl = m[1]!;
  const master = await ManagedProcess.spawn(
    'locust-master',
    locustBin('2.47.0'),
    ['-f', path.join(ROOT, 'locust', 'locustfile.py'), '--master', '--master-bind-host', '127.0.0.1', '--master-bind-port', String(bindPort), '--web-host', '127.0.0.1', '--web-port', String(webPort), '--host', targetUrl],
    { cwd: path.join(ROOT, 'locust'), env: { ...process.env, PYTHONUNBUFFERED: '1' } },
  );
  const masterUrl = `http://127.0.0.1:${webPort}/`;
  await master.waitFor(async () => (await fetch(`${masterUrl}stats/requests`).then((r) => r.ok).catch(() => false)) || undefined, 30_000, 250, 'the master web API');
  const workers: ManagedProcess[] = [];
  return {
    masterUrl,
    masterPort: bindPort!,
    targetUrl,
    workers,
    async stop() {
      await Promise.all(workers.map((w) => w.stop()));
      await master.stop();
      await target.stop();
    },
  };
}

export interface Controllers {
  stop(): Promise<void>;
  /** The target never gets more ready replicas than this (to test scale timeouts). */
  maxReady: number;
}

/**
 * Plays the controllers a bare API server lacks: the target Deployment rolls out (status written)
 * a moment after a change, its HPA reports current/desired replicas, and the worker Deployment's
 * replicas become real Locust worker processes connected to the master.
 */
export function startControllers(locust: LocalLocust, target = 'inference', workers = 'locust-worker'): Controllers {
  const { apps, hpa } = admin();
  let running = true;
  const ctl: Controllers = { maxReady: Infinity, stop: async () => undefined };
  const loop = (async () => {
    while (running) {
      try {
        const t = await apps.readNamespacedDeployment({ name: target, namespace: NS });
        if ((t.status?.observedGeneration ?? 0) < (t.metadata?.generation ?? 0) || (t.status?.readyReplicas ?? 0) !== Math.min(t.spec?.replicas ?? 1, ctl.maxReady)) {
          await new Promise((r) => setTimeout(r, 500)); // a rollout takes a moment
          await markRolledOut(target, ctl.maxReady);
        }
        const h = await hpa.readNamespacedHorizontalPodAutoscaler({ name: target, namespace: NS }).catch(() => null);
        if (h) {
          const cur = Math.min(t.spec?.replicas ?? 1, ctl.maxReady);
          await hpa.patchNamespacedHorizontalPodAutoscalerStatus(
            { name: target, namespace: NS, body: { status: { currentReplicas: cur, desiredReplicas: t.spec?.replicas ?? 1, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 42 } } }] } } },
            merge(),
          );
        }
        const w = await apps.readNamespacedDeployment({ name: workers, namespace: NS });
        const want = w.spec?.replicas ?? 0;
        while (locust.workers.length < want) {
          locust.workers.push(
            await ManagedProcess.spawn(`worker-${locust.workers.length}`, locustBin('2.47.0'), ['-f', path.join(ROOT, 'locust', 'locustfile.py'), '--worker', '--master-host', '127.0.0.1', '--master-port', String(locust.masterPort)], {
              cwd: path.join(ROOT, 'locust'),
              env: { ...process.env, PYTHONUNBUFFERED: '1' },
            }),
          );
        }
        while (locust.workers.length > want) await locust.workers.pop()!.stop();
        if ((w.status?.observedGeneration ?? 0) < (w.metadata?.generation ?? 0) || (w.status?.readyReplicas ?? 0) !== want) await markRolledOut(workers);
      } catch {
        // objects being re-created between tests: try again on the next tick
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  })();
  ctl.stop = async () => {
    running = false;
    await loop;
  };
  return ctl;
}

/** Applies every manifest in k8s/ server-side (as `kubectl apply -k k8s/` would), as the admin. */
export async function applyManifests(): Promise<{ stdout: string; stderr: string; code: number }> {
  return kubectl(['apply', '--server-side', '--force-conflicts', '-k', path.join(ROOT, 'k8s')]);
}
