// The pieces job.test.ts needs around the cluster: the overlay with this run's ports filled in, a
// PV backed by a local folder for the results PVC, a kubectl whose context namespace is the test's
// (so the commands are exactly what a user types), and waits on what the controllers report.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { admin, kubeEnv } from './kube.js';

const exec = promisify(execFile);
export const OVERLAY = path.join(import.meta.dirname, 'overlays', 'job');
export const JOB_NS = 'ld-job';
export const JOB = 'locust-load-test-matrix';
export const CRONJOB = 'locust-load-test-nightly';

/**
 * The overlay test/e2e/overlays/job as this run applies it: a layer in a temp folder whose only
 * change is the matrix's master and target URLs (free ports, known only now). kustomize wants the
 * base as a relative path.
 */
export async function localOverlay(masterUrl: string, targetUrl: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ld-overlay-'));
  const matrix = (await readFile(path.join(OVERLAY, 'matrix.yaml'), 'utf8'))
    .replaceAll('@MASTER_URL@', masterUrl.replace(/\/$/, ''))
    .replaceAll('@TARGET_URL@', targetUrl);
  await writeFile(path.join(dir, 'matrix.yaml'), matrix);
  await writeFile(
    path.join(dir, 'kustomization.yaml'),
    `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ${path.relative(dir, OVERLAY)}\npatches:\n  - target: { kind: ConfigMap, name: locust-driver-matrix }\n    path: matrix.yaml\n`,
  );
  return dir;
}

/** The objects the overlay renders (`kubectl kustomize`), to pick one from. */
export async function rendered(overlay: string): Promise<Record<string, unknown>[]> {
  const r = await kubectlAs(['kustomize', overlay]);
  if (r.code !== 0) throw new Error(`kubectl kustomize ${overlay}: ${r.stderr}`);
  return parseAllDocuments(r.stdout).map((d) => d.toJS() as Record<string, unknown>);
}

let userKubeconfig: string | undefined;

/** kubectl as the admin with the test namespace as the current context's namespace (`kubectl config set-context --current --namespace`). */
export async function kubectlAs(args: string[], opts: { timeoutMs?: number } = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  if (!userKubeconfig) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ld-kubeconfig-'));
    await copyFile(kubeEnv().kubeconfig, path.join(dir, 'config'));
    userKubeconfig = path.join(dir, 'config');
    await run(['config', 'set-context', '--current', `--namespace=${JOB_NS}`]);
  }
  return run(args, opts.timeoutMs);
}

async function run(args: string[], timeoutMs = 120_000) {
  try {
    const r = await exec(kubeEnv().kubectl, args, { env: { ...process.env, KUBECONFIG: userKubeconfig }, maxBuffer: 20_000_000, timeout: timeoutMs });
    return { stdout: r.stdout, stderr: r.stderr, code: 0 };
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; code?: number };
    return { stdout: x.stdout ?? '', stderr: x.stderr ?? '', code: typeof x.code === 'number' ? x.code : 1 };
  }
}

/**
 * A PersistentVolume backed by a local folder (hostPath), reserved for the test namespace's results
 * PVC (claimRef), so the real PV binder binds that claim to it and to no other namespace's.
 */
export async function resultsVolume(): Promise<{ name: string; folder: string }> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'ld-pv-results-'));
  await mkdir(folder, { recursive: true });
  const name = `ld-job-results-${path.basename(folder).slice(-6).toLowerCase()}`;
  await admin().core.createPersistentVolume({
    body: {
      metadata: { name, labels: { 'app.kubernetes.io/part-of': 'locust-load-test' } },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: '',
        claimRef: { namespace: JOB_NS, name: 'locust-driver-results' },
        hostPath: { path: folder, type: 'Directory' },
      },
    },
  });
  return { name, folder };
}

/** The folder of a PV (hostPath or local), as the kubelet would mount it. */
export async function pvFolder(pvName: string): Promise<string> {
  const pv = await admin().core.readPersistentVolume({ name: pvName });
  const p = pv.spec?.hostPath?.path ?? pv.spec?.local?.path;
  if (!p) throw new Error(`PV ${pvName} has no hostPath or local path`);
  return p;
}

export async function until<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 90_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== null && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function readJob(name: string): Promise<V1Job> {
  const { BatchV1Api, KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromFile(kubeEnv().kubeconfig);
  return kc.makeApiClient(BatchV1Api).readNamespacedJob({ name, namespace: JOB_NS });
}

/** Waits until the real Job controller says the Job finished: its Complete or Failed condition. */
export async function jobFinished(name: string, timeoutMs = 120_000): Promise<{ job: V1Job; condition: 'Complete' | 'Failed'; reason: string }> {
  return until(
    `Job ${name} finished`,
    async () => {
      const job = await readJob(name);
      const c = job.status?.conditions?.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
      return c ? { job, condition: c.type as 'Complete' | 'Failed', reason: c.reason ?? '' } : undefined;
    },
    timeoutMs,
  );
}

/** The Job's pods (by the label the Job controller puts on them), oldest first. */
export async function jobPods(name: string): Promise<V1Pod[]> {
  const pods = (await admin().core.listNamespacedPod({ namespace: JOB_NS, labelSelector: `batch.kubernetes.io/job-name=${name}` })).items;
  return pods.sort((a, b) => String(a.metadata?.creationTimestamp).localeCompare(String(b.metadata?.creationTimestamp)));
}

/** Deletes a Job and waits until it and its pods are gone (the garbage collector deletes the pods). */
export async function deleteJob(name: string): Promise<void> {
  await kubectlAs(['delete', 'job', name, '--ignore-not-found', '--cascade=foreground', '--wait=true', '--timeout=90s']);
  await until(`pods of Job ${name} gone`, async () => (await jobPods(name)).length === 0, 90_000);
}
