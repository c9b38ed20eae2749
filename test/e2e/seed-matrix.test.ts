// The seed's matrix (k8s/driver-job.yaml's ConfigMap: replicas × workers × users), scaled down to
// fit this 2-core machine, run by the driver as in its pod, through the real controllers: the
// Deployment/ReplicaSet controllers make the target's and the workers' pods, the scheduler binds
// them, kwok starts them, and the harness runs a real process per live pod — a Locust worker per
// worker pod, a sample service per target pod behind a balancer, each pod's CPU following its
// process. What this proves: throughput really grows with the target's replicas, and the reports
// show the replicas as the controllers made them.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ROOT, runCli } from '../integration/helpers.js';
import { kubectl, podEnv } from './kube.js';
import { observePods } from './pod-observer.js';
import { startPodsHarness, type PodsHarness } from './pods-harness.js';

const REPLICAS = [1, 2, 4];
const WORKERS = [1, 2];
const USERS = [10, 30, 60];

/** The seed's matrix with only its axes and times shrunk: same target, HPA, workers and shape. */
async function seedMatrix(master: string, target: string): Promise<string> {
  const seedJob = await readFile(path.join(ROOT, 'k8s', 'driver-job.yaml'), 'utf8');
  const cm = seedJob
    .split(/^---$/m)
    .map((d) => parseYaml(d) as { kind?: string; data?: Record<string, string> } | null)
    .find((d) => d?.kind === 'ConfigMap');
  const seed = parseYaml(cm!.data!['matrix.yaml']!) as Record<string, Record<string, unknown>>;
  // The shape this test shrinks must still be the seed's: three axes over the same two Deployments.
  expect(Object.keys(seed.matrix!)).toEqual(['replicas', 'workers', 'users']);
  expect(seed.kubernetes).toMatchObject({ target: { deployment: 'inference', hpa: 'inference' }, workers: { deployment: 'locust-worker' } });
  return JSON.stringify({
    ...seed,
    name: 'inference-capacity-scaled-down',
    locust: { ...seed.locust, url: master, expectWorkers: 1, connectTimeout: '60s' },
    target: { ...seed.target, host: target },
    kubernetes: { ...seed.kubernetes, keepSummaries: 2 },
    // Holds of 3 s, cooldowns of 1 s (the seed: 120 s and 15 s); all 60 users start within 1 s.
    defaults: { ...seed.defaults, spawnRate: 60, duration: '3s', cooldown: '1s', sampleEvery: '1s', scaleTimeout: '60s', rampTimeout: '30s' },
    matrix: { replicas: REPLICAS, workers: WORKERS, users: USERS },
  });
}

interface Stage {
  index: number;
  replicas: number;
  workers: number;
  users: number;
  status: string;
  prepareMs: number;
  totals: { requests: number; rps: number; p50Ms: number; p95Ms: number; failRatio: number };
  samples: { at: string; replicasReady: number | null; replicasDesired: number | null; hpaCpuPercent: number | null }[];
}

/** summary.md's stage table, as rows of cells by column name. */
function summaryRows(md: string): Record<string, string>[] {
  const lines = md.split('\n');
  const head = lines.findIndex((l) => l.startsWith('| Stage |'));
  const cells = (l: string) =>
    l
      .slice(1, -1)
      .split('|')
      .map((c) => c.trim());
  const names = cells(lines[head]!);
  const rows: Record<string, string>[] = [];
  for (const l of lines.slice(head + 2)) {
    if (!l.startsWith('|')) break;
    rows.push(Object.fromEntries(cells(l).map((c, i) => [names[i]!, c])));
  }
  return rows;
}

