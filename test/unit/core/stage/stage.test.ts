import { describe, expect, it } from 'vitest';
import { runStage, type StageOutcome } from '../../../../src/core/stage/index.js';
import type { StagePlan } from '../../../../src/core/model.js';
import type { RunEvent } from '../../../../src/core/events.js';
import { AbortedError, InfraError } from '../../../../src/core/errors.js';
import { ManualClock } from '../../../fakes/manual-clock.js';
import { FakeLocust } from '../../../fakes/fake-locust.js';

const stage = (over: Partial<StagePlan> = {}): StagePlan => ({
  index: 1,
  name: 'users=20',
  slug: 'users-20',
  users: 20,
  spawnRate: 10,
  durationMs: 30_000,
  cooldownMs: 5_000,
  sampleEveryMs: 2_000,
  rampTimeoutMs: 60_000,
  replicas: null,
  hpa: null,
  workers: null,
  scaleTimeoutMs: 300_000,
  slo: null,
  ...over,
});

function setup(o: ConstructorParameters<typeof FakeLocust>[1] = {}) {
  const clock = new ManualClock();
  const lg = new FakeLocust(clock, o);
  const events: RunEvent[] = [];
  const controller = new AbortController();
  const go = (s: StagePlan, last = false) =>
    clock.run(
      runStage({ lg, clock, emit: (e) => events.push(e), signal: controller.signal }, s, {
        host: 'http://target:8000',
        of: 1,
        runStartedAt: clock.now(),
        runPlannedMs: 60_000,
        last,
      }),
    );
  return { clock, lg, events, controller, go };
}

describe('a stage', () => {
  it("stops at the window's end and reads the numbers after the last worker report (between stages, or a short last one)", async () => {
    const { clock, lg, go } = setup({ workers: 2, rpsPerUser: 2, phases: [700, 2200] });
    const out: StageOutcome = await go(stage({ durationMs: 8_000 }), true);
    expect(out.result.status).toBe('completed');
    expect(lg.calls.filter((c) => !c.startsWith('stats') && c !== 'window')).toEqual(['swarm 20 10', 'reset', 'stop']);
    expect(lg.calls.at(-1)).toBe('window');
    expect(clock.now() - out.stoppedAt!).toBeGreaterThanOrEqual(3_500 + 1_000); // the blocking stop, then the last reports
    expect(Date.parse(out.result.window!.end)).toBeLessThanOrEqual(out.stoppedAt!);
    const w = out.result.window!;
    const truth = lg.trafficBetween(Date.parse(w.start), Date.parse(w.end));
    expect(Math.abs(out.result.totals!.requests - truth) / truth).toBeLessThan(0.05);
  });

  it("the run's last stage: ramps, resets, measures for the planned time, reads the numbers while the users run, then stops", async () => {
    const { lg, events, go } = setup({ workers: 2, rpsPerUser: 2, phases: [700, 2200] });
    const out: StageOutcome = await go(stage(), true);
    const r = out.result;
    expect(r.status).toBe('completed');
    expect(out.fatal).toBeNull();
    expect(out.known).toMatchObject({ state: 'stopped', userCount: 0, workerCount: 2 });
    expect(lg.wedged).toBe(false);
    // order of the state-changing calls: the window is read before the stop, no wait after it
    const changes = lg.calls.filter((c) => !c.startsWith('stats') && c !== 'window');
    expect(changes).toEqual(['swarm 20 10', 'reset', 'stop']);
    expect(lg.calls.lastIndexOf('window')).toBeLessThan(lg.calls.indexOf('stop'));
    expect(lg.calls.at(-1)).toBe('stop');
    // the window is as long as planned to within ±0.5 s (two workers 1.5 s apart move a live read's
    // end in 1.5 s steps; one further off would stop instead) and its count matches what the target
    // received in it
    const w = r.window!;
    const start = Date.parse(w.start);
    const end = Date.parse(w.end);
    expect(Math.abs(w.durationMs - 30_000)).toBeLessThanOrEqual(500);
    expect(start).toBeLessThan(Date.parse(w.resetAt)); // pre-reset samples in the first reports are accounted for
    const truth = lg.trafficBetween(start, end);
    expect(r.totals!.requests).toBeGreaterThan(0);
    expect(Math.abs(r.totals!.requests - truth) / truth).toBeLessThan(0.02);
    expect(r.totals!.rps).toBeCloseTo(40, 0); // 20 users × 2 req/s
    // one sample (and progress line) per sampleEvery, the first after Locust's 2 s cache
    expect(r.samples.length).toBeGreaterThanOrEqual(13);
    expect(r.samples.length).toBeLessThanOrEqual(15);
    expect(r.samples[0]!.elapsedMs).toBeGreaterThanOrEqual(2_000);
    expect(events.filter((e) => e.kind === 'sample')).toHaveLength(r.samples.length);
    expect(r.rampMs).toBeGreaterThanOrEqual(2_000);
    expect(r.workersSeen).toEqual({ min: 2, max: 2 });
  });

  it("the run's last stage stops at the planned end when no live read comes within ±0.5 s (workers reporting together), and reads after the last reports", async () => {
    // two workers 150 ms apart: a live read's end moves in 3 s steps, here 2 s short or 1 s over
    const { lg, events, go } = setup({ workers: 2, rpsPerUser: 2, phases: [700, 850] });
    const out: StageOutcome = await go(stage({ durationMs: 29_000 }), true);
    const r = out.result;
    expect(r.status).toBe('completed');
    const read = events.find((e) => e.kind === 'window-read');
    expect(read).toMatchObject({ why: 'stop' });
    expect(lg.calls.filter((c) => !c.startsWith('stats') && c !== 'window')).toEqual(['swarm 20 10', 'reset', 'stop']);
    expect(lg.calls.at(-1)).toBe('window'); // read after the stop
    const w = r.window!;
    expect(Math.abs(w.durationMs - 29_000)).toBeLessThanOrEqual(100);
    const truth = lg.trafficBetween(Date.parse(w.start), Date.parse(w.end));
    expect(Math.abs(r.totals!.requests - truth) / truth).toBeLessThan(0.02);
  });

  it('a reset-based window would be off by the leaked reports: the estimate is closer to the truth', async () => {
    const { lg, go } = setup({ workers: 1, rpsPerUser: 5, phases: [100] });
    const r = (await go(stage({ durationMs: 10_000 }))).result;
    const w = r.window!;
    const truthEstimated = lg.trafficBetween(Date.parse(w.start), Date.parse(w.end));
    const truthFromReset = lg.trafficBetween(Date.parse(w.resetAt), Date.parse(w.end));
    const errEstimated = Math.abs(r.totals!.requests - truthEstimated);
    const errReset = Math.abs(r.totals!.requests - truthFromReset);
    expect(errEstimated).toBeLessThan(errReset);
    expect(errEstimated / truthEstimated).toBeLessThan(0.02);
  });

  it('records Locust\'s empty rolling values right after the reset as "no data yet", not as 0 ms', async () => {
    const { go } = setup({ workers: 2, zeroAfterResetMs: 5_000 });
    const r = (await go(stage())).result;
    const early = r.samples.filter((s) => s.elapsedMs < 5_000);
    expect(early.length).toBeGreaterThan(0);
    for (const s of early) expect([s.rps, s.p50Ms, s.p95Ms]).toEqual([null, null, null]);
    const late = r.samples.filter((s) => s.elapsedMs > 6_000);
    for (const s of late) expect(s.p95Ms).toBe(40);
  });

  it('fails the stage (and stops safely, never right after /swarm) when the ramp times out', async () => {
    const { lg, go } = setup({ workers: 2 });
    const out = await go(stage({ users: 1000, spawnRate: 1, rampTimeoutMs: 10_000 }));
    expect(out.result.status).toBe('failed');
    expect(out.result.reason).toMatch(/the ramp did not finish within rampTimeout 10s: master state spawning, \d+\/1000 users, 2 workers/);
    expect(out.fatal).toBeNull();
    expect(lg.calls).toContain('stop');
    expect(lg.wedged).toBe(false);
    expect(out.result.totals).toBeNull();
  });

  it('refuses to start without workers (infrastructure error, nothing started)', async () => {
    const { lg, go } = setup({ workers: 0 });
    const out = await go(stage());
    expect(out.fatal).toBeInstanceOf(InfraError);
    expect(out.fatal!.message).toMatch(/no Locust workers are connected/);
    expect(lg.calls.some((c) => c.startsWith('swarm'))).toBe(false);
  });

  it('on interruption stops the swarm, reads what was measured and marks the stage aborted', async () => {
    const { clock, lg, controller, go } = setup({ workers: 2 });
    const started = clock.now();
    const p = go(stage({ durationMs: 60_000 }));
    // interrupt 20 s into the stage
    const stopper = (async () => {
      while (clock.now() - started < 20_000) await new Promise((r) => setImmediate(r));
      controller.abort(new AbortedError('SIGTERM'));
    })();
    const out = await p;
    await stopper;
    expect(out.result.status).toBe('aborted');
    expect(out.fatal).toBeInstanceOf(AbortedError);
    expect(lg.calls).toContain('stop');
    expect(lg.wedged).toBe(false);
    expect(out.result.totals?.requests ?? 0).toBeGreaterThan(0);
  });
});

