// The Job and the CronJob exactly as users run them: `kubectl apply -k` of k8s/ (through an overlay
// that changes only what this machine needs), the real Job and CronJob controllers create the
// driver's pods, the scheduler binds them, kwok runs them on its fake nodes, and the test kubelet
// (kubelet.ts) runs the driver process for each, with the pod's env, token, ConfigMap and the PV
// the real binder bound the results PVC to. The pod's end is the process's real exit code, so
// backoffLimit and podFailurePolicy are the Job controller's own decisions; `kubectl logs -f` is
// served by kwok from the process's output. Nothing here writes a status.
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PatchStrategy, setHeaderOptions, V1MicroTime } from '@kubernetes/client-node';
import { admin, startLocalLocust, startWorkerPods, type LocalLocust, type WorkerPods } from './kube.js';
import { startDriverKubelet, type DriverKubelet, type PodRun } from './kubelet.js';
import {
  CRONJOB,
  deleteJob,
  JOB,
  JOB_NS,
  jobFinished,
  jobPods,
  kubectlAs,
  localOverlay,
  pvFolder,
  readJob,
  rendered,
  resultsVolume,
  until,
} from './job-harness.js';

const apply = (overlay: string) => kubectlAs(['apply', '--server-side', '--force-conflicts', '-k', overlay]);
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** `kubectl logs -f job/<name>` once the pod's log is served (kwok learns of the pod's Logs object a moment after the pod runs). */
async function followLogs(job: string): Promise<{ stdout: string; stderr: string; code: number }> {
  // (a follow started on a still-empty log ended at once in the first runs here; after the first line it follows to the end)
  await until(`kubectl logs job/${job} shows a line`, async () => (await kubectlAs(['logs', `job/${job}`])).stdout.length > 0, 30_000, 300);
  return kubectlAs(['logs', '-f', `job/${job}`], { timeoutMs: 180_000 });
}

