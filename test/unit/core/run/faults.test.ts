import { describe, expect, it } from 'vitest';
import { keptStages } from '../../../../src/core/run/index.js';
import { busy } from '../../../../src/core/stage/index.js';
import type { LiveStats } from '../../../../src/core/model.js';
import { AbortedError, InternalError } from '../../../../src/core/errors.js';
import { exitCode } from '../../../../src/core/exit-code.js';
import { plan, setup, st } from '../../../fakes/run-setup.js';

const stages3 = () => [st(1, 10), st(2, 20), st(3, 30)];
const swarms = (calls: string[]) => calls.filter((c) => c.startsWith('swarm'));
const warnings = (events: { kind: string }[]) => events.filter((e): e is { kind: 'warning'; message: string } => e.kind === 'warning').map((e) => e.message);

describe('a master that goes away in the middle of a stage', () => {
  it('waits for it to come back, runs the interrupted stage again and records the retry', async () => {
    const { clock, lg, events, go } = setup();
    // stage 2 starts at about 35 s (ramp 2 s, window 20 s, cooldown 10 s after stage 1): kill the master 10 s into it
    void clock.sleep(45_000).then(() => (lg.down = true));
    void clock.sleep(60_000).then(() => lg.restart());
    const record = await go(plan(stages3()));
    expect(record.status).toBe('completed');
    expect(record.stages.map((s) => [s.index, s.status, s.attempt])).toEqual([
      [1, 'completed', 1],
      [2, 'completed', 2],
      [3, 'completed', 1],
    ]);
    expect(record.stages[1]!.retries).toHaveLength(1);
    expect(record.stages[1]!.retries[0]!.reason).toMatch(/the Locust master stopped answering: .*ECONNREFUSED/);
    expect(Date.parse(record.stages[1]!.startedAt)).toBeGreaterThanOrEqual(clock.now() - 1e9); // sane ISO
    expect(swarms(lg.calls)).toEqual(['swarm 10 10', 'swarm 20 10', 'swarm 20 10', 'swarm 30 10']);
    expect(warnings(events).some((m) => /stage 2 interrupted .* waiting up to 30s for the master/.test(m))).toBe(true);
    expect(lg.wedged).toBe(false);
  });

  it('sees a master that restarted between two polls (state back to ready) and retries', async () => {
    const { clock, lg, go } = setup();
    void clock.sleep(45_000).then(() => lg.restart());
    const record = await go(plan(stages3()));
    expect(record.status).toBe('completed');
    expect(record.stages[1]!.attempt).toBe(2);
    expect(record.stages[1]!.retries[0]!.reason).toMatch(/the Locust master is ready in the middle of the window/);
  });

  it('gives up after retry.masterTimeout when the master never returns: failed, exit-3 error, measured stages kept', async () => {
    const { clock, lg, sink, go } = setup();
    void clock.sleep(45_000).then(() => (lg.down = true));
    const t0 = clock.now();
    const record = await go(plan(stages3(), { retry: { attempts: 2, masterTimeoutMs: 20_000, onWorkerLoss: 'invalid' } }));
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/did not come back with 2 worker\(s\) within retry.masterTimeout 20s .*rerun with --resume --run-id r1/);
    expect(record.stages.map((s) => s.status)).toEqual(['completed', 'failed']);
    expect(record.stages[1]!.reason).toMatch(/^interrupted: the Locust master stopped answering/);
    expect(sink.last!.stages).toHaveLength(2);
    expect(clock.now() - t0).toBeLessThan(45_000 + 15_000 + 20_000 + 5_000);
  });

  it('with retry.attempts 0 marks the stage failed and goes on with the next', async () => {
    const { clock, lg, go } = setup();
    void clock.sleep(45_000).then(() => lg.restart());
    const record = await go(plan(stages3(), { retry: { attempts: 0, masterTimeoutMs: 20_000, onWorkerLoss: 'invalid' } }));
    expect(record.stages.map((s) => s.status)).toEqual(['completed', 'failed', 'completed']);
    expect(record.stages[1]!.reason).toMatch(/gave up after 1 attempt\(s\) \(retry.attempts: 0\)/);
    expect(record.status).toBe('failed');
  });

  it('workers dropping mid-stage: invalid by default, retried with onWorkerLoss: retry', async () => {
    for (const policy of ['invalid', 'retry'] as const) {
      const { clock, lg, go } = setup();
      void clock.sleep(45_000).then(() => (lg.workers = 1));
      void clock.sleep(52_000).then(() => (lg.workers = 2));
      const record = await go(plan(stages3(), { retry: { attempts: 2, masterTimeoutMs: 20_000, onWorkerLoss: policy } }));
      const s2 = record.stages[1]!;
      if (policy === 'invalid') {
        expect([s2.status, s2.attempt]).toEqual(['invalid', 1]);
        expect(s2.reason).toMatch(/workers were missing during the window: 1 of 2/);
      } else {
        expect([s2.status, s2.attempt]).toEqual(['completed', 2]);
        expect(s2.retries[0]!.reason).toMatch(/workers dropped to 1 of 2/);
      }
    }
  });
});

