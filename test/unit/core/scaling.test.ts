import { describe, expect, it } from 'vitest';
import { runMatrix, type RunOptions } from '../../../src/core/run/index.js';
import type { KubernetesPlan, RunPlan, StagePlan } from '../../../src/core/model.js';
import type { RunEvent } from '../../../src/core/events.js';
import { requiredAccess } from '../../../src/core/scaling.js';
import { ManualClock } from '../../fakes/manual-clock.js';
import { FakeLocust } from '../../fakes/fake-locust.js';
import { FakeCluster } from '../../fakes/fake-cluster.js';
import { MemorySink } from '../../fakes/memory-sink.js';
import { plan as basePlan } from '../../fakes/run-setup.js';

const k8s: KubernetesPlan = {
  namespace: 'loadtest',
  target: { deployment: 'inference', hpa: 'inference' },
  workers: { deployment: 'locust-worker' },
  restore: true,
  leaseName: 'locust-driver',
  keepSummaries: 3,
};

const st = (index: number, over: Partial<StagePlan>): StagePlan => ({
  index,
  name: `s${index}`,
  slug: `s${index}`,
  users: 10,
  spawnRate: 10,
  durationMs: 10_000,
  cooldownMs: 2_000,
  sampleEveryMs: 2_000,
  rampTimeoutMs: 60_000,
  replicas: null,
  hpa: null,
  workers: null,
  scaleTimeoutMs: 30_000,
  slo: null,
  ...over,
});

const plan = (stages: StagePlan[], kube: KubernetesPlan = k8s): RunPlan =>
  basePlan(stages, {
    name: 'scaling',
    kubernetes: kube,
    locust: { url: 'http://fake-locust:8089', expectWorkers: 2, connectTimeoutMs: 10_000, requestTimeoutMs: 15_000, auth: null },
  });

function setup() {
  const clock = new ManualClock();
  const lg = new FakeLocust(clock, { workers: 2 });
  const cluster = new FakeCluster(clock);
  cluster.addDeployment('inference', 1);
  cluster.addDeployment('locust-worker', 2);
  // play the worker Deployment: the master sees as many workers as the Deployment has, once rolled out
  cluster.onScale = (name, n) => {
    if (name === 'locust-worker') void clock.sleep(3_000).then(() => (lg.workers = n));
  };
  const sink = new MemorySink();
  const events: RunEvent[] = [];
  const opts = (p: RunPlan): RunOptions => ({
    runId: 'r1',
    plan: p,
    host: null,
    healthUrl: null,
    embedded: false,
    expectWorkers: 2,
    connectTimeoutMs: 10_000,
    driverVersion: '0.1.0',
    nodeVersion: 'v24',
    holder: 'pod-a',
  });
  const go = (p: RunPlan) =>
    clock.run(runMatrix({ lg, clock, sink, emit: (e) => events.push(e), signal: new AbortController().signal, cluster }, opts(p)).then((end) => end.record));
  return { clock, lg, cluster, sink, events, go };
}

