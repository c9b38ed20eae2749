// The kubelet's part for the driver's pods, which kwok cannot play: for every pod of the selector
// that the real Job controller created, the scheduler bound and kwok made Running, run the driver
// process as the kubelet would run its container (pod-filesystem.ts: the image's command, the pod's
// env and volumes), with its stdout and stderr in a CRI log file that kwok serves as the pod's log
// (a kwok `Logs` object per pod, owned by the pod). When the process ends, the pod is annotated
// with its exit code (metadata only) and kwok's Stages in test/cluster/kwok-stages/ end the pod
// Succeeded or Failed with that exit code, so the Job controller applies backoffLimit and
// podFailurePolicy to a real exit. A pod being deleted gets SIGTERM, then SIGKILL after its
// terminationGracePeriodSeconds, as a kubelet gives it. Nothing here writes a status.
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { ManagedProcess } from '../../src/adapters/local/processes.js';
import { admin, kubeEnv } from './kube.js';
import { containerEnv, imageLayout, mountPodFilesystem } from './pod-filesystem.js';

/** Annotations the harness sets and test/cluster/kwok-stages/pod-exit.yaml reads. */
export const PROCESS_ANNOTATION = 'test.locust-driver/process';
export const EXIT_CODE_ANNOTATION = 'test.locust-driver/exit-code';

const SIGNALS: Record<string, number> = { SIGTERM: 15, SIGKILL: 9, SIGINT: 2 };

export interface PodRun {
  pod: string;
  uid: string;
  logFile: string;
  rootfs: string;
  startedAt: number;
  /** The process's exit code as a kubelet reports it (128 + signal when killed); null while it runs. */
  exitCode: number | null;
  process: ManagedProcess;
  /** Resolves once the process has ended and its exit is on the pod (the annotation). */
  ended: Promise<number>;
}

export interface DriverKubelet {
  /** Every process started so far, in start order. */
  runs: PodRun[];
  /** Resolves with the n-th process started (0-based) once it has started. */
  run(n: number, timeoutMs?: number): Promise<PodRun>;
  /** Stops watching and stops every process still running. */
  stop(): Promise<void>;
}

