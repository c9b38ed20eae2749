// A stage against a master with the companion plugin (fake: test/fakes/fake-locust.ts), and the same
// stage without it: what the plugin changes (exact edges, the ramp seen uncached, fresh samples) and
// what the REST-only fallback says about its own window (ramp overlap, uncertainty, stale samples).
import { describe, expect, it } from 'vitest';
import { runStage } from '../../../../src/core/stage/index.js';
import type { StagePlan } from '../../../../src/core/model.js';
import type { RunEvent } from '../../../../src/core/events.js';
import { ManualClock } from '../../../fakes/manual-clock.js';
import { FakeLocust } from '../../../fakes/fake-locust.js';
import { st } from '../../../fakes/run-setup.js';

// users=20 at 10/s, a 3 s hold with no cooldown, sampled every second (the shared factory's other fields)
const stage = (over: Partial<StagePlan> = {}): StagePlan => st(1, 20, { durationMs: 3_000, cooldownMs: 0, sampleEveryMs: 1_000, ...over });

function setup(o: ConstructorParameters<typeof FakeLocust>[1] = {}) {
  const clock = new ManualClock();
  const lg = new FakeLocust(clock, { workers: 2, rpsPerUser: 2, phases: [700, 2200], ...o });
  const events: RunEvent[] = [];
  const go = (s: StagePlan, extra: { last?: boolean; handOff?: boolean } = {}) =>
    clock.run(
      runStage({ lg, clock, emit: (e) => events.push(e), signal: new AbortController().signal }, s, {
        host: 'http://target:8000',
        of: 1,
        runStartedAt: clock.now(),
        runPlannedMs: 60_000,
        plugin: o.plugin ?? false,
        ...extra,
      }),
    );
  return { clock, lg, events, go };
}

describe('a stage with the plugin', () => {
  it('starts the window at the acknowledged reset, after the ramp, and ends it at a flush: as long as planned, counting only what the target got in it', async () => {
    const { lg, events, go } = setup({ plugin: true });
    const out = await go(stage());
    const w = out.result.window!;
    expect(out.result.status).toBe('completed');
    expect(w.edges).toBe('plugin');
    expect(w.start).toBe(w.resetAt);
    expect(Math.abs(w.durationMs - 3_000)).toBeLessThanOrEqual(250);
    expect(w.rampOverlapMs).toBe(0);
    expect(w.uncertaintyMs!.start).toBeLessThanOrEqual(10);
    expect(w.uncertaintyMs!.end).toBeLessThanOrEqual(10);
    // no request of the ramp is counted: the count is what the target received in the window
    const truth = lg.trafficBetween(Date.parse(w.start), Date.parse(w.end));
    expect(Math.abs(out.result.totals!.requests - truth)).toBeLessThanOrEqual(2);
    const rampDone = events.find((e) => e.kind === 'ramp-complete');
    expect(rampDone).toBeDefined();
    // the ramp was watched uncached, never through /stats/requests, and the window read at once after the flush, before the stop
    expect(lg.calls.filter((c) => c === 'stats')).toEqual([]);
    const changes = lg.calls.filter((c) => !['runner', 'window', 'flush', 'plugin?'].includes(c));
    expect(changes).toEqual(['swarm 20 10', 'reset-all', 'stop']);
    expect(lg.calls.lastIndexOf('window')).toBeLessThan(lg.calls.indexOf('stop'));
  });

  it('sees the ramp end within one poll of the planned ramp (no 2 s cache in between)', async () => {
    const { go } = setup({ plugin: true });
    const out = await go(stage({ users: 20, spawnRate: 10 }));
    // the fake completes 1 s after its planned 2 s ramp (spawn-complete); REST polls add the cache on top
    expect(out.result.rampMs).toBeGreaterThanOrEqual(3_000);
    expect(out.result.rampMs).toBeLessThanOrEqual(3_000 + 150);
    const rest = await setup().go(stage({ users: 20, spawnRate: 10 }));
    expect(rest.result.rampMs).toBeGreaterThan(out.result.rampMs!);
  });

  it('takes a sample every sampleEvery from the first one on, each with new numbers and a rate', async () => {
    const { go } = setup({ plugin: true });
    const out = await go(stage({ durationMs: 6_000, sampleEveryMs: 1_000 }));
    const s = out.result.samples;
    expect(s.length).toBeGreaterThanOrEqual(5);
    expect(s.map((x) => x.elapsedMs)).toEqual(s.map((_, i) => (i + 1) * 1_000 + 10)); // each after its flush round trip
    expect(s.every((x) => !x.stale)).toBe(true);
    // 20 users at 2 requests/s: every row's rate is about 40/s, the first one included
    for (const x of s) expect(x.rps!).toBeGreaterThan(30);
    for (let i = 1; i < s.length; i++) expect(s[i]!.requests).toBeGreaterThan(s[i - 1]!.requests);
  });

  it('falls back to the start the reports show when a worker does not acknowledge the reset, and says so', async () => {
    const { events, go } = setup({ plugin: true, deafWorkers: 1 });
    const out = await go(stage({ durationMs: 8_000 }));
    const warn = events.find((e) => e.kind === 'plugin-incomplete');
    expect(warn).toMatchObject({ op: 'reset', missing: ['w0'] });
    expect(out.result.window!.edges).toBe('reports');
    expect(out.result.window!.uncertaintyMs!.end).toBe(3_000); // the flush was not acknowledged either
  });
});

describe('a stage without the plugin', () => {
  it('says how far its estimated edges may be off and how much of the window may lie in the ramp, and the target agrees within them', async () => {
    const { lg, go } = setup();
    const out = await go(stage({ durationMs: 8_000 }));
    const w = out.result.window!;
    expect(w.edges).toBe('reports');
    const u = w.uncertaintyMs!;
    expect(u.start).toBe(400); // one 100 ms poll plus 10 % of the report interval
    expect(u.end).toBeGreaterThan(0);
    const start = Date.parse(w.start);
    const end = Date.parse(w.end);
    const reported = out.result.totals!.requests;
    expect(lg.trafficBetween(start - u.start, end + u.end)).toBeGreaterThanOrEqual(reported - 1);
    expect(lg.trafficBetween(start + u.start, end - u.end)).toBeLessThanOrEqual(reported + 1);
    // the estimated start reaches back before the reset, which came right after the ramp was seen
    // done: that part of the window may lie in the ramp, and run.json says so
    expect(start).toBeLessThan(Date.parse(w.resetAt));
    expect(w.rampOverlapMs).toBeGreaterThan(0);
    expect(w.rampOverlapMs).toBeLessThanOrEqual(Date.parse(w.resetAt) - start);
  });

  it('marks the samples that repeat the cached answer as stale, and only those', async () => {
    const { go } = setup();
    const out = await go(stage({ durationMs: 9_000, sampleEveryMs: 1_000 }));
    const s = out.result.samples;
    const stale = s.filter((x) => x.stale);
    expect(stale.length).toBeGreaterThan(0);
    expect(stale.length).toBeLessThan(s.length);
    for (let i = 1; i < s.length; i++) {
      const same = s[i]!.requests === s[i - 1]!.requests && s[i]!.rps === s[i - 1]!.rps && s[i]!.users === s[i - 1]!.users;
      if (s[i]!.stale) expect(same).toBe(true);
    }
    expect(s[0]!.stale).toBe(false);
  });
});
