// Regression against noise on real runs: two runs of the same build (A/A) are not a regression,
// a target 30 % slower is — judged with the default tolerances and each stage's measured noise
// (95 % batch-means intervals, which need stages of about 30 s: a fresh count every ~3 s). The same
// runs show the statistics of a flat service: intervals, and no drift.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLocalStack } from '../../src/adapters/local/stack.js';
import { RunRecordSchema } from '../../src/core/run-schema.js';
import { locustBin, runCli } from './helpers.js';

async function runAgainst(slowdown: number, dir: string, runId: string, extra: string[] = []) {
  const stack = await startLocalStack({ workers: 2, locustBin: locustBin('2.47.0'), target: { concurrency: 4, serviceMs: 25, slowdown } });
  try {
    const file = path.join(dir, 'noise.yaml');
    await writeFile(
      file,
      `version: 1\nname: noise\ntarget: { host: ${stack.targetUrl} }\ndefaults: { duration: 30s, cooldown: 1s, sampleEvery: 1s, spawnRate: 20 }\nstages:\n  - { users: 30 }\n`,
    );
    const res = await runCli(['run', '--matrix', file, '--master', stack.masterUrl, '--out', dir, '--run-id', runId, '--log-format', 'json', ...extra]);
    return { res, run: RunRecordSchema.parse(JSON.parse(await readFile(path.join(dir, runId, 'run.json'), 'utf8'))) };
  } finally {
    await stack.stop();
  }
}

describe('regression against noise (real runs, default tolerances)', () => {
  it('an A/A rerun is no regression; a 30 % slower target is, and the reasons name the noise', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ld-noise-'));
    const a = await runAgainst(1, dir, 'a1');
    expect(a.res.code).toBe(0);
    const stage = a.run.stages[0];
    const st = stage?.stats;
    // A flat service over 30 s: enough sub-windows for a trend test and intervals, and no drift.
    expect(st?.subWindows.length).toBeGreaterThanOrEqual(8);
    expect(st?.steady.drifting).toBe(false);
    expect(st?.steady.verdict).toBe('steady');
    expect(st?.confidence.rps).not.toBeNull();
    expect(st?.confidence.avgMs).not.toBeNull();
    const rps = stage?.totals?.rps ?? 0;
    expect(Math.abs((st?.confidence.rps?.estimate ?? 0) - rps) / rps).toBeLessThan(0.15); // the series agrees with the window

    const aa = await runAgainst(1, dir, 'a2', ['--baseline', path.join(dir, 'a1')]);
    const slow = await runAgainst(1.3, dir, 'slow', ['--baseline', path.join(dir, 'a1')]);
    const figures = (r: typeof aa) => r.run.comparison?.stages[0]?.deltas.map((d) => d.reason);
    console.log(JSON.stringify({ aa: figures(aa), slow: figures(slow), intervals: [a, aa, slow].map((r) => r.run.stages[0]?.stats?.confidence) }));
    expect(aa.res.code).toBe(0);
    expect(aa.run.comparison?.regression).toBe(false);
    expect(aa.run.comparison?.stages[0]?.deltas.every((d) => typeof d.noise === 'number' && d.bound !== null)).toBe(true);

    expect(slow.res.code).toBe(1);
    expect(slow.run.comparison?.regression).toBe(true);
    const p95 = slow.run.comparison?.stages[0]?.deltas.find((d) => d.metric === 'p95');
    expect(p95?.regression).toBe(true);
    expect(p95?.reason).toMatch(/noise ±\d+(\.\d)? %/);
  });
});
