// Did last night's build get slower? Real runs against the sample service: an identical rerun
// passes the comparison, a deliberately slower service (3× its service time) is a regression.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLocalStack } from '../../src/adapters/local/stack.js';
import { locustBin, runCli } from './helpers.js';

// Real runs differ a little from one another (Locust's random think time): tolerances wide enough
// for that, narrow enough that a 3× slower service cannot pass.
const TOLERANCES = ['--tolerance', 'p95=30%', '--tolerance', 'rps=-20%'];

async function runAgainst(slowdown: number, dir: string, runId: string, extra: string[] = []) {
  const stack = await startLocalStack({ workers: 2, locustBin: locustBin('2.47.0'), target: { concurrency: 4, serviceMs: 25, slowdown } });
  try {
    const file = path.join(dir, 'nightly.yaml');
    await writeFile(
      file,
      `version: 1\nname: nightly\ntarget: { host: ${stack.targetUrl} }\ndefaults: { duration: 12s, cooldown: 1s, spawnRate: 20 }\nstages:\n  - { users: 20 }\n`,
    );
    return await runCli(['run', '--matrix', file, '--master', stack.masterUrl, '--out', dir, '--run-id', runId, '--log-format', 'json', ...extra]);
  } finally {
    await stack.stop();
  }
}

describe('comparison with an earlier run', () => {
  it('passes an identical rerun and flags a slower build as a regression (exit 1)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ld-cmp-'));
    const base = await runAgainst(1, dir, 'n1-base');
    expect(base.code).toBe(0);
    const same = await runAgainst(1, dir, 'n2-same', ['--baseline', 'latest', ...TOLERANCES]);
    expect(same.stderr).toBe('');
    expect(same.code).toBe(0);
    const sameRun = JSON.parse(await readFile(path.join(dir, 'n2-same', 'run.json'), 'utf8'));
    expect(sameRun.comparison).toMatchObject({ baselineRunId: 'n1-base', regression: false });

    const slow = await runAgainst(3, dir, 'n3-slow', ['--baseline', path.join(dir, 'n1-base'), ...TOLERANCES]);
    expect(slow.code).toBe(1);
    const slowRun = JSON.parse(await readFile(path.join(dir, 'n3-slow', 'run.json'), 'utf8'));
    expect(slowRun.verdict).toBe('fail');
    expect(slowRun.comparison.regression).toBe(true);
    expect(JSON.stringify(slowRun.comparison.stages[0].deltas)).toMatch(/p95/);
    expect(await readFile(path.join(dir, 'n3-slow', 'summary.md'), 'utf8')).toMatch(/regress/i);

    // the same verdict from the compare command, on the saved runs
    const cmp = await runCli(['compare', path.join(dir, 'n1-base'), path.join(dir, 'n3-slow'), ...TOLERANCES]);
    expect(cmp.code).toBe(1);
    expect(cmp.stdout).toMatch(/p95/);
    const ok = await runCli(['compare', path.join(dir, 'n1-base'), path.join(dir, 'n2-same'), ...TOLERANCES]);
    expect(ok.code).toBe(0);
  });
});
