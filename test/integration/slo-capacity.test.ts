// Verdicts against the real thing: Locust 2.47.0 (master + 2 workers) and the sample service with a
// known capacity. Its /predict serves `concurrency` requests at a time, `serviceMs` each, so it holds
// concurrency × 1000 / serviceMs predictions per second; the locustfile's users send about one
// request per second each, 80 % of them /predict — so latency climbs past about
// capacity / 0.8 users.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/adapters/local/stack.js';
import { ROOT, locustBin, runCli } from './helpers.js';
import { mkdir } from 'node:fs/promises';

const CONCURRENCY = 1;
const SERVICE_MS = 40;
const PREDICT_PER_S = (CONCURRENCY * 1000) / SERVICE_MS; // 25
const KNEE_USERS = PREDICT_PER_S / 0.8; // ≈ 31 users

describe(`SLOs and capacity against a sample service that holds ${PREDICT_PER_S} predictions/s`, () => {
  let stack: LocalStack;
  let dir: string;

  beforeAll(async () => {
    stack = await startLocalStack({ workers: 2, locustBin: locustBin('2.47.0'), target: { concurrency: CONCURRENCY, serviceMs: SERVICE_MS } });
    dir = await mkdtemp(path.join(os.tmpdir(), 'ld-slo-'));
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('holds at low load and breaks at high load: exit 1, the breaching stage and threshold named everywhere', async () => {
    const file = path.join(dir, 'slo.yaml');
    await writeFile(
      file,
      `version: 1\nname: slo-demo\ntarget: { host: ${stack.targetUrl} }\nslo: { p95: 300ms, failRatio: 1% }\ndefaults: { duration: 10s, cooldown: 1s, spawnRate: 20 }\nstages:\n  - { name: light, users: 8 }\n  - { name: overload, users: 80 }\n`,
    );
    const res = await runCli(['run', '--matrix', file, '--master', stack.masterUrl, '--out', dir, '--run-id', 'slo', '--log-format', 'json']);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/stage 2\/2 completed: .*SLO BREACHED: p95 \d+ ms > 300 ms/);
    expect(res.stdout).toMatch(/verdict FAIL/);
    const run = JSON.parse(await readFile(path.join(dir, 'slo', 'run.json'), 'utf8'));
    expect(run.verdict).toBe('fail');
    expect(run.stages[0].slo.every((v: { pass: boolean }) => v.pass)).toBe(true);
    expect(run.stages[1].slo.find((v: { metric: string }) => v.metric === 'p95')).toMatchObject({ pass: false, threshold: 300 });
    const md = await readFile(path.join(dir, 'slo', 'summary.md'), 'utf8');
    expect(md).toMatch(/overload/);
    expect(md).toMatch(/p95 \d+ ms > 300 ms/);
    const junit = await readFile(path.join(dir, 'slo', 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testcase [^>]*name="02 overload · p95[^"]*"[^>]*>\s*<failure message="p95 \d+ ms &gt; 300 ms"/);
    const html = await readFile(path.join(dir, 'slo', 'report.html'), 'utf8');
    expect(html).toMatch(/overload/);
    expect(html).toMatch(/p95 \d+ ms &gt; 300 ms/);
  });

  it('finds the capacity within the requested precision of what the settings say', async () => {
    const file = path.join(dir, 'cap.yaml');
    const precision = 6;
    await writeFile(
      file,
      `version: 1\nname: cap-demo\ntarget: { host: ${stack.targetUrl} }\nslo: { p95: 200ms }\ncapacity: { users: { start: 8, max: 128 }, factor: 2, precision: ${precision} }\ndefaults: { duration: 12s, cooldown: 1s, spawnRate: 20 }\n`,
    );
    const res = await runCli(['run', '--matrix', file, '--master', stack.masterUrl, '--out', dir, '--run-id', 'cap', '--log-format', 'json'], {
      timeoutMs: 600_000,
    });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const run = JSON.parse(await readFile(path.join(dir, 'cap', 'run.json'), 'utf8'));
    const c = run.capacity as { users: number; breachedAt: number; probes: { users: number; pass: boolean }[]; reason: string };
    await mkdir(path.join(ROOT, 'test-results'), { recursive: true });
    await writeFile(path.join(ROOT, 'test-results', 'capacity.json'), `${JSON.stringify({ expectedKneeUsers: KNEE_USERS, ...c }, null, 2)}\n`);
    // the search itself: bracket within the precision, every probe a stage
    expect(c.breachedAt - c.users).toBeLessThanOrEqual(precision);
    expect(run.stages).toHaveLength(c.probes.length);
    expect(res.stdout).toMatch(/capacity: \d+ users meet the SLO; \d+ breach it/);
    // and the answer is where the service's settings put the knee
    expect(c.users).toBeGreaterThanOrEqual(Math.floor(KNEE_USERS * 0.7));
    expect(c.users).toBeLessThanOrEqual(Math.ceil(KNEE_USERS * 1.3));
  });
});
