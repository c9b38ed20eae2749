import { describe, expect, it } from 'vitest';
import { evaluateSlo } from '../../../src/core/slo.js';
import { runMatrix, type RunOptions } from '../../../src/core/run/index.js';
import type { CapacityPlan, RunPlan, SloSpec, StagePlan, Totals } from '../../../src/core/model.js';
import { ManualClock } from '../../fakes/manual-clock.js';
import { FakeLocust, type FakeLocustOptions } from '../../fakes/fake-locust.js';
import { MemorySink } from '../../fakes/memory-sink.js';

const none: SloSpec = { p50Ms: null, p90Ms: null, p95Ms: null, p99Ms: null, avgMs: null, maxMs: null, failRatio: null, minRps: null };
const totals = (o: Partial<Totals>): Totals => ({
  requests: 1000,
  failures: 0,
  rps: 100,
  failRatio: 0,
  avgMs: 50,
  minMs: 1,
  maxMs: 900,
  p50Ms: 40,
  p66Ms: 50,
  p75Ms: 60,
  p80Ms: 70,
  p90Ms: 200,
  p95Ms: 612,
  p98Ms: 700,
  p99Ms: 800,
  p999Ms: 900,
  p9999Ms: 900,
  p100Ms: 900,
  ...o,
});

describe('SLO verdicts', () => {
  it('gives a verdict per threshold with the observed value and a human reason', () => {
    const v = evaluateSlo({ ...none, p95Ms: 500, failRatio: 0.01, minRps: 50 }, totals({ failures: 23, failRatio: 0.023 }));
    expect(v.map((x) => [x.metric, x.pass, x.reason])).toEqual([
      ['p95', false, 'p95 612 ms > 500 ms'],
      ['failRatio', false, 'failures 2.30% > 1.00%'],
      ['minRps', true, 'throughput 100.0 req/s ≥ 50.0 req/s'],
    ]);
    expect(v[0]).toMatchObject({ threshold: 500, observed: 612 });
  });

  it('never passes a threshold without requests', () => {
    const v = evaluateSlo({ ...none, p95Ms: 500 }, totals({ requests: 0, p95Ms: null }));
    expect(v[0]).toMatchObject({ pass: false, observed: null, reason: 'p95 not measured (no requests in the window)' });
  });
});

const st = (index: number, users: number, slo: SloSpec | null): StagePlan => ({
  index,
  name: `users=${users}`,
  slug: `users-${users}`,
  users,
  spawnRate: 50,
  durationMs: 10_000,
  cooldownMs: 1_000,
  sampleEveryMs: 2_000,
  rampTimeoutMs: 120_000,
  replicas: null,
  hpa: null,
  workers: null,
  scaleTimeoutMs: 60_000,
  slo,
});

const plan = (stages: StagePlan[], over: Partial<RunPlan> = {}): RunPlan => ({
  version: 1,
  name: 'slo',
  source: 'm.yaml',
  locust: { url: 'http://fake-locust:8089', expectWorkers: 2, connectTimeoutMs: 10_000, requestTimeoutMs: 15_000, auth: null },
  target: { host: null, healthPath: null },
  kubernetes: null,
  onBreach: 'continue',
  transition: 'restart',
  retry: { attempts: 2, masterTimeoutMs: 30_000, onWorkerLoss: 'invalid' },
  capacity: null,
  metrics: null,
  stages,
  ...over,
});

function go(p: RunPlan, o: FakeLocustOptions, baseline: RunOptions['baseline'] = null) {
  const clock = new ManualClock();
  const lg = new FakeLocust(clock, { workers: 2, ...o });
  const opts: RunOptions = {
    runId: 'r',
    plan: p,
    host: null,
    healthUrl: null,
    embedded: false,
    expectWorkers: 2,
    connectTimeoutMs: 10_000,
    driverVersion: '0',
    nodeVersion: 'v24',
    baseline,
  };
  return {
    lg,
    run: clock.run(
      runMatrix({ lg, clock, sink: new MemorySink(), emit: () => undefined, signal: new AbortController().signal }, opts).then((end) => end.record),
    ),
  };
}

// A service whose p95 climbs with load: 40 ms up to 100 users, then 4 ms more per user.
const slowing = (u: number) => (u <= 100 ? 40 : 40 + (u - 100) * 4);
const p95Slo: SloSpec = { ...none, p95Ms: 500 };