export function startDriverKubelet(opts: { namespace: string; labelSelector?: string; pvFolder: (pvName: string) => Promise<string> }): DriverKubelet {
  const { core } = admin();
  const kc = new KubeConfig();
  kc.loadFromFile(kubeEnv().kubeconfig);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const ns = opts.namespace;
  const labelSelector = opts.labelSelector ?? 'app.kubernetes.io/name=locust-driver';
  const runs: PodRun[] = [];
  const byUid = new Map<string, PodRun>();
  const starting = new Set<string>();
  const terminating = new Set<string>();
  let running = true;
  const layout = imageLayout();
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

  const annotate = (name: string, annotations: Record<string, string>) =>
    core.patchNamespacedPod({ name, namespace: ns, body: { metadata: { annotations } } }, merge).catch(() => undefined); // gone: nothing to report to

  async function start(pod: V1Pod): Promise<void> {
    const name = pod.metadata!.name!;
    const image = await layout;
    const container = pod.spec!.containers[0]!;
    const fs = await mountPodFilesystem(pod, container, { core, imageRoot: image.workdir, pvFolder: opts.pvFolder });
    const logDir = await mkdtemp(path.join(os.tmpdir(), `ld-podlog-${name}-`));
    const logFile = path.join(logDir, `${container.name}.log`);
    await writeFile(logFile, '');
    // kwok serves `kubectl logs` for this pod's container from the file; the GC deletes it with the pod.
    await custom.createNamespacedCustomObject({
      group: 'kwok.x-k8s.io',
      version: 'v1alpha1',
      namespace: ns,
      plural: 'logs',
      body: {
        apiVersion: 'kwok.x-k8s.io/v1alpha1',
        kind: 'Logs',
        metadata: { name, namespace: ns, ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name, uid: pod.metadata!.uid! }] },
        spec: { logs: [{ containers: [container.name], logsFile: logFile, follow: true }] },
      },
    });
    const env = containerEnv(pod, container, image, { host: kubeEnv().host, port: kubeEnv().port });
    // Paths inside the container resolve in its rootfs; node is the image's `node` (this Node).
    for (const [k, v] of Object.entries(env)) if (path.posix.isAbsolute(v)) env[k] = fs.hostPath(v);
    // The one thing a folder of symlinks cannot give: the service-account mount at its absolute path.
    env.LOCUST_DRIVER_SERVICE_ACCOUNT_ROOT = fs.rootfs;
    env.PATH = process.env.PATH ?? '/usr/bin:/bin';
    const argv = [...(container.command ?? image.entrypoint), ...(container.args ?? (container.command ? [] : image.cmd))];
    if (argv.length === 0) throw new Error(`pod ${name}: no command (neither the container nor the image names one)`);
    const [cmd, ...args] = argv.map((a, i) => (i === 0 && a === 'node' ? process.execPath : path.posix.isAbsolute(a) ? fs.hostPath(a) : a));
    const out: WriteStream = createWriteStream(logFile, { flags: 'a' });
    const proc = await ManagedProcess.spawn(`pod-${name}`, cmd!, args, { cwd: fs.hostPath(container.workingDir ?? image.workdir), env });
    // The CRI log format kwok reads: "<RFC 3339 time> <stream> F <line>".
    proc.onLine((line, stream) => out.write(`${new Date().toISOString()} ${stream} F ${line}\n`));
    const run: PodRun = {
      pod: name,
      uid: pod.metadata!.uid!,
      logFile,
      rootfs: fs.rootfs,
      startedAt: Date.now(),
      exitCode: null,
      process: proc,
      ended: proc.closed.then(async (info) => {
        await new Promise<void>((r) => out.end(r));
        const code = info.code ?? 128 + (SIGNALS[info.signal ?? ''] ?? 0);
        run.exitCode = code;
        await annotate(name, { [PROCESS_ANNOTATION]: 'exited', [EXIT_CODE_ANNOTATION]: String(code) });
        return code;
      }),
    };
    runs.push(run);
    byUid.set(run.uid, run);
  }

  const loop = (async () => {
    while (running) {
      try {
        const pods = (await core.listNamespacedPod({ namespace: ns, labelSelector })).items;
        const present = new Set(pods.map((p) => p.metadata!.uid!));
        for (const pod of pods) {
          const uid = pod.metadata!.uid!;
          const run = byUid.get(uid);
          if (pod.metadata?.deletionTimestamp) {
            if (run?.process.isRunning() && !terminating.has(uid)) {
              terminating.add(uid);
              void run.process.stop((pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000);
            }
            continue;
          }
          if (run || starting.has(uid) || pod.status?.phase !== 'Running' || pod.metadata?.annotations?.[PROCESS_ANNOTATION]) continue;
          starting.add(uid);
          start(pod).catch(async (e: unknown) => {
            // A pod the kubelet cannot start: say why where a user looks (the pod's events would; here the test output) and fail it.
            console.error(`test kubelet: cannot start pod ${pod.metadata!.name}: ${(e as Error).message}`);
            await annotate(pod.metadata!.name!, { [PROCESS_ANNOTATION]: 'exited', [EXIT_CODE_ANNOTATION]: '128' });
          });
        }
        // A pod gone without a deletion we saw (force-deleted): its process goes too.
        for (const [uid, run] of byUid) if (!present.has(uid) && run.process.isRunning()) void run.process.stop(1000);
      } catch {
        // a transient API error: the next poll sees the same pods
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();

  return {
    runs,
    async run(n, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (runs[n]) return runs[n];
        await new Promise((res) => setTimeout(res, 100));
      }
      throw new Error(`test kubelet: no driver pod #${n + 1} started within ${timeoutMs} ms (started: ${runs.map((r) => r.pod).join(', ') || 'none'})`);
    },
    async stop() {
      running = false;
      await loop;
      await Promise.all(runs.map((r) => r.process.stop(2000)));
      await Promise.all(runs.map((r) => r.ended));
    },
  };
}
