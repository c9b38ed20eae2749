// The real CLI against a real distributed Locust (master + 2 workers) of each tested version and the
// sample target, all on 127.0.0.1. The target counts every request it receives; each stage's
// reported request count must agree with the count in the stage's reported window.
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/adapters/local/stack.js';
import { RunRecordSchema } from '../../src/core/run-schema.js';
import { ROOT, TEST_VERSIONS, locustBin, runCli, targetCounts } from './helpers.js';

const matrix = (host: string) => `version: 1
name: integration
target: { host: ${host}, healthPath: /healthz }
defaults: { duration: 15s, cooldown: 2s, sampleEvery: 2s, spawnRate: 20 }
stages:
  - { name: light, users: 10 }
  - { name: heavier, users: 40 }
`;

for (const version of TEST_VERSIONS) {
  describe(`Locust ${version}, master + 2 workers`, () => {
    let stack: LocalStack;
    let dir: string;

    beforeAll(async () => {
      stack = await startLocalStack({ workers: 2, locustBin: locustBin(version) });
      dir = await mkdtemp(path.join(os.tmpdir(), `ld-it-${version}-`));
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('runs every stage through the CLI and the counts agree with what the target received in each window', async () => {
      const file = path.join(dir, 'matrix.yaml');
      await writeFile(file, matrix(stack.targetUrl));
      const res = await runCli(['run', '--matrix', file, '--master', stack.masterUrl, '--out', dir, '--run-id', 'it', '--log-format', 'json']);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);

      // JSON log lines, one progress line per sample
      const lines = res.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { event?: string; msg: string });
      const progress = lines.filter((l) => l.event === 'sample');
      expect(progress.length).toBeGreaterThanOrEqual(10);
      expect(progress[0]!.msg).toMatch(/^stage 1\/2 \[\d+s\/15s\] users=10 rps=\S+ p50=\S+ p95=\S+ fail=\d+\.\d\d% workers=2 \| run \d+% ~/);

      const run = RunRecordSchema.parse(JSON.parse(await readFile(path.join(dir, 'it', 'run.json'), 'utf8')));
      expect(run.status).toBe('completed');
      expect(run.environment.locust.version).toBe(version);
      expect(run.environment.locust.schema).toBe(version.startsWith('2.12') ? 'legacy' : 'modern');
      expect(run.stages.map((s) => [s.name, s.status, s.users])).toEqual([
        ['light', 'completed', 10],
        ['heavier', 'completed', 40],
      ]);

      const accuracy: unknown[] = [];
      for (const s of run.stages) {
        const from = Date.parse(s.window!.start);
        const to = Date.parse(s.window!.end);
        expect(to - from).toBeGreaterThanOrEqual(15_000 - 150); // both edges found from worker reports
        expect(to - from).toBeLessThan(15_000 + 1_000);
        const truth = await targetCounts(stack.targetUrl, from, to);
        const fromReset = await targetCounts(stack.targetUrl, Date.parse(s.window!.resetAt), to);
        const reported = s.totals!.requests;
        const diff = reported - truth.count;
        accuracy.push({
          version,
          stage: s.name,
          reported,
          target: truth.count,
          diff,
          relative: diff / truth.count,
          targetSinceReset: fromReset.count,
          byPath: truth.byPath,
        });
        // Locust reports workers' samples every 3 s: allow a few requests of slack at each end.
        expect(Math.abs(diff)).toBeLessThanOrEqual(Math.max(5, 0.03 * truth.count));
        // per endpoint, the same window
        for (const e of s.endpoints) {
          const t = truth.byPath[e.name] ?? 0;
          expect(Math.abs(e.requests - t)).toBeLessThanOrEqual(Math.max(5, 0.05 * t));
        }
        expect(s.totals!.rps).toBeCloseTo(reported / ((to - from) / 1000), 1);
        expect(s.totals!.p50Ms).not.toBeNull();
        expect(s.totals!.p99Ms!).toBeGreaterThanOrEqual(s.totals!.p50Ms!);
        expect(s.samples.length).toBeGreaterThanOrEqual(5);
      }
      await mkdir(path.join(ROOT, 'test-results'), { recursive: true });
      await writeFile(path.join(ROOT, 'test-results', `accuracy-${version}.json`), `${JSON.stringify(accuracy, null, 2)}\n`);

      // the report files, per stage and for the run
      const runDir = path.join(dir, 'it');
      expect((await readdir(runDir)).sort()).toEqual(['junit.xml', 'metrics.prom', 'report.html', 'run.json', 'stages', 'summary.csv', 'summary.md']);
      const stages = (await readdir(path.join(runDir, 'stages'))).sort();
      expect(stages).toEqual(['01-light', '02-heavier']);
      for (const st of stages) {
        expect((await readdir(path.join(runDir, 'stages', st))).sort()).toEqual(['exceptions.csv', 'failures.csv', 'replicas.csv', 'samples.csv', 'stats.csv']);
        const stats = await readFile(path.join(runDir, 'stages', st, 'stats.csv'), 'utf8');
        expect(stats).toMatch(/^Type,Name,Request Count,Failure Count,Median Response Time/);
        expect(stats).toContain('/predict');
      }
      const csv = await readFile(path.join(runDir, 'summary.csv'), 'utf8');
      expect(csv.split('\n')[0]).toMatch(/^Replicas,Workers,Users,RPS,Median_ms,P95_ms,P99_ms,Failures_Pct,Requests,Duration_s,/);
      const md = await readFile(path.join(runDir, 'summary.md'), 'utf8');
      expect(md).toContain('Best throughput');
    });

    it('transition: continue re-targets one swarm: one stop, windows as planned, counts that agree with the target', async () => {
      const file = path.join(dir, 'continue.yaml');
      await writeFile(
        file,
        `version: 1\nname: continue\ntransition: continue\ntarget: { host: ${stack.targetUrl} }\ndefaults: { duration: 12s, sampleEvery: 2s, spawnRate: 20 }\nstages:\n  - users: 8\n  - users: 16\n  - users: 24\n`,
      );
      const res = await runCli([
        'run',
        '--matrix',
        file,
        '--master',
        stack.masterUrl,
        '--out',
        dir,
        '--run-id',
        'cont',
        '--log-format',
        'json',
        '--log-level',
        'debug',
      ]);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      const events = res.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { event?: string; time: string });
      expect(events.filter((e) => e.event === 'swarm-started')).toHaveLength(3);
      expect(events.filter((e) => e.event === 'stopping')).toHaveLength(1); // only after the last stage
      const run = RunRecordSchema.parse(JSON.parse(await readFile(path.join(dir, 'cont', 'run.json'), 'utf8')));
      expect(run.stages.map((s) => s.status)).toEqual(['completed', 'completed', 'completed']);
      const reads = events.filter((e) => e.event === 'window-read') as unknown as { stage: number; endMs: number; why: string; lateReport: boolean }[];
      expect(reads.map((r) => r.stage)).toEqual([1, 2, 3]);
      for (const s of run.stages) {
        const from = Date.parse(s.window!.start);
        const to = Date.parse(s.window!.end);
        const read = reads.find((r) => r.stage === s.index)!;
        // Read live: the end the reports allow closest to the planned one (12 s is four report
        // intervals, so within the polls' jitter) — unless a report landed during the read itself
        // (then the numbers hold it and the end moves one report on) or the last reports never came
        // within an interval; the driver's window-read event says which.
        expect(to - from, JSON.stringify(read)).toBeGreaterThanOrEqual(12_000 - 500);
        expect(to - from, JSON.stringify(read)).toBeLessThan(12_000 + 3_000 + 600);
        if (to - from >= 12_000 + 1_500) expect(read.lateReport || read.why === 'timeout', JSON.stringify(read)).toBe(true);
        expect(s.samples[0]!.users).toBe(s.users); // the ramp was done when the window began
        const truth = await targetCounts(stack.targetUrl, from, to);
        expect(Math.abs(s.totals!.requests - truth.count)).toBeLessThanOrEqual(Math.max(5, 0.04 * truth.count));
      }
      // from one stage's end to the next one measuring: the planned ramp (0.4 s) and little else
      const at = (kind: string, n: number) => Date.parse(events.filter((e) => e.event === kind)[n]!.time);
      for (const n of [0, 1]) expect(at('ramp-complete', n + 1) - at('stage-finished', n)).toBeLessThan(1_500);
    });
  });
}