describe('a run judged by an SLO', () => {
  it('holds at low load, breaks at high load: verdict fail, the breaching stage and threshold named', async () => {
    const { run } = go(plan([st(1, 50, p95Slo), st(2, 100, p95Slo), st(3, 300, p95Slo)]), { p95ForUsers: slowing });
    const r = await run;
    expect(r.status).toBe('completed');
    expect(r.verdict).toBe('fail');
    expect(r.stages.map((s) => s.slo.map((v) => v.pass))).toEqual([[true], [true], [false]]);
    expect(r.stages[2]!.slo[0]!.reason).toBe('p95 840 ms > 500 ms');
  });

  it('passes when every stage holds', async () => {
    const r = await go(plan([st(1, 50, p95Slo), st(2, 100, p95Slo)]), { p95ForUsers: slowing }).run;
    expect(r.verdict).toBe('pass');
  });

  it('skips the remaining stages after a breach with onBreach: stop', async () => {
    const { run, lg } = go(plan([st(1, 300, p95Slo), st(2, 400, p95Slo), st(3, 500, p95Slo)], { onBreach: 'stop' }), { p95ForUsers: slowing });
    const r = await run;
    expect(r.stages.map((s) => s.status)).toEqual(['completed', 'skipped', 'skipped']);
    expect(r.stages[1]!.reason).toBe('skipped: stage 1 breached its SLO (p95 840 ms > 500 ms) and slo.onBreach is stop');
    expect(lg.calls.filter((c) => c.startsWith('swarm'))).toHaveLength(1);
    expect(r.verdict).toBe('fail');
  });

  it('marks a stage whose workers were saturated invalid: it never counts as a pass', async () => {
    const r = await go(plan([st(1, 50, p95Slo)]), { cpuPercent: 97 }).run;
    expect(r.stages[0]!.status).toBe('invalid');
    expect(r.stages[0]!.reason).toMatch(/^the load generators were saturated: a worker used 97% CPU \(≥ 90%\)/);
    expect(r.verdict).toBe('fail');
  });

  it('fails the verdict of a run with an invalid stage and no SLO (exit 1): untrustworthy numbers must not pass CI', async () => {
    const r = await go(plan([st(1, 50, null)]), { cpuPercent: 97 }).run;
    expect([r.status, r.stages[0]!.status, r.verdict]).toEqual(['completed', 'invalid', 'fail']);
  });

  it('finds the capacity within the precision: each probe is an ordinary stage', async () => {
    // p95 ≤ 500 ms holds up to 215 users (40 + 115 × 4 = 500)
    const cap: CapacityPlan = { startUsers: 20, maxUsers: 1000, factor: 2, precisionUsers: 10 };
    const r = await go(plan([st(1, 20, p95Slo)], { capacity: cap }), { p95ForUsers: slowing }).run;
    expect(r.capacity).not.toBeNull();
    expect(r.capacity!.users).toBeLessThanOrEqual(215);
    expect(215 - r.capacity!.users!).toBeLessThanOrEqual(10);
    expect(r.capacity!.probes.slice(0, 5).map((p) => p.users)).toEqual([20, 40, 80, 160, 320]);
    expect(r.stages.map((s) => s.name)).toEqual(r.capacity!.probes.map((p) => `probe users=${p.users}`));
    expect(r.capacity!.reason).toMatch(/^\d+ users meet the SLO; \d+ breach it \(p95 \d+ ms > 500 ms\)/);
    expect(r.verdict).toBe('pass');
  });
});

describe('a run compared with a baseline', () => {
  it('records the comparison and fails the verdict when the service got slower, stages matched by parameters', async () => {
    const stages = [st(1, 50, null), st(2, 80, null)];
    const before = await go(plan(stages), { p95ForUsers: () => 40 }).run;
    const same = await go(plan(stages), { p95ForUsers: () => 40 }, { run: before, tolerances: { p95: 0.1 } }).run;
    expect(same.comparison?.regression).toBe(false);
    expect(same.verdict).toBe('none');
    const slower = await go(
      plan([...stages].reverse().map((s, i) => ({ ...s, index: i + 1 }))),
      { p95ForUsers: () => 60 },
      { run: before, tolerances: { p95: 0.1 } },
    ).run;
    expect(slower.comparison?.regression).toBe(true);
    expect(slower.comparison?.stages.filter((s) => s.regression)).toHaveLength(2);
    expect(slower.verdict).toBe('fail');
  });
});
