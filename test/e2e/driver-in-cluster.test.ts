// The driver exactly as in its pod — a token minted for the locust-driver ServiceAccount, the
// service-account folder layout, KUBERNETES_SERVICE_HOST/PORT — against real Locust processes and a
// cluster that reconciles by itself: the real Deployment/ReplicaSet/HPA controllers, the scheduler
// and kwok's fake nodes make the pods and write every status the driver reads. The target's pods are
// real sample-service processes behind a balancer (target-pods.ts), and the CPU the HPA sees is theirs.
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../integration/helpers.js';
import { admin, applyManifests, kubectl, NS, podEnv, scaleToOne, serviceAccountRoot, settledReplicas, waitRolledOut, type LocalLocust } from './kube.js';
import { observePods, waitPodCount } from './pod-observer.js';
import { startPodsHarness, type PodsHarness } from './pods-harness.js';

const matrix = (master: string, target: string, extra = '') => `version: 1
name: e2e-cluster
locust: { url: ${master}, expectWorkers: 1, connectTimeout: 60s }
target: { host: ${target}, healthPath: /healthz }
kubernetes:
  # no namespace, as in k8s/: the pod's own (its service account's)
  target: { deployment: inference, hpa: inference }
  workers: { deployment: locust-worker }
  keepSummaries: 2
defaults: { duration: 5s, cooldown: 1s, spawnRate: 10, scaleTimeout: 60s, sampleEvery: 1s }
${extra}`;

