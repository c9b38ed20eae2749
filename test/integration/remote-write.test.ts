// Remote write against a real Prometheus (built from the Go module proxy, cached): after a run on the
// embedded stack, PromQL returns the run's series with run.json's values and the Grafana dashboard's
// queries return data; a Prometheus killed mid-run leaves the run's windows and numbers as planned
// and the drops counted in run.json. Credentials (a bearer token from the environment) appear nowhere.
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunRecordSchema } from '../../src/core/run-schema.js';
import type { RunRecord } from '../../src/core/model.js';
import { ROOT, runCli } from './helpers.js';
import { startPrometheus, type Prometheus } from './prometheus.js';

const TOKEN = 'tok-3f9c1d-never-print-me';

const matrix = (name: string, url: string) => `version: 1
name: ${name}
defaults: { duration: 8s, cooldown: 1s, sampleEvery: 1s, spawnRate: 20 }
metrics:
  remoteWrite: { url: ${url}, bearerTokenEnv: PROM_TOKEN, retries: 2, timeout: 1s, flushTimeout: 3s }
  labels: { team: perf }
matrix:
  users: [5, 15]
`;

async function runWith(dir: string, name: string, url: string, onStdout?: NonNullable<Parameters<typeof runCli>[1]>['onStdout']) {
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(file, matrix(name, url));
  const res = await runCli(['run', '--matrix', file, '--out', dir, '--run-id', name, '--log-format', 'json', '--metrics-label', 'env=ci'], {
    env: { PROM_TOKEN: TOKEN },
    ...(onStdout ? { onStdout } : {}),
  });
  const run = RunRecordSchema.parse(JSON.parse(await readFile(path.join(dir, name, 'run.json'), 'utf8')));
  return { res, run };
}

/** Every file of the run folder, for the check that the token is in none of them. */
async function allText(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  const texts = await Promise.all(names.filter((d) => d.isFile()).map((d) => readFile(path.join(d.parentPath, d.name), 'utf8')));
  return texts.join('\n');
}

function expectPlannedWindows(run: RunRecord): void {
  expect(run.status).toBe('completed');
  expect(run.stages.map((s) => s.status)).toEqual(['completed', 'completed']);
  for (const s of run.stages) {
    const ms = Date.parse(s.window!.end) - Date.parse(s.window!.start);
    expect(ms).toBeGreaterThanOrEqual(8_000 - 150);
    expect(ms).toBeLessThan(8_000 + 1_000);
    expect(s.totals!.requests).toBeGreaterThan(0);
    expect(s.samples.length).toBeGreaterThanOrEqual(3); // sampleEvery has a 2 s floor (the master memoizes its stats)
  }
}