describe('stages that scale the cluster', () => {
  it('sets replicas and workers per stage, waits for readiness and the master, records it, and restores at the end', async () => {
    const { cluster, go, events } = setup();
    const record = await go(plan([st(1, { replicas: 2, workers: 4 }), st(2, { replicas: 4, workers: 4 })]));
    expect(record.status).toBe('completed');
    expect(record.stages.map((s) => [s.status, s.replicas, s.workers])).toEqual([
      ['completed', 2, 4],
      ['completed', 4, 4],
    ]);
    expect(record.stages[0]!.prepareMs).toBeGreaterThanOrEqual(3_000);
    expect(record.stages[0]!.workersSeen).toEqual({ min: 4, max: 4 });
    // what the cluster did, sampled with the stats
    const s = record.stages[1]!.samples.at(-1)!;
    expect([s.replicasReady, s.replicasDesired]).toEqual([4, 4]);
    const progress = events.find((e) => e.kind === 'sample');
    expect(progress).toBeDefined();
    expect(cluster.calls.filter((c) => c.startsWith('scale'))).toEqual([
      'scale inference 2',
      'scale locust-worker 4',
      'scale inference 4',
      'scale locust-worker 2',
      'scale inference 1',
    ]);
    expect(cluster.deployments.get('inference')!.spec).toBe(1);
    expect(cluster.deployments.get('locust-worker')!.spec).toBe(2);
    expect(record.environment.kubernetes).toMatchObject({
      namespace: 'loadtest',
      server: 'https://127.0.0.1:6443',
      inCluster: true,
      baseline: { targetReplicas: 1, workerReplicas: 2, hpaExisted: false },
    });
    expect(cluster.lease.holder).toBeNull(); // released
    expect(cluster.configMaps.map((c) => c.name)).toEqual(['locust-driver-run-r1']);
    expect(JSON.parse(cluster.configMaps[0]!.data['run.json']!).stages[0].samples).toEqual([]);
    // and the end of the log names it, in the namespace the cluster connection uses
    expect(events.find((e) => e.kind === 'run-finished')).toMatchObject({ summaryConfigMap: { name: 'locust-driver-run-r1', namespace: 'loadtest' } });
  });

  it('names no summary ConfigMap at the end when saving it failed (a warning says why)', async () => {
    const { cluster, go, events } = setup();
    cluster.saveSummary = async () => {
      throw new Error('configmaps is forbidden');
    };
    await go(plan([st(1, {})]));
    expect(events.find((e) => e.kind === 'warning' && /could not save the run summary ConfigMap: configmaps is forbidden/.test(e.message))).toBeDefined();
    expect(events.find((e) => e.kind === 'run-finished')).toMatchObject({ summaryConfigMap: null });
  });

  it('pins an existing HPA (min = max = replicas) instead of fighting it, and puts its spec back', async () => {
    const { cluster, go } = setup();
    cluster.hpas.set('inference', { min: 1, max: 8, cpu: 70, deployment: 'inference' });
    await go(plan([st(1, { replicas: 3 })]));
    expect(cluster.calls).toContain('set hpa inference 3-3 70%');
    expect(cluster.calls).toContain('restore hpa inference');
    expect(cluster.hpas.get('inference')).toMatchObject({ min: 1, max: 8, cpu: 70 });
  });

  it('puts the replicas back even when the pinned HPA scaled the target before the driver did (a real HPA controller often wins)', async () => {
    const { cluster, go } = setup();
    cluster.hpas.set('inference', { min: 1, max: 8, cpu: 70, deployment: 'inference' });
    // play the HPA controller: a pin to min = max = n moves the Deployment to n at once
    const setHpa = cluster.setHpa.bind(cluster);
    cluster.setHpa = async (name, deployment, hpa) => {
      const how = await setHpa(name, deployment, hpa);
      if (hpa.min === hpa.max) await cluster.scaleDeployment(deployment, hpa.min);
      return how;
    };
    await go(plan([st(1, { replicas: 3 })]));
    expect(cluster.calls.filter((c) => c.startsWith('scale inference'))).toEqual(['scale inference 3', 'scale inference 1']);
    expect(cluster.deployments.get('inference')!.spec).toBe(1);
  });

  it('creates an HPA for an hpa: stage, moves replicas into its range, and deletes it at the end if it was not there', async () => {
    const { cluster, go } = setup();
    const record = await go(plan([st(1, { hpa: { min: 2, max: 5, cpuPercent: 60 } })]));
    expect(record.stages[0]!.status).toBe('completed');
    expect(record.stages[0]!.hpa).toEqual({ min: 2, max: 5, cpuPercent: 60 });
    expect(cluster.calls).toContain('set hpa inference 2-5 60%');
    expect(cluster.calls).toContain('scale inference 2');
    expect(cluster.calls).toContain('delete hpa inference');
    expect(cluster.hpas.has('inference')).toBe(false);
    const s = record.stages[0]!.samples.at(-1)!;
    expect([s.hpaCurrent, s.hpaDesired, s.hpaCpuPercent]).toEqual([2, 2, 55]);
  });

  it('fails a stage whose Deployment never becomes ready within scaleTimeout, and goes on', async () => {
    const { cluster, go, lg } = setup();
    cluster.rolloutMs.set('inference', Infinity);
    const record = await go(plan([st(1, { replicas: 6, scaleTimeoutMs: 20_000 }), st(2, {})]));
    expect(record.stages[0]!.status).toBe('failed');
    expect(record.stages[0]!.reason).toBe(
      'deployment inference was not ready within scaleTimeout 20s: 1/6 available, 0 updated, 1 ready, observedGeneration 1 < generation 2',
    );
    expect(lg.calls.filter((c) => c.startsWith('swarm'))).toHaveLength(1); // only stage 2 started load
    expect(record.stages[1]!.status).toBe('completed');
    expect(cluster.deployments.get('inference')!.spec).toBe(1); // restored
  });

  it('names every missing permission at once and starts nothing (exit 3)', async () => {
    const { cluster, go, lg } = setup();
    cluster.denied.add('patch apps/deployments/scale inference');
    cluster.denied.add('create coordination.k8s.io/leases');
    const record = await go(plan([st(1, { replicas: 2 })]));
    expect(record.status).toBe('failed');
    expect(record.error).toBe(
      "the driver's Kubernetes identity lacks permissions — missing: patch deployments.apps/scale inference in loadtest; create leases.coordination.k8s.io in loadtest (apply the Role in k8s/driver-job.yaml, see docs/security.md)",
    );
    expect(lg.calls).toEqual([]);
  });

  it('refuses to run while another driver holds the Lease, naming the holder', async () => {
    const { cluster, go, lg } = setup();
    cluster.lease = { holder: 'locust-load-test-nightly-29123-abcde', renewTime: '2026-11-28T11:59:58.000000Z' };
    const record = await go(plan([st(1, {})]));
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(
      /^another locust-driver holds the Lease locust-driver in loadtest \(holder locust-load-test-nightly-29123-abcde, renewed 2026-11-28T11:59:58.000000Z\)/,
    );
    expect(lg.calls).toEqual([]);
    expect(cluster.lease.holder).toBe('locust-load-test-nightly-29123-abcde');
  });

  it('names the objects that do not exist', async () => {
    const { cluster, go } = setup();
    cluster.deployments.delete('locust-worker');
    const record = await go(plan([st(1, {})]));
    expect(record.error).toBe('missing in namespace loadtest: deployment locust-worker — create them (kubectl apply -k k8s/) or fix the kubernetes: section');
  });

  it('restores the cluster and releases the Lease even when writing a report fails', async () => {
    const { cluster, go, sink } = setup();
    sink.stageFinished = async () => {
      throw new Error('ENOSPC: no space left on device');
    };
    const record = await go(plan([st(1, { replicas: 3, workers: 3 }), st(2, {})]));
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/ENOSPC/);
    expect(cluster.deployments.get('inference')!.spec).toBe(1);
    expect(cluster.deployments.get('locust-worker')!.spec).toBe(2);
    expect(cluster.lease.holder).toBeNull();
  });

  it('keeps the Lease renewed during a long run', async () => {
    const { cluster, go } = setup();
    await go(plan([st(1, { durationMs: 60_000 })]));
    expect(cluster.calls.filter((c) => c === 'renew lease').length).toBeGreaterThanOrEqual(6);
  });

  it('asks only for the access the plan needs', () => {
    const onlyUsers = requiredAccess({ ...k8s, keepSummaries: 0 }, [st(1, {})]).map(FakeCluster.key);
    expect(onlyUsers).not.toContain('patch apps/deployments/scale inference');
    expect(onlyUsers).not.toContain('create /configmaps');
    const all = requiredAccess(k8s, [st(1, { replicas: 2, workers: 3 }), st(2, { hpa: { min: 1, max: 2, cpuPercent: 50 } })]).map(FakeCluster.key);
    expect(all).toEqual(
      expect.arrayContaining([
        'patch apps/deployments/scale inference',
        'patch apps/deployments/scale locust-worker',
        'create autoscaling/horizontalpodautoscalers',
        'delete autoscaling/horizontalpodautoscalers inference',
        'update coordination.k8s.io/leases locust-driver',
        'create /configmaps',
        'list /configmaps',
        'delete /configmaps',
      ]),
    );
  });
});