describe('the driver in its pod', () => {
  let harness: PodsHarness;
  let locust: LocalLocust;
  let saRoot: string;
  let dir: string;

  // No emulated load: each inference pod's CPU is its own process's (target-pods.ts), a few % of
  // the 250m request at these small loads, so k8s/inference.yaml's own HPA (target 70 %) wants 1
  // replica after a restore, agreeing with the baseline of 1.
  beforeAll(async () => {
    harness = await startPodsHarness();
    ({ locust, saRoot, dir } = harness);
  });
  // Every test starts from 1 target replica and 1 worker (the manifest says 4 workers: too many
  // processes for 2 cores), the baseline the restores are checked against.
  beforeEach(() => scaleToOne());
  afterAll(() => harness?.stop());

  const runAsPod = async (file: string, runId: string, pod = 'locust-load-test-matrix-x7k2p') =>
    runCli(['run', '--matrix', file, '--out', dir, '--run-id', runId, '--log-format', 'json', '--service-account-root', saRoot], {
      env: podEnv(pod),
      timeoutMs: 280_000,
    });

  it('sets replicas, the HPA and workers per stage, records what the cluster did, and restores everything', async () => {
    const { apps, hpa, core, coord } = admin();
    const hpaBefore = (await hpa.readNamespacedHorizontalPodAutoscaler({ name: 'inference', namespace: NS })).spec;
    const file = path.join(dir, 'm.yaml');
    await writeFile(file, matrix(locust.masterUrl, locust.targetUrl, 'matrix:\n  replicas: [1, 2]\n  workers: [1, 2]\n  users: [4]\n'));
    const targetPods = observePods('inference');
    const workerPodsSeen = observePods('locust-worker');
    const res = await runAsPod(file, 'scaled');
    const [targetSeen, workersSeen] = [await targetPods.stop(), await workerPodsSeen.stop()];
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    // The scale to 2 was carried out by the cluster: pods made by the Deployment's ReplicaSet, bound
    // by the scheduler to a fake node, Running and Ready through kwok; the restore to 1 removed one.
    for (const [name, seen] of [
      ['inference', targetSeen],
      ['locust-worker', workersSeen],
    ] as const) {
      const real = seen.filter(
        (p) => p.deployment === name && p.replicaSet !== null && /^kwok-node-\d+$/.test(p.node ?? '') && p.phases.includes('Running') && p.readySeen,
      );
      expect(real.length).toBeGreaterThanOrEqual(2);
      const left = await waitPodCount(name, 1); // the ReplicaSet controller deletes the surplus pod, kwok finishes it
      expect(real.filter((p) => !left.includes(p.name)).length).toBeGreaterThanOrEqual(1);
    }
    expect(new Set(targetSeen.map((p) => p.deployment))).toEqual(new Set(['inference']));
    expect(new Set(workersSeen.map((p) => p.deployment))).toEqual(new Set(['locust-worker']));
    const logs = res.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event?: string; msg: string });
    expect(logs.find((l) => l.event === 'kube-ready')?.msg).toMatch(
      /namespace default .* \(in-cluster service account\), permissions checked, holding Lease locust-driver/,
    );
    expect(logs.filter((l) => l.event === 'sample').some((l) => /replicas=2\/2 hpa=2→2 cpu=\d+%/.test(l.msg))).toBe(true);

    const run = JSON.parse(await readFile(path.join(dir, 'scaled', 'run.json'), 'utf8'));
    expect(run.status).toBe('completed');
    expect(run.environment.kubernetes).toMatchObject({ namespace: NS, inCluster: true });
    expect(run.stages.map((s: { replicas: number; workers: number; status: string }) => [s.status, s.replicas, s.workers])).toEqual([
      ['completed', 1, 1],
      ['completed', 1, 2],
      ['completed', 2, 1],
      ['completed', 2, 2],
    ]);
    for (const s of run.stages) {
      expect(s.workersSeen).toEqual({ min: s.workers, max: s.workers }); // the master really saw them
      expect(s.prepareMs).toBeGreaterThanOrEqual(0);
      expect(s.samples.at(-1).replicasDesired).toBe(s.replicas);
      expect(s.samples.at(-1).hpaDesired).toBe(s.replicas);
      expect(s.totals.requests).toBeGreaterThan(0);
    }
    const replicasCsv = await readFile(path.join(dir, 'scaled', 'stages', '04-replicas-2-workers-2-users-4', 'replicas.csv'), 'utf8');
    expect(replicasCsv.split('\n')[0]).toBe('at,elapsed_s,target_ready,target_desired,hpa_current,hpa_desired,hpa_cpu_pct,locust_workers');
    expect(replicasCsv).toMatch(/,2,2,2,2,\d+,2\n/);
    const summaryCsv = await readFile(path.join(dir, 'scaled', 'summary.csv'), 'utf8');
    expect(summaryCsv.split('\n')[4]).toMatch(/^2,2,4,/);

    // restored: replicas, the HPA's spec, the workers; the Lease released; the summary saved
    expect(await settledReplicas('inference', 1)).toBe(1);
    expect((await apps.readNamespacedDeployment({ name: 'locust-worker', namespace: NS })).spec?.replicas).toBe(1);
    expect((await hpa.readNamespacedHorizontalPodAutoscaler({ name: 'inference', namespace: NS })).spec).toEqual(hpaBefore);
    expect((await coord.readNamespacedLease({ name: 'locust-driver', namespace: NS })).spec?.holderIdentity).toBeFalsy();
    const cms = await core.listNamespacedConfigMap({
      namespace: NS,
      labelSelector: 'app.kubernetes.io/name=locust-driver,app.kubernetes.io/component=run-summary',
    });
    const saved = cms.items.find((c) => c.metadata?.name === 'locust-driver-run-scaled');
    expect(saved?.metadata?.labels).toMatchObject({ 'locust-driver/matrix': 'e2e-cluster', 'locust-driver/status': 'completed' });
    expect(JSON.parse(saved!.data!['run.json']!).stages).toHaveLength(4);
  });

  it('--baseline latest in a cluster compares with the newest run summary ConfigMap of the same matrix', async () => {
    // A fresh results folder: the only earlier run is the summary the first test left in the cluster.
    const elsewhere = await mkdtemp(path.join(os.tmpdir(), 'ld-e2e-baseline-'));
    const file = path.join(dir, 'again.yaml');
    await writeFile(file, matrix(locust.masterUrl, locust.targetUrl, 'matrix:\n  replicas: [1]\n  workers: [1]\n  users: [4]\n'));
    const res = await runCli(
      [
        'run',
        '--matrix',
        file,
        '--out',
        elsewhere,
        '--run-id',
        'again',
        '--log-format',
        'json',
        '--service-account-root',
        saRoot,
        '--baseline',
        'latest',
        '--tolerance',
        'p95=1000%',
        '--tolerance',
        'rps=-90%',
      ],
      { env: podEnv('locust-load-test-nightly-29171-abcde'), timeoutMs: 280_000 },
    );
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const run = JSON.parse(await readFile(path.join(elsewhere, 'again', 'run.json'), 'utf8'));
    expect(run.comparison).toMatchObject({ baselineRunId: 'scaled', regression: false });
    expect(run.comparison.stages.find((s: { key: string; baselineIndex: number | null }) => s.baselineIndex !== null && /users=4/.test(s.key))).toBeDefined();
    // and its own summary, with the comparison, is in the cluster now
    const cm = await admin().core.readNamespacedConfigMap({ name: 'locust-driver-run-again', namespace: NS });
    expect(JSON.parse(cm.data!['run.json']!).comparison.baselineRunId).toBe('scaled');
  });

  it('creates an HPA for an hpa: stage when there was none, moves replicas into its range, and deletes it at the end', async () => {
    const { hpa } = admin();
    await hpa.deleteNamespacedHorizontalPodAutoscaler({ name: 'inference', namespace: NS });
    try {
      const file = path.join(dir, 'hpa.yaml');
      await writeFile(
        file,
        matrix(
          locust.masterUrl,
          locust.targetUrl,
          'stages:\n  - { name: autoscaled, users: 4, hpa: { min: 2, max: 3, cpuPercent: 50 } }\n  - { name: pinned, users: 4, replicas: 3 }\n',
        ),
      );
      const res = await runAsPod(file, 'hpa');
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      const run = JSON.parse(await readFile(path.join(dir, 'hpa', 'run.json'), 'utf8'));
      expect(run.stages[0]).toMatchObject({ status: 'completed', hpa: { min: 2, max: 3, cpuPercent: 50 } });
      expect(run.stages[0].samples.at(-1)).toMatchObject({ replicasDesired: 2, replicasReady: 2, hpaDesired: 2 });
      // the pods' real CPU at 4 users is far below the 50 % target: min 2 is what the HPA wants
      expect(run.stages[0].samples.at(-1).hpaCpuPercent).toBeLessThan(50);
      // the second stage pins the (now present) HPA to 3 instead of fighting it
      expect(run.stages[1].samples.at(-1)).toMatchObject({ replicasDesired: 3, hpaDesired: 3 });
      expect(res.stdout).toMatch(/pinned HPA inference to 3 \(min = max\)/);
      // created by the run, so removed by the restore; replicas back to 1
      expect(await hpa.readNamespacedHorizontalPodAutoscaler({ name: 'inference', namespace: NS }).catch((e: { code?: number }) => e.code)).toBe(404);
      const restored =
        (
          JSON.parse(
            res.stdout
              .trim()
              .split('\n')
              .find((l) => l.includes('"event":"restored"')) ?? '{}',
          ) as { msg?: string }
        ).msg ?? '';
      expect(restored).toMatch(/HPA inference \(created by this run\) deleted.*inference back to 1 replicas/);
      // (The pinned HPA often scaled to 3 before the driver did; the restore must still set 1.)
      expect(await settledReplicas('inference', 1)).toBe(1);
    } finally {
      expect((await applyManifests()).code).toBe(0); // the HPA of k8s/inference.yaml back for the next tests
      await scaleToOne();
    }
  });

  it('fails a stage whose Deployment never becomes ready within scaleTimeout, and still restores', async () => {
    // Every fake node cordoned: the running pod stays, the scheduler cannot place the new ones, so
    // the real rollout stops at 1 of 3 — no test writes that status.
    const nodes = (await admin().core.listNode({ labelSelector: 'type=kwok' })).items.map((n) => n.metadata!.name!);
    expect(nodes.length).toBeGreaterThan(0);
    for (const n of nodes) expect((await kubectl(['cordon', n])).code).toBe(0);
    try {
      const file = path.join(dir, 'timeout.yaml');
      await writeFile(file, matrix(locust.masterUrl, locust.targetUrl, 'stages:\n  - { users: 2, replicas: 3, scaleTimeout: 4s }\n'));
      const res = await runAsPod(file, 'timeout');
      expect(res.code).toBe(3);
      const run = JSON.parse(await readFile(path.join(dir, 'timeout', 'run.json'), 'utf8'));
      expect(run.stages[0].status).toBe('failed');
      // 1 of 3 as a rule (the pod from before the cordon); 2 when the scheduler placed one more
      // before its node cache saw the cordon (seen once under load). Never 3: nothing more fits.
      expect(run.stages[0].reason).toMatch(/^deployment inference was not ready within scaleTimeout 4s: [12]\/3 available/);
      expect(await settledReplicas('inference', 1)).toBe(1);
      const pending = (await admin().core.listNamespacedEvent({ namespace: NS, fieldSelector: 'reason=FailedScheduling' })).items;
      expect(pending.some((e) => e.involvedObject.name?.startsWith('inference-') && /unschedulable/.test(e.message ?? ''))).toBe(true);
    } finally {
      for (const n of nodes) await kubectl(['uncordon', n]);
      await waitRolledOut('inference');
    }
  });

  it('refuses to start while another driver holds the Lease (exit 3, naming the holder)', async () => {
    const { coord } = admin();
    const { V1MicroTime } = await import('@kubernetes/client-node');
    const lease = await coord.readNamespacedLease({ name: 'locust-driver', namespace: NS });
    await coord.replaceNamespacedLease({
      name: 'locust-driver',
      namespace: NS,
      body: {
        ...lease,
        spec: { ...lease.spec, holderIdentity: 'locust-load-test-nightly-29170-q8d2m', leaseDurationSeconds: 3600, renewTime: new V1MicroTime() },
      },
    });
    try {
      const file = path.join(dir, 'lease.yaml');
      await writeFile(file, matrix(locust.masterUrl, locust.targetUrl, 'stages:\n  - { users: 2 }\n'));
      const res = await runAsPod(file, 'second');
      expect(res.code).toBe(3);
      expect(res.stderr).toMatch(/another locust-driver holds the Lease locust-driver in default \(holder locust-load-test-nightly-29170-q8d2m/);
    } finally {
      const now = await coord.readNamespacedLease({ name: 'locust-driver', namespace: NS });
      await coord.replaceNamespacedLease({ name: 'locust-driver', namespace: NS, body: { ...now, spec: { ...now.spec, holderIdentity: undefined } } });
    }
  });

  it('names every missing permission at once for an identity without the Role (exit 3), touching nothing', async () => {
    const { core, apps } = admin();
    await core.createNamespacedServiceAccount({ namespace: NS, body: { metadata: { name: 'no-rights' } } }).catch(() => undefined);
    const weak = await serviceAccountRoot('no-rights');
    const file = path.join(dir, 'weak.yaml');
    await writeFile(file, matrix(locust.masterUrl, locust.targetUrl, 'stages:\n  - { users: 2, replicas: 2, workers: 2 }\n'));
    const res = await runCli(['run', '--matrix', file, '--out', dir, '--run-id', 'weak', '--log-format', 'json', '--service-account-root', weak], {
      env: podEnv('weak-pod'),
    });
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(
      /missing: get deployments.apps inference in default; .*patch deployments.apps\/scale inference in default; .*patch deployments.apps\/scale locust-worker in default; .*create leases.coordination.k8s.io in default/,
    );
    expect((await apps.readNamespacedDeployment({ name: 'inference', namespace: NS })).spec?.replicas).toBe(1);
  });

  it('preflight checks the same and changes nothing', async () => {
    const file = path.join(dir, 'pre.yaml');
    await writeFile(file, matrix(locust.masterUrl, locust.targetUrl, 'stages:\n  - { users: 2, replicas: 2, workers: 1 }\n'));
    const res = await runCli(['preflight', '--matrix', file, '--log-format', 'json', '--service-account-root', saRoot], { env: podEnv('pre-pod') });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/ok: Kubernetes https:\/\/127\.0\.0\.1:\d+ namespace default \(in-cluster\): every permission the plan needs is granted/);
    expect(res.stdout).toMatch(/ok: objects exist: deployment inference \(1 replicas\), HPA inference present; deployment locust-worker \(1 replicas\)/);
    expect(res.stdout).toMatch(/ok: Locust master .*: answering, 1 workers connected/);
    expect(await readdir(dir)).not.toContain('preflight');
  });

  it('a Job pod killed mid-run and started again resumes its run: Lease taken over, leftover swarm stopped, finished stages kept, the first baseline restored', async () => {
    const { apps, coord } = admin();
    const file = path.join(dir, 'resume.yaml');
    await writeFile(
      file,
      matrix(locust.masterUrl, locust.targetUrl, 'stages:\n  - { users: 4, replicas: 2 }\n  - { users: 6, replicas: 2 }\n  - { users: 8, replicas: 2 }\n'),
    );
    const runId = 'locust-load-test-matrix-5f0c1e2a';
    const jobEnv = (pod: string) => ({ ...podEnv(pod), LOCUST_DRIVER_RUN_ID: runId, LOCUST_DRIVER_RESUME: 'auto' });
    const args = ['run', '--matrix', file, '--out', dir, '--log-format', 'json', '--service-account-root', saRoot];
    let killed = false;
    const first = await runCli(args, {
      env: jobEnv('locust-load-test-matrix-aaaaa'),
      timeoutMs: 280_000,
      onStdout: (chunk, kill) => {
        if (!killed && /"event":"sample"[^\n]*stage 2\/3/.test(chunk)) {
          killed = true;
          kill('SIGKILL');
        }
      },
    });
    expect(first.signal).toBe('SIGKILL');
    const before = JSON.parse(await readFile(path.join(dir, runId, 'run.json'), 'utf8'));
    expect(before.stages.map((s: { status: string }) => s.status)).toEqual(['completed']);
    expect((await coord.readNamespacedLease({ name: 'locust-driver', namespace: NS })).spec?.holderIdentity).toBe(`${runId}@locust-load-test-matrix-aaaaa`);
    expect((await apps.readNamespacedDeployment({ name: 'inference', namespace: NS })).spec?.replicas).toBe(2); // left scaled by the dead pod

    const second = await runCli(args, { env: jobEnv('locust-load-test-matrix-bbbbb'), timeoutMs: 280_000 });
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/still running \d+ users from the interrupted driver/);
    const run = JSON.parse(await readFile(path.join(dir, runId, 'run.json'), 'utf8'));
    expect(run.status).toBe('completed');
    expect(run.stages.map((s: { index: number; status: string }) => [s.index, s.status])).toEqual([
      [1, 'completed'],
      [2, 'completed'],
      [3, 'completed'],
    ]);
    expect(run.stages[0]).toEqual(before.stages[0]); // never run again
    expect(run.resumes).toHaveLength(1);
    expect(run.resumes[0].fromStage).toBe(2);
    expect(await settledReplicas('inference', 1)).toBe(1); // what the FIRST pod found
    expect((await coord.readNamespacedLease({ name: 'locust-driver', namespace: NS })).spec?.holderIdentity).toBeFalsy();
  });

  it('runs as the nightly CronJob in a namespace of its own: a log for people, compared with the night before', async () => {
    // k8s/ moved by a kustomize overlay that changes only `namespace:`; the matrix names none.
    const OTHER = 'ld-nightly';
    await kubectl(['create', 'namespace', OTHER]); // AlreadyExists on a rerun is fine
    const applied = await kubectl(['apply', '--server-side', '--force-conflicts', '-k', path.join(import.meta.dirname, 'overlays', 'other-namespace')]);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const otherSa = await serviceAccountRoot('locust-driver', OTHER);
    // The CronJob's own settings, as the API server stored them; only the pod's paths and the
    // run id (a $(VAR) expansion the kubelet makes) are this machine's.
    const cron = JSON.parse((await kubectl(['get', 'cronjob', 'locust-load-test-nightly', '-n', OTHER, '-o', 'json'])).stdout);
    const container = cron.spec.jobTemplate.spec.template.spec.containers.find((c: { name: string }) => c.name === 'driver');
    const fromCronJob = Object.fromEntries(
      (container.env as { name: string; value?: string }[])
        .filter((e) => e.name.startsWith('LOCUST_DRIVER_') && e.value !== undefined && !e.value.includes('$('))
        .map((e) => [e.name, e.value!]),
    );
    expect(fromCronJob).toMatchObject({ LOCUST_DRIVER_BASELINE: 'latest', LOCUST_DRIVER_RESUME: 'auto' });
    expect(fromCronJob).not.toHaveProperty('LOCUST_DRIVER_LOG_FORMAT');
    const file = path.join(dir, 'nightly.yaml');
    await writeFile(
      file,
      `version: 1\nname: nightly-e2e\nlocust: { url: ${locust.masterUrl}, expectWorkers: 1, connectTimeout: 60s }\ntarget: { host: ${locust.targetUrl}, healthPath: /healthz }\nkubernetes: { keepSummaries: 3 }\nstages:\n  - { users: 4, spawnRate: 10, duration: 5s, sampleEvery: 1s }\n`,
    );
    const night = async (n: number) => {
      const runId = `locust-load-test-nightly-2917${n}-0c1d2e3f`;
      const out = await mkdtemp(path.join(os.tmpdir(), `ld-e2e-night${n}-`)); // a fresh volume: the baseline must come from the cluster
      const env = { ...podEnv(`${runId}-x7k2p`), ...fromCronJob, LOCUST_DRIVER_MATRIX: file, LOCUST_DRIVER_OUT: out, LOCUST_DRIVER_RUN_ID: runId };
      // Loose tolerances: this compares two runs on a shared machine, not a slower target.
      const res = await runCli(['run', '--service-account-root', otherSa], {
        env: { ...env, LOCUST_DRIVER_TOLERANCE: 'p95=1000%,p99=1000%,rps=-90%,failRatio=50%' },
        timeoutMs: 280_000,
      });
      return { res, runId, out };
    };

    // The first night: nothing to compare with yet, and that is not a failure.
    const first = await night(1);
    expect(first.res.stderr).toBe('');
    expect(first.res.code).toBe(0);
    const log = first.res.stdout;
    expect(log).not.toContain('\x1b'); // no colour codes: stdout is not a terminal
    const lines = log.trimEnd().split('\n');
    expect(lines.filter((l) => l.trimStart().startsWith('{'))).toEqual([]); // no JSON
    const events = lines.slice(0, lines.indexOf(''));
    expect(events.length).toBeGreaterThan(5);
    for (const l of events) expect(l).toMatch(/^\[\d\d:\d\d:\d\d\] (INFO|WARN) {1,2}\S/);
    expect(log).toMatch(
      /\] INFO {2}Kubernetes: namespace ld-nightly at https:\/\/127\.0\.0\.1:\d+ \(in-cluster service account\), permissions checked, holding Lease locust-driver\n/,
    );
    // Locust's rolling rps/p50/p95 need ~3 s of data after the reset plus its 2-s stats cache: in a
    // 5-s hold they may still read n/a (seen with the 100-ms target pods), and that is the line's look too.
    expect(log).toMatch(
      /\] INFO {2}stage 1\/1 \[\d+s\/5s\] users=4 rps=(?:[\d.]+|n\/a) p50=(?:\d+ms|n\/a) p95=(?:\d+ms|n\/a) fail=0\.00% workers=1 \| run \d+% ~\S+ left\n/,
    );
    expect(log).toMatch(/\] WARN {2}--baseline latest: no earlier completed run of "nightly-e2e" in the cluster or in \S+; nothing to compare with\n/);
    expect(log).toContain('\n# Load test: nightly-e2e\n');
    expect(log).toMatch(/\n\| Stage \| Users \| Spawn rate \| Requests \| RPS \|.*\n\|:---\|/);
    expect(lines.slice(-3)).toEqual([
      'verdict: none (no SLO, no baseline)',
      `reports: ${path.join(first.out, first.runId)}`,
      `run summary: ConfigMap locust-driver-run-${first.runId} in namespace ld-nightly (kubectl get configmap locust-driver-run-${first.runId} -n ld-nightly -o jsonpath='{.data.run\\.json}')`,
    ]);
    // everything in the pod's namespace, nothing in default
    const { core, coord } = admin();
    expect((await core.readNamespacedConfigMap({ name: `locust-driver-run-${first.runId}`, namespace: OTHER })).metadata?.labels).toMatchObject({
      'locust-driver/matrix': 'nightly-e2e',
    });
    expect(await core.readNamespacedConfigMap({ name: `locust-driver-run-${first.runId}`, namespace: NS }).catch((e: { code?: number }) => e.code)).toBe(404);
    expect((await coord.readNamespacedLease({ name: 'locust-driver', namespace: OTHER })).spec?.holderIdentity).toBeFalsy(); // taken there, released

    // The next night compares with the first night's summary ConfigMap.
    const second = await night(2);
    expect(second.res.stderr).toBe('');
    expect(second.res.code).toBe(0);
    const end = second.res.stdout.trimEnd().split('\n');
    expect(second.res.stdout).toContain(`\n- **Verdict:** none (no SLO; no regression against \`${first.runId}\`)\n`);
    expect(second.res.stdout).toContain(`\n## Comparison with \`${first.runId}\`\n`);
    expect(end.at(-4)).toBe(`verdict: none (no SLO; no regression against ${first.runId})`);
    expect(end.at(-3)).toMatch(new RegExp(`^comparison: no regression: 1 stage compared with ${first.runId} within tolerances p95 `));
    expect(end.slice(-2)).toEqual([
      `reports: ${path.join(second.out, second.runId)}`,
      `run summary: ConfigMap locust-driver-run-${second.runId} in namespace ld-nightly (kubectl get configmap locust-driver-run-${second.runId} -n ld-nightly -o jsonpath='{.data.run\\.json}')`,
    ]);
  });
});