describe('the Job and the CronJob, run by the real controllers', () => {
  let locust: LocalLocust;
  let workerPods: WorkerPods;
  let kubelet: DriverKubelet;
  let overlay: string;
  let results: { name: string; folder: string };

  beforeAll(async () => {
    locust = await startLocalLocust();
    overlay = await localOverlay(locust.masterUrl, locust.targetUrl);
    results = await resultsVolume();
    kubelet = startDriverKubelet({ namespace: JOB_NS, pvFolder });
    const applied = await apply(overlay);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    workerPods = startWorkerPods(locust, 'locust-worker', JOB_NS);
  });
  afterAll(async () => {
    await kubelet?.stop();
    await workerPods?.stop();
    await locust?.stop();
  });

  it('kubectl apply -k starts the Job; kubectl logs -f job/locust-load-test-matrix shows a log for people, ending with the summary', async () => {
    // The real PV binder bound the results claim to the local folder's PV.
    const pvc = await until('PVC bound', async () => {
      const c = await admin().core.readNamespacedPersistentVolumeClaim({ name: 'locust-driver-results', namespace: JOB_NS });
      return c.status?.phase === 'Bound' ? c : undefined;
    });
    expect(pvc.spec?.volumeName).toBe(results.name);

    const run = await kubelet.run(0);
    const logs = await followLogs(JOB);
    const transcript = path.join(os.tmpdir(), 'ld-kubectl-logs-f-job.txt');
    await writeFile(transcript, `$ kubectl logs -f job/${JOB}\n${logs.stdout}${logs.stderr}`);
    console.log(`transcript of kubectl logs -f job/${JOB}: ${transcript}`);
    expect(logs.stderr).toBe('');
    expect(logs.code).toBe(0);
    const { condition, job } = await jobFinished(JOB);
    expect(condition).toBe('Complete');
    const out = logs.stdout;
    // -f followed the process to its end: the last line the driver printed is the last line shown.
    expect(out.trimEnd().split('\n').at(-1)).toMatch(/^run summary: ConfigMap locust-driver-run-\S+ in namespace ld-job /);
    expect(out).not.toContain('\x1b'); // no colours off a terminal
    const lines = out.trimEnd().split('\n');
    expect(lines.filter((l) => l.trimStart().startsWith('{'))).toEqual([]); // no JSON
    const events = lines.slice(0, lines.indexOf(''));
    expect(events.length).toBeGreaterThan(8);
    for (const l of events) expect(l).toMatch(/^\[\d\d:\d\d:\d\d\] (INFO|WARN) {1,2}\S/);
    expect(out).toMatch(
      /\] INFO {2}Kubernetes: namespace ld-job at https:\/\/127\.0\.0\.1:\d+ \(in-cluster service account\), permissions checked, holding Lease locust-driver\n/,
    );
    expect(out).toMatch(
      /\] INFO {2}stage 3\/3 \[\d+s\/3s\] users=4 rps=[\d.]+ p50=\d+ms p95=\d+ms fail=0\.00% workers=1 replicas=1\/1 hpa=1→(1|\?)( cpu=\d+%)? \| run \d+% ~\S+ left\n/,
    );
    expect(out).toContain('\n# Load test: job-e2e\n');
    expect(out).toMatch(/\n\| Stage \| Replicas \| Workers \| Users \| Spawn rate \| Requests \| RPS \|.*\n\|:---\|/);
    const runId = `${JOB}-${job.metadata!.uid}`;
    // The run's summary ConfigMap, as the cluster holds it (its name is the run id cut to a DNS label).
    const summaries = await admin().core.listNamespacedConfigMap({ namespace: JOB_NS, labelSelector: 'app.kubernetes.io/component=run-summary' });
    const summary = summaries.items.find((c) => (JSON.parse(c.data?.['run.json'] ?? '{}') as { runId?: string }).runId === runId);
    const cm = summary?.metadata?.name ?? '(no summary ConfigMap of this run)';
    expect(cm.startsWith(`locust-driver-run-${runId.slice(0, 30)}`)).toBe(true);
    expect(lines.slice(-3)).toEqual([
      'verdict: none (no SLO, no baseline)',
      // /results as the process sees it: the pod's rootfs of symlinks (no chroot here), /results → the PV's folder
      `reports: ${path.join(run.rootfs, 'results', runId)}`,
      `run summary: ConfigMap ${cm} in namespace ld-job (kubectl get configmap ${cm} -n ld-job -o jsonpath='{.data.run\\.json}')`,
    ]);

    // The pod: made by the Job controller, bound to a fake node, ended by the process's exit code.
    const [pod, ...more] = await jobPods(JOB);
    expect(more).toEqual([]);
    expect(pod!.metadata?.name).toBe(run.pod);
    expect(pod!.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Job', name: JOB, controller: true });
    expect(pod!.spec?.nodeName).toMatch(/^kwok-node-\d+$/);
    expect(pod!.status?.phase).toBe('Succeeded');
    expect(pod!.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(0);
    expect(run.exitCode).toBe(0);
    // The API server fetched the log from "the kubelet" at the node's InternalIP (the only address
    // type it uses here, --kubelet-preferred-address-types=InternalIP): 127.0.0.1, kwok's port.
    const node = await admin().core.readNode({ name: pod!.spec!.nodeName! });
    expect(node.status?.addresses?.filter((a) => a.type === 'InternalIP').map((a) => a.address)).toEqual(['127.0.0.1']);
    // The reports are on the PV's folder, where the pod's /results was.
    const record = JSON.parse(await readFile(path.join(results.folder, runId, 'run.json'), 'utf8'));
    expect(record.status).toBe('completed');
    expect(record.stages.map((s: { users: number; status: string }) => [s.users, s.status])).toEqual([
      [2, 'completed'],
      [3, 'completed'],
      [4, 'completed'],
    ]);
    expect(record.environment.kubernetes).toMatchObject({ namespace: JOB_NS, inCluster: true });
  });

  it('exit 2 (a bad matrix) fails the Job at once through podFailurePolicy; exit 3 is retried until backoffLimit', async () => {
    const { core, coord } = admin();
    const jobManifest = (await rendered(overlay)).find((o) => o.kind === 'Job')!;
    const jobFile = path.join(os.tmpdir(), `ld-job-${Date.now()}.json`);
    await writeFile(jobFile, JSON.stringify(jobManifest));
    const cm = await core.readNamespacedConfigMap({ name: 'locust-driver-matrix', namespace: JOB_NS });
    const good = cm.data!['matrix.yaml']!;

    // exit 2: a matrix with a typo — a rerun cannot fix it
    await deleteJob(JOB);
    let ranBefore = kubelet.runs.length;
    await core.patchNamespacedConfigMap(
      { name: 'locust-driver-matrix', namespace: JOB_NS, body: { data: { 'matrix.yaml': good.replace('users: [2, 3, 4]', 'userz: [2, 3, 4]') } } },
      merge,
    );
    try {
      expect((await kubectlAs(['apply', '--server-side', '-f', jobFile])).code).toBe(0);
      const bad = await jobFinished(JOB);
      expect([bad.condition, bad.reason]).toEqual(['Failed', 'PodFailurePolicy']);
      const pods = await jobPods(JOB);
      expect(pods).toHaveLength(1); // not retried
      expect(pods[0]!.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(2);
      const r = kubelet.runs.slice(ranBefore);
      expect(r.map((x) => x.exitCode)).toEqual([2]);
      const log = await kubectlAs(['logs', `job/${JOB}`]);
      expect(log.stdout).toMatch(/userz/);
    } finally {
      await core.patchNamespacedConfigMap({ name: 'locust-driver-matrix', namespace: JOB_NS, body: { data: { 'matrix.yaml': good } } }, merge);
    }

    // exit 3: another driver holds the Lease — an infrastructure state a later attempt may not meet
    await deleteJob(JOB);
    ranBefore = kubelet.runs.length;
    // (created here when no earlier run in this namespace took it)
    const held = { holderIdentity: 'someone-else', leaseDurationSeconds: 3600, renewTime: new V1MicroTime() };
    const lease = await coord.readNamespacedLease({ name: 'locust-driver', namespace: JOB_NS }).catch(() => null);
    if (lease) await coord.replaceNamespacedLease({ name: 'locust-driver', namespace: JOB_NS, body: { ...lease, spec: { ...lease.spec, ...held } } });
    else await coord.createNamespacedLease({ namespace: JOB_NS, body: { metadata: { name: 'locust-driver' }, spec: held } });
    try {
      expect((await kubectlAs(['apply', '--server-side', '-f', jobFile])).code).toBe(0);
      const retried = await jobFinished(JOB);
      expect([retried.condition, retried.reason]).toEqual(['Failed', 'BackoffLimitExceeded']);
      const pods = await jobPods(JOB);
      expect(pods).toHaveLength(2); // backoffLimit: 1 → one retry
      for (const p of pods) expect(p.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(3);
      expect(kubelet.runs.slice(ranBefore).map((x) => x.exitCode)).toEqual([3, 3]);
    } finally {
      const now = await coord.readNamespacedLease({ name: 'locust-driver', namespace: JOB_NS });
      await coord.replaceNamespacedLease({ name: 'locust-driver', namespace: JOB_NS, body: { ...now, spec: { ...now.spec, holderIdentity: undefined } } });
    }
  });

  it('PodSecurity restricted admits the driver pod and refuses a variant without allowPrivilegeEscalation: false', async () => {
    const ns = await admin().core.readNamespace({ name: JOB_NS });
    expect(ns.metadata?.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const job = (await rendered(overlay)).find((o) => o.kind === 'Job') as { spec: { template: { metadata: object; spec: Record<string, unknown> } } };
    const pod = (mutate?: (spec: { containers: { securityContext: Record<string, unknown> }[] }) => void) => {
      const spec = structuredClone(job.spec.template.spec) as { containers: { securityContext: Record<string, unknown> }[] };
      mutate?.(spec);
      return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'psa-check', namespace: JOB_NS }, spec };
    };
    const file = path.join(os.tmpdir(), `ld-psa-${Date.now()}.json`);
    await writeFile(file, JSON.stringify(pod()));
    const ok = await kubectlAs(['create', '--dry-run=server', '-f', file]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    await writeFile(
      file,
      JSON.stringify(
        pod((s) => {
          delete s.containers[0]!.securityContext.allowPrivilegeEscalation;
        }),
      ),
    );
    const refused = await kubectlAs(['create', '--dry-run=server', '-f', file]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(
      /violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false \(container "driver" must set securityContext\.allowPrivilegeEscalation=false\)/,
    );
  });

  it('a drain (the pod evicted mid-run) makes the Job start a new pod, which resumes at the first unfinished stage from the results volume', async () => {
    await deleteJob(JOB);
    const ranBefore = kubelet.runs.length;
    const applied = await apply(overlay);
    expect(applied.code).toBe(0);
    const first: PodRun = await kubelet.run(ranBefore);
    await first.process.waitForLine(/stage 2\/3 \[/, 120_000, 'stdout');
    // What `kubectl drain` does to each pod: the Eviction API (it adds the DisruptionTarget condition).
    await admin().core.createNamespacedPodEviction({
      name: first.pod,
      namespace: JOB_NS,
      body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: first.pod, namespace: JOB_NS } },
    });
    const second = await kubelet.run(ranBefore + 1);
    expect(second.pod).not.toBe(first.pod);
    expect(await first.ended).toBe(143); // SIGTERM from the kubelet, as on a drain; the driver stopped cleanly
    const { condition, job } = await jobFinished(JOB);
    expect(condition).toBe('Complete');
    const runId = `${JOB}-${job.metadata!.uid}`;
    const record = JSON.parse(await readFile(path.join(results.folder, runId, 'run.json'), 'utf8'));
    expect(record.status).toBe('completed');
    expect(record.stages.map((s: { index: number; status: string }) => [s.index, s.status])).toEqual([
      [1, 'completed'],
      [2, 'completed'],
      [3, 'completed'],
    ]);
    expect(record.resumes).toHaveLength(1);
    expect(record.resumes[0].fromStage).toBe(2);
    // The Job controller counted the evicted pod as a disruption (podFailurePolicy Ignore), not a failure.
    expect(job.status?.failed ?? 0).toBe(0);
    expect(second.exitCode).toBe(0);
    const log = await kubectlAs(['logs', second.pod]);
    expect(log.stdout).toMatch(/resum/i);
  });

  it('the nightly CronJob: Forbid holds while a night runs, the schedule fires it, and a slower target fails that night (exit 1 → FailJob) naming the regressed stages', async () => {
    const { core } = admin();
    // Earlier summaries of this matrix (the Job's runs above) would be the first night's baseline.
    await core.deleteCollectionNamespacedConfigMap({ namespace: JOB_NS, labelSelector: 'app.kubernetes.io/component=run-summary' });
    // ... and so would their folders on the results volume (--baseline latest looks there too).
    for (const e of await readdir(results.folder)) await rm(path.join(results.folder, e), { recursive: true, force: true });
    await deleteJob(JOB);

    const ranBefore = kubelet.runs.length;
    const suspend = async (on: boolean) =>
      expect((await kubectlAs(['patch', 'cronjob', CRONJOB, '--type=merge', '-p', JSON.stringify({ spec: { suspend: on } })])).code).toBe(0);
    const nightlyJobs = async () => (await kubectlAs(['get', 'jobs', '-o', 'name'])).stdout.split('\n').filter((l) => l.includes(CRONJOB));

    // Night 1: the CronJob (every minute, suspended since the overlay was applied minutes ago) is
    // un-suspended at second ~55 of a minute: the controller starts the run it missed (within
    // startingDeadlineSeconds), and we suspend it again at once. Second 55, not earlier: a night of
    // three 3 s stages takes only ~12-15 s, and the next minute must come while it still runs.
    await new Promise((r) => setTimeout(r, ((115 - new Date().getUTCSeconds()) % 60) * 1000));
    await suspend(false);
    const night1 = await kubelet.run(ranBefore);
    await suspend(true);
    const [manualName] = await nightlyJobs();
    const manual = manualName!.replace('job.batch/', '');
    // The next minute passes while night 1 runs; un-suspended then, the controller owes that
    // minute's run, but concurrencyPolicy Forbid: it starts nothing and says why.
    await until('the next minute', async () => new Date().getUTCSeconds() < 30, 60_000, 200);
    expect(night1.process.isRunning()).toBe(true); // Forbid is tested while it really runs
    await suspend(false);
    const skipped = await until(
      'JobAlreadyActive event',
      async () =>
        (await core.listNamespacedEvent({ namespace: JOB_NS, fieldSelector: `involvedObject.name=${CRONJOB}` })).items.find(
          (e) => e.reason === 'JobAlreadyActive',
        ),
      30_000,
    );
    await suspend(true);
    expect(skipped.message).toMatch(/Forbid/);
    const n1 = await jobFinished(manual);
    // (with the night's log in the message when it did not complete)
    expect({ condition: n1.condition, log: n1.condition === 'Complete' ? '' : (await kubectlAs(['logs', `job/${manual}`])).stdout }).toEqual({
      condition: 'Complete',
      log: '',
    });
    expect(await nightlyJobs()).toEqual([`job.batch/${manual}`]); // nothing started beside it
    const log1 = (await kubectlAs(['logs', `job/${manual}`])).stdout;
    expect(log1).toMatch(/WARN {2}--baseline latest: no earlier completed run of "job-e2e" in the cluster or in \S+; nothing to compare with\n/);

    // The next night: a slower build of the target (each request 10× the service time) ...
    await locust.restartTarget(['--slowdown', '10']);
    // ... and the schedule set to the next minute (UTC): the CronJob controller fires it on time.
    const at = new Date(Date.now() + 5_000);
    at.setUTCSeconds(0, 0);
    at.setUTCMinutes(at.getUTCMinutes() + 1);
    const schedule = `${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;
    expect((await kubectlAs(['patch', 'cronjob', CRONJOB, '--type=merge', '-p', JSON.stringify({ spec: { schedule, suspend: false } })])).code).toBe(0);
    const scheduledName = `${CRONJOB}-${Math.floor(at.getTime() / 60_000)}`;
    const fired = await until('the scheduled Job', async () => readJob(scheduledName), 90_000, 500);
    expect((await kubectlAs(['patch', 'cronjob', CRONJOB, '--type=merge', '-p', '{"spec":{"suspend":true}}'])).code).toBe(0);
    expect(fired.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'CronJob', name: CRONJOB });
    expect(new Date(fired.metadata!.annotations!['batch.kubernetes.io/cronjob-scheduled-timestamp']!).getTime()).toBe(at.getTime());
    const n2 = await jobFinished(scheduledName);
    expect([n2.condition, n2.reason]).toEqual(['Failed', 'PodFailurePolicy']);
    const pods = await jobPods(scheduledName);
    expect(pods).toHaveLength(1);
    expect(pods[0]!.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(1);
    const log2 = (await kubectlAs(['logs', `job/${scheduledName}`])).stdout;
    const end = log2.trimEnd().split('\n');
    const baseline = `${manual}-${n1.job.metadata!.uid}`;
    expect(log2).toContain(`\n## Comparison with \`${baseline}\`\n`);
    // Every stage is slower (p95 ~10×): the summary names each one and what regressed.
    expect(end.find((l) => l.startsWith('comparison: '))).toMatch(
      new RegExp(
        `^comparison: regression in 3 of 3 compared stages against ${baseline}: stage 1 · [^:]+: .*p95 \\+.*; stage 2 · [^:]+: .*p95 \\+.*; stage 3 · [^:]+: .*p95 \\+`,
      ),
    );
    expect(end.find((l) => l.startsWith('verdict: '))).toBeDefined();
    await locust.restartTarget([]);
  });
});