describe('a bug in the middle of a run', () => {
  it('is an internal error (exit 70) naming the stage, not a Locust error; the run still ends cleanly', async () => {
    const { lg, end } = setup();
    lg.window = () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'stats')"));
    const { record, error } = await end(plan(stages3()));
    expect(error).toBeInstanceOf(InternalError);
    expect(exitCode({ record, error })).toBe(70);
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(
      /^stage 1 failed unexpectedly: TypeError: Cannot read properties of undefined \(reading 'stats'\) — a bug in locust-driver: rerun with --log-level debug/,
    );
    expect(record.stages.map((s) => s.status)).toEqual(['failed']);
    expect(lg.calls.at(-1)).toBe('stop');
  });
});

describe('resume', () => {
  it('keeps the finished stages, stops a leftover swarm first and runs only the rest', async () => {
    const first = setup();
    const done = await first.go(plan(stages3()));
    // as if the driver died in stage 2: run.json had stage 1 completed and stage 2 aborted
    const prior = { ...done, status: 'running' as const, stages: [done.stages[0]!, { ...done.stages[1]!, status: 'aborted' as const }] };
    expect(keptStages(prior).map((s) => s.index)).toEqual([1]);

    const { clock, lg, events, go } = setup();
    await lg.swarm(20, 10); // the dead driver's users, still running
    await clock.run(clock.sleep(5_000));
    const record = await go(plan(stages3()), { resume: prior });
    expect(record.status).toBe('completed');
    expect(record.stages.map((s) => s.index)).toEqual([1, 2, 3]);
    expect(record.stages[0]).toEqual(done.stages[0]); // not run again
    expect(record.startedAt).toBe(done.startedAt);
    expect(record.resumes).toEqual([{ at: expect.any(String), fromStage: 2 }]);
    expect(swarms(lg.calls)).toEqual(['swarm 20 10', 'swarm 20 10', 'swarm 30 10']); // the leftover, then stages 2 and 3
    expect(lg.calls.indexOf('stop')).toBeLessThan(lg.calls.lastIndexOf('swarm 20 10'));
    expect(warnings(events).some((m) => /still running 20 users from the interrupted driver/.test(m))).toBe(true);
  });
});

describe('ramp detection', () => {
  it("after a clean stop starts the next stage without a read that would fill Locust's 2 s cache", async () => {
    const { lg, go } = setup();
    const record = await go(plan([st(1, 10), st(2, 20)]));
    expect(record.status).toBe('completed');
    const calls = lg.calls;
    const between = calls.slice(calls.indexOf('window'), calls.indexOf('swarm 20 10'));
    expect(between).not.toContain('stats');
  });
});

