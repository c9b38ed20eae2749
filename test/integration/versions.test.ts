// The quick run, on every Locust release in locust/test-versions.txt (one per era of the API, see
// src/adapters/locust/api-versions.ts): the built CLI against a real master + 2 workers and the
// sample service on 127.0.0.1, two short stages — so a swarm, a reset and a stop each, twice — with
// the API the driver chose for the release, the counts against what the service itself received,
// and no users left running afterwards. The whole tier runs on the releases marked "full".
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/adapters/local/stack.js';
import { apiForVersion } from '../../src/adapters/locust/api-versions.js';
import { RunRecordSchema } from '../../src/core/run-schema.js';
import { QUICK_VERSIONS, locustBin, runCli, targetCounts } from './helpers.js';

for (const version of QUICK_VERSIONS) {
  describe(`quick run on Locust ${version}`, () => {
    let stack: LocalStack;
    let dir: string;

    beforeAll(async () => {
      stack = await startLocalStack({ workers: 2, locustBin: locustBin(version) });
      dir = await mkdtemp(path.join(os.tmpdir(), `ld-quick-${version}-`));
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('runs, stops and resets with the API of the release; the counts agree with the service; nothing left running', async () => {
      const file = path.join(dir, 'quick.yaml');
      await writeFile(
        file,
        `version: 1\nname: quick\ntarget: { host: ${stack.targetUrl} }\ndefaults: { duration: 6s, cooldown: 1s, sampleEvery: 2s, spawnRate: 20 }\nstages:\n  - users: 4\n  - users: 8\n`,
      );
      const res = await runCli(['run', '--matrix', file, '--master', stack.masterUrl, '--out', dir, '--run-id', 'q', '--log-format', 'json'], {
        timeoutMs: 90_000,
      });
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      const run = RunRecordSchema.parse(JSON.parse(await readFile(path.join(dir, 'q', 'run.json'), 'utf8')));
      const expected = apiForVersion(version);
      if ('unsupported' in expected) throw new Error(`${version} is listed but not supported`);
      expect(run.environment.locust).toMatchObject({ version, api: { basis: 'version', stateMethod: expected.stateMethod } });
      expect(run.stopFailure).toBeNull();
      expect(run.stages.map((s) => s.status)).toEqual(['completed', 'completed']);
      // the bundled locustfile loads the companion plugin: every edge is the plugin's, on every release
      expect(run.environment.locust.plugin).toEqual({ version: '1' });
      expect(run.stages.map((s) => s.window!.edges)).toEqual(['plugin', 'plugin']);
      // Each count covers only its window: had the reset not worked, the ramp's requests (a third of
      // the window's) would be in it too.
      for (const s of run.stages) {
        const from = Date.parse(s.window!.start);
        const to = Date.parse(s.window!.end);
        expect(s.totals!.requests).toBeGreaterThan(0);
        const truth = await targetCounts(stack.targetUrl, from, to);
        expect(Math.abs(s.totals!.requests - truth.count), `stage ${s.index}: ${s.totals!.requests} reported, ${truth.count} received`).toBeLessThanOrEqual(
          Math.max(5, 0.05 * truth.count),
        );
      }
      // stopped: the master itself says so (not through the driver)
      const after = (await (await fetch(new URL('stats/requests', stack.masterUrl), { signal: AbortSignal.timeout(5_000) })).json()) as {
        state: string;
        user_count: number;
      };
      expect(after.user_count).toBe(0);
      expect(after.state).toMatch(/^(stopped|ready)$/);
    });
  });
}
