import { describe, expect, it } from 'vitest';
import { plan, setup, st } from '../../../fakes/run-setup.js';
import { AbortedError } from '../../../../src/core/errors.js';

describe('a run', () => {
  it('runs every stage in order with the cooldown between them and writes reports after each stage', async () => {
    const { clock, lg, sink, go } = setup();
    const t0 = clock.now();
    const record = await go(plan([st(1, 10), st(2, 20), st(3, 40)]));
    expect(record.status).toBe('completed');
    expect(record.stages.map((s) => [s.index, s.status, s.users])).toEqual([
      [1, 'completed', 10],
      [2, 'completed', 20],
      [3, 'completed', 40],
    ]);
    expect(sink.writes.map((w) => w.kind)).toEqual(['run', 'stage', 'stage', 'stage', 'run']);
    expect(sink.writes[1]!.run.stages).toHaveLength(1); // run.json after stage 1 already has stage 1
    expect(sink.last!.finishedAt).not.toBeNull();
    expect(record.environment.locust).toMatchObject({ version: '2.47.0', schema: 'modern', embedded: false });
    // next swarm only after the cooldown (counted from the stop)
    const s1end = Date.parse(record.stages[0]!.window!.end);
    const s2start = Date.parse(record.stages[1]!.startedAt);
    expect(s2start - s1end).toBeGreaterThanOrEqual(10_000);
    expect(record.summary.best?.users).toBe(40);
    expect(lg.wedged).toBe(false);
    expect(clock.now() - t0).toBeLessThan(3 * (20_000 + 12_000) + 2 * 10_000);
  });

  it('gives up on a master that never answers within connectTimeout (exit 3) and records why', async () => {
    const { clock, lg, sink, go } = setup();
    lg.down = true;
    const t0 = clock.now();
    const record = await go(plan([st(1, 10)]), { connectTimeoutMs: 15_000 });
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/^the Locust master did not answer within 15s \(.*ECONNREFUSED.*\): check --master \/ locust.url/);
    expect(clock.now() - t0).toBeLessThanOrEqual(15_000);
    expect(record.stages).toHaveLength(0);
    expect(sink.last!.status).toBe('failed');
  });

  it('waits for the expected workers, bounded, naming how many came', async () => {
    const { go } = setup(1);
    const record = await go(plan([st(1, 10)]), { expectWorkers: 3, connectTimeoutMs: 10_000 });
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/only 1 of the 3 expected Locust workers connected to http:\/\/fake-locust:8089\/ within 10s/);
  });

  it('checks the target health first and refuses an unhealthy target', async () => {
    const { lg, go } = setup();
    const record = await go(plan([st(1, 10)]), { healthUrl: 'http://target:8000/healthz', connectTimeoutMs: 5_000 }, async () => 'answered HTTP 503');
    expect(record.status).toBe('failed');
    expect(record.error).toBe('the target is not healthy: GET http://target:8000/healthz answered HTTP 503 — fix the service or target.healthPath');
    expect(lg.calls.some((c) => c.startsWith('swarm'))).toBe(false);
  });

  it('goes on after a stage that failed and reports the run as failed', async () => {
    const { go } = setup();
    const record = await go(plan([st(1, 500, { spawnRate: 1, rampTimeoutMs: 8_000 }), st(2, 10)]));
    expect(record.stages.map((s) => s.status)).toEqual(['failed', 'completed']);
    expect(record.status).toBe('failed');
    expect(record.error).toBe("1 of 2 stages failed; see each stage's reason in summary.md");
  });
});

describe('a stop the master refuses', () => {
  it('ends the run at once with exit 3 and records it: no retry, no wait for the master, no further stage', async () => {
    const { clock, lg, sink, go } = setup();
    lg.stopRefused = { usersAtZero: false };
    const t0 = clock.now();
    const record = await go(plan([st(1, 10), st(2, 20)]));
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/^COULD NOT STOP THE LOAD: the Locust master at http:\/\/fake-locust:8089\/ .*the load may still be running/);
    expect(record.stopFailure).toMatchObject({ url: 'http://fake-locust:8089/', usersAtZero: false, tried: ['POST /stop: HTTP 500', 'GET /stop: HTTP 500'] });
    expect(record.stages.map((s) => [s.index, s.status])).toEqual([[1, 'failed']]);
    // one stop per stage end, never repeated: trying again only keeps the load on longer
    expect(lg.calls.filter((c) => c === 'stop')).toHaveLength(1);
    expect(lg.calls.filter((c) => c.startsWith('swarm'))).toHaveLength(1);
    expect(clock.now() - t0).toBeLessThan(20_000 + 12_000 + 5_000);
    expect(sink.last!.stopFailure).not.toBeNull();
  });

  it('outranks the signal that ended the run (SIGTERM mid-stage: exit 3, not 143)', async () => {
    const { clock, lg, controller, go } = setup();
    lg.stopRefused = { usersAtZero: true };
    void clock.sleep(15_000).then(() => controller.abort(new AbortedError('SIGTERM')));
    const record = await go(plan([st(1, 10)]));
    expect(record.status).toBe('failed');
    expect(record.stopFailure).toMatchObject({ usersAtZero: true });
    expect(record.error).toMatch(/refuses to stop .* restart the master/);
  });

  it('at the end of a transition: continue run, too (the users handed on are stopped only there)', async () => {
    const { lg, go } = setup();
    lg.stopRefused = { usersAtZero: false };
    const record = await go(plan([st(1, 10), st(2, 20)], { transition: 'continue' }));
    expect(record.stages.map((s) => s.status)).toEqual(['completed', 'failed']);
    expect(lg.calls.filter((c) => c === 'stop')).toHaveLength(1);
    expect(record.status).toBe('failed');
    expect(record.stopFailure).toMatchObject({ usersAtZero: false });
  });
});

describe("the stage's phase in run.json", () => {
  it('is rewritten as each phase begins, and cleared when the stage ends', async () => {
    const { sink, go } = setup();
    const record = await go(plan([st(1, 10), st(2, 20, { durationMs: 12_000 })]));
    expect(record.status).toBe('completed');
    const seen = sink.phases.map((c) => `${c!.stage}:${c!.phase}`);
    // stage 1 stops, then reads; stage 2 (the last, long enough) is read live, then stopped
    expect(seen).toEqual(['1:ramp', '1:measure', '1:stop', '1:collect', '2:ramp', '2:measure', '2:stop', '2:collect']);
    expect(sink.phases.every((c) => c!.attempt === 1 && !Number.isNaN(Date.parse(c!.since)))).toBe(true);
    expect(record.current).toBeNull();
    expect(sink.last!.current).toBeNull();
  });

  it('tells a resumed run where the dead one stopped', async () => {
    const first = setup();
    const interrupted = await first.go(plan([st(1, 10), st(2, 20)]));
    const dead = {
      ...interrupted,
      status: 'running' as const,
      stages: interrupted.stages.slice(0, 1),
      current: { stage: 2, attempt: 1, phase: 'measure' as const, since: '2026-11-28T12:00:00.000Z' },
    };
    const { events, go } = setup();
    const record = await go(plan([st(1, 10), st(2, 20)]), { resume: dead });
    expect(record.status).toBe('completed');
    const warning = events.find((e) => e.kind === 'warning' && e.message.startsWith('resuming run'));
    expect(warning && 'message' in warning ? warning.message : '').toMatch(
      /continuing at stage 2 \(the interrupted driver was in stage 2, attempt 1, phase measure since 2026-11-28T12:00:00.000Z\)/,
    );
  });
});
