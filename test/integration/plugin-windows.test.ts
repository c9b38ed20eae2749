// Short windows on real Locust (the full-tier releases), proven against the sample service's own
// arrival times: with the companion plugin each window is `duration` long (±0.25 s), starts after
// the ramp and counts only what the service received in it; with a plain locustfile (REST only) the
// window's stated uncertainty covers what the service saw, and run.json says so.
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/adapters/local/stack.js';
import { RunRecordSchema } from '../../src/core/run-schema.js';
import { ROOT, TEST_VERSIONS, locustBin, runCli, targetCounts } from './helpers.js';

const PLAIN_LOCUSTFILE = path.join(ROOT, 'test', 'fixtures', 'locust', 'plain_locustfile.py');

// 30 users at 20/s: a 1.5 s ramp whose requests a window must not count; then 3 s holds.
const matrix = (host: string, duration: string) => `version: 1
name: short
target: { host: ${host} }
defaults: { duration: ${duration}, cooldown: 1s, sampleEvery: 1s, spawnRate: 20 }
stages:
  - { users: 30 }
  - { users: 12 }
`;

interface LogLine {
  event?: string;
  time: string;
  stage?: number;
}

/** The figures behind docs/how-a-stage-works.md, in test-results/windows-<version>.json after a run. */
const figures: Record<string, unknown>[] = [];
async function saveFigures(version: string) {
  await mkdir(path.join(ROOT, 'test-results'), { recursive: true });
  await writeFile(
    path.join(ROOT, 'test-results', `windows-${version}.json`),
    `${JSON.stringify(
      figures.filter((f) => f.version === version),
      null,
      2,
    )}\n`,
  );
}

async function run(stack: LocalStack, dir: string, id: string, duration: string) {
  const file = path.join(dir, `${id}.yaml`);
  await writeFile(file, matrix(stack.targetUrl, duration));
  const res = await runCli(
    ['run', '--matrix', file, '--master', stack.masterUrl, '--out', dir, '--run-id', id, '--log-format', 'json', '--log-level', 'debug'],
    {
      timeoutMs: 120_000,
    },
  );
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  const events = res.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as LogLine);
  const record = RunRecordSchema.parse(JSON.parse(await readFile(path.join(dir, id, 'run.json'), 'utf8')));
  return { events, record };
}

for (const version of TEST_VERSIONS) {
  describe(`short windows on Locust ${version}`, () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), `ld-win-${version}-`));
    });

    describe('with the plugin', () => {
      let stack: LocalStack;
      beforeAll(async () => {
        stack = await startLocalStack({ workers: 2, locustBin: locustBin(version) });
      });
      afterAll(async () => {
        await stack?.stop();
      });

      it('measures windows of the requested length that start after the ramp and count only what the service received in them', async () => {
        const { events, record } = await run(stack, dir, 'plugin', '3s');
        expect(record.environment.locust.plugin).toEqual({ version: '1' });
        expect(events.find((e) => e.event === 'master-ready')).toMatchObject({ plugin: '1' });
        for (const s of record.stages) {
          const w = s.window!;
          expect(s.status).toBe('completed');
          expect(w.edges).toBe('plugin');
          expect(Math.abs(w.durationMs - 3_000), `window ${w.durationMs} ms`).toBeLessThanOrEqual(250);
          expect(w.rampOverlapMs).toBe(0);
          const start = Date.parse(w.start);
          const end = Date.parse(w.end);
          const swarmAt = Date.parse(events.find((e) => e.event === 'swarm-started' && e.stage === s.index)!.time);
          const rampDone = Date.parse(events.find((e) => e.event === 'ramp-complete' && e.stage === s.index)!.time);
          expect(start).toBeGreaterThanOrEqual(rampDone);
          const truth = await targetCounts(stack.targetUrl, start, end);
          const ramp = await targetCounts(stack.targetUrl, swarmAt, start);
          const reported = s.totals!.requests;
          // Only requests in flight at the edges (a few ms each, at most one per user) may differ;
          // counting any part of the ramp would add far more than that.
          figures.push({ version, plugin: true, stage: s.index, durationMs: w.durationMs, reported, target: truth.count, rampRequests: ramp.count });
          expect(ramp.count, 'requests sent during the ramp').toBeGreaterThan(8);
          expect(Math.abs(reported - truth.count), `${reported} counted, ${truth.count} received in the window`).toBeLessThanOrEqual(3);
          // every sample has news, the first one included
          expect(s.samples.length).toBeGreaterThanOrEqual(2);
          expect(s.samples.every((x) => !x.stale)).toBe(true);
          expect(s.samples[0]!.rps).not.toBeNull();
          for (let i = 1; i < s.samples.length; i++) expect(s.samples[i]!.requests).toBeGreaterThan(s.samples[i - 1]!.requests);
        }
      });
    });

    describe('without the plugin (a plain locustfile)', () => {
      let stack: LocalStack;
      beforeAll(async () => {
        stack = await startLocalStack({ workers: 2, locustBin: locustBin(version), locustfile: PLAIN_LOCUSTFILE });
      });
      afterAll(async () => {
        await stack?.stop();
      });

      it("falls back to the REST API and states how far the window's edges may be off: the service's counts agree within that", async () => {
        const { events, record } = await run(stack, dir, 'plain', '7s');
        expect(record.environment.locust.plugin).toBeNull();
        expect(events.find((e) => e.event === 'master-ready')).toMatchObject({ plugin: null });
        for (const s of record.stages) {
          const w = s.window!;
          expect(s.status).toBe('completed');
          expect(w.edges).toBe('reports');
          const u = w.uncertaintyMs!;
          expect(u.start).toBeGreaterThan(0);
          expect(u.end).toBeGreaterThan(0);
          expect(w.rampOverlapMs).not.toBeNull();
          const start = Date.parse(w.start);
          const end = Date.parse(w.end);
          const reported = s.totals!.requests;
          const wide = await targetCounts(stack.targetUrl, start - u.start, end + u.end);
          const narrow = await targetCounts(stack.targetUrl, start + u.start, end - u.end);
          const truth = await targetCounts(stack.targetUrl, start, end);
          figures.push({
            version,
            plugin: false,
            stage: s.index,
            durationMs: w.durationMs,
            uncertaintyMs: u,
            rampOverlapMs: w.rampOverlapMs,
            reported,
            target: truth.count,
            wide: wide.count,
            narrow: narrow.count,
          });
          // requests in flight at the edges: a few either way
          expect(reported, `${reported} counted, ${wide.count} received in the widest window`).toBeLessThanOrEqual(wide.count + 3);
          expect(reported, `${reported} counted, ${narrow.count} received in the narrowest window`).toBeGreaterThanOrEqual(narrow.count - 3);
          // a stale row repeats the previous one's numbers
          for (let i = 1; i < s.samples.length; i++) {
            if (s.samples[i]!.stale) expect(s.samples[i]!.requests).toBe(s.samples[i - 1]!.requests);
          }
        }
        // samples served from Locust's 2 s cache at a 1 s cadence are said to be stale (a short window may have only one)
        expect(record.stages.flatMap((s) => s.samples).some((x) => x.stale)).toBe(true);
        const csv = await readFile(path.join(dir, 'plain', 'stages', '01-users-30', 'samples.csv'), 'utf8');
        expect(csv.split('\n')[0]).toMatch(/,stale$/);
        await saveFigures(version);
      });
    });
  });
}
