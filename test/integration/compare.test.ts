// compare and report through the built CLI (dist/main.js), on run folders written from the realistic
// fake RunRecord: no Locust needed.
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runJson } from '../../src/adapters/report/run-json.js';
import type { RunRecord } from '../../src/core/model.js';
import { makeRunRecord, makeStage, makeTotals } from '../fakes/run-record.js';
import { runCli } from './helpers.js';

async function writeRun(dir: string, run: RunRecord): Promise<string> {
  const folder = path.join(dir, run.runId);
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'run.json'), runJson(run));
  return folder;
}

describe('compare and report (built CLI, generated run.json)', () => {
  let dir: string;
  let baseline: string;
  let identical: string;
  let slower: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ld-compare-'));
    baseline = await writeRun(dir, makeRunRecord({ runId: 'nightly-1' }));
    identical = await writeRun(dir, makeRunRecord({ runId: 'nightly-2' }));
    // A deliberately slower service: stage 2 (200 users) p95 110 → 150 ms, throughput 389.7 → 350 req/s.
    const slow = makeRunRecord({ runId: 'nightly-3' });
    slow.stages = slow.stages.map((s) => (s.index === 2 ? { ...s, totals: makeTotals({ ...(s.totals ?? {}), p95Ms: 150, rps: 350 }) } : s));
    slower = await writeRun(dir, slow);
  });

  it('passes an identical run (exit 0)', async () => {
    const res = await runCli(['compare', baseline, identical]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(
      '- **Result:** no regression – no regression: 3 stages compared with nightly-1 within tolerances p95 +10 %, p99 +15 %, rps -5 %, failRatio +1 pp',
    );
    expect(res.stdout).toMatch(/\| 2 · u200 \| `users=200 spawnRate=20 duration=2m` \| 110 → 110 \(\+0\.0 %\) \|.*\| ok \|/);
  });

  it('flags a slower run as a regression (exit 1), naming the stage and the metric', async () => {
    const res = await runCli(['compare', baseline, path.join(slower, 'run.json')]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(1);
    expect(res.stdout).toContain(
      '- **Result:** **regression** – regression in 1 of 3 compared stages against nightly-1: stage 2 · u200: p95 +36.4 % (110 → 150 ms) > +10 %; rps -10.2 % (389.7 → 350.0 req/s) < -5 %',
    );
    expect(res.stdout).toMatch(/\| 2 · u200 \|.*\| 110 → 150 \(\*\*\+36\.4 %\*\*\) \|.*\| \*\*regression\*\* \|/);
  });

  it('applies --tolerance: a generous one passes the slower run', async () => {
    const res = await runCli(['compare', baseline, slower, '--tolerance', 'p95=50%', '--tolerance', 'rps=-20%']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('within tolerances p95 +50 %, rps -20 %');
  });

  it('rejects bad input with one line and exit 2', async () => {
    const missing = await runCli(['compare', baseline, path.join(dir, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`locust-driver: ${path.join(dir, 'nope')}: no such run folder or run.json\n`);

    const broken = path.join(dir, 'broken');
    await mkdir(broken, { recursive: true });
    await writeFile(path.join(broken, 'run.json'), JSON.stringify({ ...makeRunRecord(), status: 'done' }));
    const invalid = await runCli(['compare', baseline, broken]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/^locust-driver: .*broken\/run\.json: not a locust-driver run\.json: status: /);
    expect(invalid.stderr.trim().split('\n')).toHaveLength(1);

    const tol = await runCli(['compare', baseline, identical, '--tolerance', 'p95=lots']);
    expect(tol.code).toBe(2);
    expect(tol.stderr).toMatch(/--tolerance "p95=lots": "lots" is not a tolerance/);
  });

  it('report recreates the human reports from run.json', async () => {
    for (const f of ['summary.md', 'junit.xml', 'summary.csv']) await rm(path.join(slower, f), { force: true });
    const res = await runCli(['report', slower]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`wrote ${path.join(slower, 'summary.md')}`);
    const md = await readFile(path.join(slower, 'summary.md'), 'utf8');
    expect(md.startsWith('# Load test: inference-capacity\n')).toBe(true);
    expect(md).toContain('`nightly-3`');
    const xml = await readFile(path.join(slower, 'junit.xml'), 'utf8');
    expect(xml).toMatch(/<testsuite name="inference-capacity" tests="3" failures="0" errors="0" skipped="0"/);
    expect(xml).toContain('name="02 u200"');
    expect((await readFile(path.join(slower, 'summary.csv'), 'utf8')).split('\n')[0]).toMatch(/^Replicas,Workers,Users,RPS,/);
    expect((await stat(path.join(slower, 'report.html'))).size).toBeGreaterThan(1000);
  });

  it('report on a folder without run.json is a usage error', async () => {
    const empty = path.join(dir, 'empty');
    await mkdir(empty, { recursive: true });
    const res = await runCli(['report', empty]);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(`locust-driver: ${empty}: no run.json in this folder — pass a run folder (<out>/<run-id>/) or its run.json\n`);
  });
});

describe('run --baseline (embedded stack)', () => {
  const matrix = 'version: 1\nname: baseline-demo\ndefaults: { duration: 6s, cooldown: 1s, spawnRate: 20 }\nstages:\n  - { name: light, users: 5 }\n';

  /** A finished run of the same matrix whose single stage (same parameters) had the given numbers. */
  function fakeBaseline(runId: string, name: string, startedAt: string, totals: Partial<Parameters<typeof makeTotals>[0]>): RunRecord {
    const stage = makeStage({ index: 1, users: 5, totals: makeTotals(totals) }, { name: 'light', slug: 'light', plannedDurationMs: 6_000 });
    return makeRunRecord({ runId, name, startedAt, stages: [stage] });
  }

  it('latest: compares with the newest completed run of the same matrix; a regression exits 1 and is in the reports', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ld-baseline-'));
    const file = path.join(dir, 'm.yaml');
    await writeFile(file, matrix);
    // Impossibly fast earlier runs: any real run regresses against them. The newest one must be chosen,
    // not the other matrix's nor the older one.
    await writeRun(dir, fakeBaseline('older', 'baseline-demo', '2026-01-01T00:00:00.000Z', { p95Ms: 100_000, p99Ms: 100_000, rps: 0.01 }));
    await writeRun(dir, fakeBaseline('fast', 'baseline-demo', '2026-02-01T00:00:00.000Z', { p95Ms: 0.5, p99Ms: 0.5, rps: 5_000 }));
    await writeRun(dir, fakeBaseline('other-matrix', 'something-else', '2026-03-01T00:00:00.000Z', { p95Ms: 100_000, p99Ms: 100_000, rps: 0.01 }));
    const res = await runCli(['run', '--matrix', file, '--out', dir, '--run-id', 'now', '--baseline', 'latest', '--log-format', 'json']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/"event":"comparison".*comparison with fast: REGRESSION: regression in 1 of 1 compared stage against fast: stage 1 · light: /);
    const run = JSON.parse(await readFile(path.join(dir, 'now', 'run.json'), 'utf8')) as RunRecord;
    expect(run.verdict).toBe('fail');
    expect(run.comparison).toMatchObject({ baselineRunId: 'fast', regression: true });
    expect(run.comparison?.stages[0]).toMatchObject({ key: 'users=5 spawnRate=20 duration=6s', baselineIndex: 1, currentIndex: 1, regression: true });
    const md = await readFile(path.join(dir, 'now', 'summary.md'), 'utf8');
    expect(md).toContain('## Comparison with `fast`');
    expect(md).toContain('- **Verdict:** **fail** – **regression** against `fast`');
  });

  it('an explicit baseline that was slower passes (exit 0); a missing one is a usage error before anything starts', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ld-baseline-'));
    const file = path.join(dir, 'm.yaml');
    await writeFile(file, matrix);
    const slow = await writeRun(dir, fakeBaseline('slow', 'baseline-demo', '2026-02-01T00:00:00.000Z', { p95Ms: 100_000, p99Ms: 100_000, rps: 0.01 }));
    const missing = await runCli(['run', '--matrix', file, '--out', dir, '--baseline', path.join(dir, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`locust-driver: ${path.join(dir, 'nope')}: no such run folder or run.json\n`);
    expect(missing.stdout).toBe('');
    const res = await runCli(['run', '--matrix', file, '--out', dir, '--run-id', 'now', '--baseline', path.join(slow, 'run.json'), '--log-format', 'json']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/comparison with slow: no regression: 1 stage compared with slow/);
    const run = JSON.parse(await readFile(path.join(dir, 'now', 'run.json'), 'utf8')) as RunRecord;
    expect(run.comparison).toMatchObject({ baselineRunId: 'slow', regression: false });
    expect(run.verdict).toBe('none');
  });
});