describe('Prometheus remote write, against a real Prometheus', () => {
  let prom: Prometheus;
  let dir: string;
  /** How long the healthy run took, for the run whose receiver dies. */
  let healthyMs = 0;

  beforeAll(async () => {
    prom = await startPrometheus();
    dir = await mkdtemp(path.join(os.tmpdir(), 'ld-rw-'));
  });
  afterAll(async () => {
    await prom?.stop();
  });

  it("PromQL returns the run's series with run.json's values, and the dashboard's queries return data", async () => {
    const { res, run } = await runWith(dir, 'rw', prom.writeUrl);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expectPlannedWindows(run);
    healthyMs = res.ms;
    expect(run.remoteWrite).not.toBeNull();
    expect(run.remoteWrite!.dropped).toBe(0);
    expect(run.remoteWrite!.sent).toBeGreaterThan(50);
    expect(`${res.stdout}\n${await allText(path.join(dir, 'rw'))}`).not.toContain(TOKEN);

    const rps = await prom.query('locust_driver_stage_rps{run_id="rw"}');
    expect(rps).toHaveLength(2);
    for (const s of run.stages) {
      const found = rps.find((r) => r.metric.stage_index === String(s.index))!;
      expect(found.metric).toMatchObject({ run_id: 'rw', matrix: 'rw', stage: s.name, users: String(s.users), team: 'perf', env: 'ci' });
      expect(Number(found.value[1])).toBeCloseTo(s.totals!.rps, 9);
      const [requests] = await prom.query(`locust_driver_stage_requests{run_id="rw",stage_index="${s.index}"}`);
      expect(Number(requests!.value[1])).toBe(s.totals!.requests);
      const [p95] = await prom.query(`locust_driver_stage_response_time_seconds{run_id="rw",stage_index="${s.index}",quantile="0.95"}`);
      expect(Number(p95!.value[1]) * 1000).toBeCloseTo(s.totals!.p95Ms!, 6);
      // every sample of the stage, at its own time
      const [count] = await prom.query(`count_over_time(locust_driver_sample_users{run_id="rw",stage_index="${s.index}"}[10m])`);
      expect(Number(count!.value[1])).toBe(s.samples.length);
      const [users] = await prom.query(`max_over_time(locust_driver_sample_users{run_id="rw",stage_index="${s.index}"}[10m])`);
      expect(Number(users!.value[1])).toBe(Math.max(...s.samples.map((x) => x.users)));
    }
    const [info] = await prom.query('locust_driver_run_info{run_id="rw"}');
    expect(info!.metric).toMatchObject({ status: 'completed', verdict: run.verdict });

    // metrics.prom holds the same numbers
    const om = await readFile(path.join(dir, 'rw', 'metrics.prom'), 'utf8');
    expect(om).toContain(
      `locust_driver_stage_requests{env="ci",matrix="rw",run_id="rw",stage="${run.stages[0]!.name}",stage_index="1",team="perf",users="5"} ${run.stages[0]!.totals!.requests}`,
    );
    expect(om.endsWith('# EOF\n')).toBe(true);

    // The dashboard: every panel's and annotation's query returns data for this run over its time span.
    const dash = JSON.parse(await readFile(path.join(ROOT, 'k8s', 'grafana-dashboard.json'), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
      annotations: { list: { expr: string }[] };
      templating: { list: { name: string; definition?: string }[] };
    };
    const start = Date.parse(run.startedAt) / 1000 - 5;
    const end = Date.parse(run.finishedAt!) / 1000 + 5;
    const range = `${Math.ceil(end - start)}s`;
    const exprs = [
      ...dash.panels.flatMap((p) => p.targets.map((t) => ({ title: p.title, expr: t.expr }))),
      ...dash.annotations.list.map((a) => ({ title: 'annotation', expr: a.expr })),
    ];
    const empty: string[] = [];
    for (const { title, expr } of exprs) {
      if (expr.includes('replicas') || expr.includes('hpa')) continue; // only a managed cluster has these (the e2e tier)
      const q = expr.replaceAll('$run_id', 'rw').replaceAll('$__range', range);
      const result = await prom.queryRange(q, start, end, 1);
      if (result.length === 0) empty.push(`${title}: ${q}`);
    }
    expect(empty).toEqual([]);
    const runs = await fetch(`${prom.url}/api/v1/label/run_id/values?match[]=locust_driver_run_info`).then((r) => r.json() as Promise<{ data: string[] }>);
    expect(runs.data).toContain('rw'); // the dashboard's run_id variable
  });

  it('a Prometheus killed mid-run: the windows and numbers are as planned, the drops are counted in run.json and warned about', async () => {
    const down = await startPrometheus();
    let killed = false;
    const { res, run } = await runWith(dir, 'rw-down', down.writeUrl, (chunk) => {
      // once the first stage has ended (its series sent), the receiver goes away
      if (!killed && chunk.includes('"event":"stage-finished"')) {
        killed = true;
        void down.stop();
      }
    });
    expect(killed).toBe(true);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expectPlannedWindows(run);
    expect(run.remoteWrite!.sent).toBeGreaterThan(0);
    expect(run.remoteWrite!.dropped).toBeGreaterThan(0);
    const warnings = res.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: string; msg: string })
      .filter((l) => l.level === 'warn' && l.msg.startsWith('remote write: dropped'));
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings.at(-1)!.msg).toContain(`${run.remoteWrite!.dropped} dropped in all`);
    expect(`${res.stdout}\n${await allText(path.join(dir, 'rw-down'))}`).not.toContain(TOKEN);
    // The run's end waited at most flushTimeout (3 s) for the dead receiver.
    const lastStageEnd = Date.parse(run.stages.at(-1)!.finishedAt);
    expect(Date.parse(run.finishedAt!) - lastStageEnd).toBeLessThan(1_500);
    // and the whole run took about as long as the healthy one (plus at most that flush deadline)
    if (healthyMs > 0) expect(res.ms).toBeLessThan(healthyMs + 3_000 + 2_000);
  });
});