describe('transition: continue', () => {
  it('re-targets the running swarm between stages: one stop at the end, windows that match the traffic', async () => {
    const { lg, go } = setup();
    const stages = [st(1, 10), st(2, 20), st(3, 30)];
    const record = await go(plan(stages, { transition: 'continue' }));
    expect(record.status).toBe('completed');
    expect(record.stages.map((s) => s.status)).toEqual(['completed', 'completed', 'completed']);
    expect(lg.calls.filter((c) => c === 'stop')).toHaveLength(1);
    expect(swarms(lg.calls)).toEqual(['swarm 10 10', 'swarm 20 10', 'swarm 30 10']);
    for (const s of record.stages) {
      const w = s.window!;
      const truth = lg.trafficBetween(Date.parse(w.start), Date.parse(w.end));
      expect(Math.abs(s.totals!.requests - truth) / truth).toBeLessThan(0.05);
      // a window's first reports reach back up to 3 s into the previous, lower level (documented)
      expect(s.totals!.rps).toBeGreaterThan(s.users * 0.9);
      expect(s.totals!.rps).toBeLessThan(s.users * 1.07);
    }
    // from one window's end to the next stage's reset: the planned ramp (1 s for +10 users) plus little
    for (const i of [1, 2]) {
      const gap = Date.parse(record.stages[i]!.window!.resetAt) - Date.parse(record.stages[i - 1]!.window!.end);
      expect(gap).toBeLessThan(1_000 + 500 + 3_000); // the end estimate sits up to one report before the read
    }
  });

  it('stops the handed-over users when the run is interrupted between stages', async () => {
    const { clock, lg, controller, go } = setup();
    void clock.sleep(30_000).then(() => controller.abort(new AbortedError('SIGTERM')));
    const record = await go(plan([st(1, 10), st(2, 20), st(3, 30)], { transition: 'continue' }));
    expect(record.status).toBe('aborted');
    expect(record.stages.map((s) => s.status)).toEqual(['completed', 'aborted']);
    expect(lg.running).toBe(false);
  });
});

describe('memory on long runs', () => {
  it('keeps at most 1000 samples per finished stage in memory and run.json; samples.csv got them all', async () => {
    const { sink, go } = setup();
    const record = await go(plan([st(1, 10, { durationMs: 3_600_000, sampleEveryMs: 1_000 }), st(2, 20, { durationMs: 60_000, sampleEveryMs: 1_000 })]));
    expect(record.status).toBe('completed');
    const written = sink.writes.find((w) => w.kind === 'stage' && w.stage?.index === 1);
    expect(written?.stage?.samples.length).toBeGreaterThan(3_500); // what the stage's samples.csv received
    expect(record.stages[0]!.samples).toHaveLength(1_000);
    expect(record.stages[0]!.samples[0]!.elapsedMs).toBeLessThan(4_000);
    expect(record.stages[0]!.samples.at(-1)!.elapsedMs).toBeGreaterThan(3_590_000);
    expect(record.stages[1]!.samples.length).toBeLessThan(1_000); // short stages keep every sample
  });
});

describe('a master left "stopping" by a missing worker', () => {
  const stats = (state: string, users: number, workers: string[]): LiveStats => ({
    state,
    userCount: users,
    workers: workers.map((w, i) => ({ id: `w${i}`, state: w, userCount: 0, cpuPercent: null, memoryBytes: null })),
    workerCount: workers.filter((w) => w !== 'missing').length,
    requests: 0,
    failures: 0,
    currentRps: null,
    currentFailPerSec: null,
    currentP50Ms: null,
    currentP95Ms: null,
    schema: 'modern',
  });
  it('is idle when no user runs and every live worker is ready (Locust keeps it there ~60 s)', () => {
    expect(busy(stats('stopping', 0, ['missing', 'ready', 'ready']))).toBe(false);
    expect(busy(stats('stopping', 3, ['ready', 'ready']))).toBe(true);
    expect(busy(stats('stopping', 0, ['stopping', 'ready']))).toBe(true);
    expect(busy(stats('running', 10, ['running']))).toBe(true);
    expect(busy(stats('stopped', 0, ['ready']))).toBe(false);
  });
});