describe('a signal while the /swarm is in flight', () => {
  it('still stops the users the master started (after the wedge guard), so none are left running', async () => {
    const clock = new ManualClock();
    // the master takes the /swarm at once, but its answer is slow: the abort cuts the call short
    class SlowAnswer extends FakeLocust {
      override async swarm(users: number, spawnRate: number, ...rest: unknown[]): Promise<void> {
        await super.swarm(users, spawnRate);
        await clock.sleep(2_000, rest[1] as AbortSignal | undefined);
      }
    }
    const lg = new SlowAnswer(clock, { workers: 2 });
    const controller = new AbortController();
    void clock.sleep(500).then(() => controller.abort(new AbortedError('SIGTERM')));
    const out = await clock.run(
      runStage({ lg, clock, emit: () => undefined, signal: controller.signal }, stage(), {
        host: null,
        of: 1,
        runStartedAt: clock.now(),
        runPlannedMs: 60_000,
      }),
    );
    expect(out.result.status).toBe('aborted');
    expect(lg.calls).toContain('stop');
    expect(lg.running).toBe(false);
    expect(lg.wedged).toBe(false);
  });
});

describe('rampShortfall', () => {
  it("flags a window whose first sample is short of the stage's users, and only then", async () => {
    const { rampShortfall } = await import('../../../../src/core/stage/index.js');
    const sample = (users: number) => ({
      at: '',
      elapsedMs: 2_100,
      users,
      workers: 2,
      requests: 0,
      failures: 0,
      rps: null,
      failPerSec: null,
      p50Ms: null,
      p95Ms: null,
      workerCpuMaxPercent: null,
      replicasReady: null,
      replicasDesired: null,
      hpaCurrent: null,
      hpaDesired: null,
      hpaCpuPercent: null,
      stale: false,
    });
    expect(rampShortfall([sample(20), sample(20)], 20)).toBeNull();
    expect(rampShortfall([], 20)).toBeNull();
    expect(rampShortfall([sample(14), sample(20)], 20)).toMatch(
      /^the ramp to 20 users was not complete when the window started \(14 users in the first sample\)/,
    );
  });
});