describe('the seed matrix, scaled down, through the real controllers', () => {
  let h: PodsHarness;
  beforeAll(async () => {
    h = await startPodsHarness('ld-e2e-seed-');
  });
  afterAll(() => h?.stop());

  it('throughput grows with the target replicas, and the reports show the replicas the controllers made', async () => {
    const { targets, locust, saRoot, dir } = h;
    const file = path.join(dir, 'seed.yaml');
    await writeFile(file, await seedMatrix(locust.masterUrl, targets.url));
    // What users see of the pods' CPU while it runs: `kubectl top pods` through metrics-server.
    const topSeen: number[] = [];
    let topping = true;
    const topLoop = (async () => {
      while (topping) {
        const top = await kubectl(['top', 'pods', '-l', 'app.kubernetes.io/name=inference', '--no-headers']);
        for (const m of top.stdout.matchAll(/^inference-\S+\s+(\d+)m\s/gm)) topSeen.push(Number(m[1]));
        await new Promise((r) => setTimeout(r, 3_000));
      }
    })();
    const podsSeen = observePods('inference');
    const t0 = Date.now();
    const res = await runCli(['run', '--matrix', file, '--out', dir, '--run-id', 'seed', '--log-format', 'json', '--service-account-root', saRoot], {
      env: podEnv('locust-load-test-matrix-s33d1'),
      timeoutMs: 280_000,
    });
    const runMs = Date.now() - t0;
    topping = false;
    await topLoop;
    const seen = await podsSeen.stop();
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);

    const run = JSON.parse(await readFile(path.join(dir, 'seed', 'run.json'), 'utf8')) as { status: string; stages: Stage[] };
    expect(run.status).toBe('completed');
    expect(run.stages.map((s) => [s.replicas, s.workers, s.users, s.status])).toEqual(
      REPLICAS.flatMap((r) => WORKERS.flatMap((w) => USERS.map((u) => [r, w, u, 'completed']))),
    );

    // The throughput by replicas, from summary.md (what a person reads), printed for the record.
    const rows = summaryRows(await readFile(path.join(dir, 'seed', 'summary.md'), 'utf8'));
    expect(rows).toHaveLength(run.stages.length);
    const rps = (r: number, w: number, u: number) => {
      const row = rows.find((x) => x.Replicas === String(r) && x.Workers === String(w) && x.Users === String(u));
      return Number(row!.RPS);
    };
    const p95 = (r: number, w: number, u: number) => run.stages.find((s) => s.replicas === r && s.workers === w && s.users === u)!.totals.p95Ms;
    const table = [
      `throughput by target replicas (RPS from summary.md; p95 ms), run ${Math.round(runMs / 1000)} s:`,
      `| users | workers | ${REPLICAS.map((r) => `${r} replica${r === 1 ? '' : 's'}`).join(' | ')} |`,
      `|---:|---:|${REPLICAS.map(() => '---:').join('|')}|`,
      ...USERS.flatMap((u) => WORKERS.map((w) => `| ${u} | ${w} | ${REPLICAS.map((r) => `${rps(r, w, u)} (p95 ${p95(r, w, u)})`).join(' | ')} |`)),
    ].join('\n');
    console.log(table);

    // At the highest user count the target is the bottleneck: each replica serves ~10 /predict/s
    // (TARGET_POD_ARGS) plus the instant /healthz and /metrics, the users offer ~50/s. Stages that
    // differ only in replicas: 1 < 2 < 4, by margins that a loaded machine keeps (measured 13 → 31
    // → 50 RPS with 1 worker, 15 → 23 → 48 with 2; 3-s windows are noisy, hence not 2× each).
    const top = USERS.at(-1)!;
    for (const w of WORKERS) {
      expect(rps(2, w, top)).toBeGreaterThan(rps(1, w, top) * 1.3);
      expect(rps(4, w, top)).toBeGreaterThan(rps(2, w, top) * 1.3);
      expect(p95(4, w, top)).toBeLessThan(p95(1, w, top)); // and the queue shrinks with them
    }
    // Every stage really ran without failures (a 502 from the balancer would be one).
    for (const s of run.stages) expect(s.totals.failRatio).toBe(0);

    // The replicas over time, as the controllers made them: each stage's samples (replicas.csv,
    // report.html's chart) show the ready count the Deployment controller reported, rising 1 → 2 → 4.
    const readyOverTime = run.stages.flatMap((s) => s.samples.map((x) => ({ at: Date.parse(x.at), ready: x.replicasReady, stage: s })));
    for (const x of readyOverTime) expect(x.ready).toBe(x.stage.replicas);
    const sorted = [...readyOverTime].sort((a, b) => a.at - b.at).map((x) => x.ready);
    expect(sorted.filter((n, i) => i === 0 || n !== sorted[i - 1])).toEqual(REPLICAS);
    const csv = await readFile(path.join(dir, 'seed', 'stages', '13-replicas-4-workers-1-users-10', 'replicas.csv'), 'utf8');
    expect(csv.split('\n')[0]).toBe('at,elapsed_s,target_ready,target_desired,hpa_current,hpa_desired,hpa_cpu_pct,locust_workers');
    expect(csv).toMatch(/\n[^,]+,[\d.]+,4,4,4,4,\d+,1\n/);
    const html = await readFile(path.join(dir, 'seed', 'report.html'), 'utf8');
    expect(html).toContain('Target replicas over the run: ready, desired and HPA desired');
    // The scale-ups took real time: pods were made, scheduled and started (kwok) before the stage ran.
    const firstAt = (r: number) => run.stages.find((s) => s.replicas === r)!;
    expect(firstAt(2).prepareMs).toBeGreaterThan(0);
    expect(firstAt(4).prepareMs).toBeGreaterThan(0);

    // Those pods were the controllers' (a ReplicaSet of inference, a fake node, Running and Ready),
    // and each had a real process that took requests from the balancer.
    const real = seen.filter((p) => p.deployment === 'inference' && p.replicaSet !== null && /^kwok-node-\d+$/.test(p.node ?? '') && p.readySeen);
    expect(real.length).toBeGreaterThanOrEqual(4);
    const relayed = targets.balancer.relayedByBackend();
    const served = real.filter((p) => (relayed[p.name] ?? 0) > 0);
    expect(served.length).toBeGreaterThanOrEqual(4);

    // The pods' CPU followed the load: the cluster (metrics-server, as `kubectl top` shows it, and the
    // HPA's utilization in the samples) saw a loaded replica's real CPU, far above an idle process's.
    const hpaCpu = run.stages.flatMap((s) => s.samples.map((x) => x.hpaCpuPercent ?? 0));
    const written = [...targets.cpuWritten.values()].flat();
    console.log(
      `pod CPU: kubectl top max ${Math.max(...topSeen)}m (${topSeen.length} readings), HPA utilization max ${Math.max(...hpaCpu)} %, harness wrote ${Math.min(...written)}m..${Math.max(...written)}m`,
    );
    expect(Math.max(...topSeen)).toBeGreaterThanOrEqual(30);
    expect(Math.max(...hpaCpu)).toBeGreaterThanOrEqual(12); // 30m of the 250m request
    expect(Math.min(...written)).toBeLessThan(15); // idle replicas read low: the CPU is measured, not fixed
  });
});
